#!/usr/bin/env bash
# Roll the ECS service in $1 (staging or production) back to the task definition before the current one.
set -euo pipefail
cluster="power-theft-$1"
current=$(aws ecs describe-services --cluster "$cluster" --services api \
  --query 'services[0].taskDefinition' --output text)
revision=${current##*:}
previous="${current%:*}:$((revision - 1))"
aws ecs update-service --cluster "$cluster" --service api --task-definition "$previous" >/dev/null
aws ecs wait services-stable --cluster "$cluster" --services api
echo "rolled $cluster back from $current to $previous"
