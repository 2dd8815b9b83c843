"""Cloud resources declared as code: autoscaling, load balancing with health checks, networks and
firewalls, encryption at rest, IAM without wildcards, database replication.

A go-live checklist asks "Auto-scaling groups configured", "Firewall rules configured", "Data encryption
at rest". One check reads the Terraform, Bicep, ARM and CloudFormation resources in the repository
(gate/facts/iac.py); which aspects it asks for comes from the team's config or, for a checklist line,
from the line's own words (gate/thresholds.py).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gate.checks.base import Decision, Hit, NoOptions, at, check, failed, not_applicable, passed
from gate.facts import Facts
from gate.facts.iac import Resource
from gate.lazyre import lazy
from gate.model import Confidence, Level, Outcome, Severity
from gate.wording import count

IacAspect = Literal[
    "scaling-policy",
    "scaling-group",
    "load-balancer",
    "health-check",
    "network",
    "firewall",
    "encryption",
    "iam",
    "replication",
    "instances",
    "auto-recovery",
]
NAMES: dict[IacAspect, str] = {
    "scaling-policy": "an autoscaling policy",
    "scaling-group": "an autoscaling group or scale set",
    "load-balancer": "a load balancer",
    "health-check": "a load balancer health check",
    "network": "a virtual network with subnets",
    "firewall": "firewall rules open only on 80/443 to the internet",
    "encryption": "encryption at rest on every data store",
    "iam": "IAM roles without wildcard actions",
    "replication": "a replicated database",
    "instances": "at least two instances behind the load balancer",
    "auto-recovery": "a managed service that replaces failed instances",
}
_TYPES: dict[IacAspect, str] = {
    "scaling-policy": r"autoscaling_policy|appautoscaling_policy|autoscale_setting|compute_autoscaler|autoscalesettings|AutoScaling::ScalingPolicy|ApplicationAutoScaling::ScalingPolicy",
    "scaling-group": r"autoscaling_group|scale_set|instance_group_manager|virtualMachineScaleSets|AutoScaling::AutoScalingGroup|container_app$|containerApps$|ecs_service|ECS::Service",
    "load-balancer": r"^aws_lb$|^aws_alb$|^aws_elb$|azurerm_lb$|application_gateway|forwarding_rule|loadBalancers|applicationGateways|ElasticLoadBalancing",
    "network": r"aws_vpc$|virtual_network$|compute_network$|virtualNetworks$|EC2::VPC$",
    "firewall": r"security_group|network_security_group|compute_firewall|networkSecurityGroups|SecurityGroup",
    "iam": r"iam_role|iam_policy|role_assignment|project_iam|roleAssignments|IAM::Role|IAM::Policy",
    "replication": r"db_instance|rds_cluster|sql_server|postgresql_(flexible_)?server|mysql_(flexible_)?server|sql_database_instance|DBInstance|DBCluster|Microsoft\.(Sql|DBforPostgreSQL|DBforMySQL)",
}
_RECOVERS = r"ecs_service|ECS::Service|autoscaling_group|AutoScaling::AutoScalingGroup|instance_group_manager|scale_set|virtualMachineScaleSets|container_app$|containerApps$|cloud_run|kubernetes_deployment"
"""Resources whose platform restarts or replaces an instance that fails (tasks, group members, revisions)."""
_WEB_APPS = r"web_app$|app_service$|Microsoft\.Web/sites$"
_AUTO_HEAL = lazy(r"health_check_path|auto_heal|healthCheckPath|autoHeal", re.I)
_DATA_STORES = r"db_instance|rds_cluster|ebs_volume|s3_bucket$|storage_account|managed_disk|sql_database_instance|DBInstance|DBCluster|S3::Bucket|EC2::Volume|storageAccounts"
_ENCRYPTED = lazy(
    r"(storage_encrypted|encrypted|encryption_enabled|StorageEncrypted|Encrypted)\s*[=:]\s*['\"]?true|kms_key_(id|arn)|"
    r"server_side_encryption_configuration|BucketEncryption|customer_managed_key|infrastructure_encryption_enabled|"
    r"encryption\s*\{|disk_encryption_key",
    re.I,
)
_HEALTH = lazy(
    r"health_check\s*\{|health_probe|azurerm_lb_probe|HealthCheckPath|healthCheck|probes?\s*[:=]", re.I
)
_OPEN_WORLD = lazy(r"0\.0\.0\.0/0|::/0|['\"]\*['\"]\s*$|source_address_prefix\s*=\s*\"(\*|Internet)\"")
_PORT = lazy(r"(from_port|to_port|destination_port_ranges?|FromPort|ToPort|port_range)\D{0,10}(\d+)")
_WILDCARD = lazy(
    r"['\"]Action['\"]\s*:\s*\[?\s*['\"]\*['\"]|actions\s*=\s*\[\s*\"\*\"|\"\*:\*\"|Action:\s*['\"]?\*['\"]?\s*$"
    # jsonencode() in HCL writes the policy as an object: Action = "*" or Action = ["*"]
    r"|\bAction\s*=\s*\[?\s*\"\*\"",
    re.M,
)
_REPLICATED = lazy(
    r"multi_az\s*=\s*true|MultiAZ\s*:\s*['\"]?true|replicate_source_db|geo_redundant_backup_enabled\s*=\s*true|"
    r"high_availability\s*\{|availability_type\s*=\s*\"REGIONAL\"|read_replica|replica",
    re.I,
)
_COUNT = lazy(
    r"(min_size|desired_capacity|count|instances|MinSize|min_replicas|minReplicas|capacity)\s*[=:]\s*['\"]?(\d+)",
    re.I,
)
_ASKED: tuple[tuple[IacAspect, re.Pattern[str]], ...] = (
    ("scaling-policy", lazy(r"scaling polic|autoscaling polic", re.I)),
    ("scaling-group", lazy(r"auto-?scaling groups?|scale sets?", re.I)),
    ("instances", lazy(r"load balancing across|across instances", re.I)),
    ("load-balancer", lazy(r"load balancer (configured|created|set up)", re.I)),
    ("health-check", lazy(r"^\W*health checks? (configured|automated)\W*$", re.I)),
    ("auto-recovery", lazy(r"auto-?recovery|self-?heal|auto-?heal", re.I)),
    ("network", lazy(r"\bvpc\b|subnets?|networking configured|virtual network", re.I)),
    ("firewall", lazy(r"firewall|security groups?", re.I)),
    ("encryption", lazy(r"encrypt\w* at rest|at-rest encryption", re.I)),
    ("iam", lazy(r"\biam\b|roles?/permissions", re.I)),
    ("replication", lazy(r"replicat", re.I)),
)


def asked_iac_aspects(text: str) -> tuple[IacAspect, ...]:
    asked = [a for a, rx in _ASKED if rx.search(text)]
    if "firewall" in asked and "network" in asked and re.search(r"networking configured", text, re.I):
        asked.remove(
            "firewall"
        )  # "Networking configured (VPC, subnets, security groups)": the network as a whole
    return tuple(asked)


class IacOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)
    aspects: tuple[IacAspect, ...] = ()
    """What the infrastructure code must declare. None by default: a checklist line asks for its own."""
    external: str | None = Field(default=None, min_length=1)
    """Where the infrastructure is declared instead ("the platform team's terraform-live repository"):
    the check is then not applicable, with that reason."""


def _first(resources: tuple[Resource, ...]) -> str:
    r = resources[0]
    return f"{r.type} {r.name} ({r.path}:{r.line})"


def _judge(facts: Facts, aspect: IacAspect) -> tuple[bool | None, str, tuple[str, int] | None]:
    """(met, evidence or what is missing, where); met is None when the aspect does not apply (a
    service that keeps no state has no database to replicate or encrypt)."""
    iac = facts.iac
    if aspect in ("scaling-policy", "scaling-group", "load-balancer", "network"):
        found = iac.of(_TYPES[aspect])
        if aspect == "network":
            found = found if iac.of(r"subnet") or any("subnet" in r.body.lower() for r in found) else ()
        return (True, _first(found), None) if found else (False, f"not declared: {NAMES[aspect]}", None)
    if aspect == "auto-recovery":
        found = iac.of(_RECOVERS) or tuple(r for r in iac.of(_WEB_APPS) if _AUTO_HEAL.search(r.body))
        return (True, _first(found), None) if found else (False, f"not declared: {NAMES[aspect]}", None)
    if aspect == "health-check":
        checked = [
            r
            for r in iac.resources
            if _HEALTH.search(r.body) or re.search(r"probe|health_check", r.type, re.I)
        ]
        return (
            (True, _first(tuple(checked)), None)
            if checked
            else (False, "no health check on a load balancer or target", None)
        )
    if aspect == "firewall":
        groups = iac.of(_TYPES["firewall"]) + iac.of(
            r"security_group_rule|network_security_rule|SecurityGroupIngress"
        )
        if not groups:
            return False, "no security group, firewall or network security group", None
        for r in groups:
            for line in r.body.splitlines():
                if _OPEN_WORLD.search(line):
                    ports = {int(m.group(2)) for m in _PORT.finditer(r.body)}
                    if ports - {80, 443}:
                        return (
                            False,
                            f"{r.type} {r.name} opens ports {', '.join(map(str, sorted(ports - {80, 443})))} to the internet",
                            (r.path, r.line),
                        )
        return True, _first(groups), None
    if aspect == "encryption":
        stores = iac.of(_DATA_STORES)
        if not stores:
            if not facts.backups.stores:
                return None, "the service keeps no state and declares no data store", None
            return False, f"no data store declared for {facts.backups.stores[0]}", None
        # S3 has encrypted every object at rest (SSE-S3) since January 2023, whatever the bucket says
        bare = [
            r
            for r in stores
            if not _ENCRYPTED.search(r.body) and not re.search(r"s3_bucket$|S3::Bucket$", r.type)
        ]
        if bare:
            r = bare[0]
            return False, f"{r.type} {r.name} sets no encryption at rest", (r.path, r.line)
        return True, f"{count(len(stores), 'data store')} encrypted", None
    if aspect == "iam":
        roles = iac.of(_TYPES["iam"])
        if not roles:
            return False, "no IAM role or assignment", None
        wild = [r for r in iac.resources if _WILDCARD.search(r.body)]
        if wild:
            return False, f"{wild[0].type} {wild[0].name} allows every action", (wild[0].path, wild[0].line)
        return True, _first(roles), None
    if aspect == "replication":
        dbs = iac.of(_TYPES["replication"])
        if not dbs:
            if not facts.backups.stores:
                return None, "the service keeps no state and declares no database", None
            return False, f"no database declared for {facts.backups.stores[0]}", None
        replicated = [r for r in dbs if _REPLICATED.search(r.body)]
        return (
            (True, _first(tuple(replicated)), None)
            if replicated
            else (False, f"{_first(dbs)} is a single instance", (dbs[0].path, dbs[0].line))
        )
    # instances: a load balancer and a group or service that runs two or more
    groups = iac.of(_TYPES["scaling-group"])
    counts = [int(m.group(2)) for r in groups for m in _COUNT.finditer(r.body)]
    if iac.of(_TYPES["load-balancer"]) and counts and max(counts) >= 2:
        return True, f"{_first(groups)} runs at least {max(counts)}", None
    return False, "no load balancer in front of two or more instances", None


@check(
    id="iac-resources",
    title="Infrastructure code declares the resources asked for",
    category="operations",
    severity=Severity.LOW,
    level=Level.GOLD,
    confidence=Confidence.MEDIUM,
    applies_when="the repository declares infrastructure as code, and the config or a checklist line names an aspect",
    remediation="Declare what the report names in the infrastructure code, or fix the settings it points at.",
    options=IacOptions,
)
def iac_resources(facts: Facts, options: IacOptions) -> Decision:
    """
    ## What it checks
    That the Terraform, Bicep, ARM or CloudFormation code in the repository declares each aspect asked
    for: an autoscaling policy; an autoscaling group, scale set or container service; a load balancer,
    with a health check; a virtual network with subnets; firewall rules (security groups, network
    security groups) that open nothing but 80 and 443 to the internet; encryption at rest on every
    data store (databases, volumes, storage accounts; an S3 bucket always is, since S3 encrypts every
    object by default); IAM roles with no wildcard action; a
    replicated database (multi-AZ, a replica, geo-redundancy); at least two instances behind the load
    balancer; a managed service that replaces failed instances (an ECS service, an autoscaling group or
    managed instance group, a scale set, Container Apps, Cloud Run, or a web app with a health check
    path or auto-heal).

    A repository without infrastructure code whose service runs on Kubernetes has its firewall in the
    cluster: a line that asks for firewall rules alone is then judged on the NetworkPolicies, as
    `k8s-network-policy` judges them.

    Resources are read as written: values from variables are not resolved, hence medium confidence.
    With no infrastructure code the check cannot decide (missing evidence) unless `external` says where
    the infrastructure is declared. Encryption and replication do not apply to a service that keeps no
    state (no SQLite database, database service, volume claim or StatefulSet) and declares no data store.

    No aspect is asked by default. A checklist line names its own ("Firewall rules configured" asks
    for the firewall rules).

    ## Why it matters
    The checklist's cloud lines are usually ticked from memory of a console; the code is what will be
    applied next time.

    ## How to fix
    Declare what the report names.

    ## Example
    ```hcl
    resource "aws_db_instance" "jobs" {
      engine            = "postgres"
      multi_az          = true
      storage_encrypted = true
    }
    ```
    """
    if not options.aspects:
        return not_applicable("No infrastructure aspect is asked for (options.aspects, or a checklist line).")
    if options.external:
        return not_applicable(f"The infrastructure is declared outside the repository: {options.external}")
    if not facts.iac.resources and set(options.aspects) == {"firewall"} and facts.kubernetes.workloads:
        # a service deployed to Kubernetes has its firewall in the cluster: NetworkPolicies (the audit's
        # reading of "Firewall rules configured" for a repository without cloud infrastructure code)
        from gate.checks.orchestration.network import k8s_network_policy

        decided = k8s_network_policy(facts, NoOptions())
        said = decided.summary[:1].lower() + decided.summary[1:]
        return Decision(decided.outcome, f"In the Kubernetes manifests, {said}", decided.hits)
    if not facts.iac.resources:
        return Decision(
            Outcome.MISSING_EVIDENCE,
            "No infrastructure code in the repository (Terraform, Bicep, ARM, CloudFormation). If it lives "
            "elsewhere, say where in options.external.",
        )
    found: list[str] = []
    moot: list[str] = []
    missing: list[str] = []
    hits: list[Hit] = []
    first = facts.iac.resources[0]
    for aspect in dict.fromkeys(options.aspects):
        met, said, place = _judge(facts, aspect)
        if met is None:
            moot.append(said)
        elif met:
            found.append(f"{NAMES[aspect]}: {said}")
        else:
            missing.append(NAMES[aspect])
            # a sentence starts capitalised, a resource type (aws_security_group) as written
            opening = said if "_" in said.split(" ", 1)[0] else f"{said[0].upper()}{said[1:]}"
            hits.append(Hit(f"{opening}.", (at(*place) if place else at(first.path),)))
    if hits:
        return failed(f"Missing: {', '.join(missing)}.", *hits)
    if not found:
        return not_applicable("Not needed: " + "; ".join(moot) + ".")
    return passed("Declared: " + "; ".join(found + moot) + ".")
