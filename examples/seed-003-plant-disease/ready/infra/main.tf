# The cluster the k8s/ manifests are applied to. Planned in CI, applied by the platform team.

resource "aws_vpc" "plants" {
  cidr_block           = "10.60.0.0/16"
  enable_dns_hostnames = true
}

resource "aws_subnet" "private_a" {
  vpc_id            = aws_vpc.plants.id
  cidr_block        = "10.60.1.0/24"
  availability_zone = "eu-west-1a"
}

resource "aws_subnet" "private_b" {
  vpc_id            = aws_vpc.plants.id
  cidr_block        = "10.60.2.0/24"
  availability_zone = "eu-west-1b"
}

# The load balancer the Ingress controller creates takes HTTPS only; the nodes are reached from it.
resource "aws_security_group" "ingress" {
  vpc_id = aws_vpc.plants.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_kms_key" "cluster_secrets" {
  description         = "envelope encryption of the cluster's Secrets"
  enable_key_rotation = true
}

resource "aws_eks_cluster" "plants" {
  name     = "plants"
  role_arn = var.cluster_role_arn
  vpc_config {
    subnet_ids              = [aws_subnet.private_a.id, aws_subnet.private_b.id]
    endpoint_public_access  = false
    endpoint_private_access = true
  }
  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.cluster_secrets.arn
    }
  }
}

variable "cluster_role_arn" {
  type = string
}
