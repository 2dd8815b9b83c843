"""The report model's numerous instances: what they share, and that sharing changes nothing they say."""

from __future__ import annotations

from gate.model import Confidence, Finding, Location, Severity


def _finding(n: int, **extra: object) -> Finding:
    return Finding(
        check_id="api-authentication",
        message=f"POST /predict/{n} requires no credentials.",
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        locations=(Location(path=f"svc/mod{n}.py", start_line=n + 1),),
        **extra,
    )


def test_findings_given_the_same_fields_share_one_set_of_them() -> None:
    a, b = _finding(1), _finding(2)
    assert a.model_fields_set is b.model_fields_set
    assert a.model_fields_set == {"check_id", "message", "severity", "confidence", "locations"}
    assert a.locations[0].model_fields_set is b.locations[0].model_fields_set
    bare = Location(path="README.md")
    assert bare.model_fields_set == {"path"}
    assert bare.model_fields_set is not a.locations[0].model_fields_set
    # what exclude_unset reads is still each instance's own
    assert bare.model_dump(exclude_unset=True) == {"path": "README.md"}
    assert _finding(3, remediation="Add auth.").model_fields_set == a.model_fields_set | {"remediation"}


def test_a_copy_with_changes_leaves_the_shared_set_alone() -> None:
    a, b = _finding(1), _finding(2)
    changed = a.model_copy(update={"remediation": "Require a token."})
    assert changed.remediation == "Require a token." and "remediation" in changed.model_fields_set
    assert "remediation" not in a.model_fields_set and "remediation" not in b.model_fields_set
    assert a.model_dump() == _finding(1).model_dump()
