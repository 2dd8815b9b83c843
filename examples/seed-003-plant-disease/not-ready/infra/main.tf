# cluster for the plant API (default VPC for now)

data "aws_vpc" "default" {
  default = true
}

data "aws_subnets" "default" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default.id]
  }
}

resource "aws_security_group" "api" {
  vpc_id = data.aws_vpc.default.id
  ingress {
    from_port   = 8000
    to_port     = 8000
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_eks_cluster" "plants" {
  name     = "plants"
  role_arn = "arn:aws:iam::123456789012:role/eks-admin"
  vpc_config {
    subnet_ids = data.aws_subnets.default.ids
  }
}
