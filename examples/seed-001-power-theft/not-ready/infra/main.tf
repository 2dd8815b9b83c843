# The power-theft API on one EC2 instance that runs the container; applied by hand from a laptop.

resource "aws_vpc" "theft" {
  cidr_block = "10.42.0.0/16"
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.theft.id
  cidr_block              = "10.42.1.0/24"
  map_public_ip_on_launch = true
}

# opened wide while debugging, never closed again
resource "aws_security_group" "api" {
  vpc_id = aws_vpc.theft.id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 8000
    to_port     = 8000
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_iam_policy" "api" {
  name = "power-theft-api"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_instance" "api" {
  ami                    = "ami-0a1b2c3d4e5f60718"
  instance_type          = "t3.medium"
  subnet_id              = aws_subnet.public.id
  vpc_security_group_ids = [aws_security_group.api.id]
  user_data              = "docker run -d -p 8000:8000 power-theft:latest"
}
