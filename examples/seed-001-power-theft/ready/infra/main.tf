# The power-theft API on ECS Fargate behind an application load balancer (eu-central-1).
# Applied by the platform team's pipeline; `terraform validate` runs in CI.

resource "aws_vpc" "theft" {
  cidr_block = "10.42.0.0/16"
}

resource "aws_subnet" "app_a" {
  vpc_id            = aws_vpc.theft.id
  cidr_block        = "10.42.10.0/24"
  availability_zone = "eu-central-1a"
}

resource "aws_subnet" "app_b" {
  vpc_id            = aws_vpc.theft.id
  cidr_block        = "10.42.11.0/24"
  availability_zone = "eu-central-1b"
}

# the internet reaches the load balancer on 80 (redirected) and 443 only
resource "aws_security_group" "edge" {
  vpc_id = aws_vpc.theft.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# the tasks accept traffic from the load balancer only
resource "aws_security_group" "tasks" {
  vpc_id = aws_vpc.theft.id
  ingress {
    from_port       = 8000
    to_port         = 8000
    protocol        = "tcp"
    security_groups = [aws_security_group.edge.id]
  }
}

resource "aws_lb" "theft" {
  name               = "power-theft"
  load_balancer_type = "application"
  subnets            = [aws_subnet.app_a.id, aws_subnet.app_b.id]
  security_groups    = [aws_security_group.edge.id]
}

resource "aws_lb_target_group" "theft" {
  port        = 8000
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.theft.id
  health_check {
    path    = "/health"
    matcher = "200"
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.theft.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.theft.arn
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.theft.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_ecs_service" "theft" {
  name          = "power-theft"
  desired_count = 2
  launch_type   = "FARGATE"
  load_balancer {
    target_group_arn = aws_lb_target_group.theft.arn
    container_name   = "api"
    container_port   = 8000
  }
}

resource "aws_appautoscaling_target" "theft" {
  min_capacity       = 2
  max_capacity       = 8
  resource_id        = "service/power-theft/power-theft"
  scalable_dimension = "ecs:service:DesiredCount"
  service_namespace  = "ecs"
}

resource "aws_appautoscaling_policy" "theft_cpu" {
  name               = "power-theft-cpu"
  policy_type        = "TargetTrackingScaling"
  resource_id        = aws_appautoscaling_target.theft.resource_id
  scalable_dimension = aws_appautoscaling_target.theft.scalable_dimension
  service_namespace  = aws_appautoscaling_target.theft.service_namespace
  target_tracking_scaling_policy_configuration {
    target_value = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

# the task reads its image and writes its logs, nothing else
resource "aws_iam_role" "task_execution" {
  name = "power-theft-task-execution"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "task_execution" {
  role       = aws_iam_role.task_execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

variable "certificate_arn" {
  type        = string
  description = "The ACM certificate for the API's host name"
}
