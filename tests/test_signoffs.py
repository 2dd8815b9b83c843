"""The sign-off record: expiry, permissions, unticking, and a record that cannot be read."""

from __future__ import annotations

from datetime import date

from gate.signoffs import SignOff, SignOffs, apply_ticks, hidden, read

BOX = "- [{}] **Disaster recovery drills conducted** <!-- prodgate-signoff:attest-disaster-recovery-drills-conducted -->\n"


def test_a_sign_off_expires_after_its_items_days() -> None:
    record = SignOffs(signed=(SignOff(item="i", by="m", at=date(2026, 8, 1), permission="admin"),))
    assert record.valid("i", date(2026, 10, 29), 90) is not None
    assert record.valid("i", date(2026, 11, 22), 90) is None
    assert record.valid("i", date(2030, 1, 1), None) is not None


def test_ticks_count_by_permission_and_untick_removes() -> None:
    old, new = BOX.format(" "), BOX.format("x")
    today = date(2026, 11, 22)
    by_reader = apply_ticks(SignOffs(), old, new, "r", "read", "write", today)
    assert by_reader.signed == () and by_reader.refused[0].by == "r"
    by_writer = apply_ticks(SignOffs(), old, new, "w", "write", "write", today)
    assert by_writer.signed[0].by == "w"
    unticked = apply_ticks(by_writer, new, old, "w", "write", "write", today)
    assert unticked.signed == ()
    assert apply_ticks(by_writer, new, old, "r", "read", "write", today).signed == by_writer.signed


def test_the_record_round_trips_and_garbage_is_empty() -> None:
    record = SignOffs(signed=(SignOff(item="i", by="m", at=date(2026, 11, 1), permission="write"),))
    assert read("text\n" + hidden(record) + "\n") == record
    assert read("<!-- prodgate-signoffs:not-base64!! -->") == SignOffs()
    assert read("no record") == SignOffs()


def test_a_box_the_gate_did_not_render_is_not_counted() -> None:
    old = BOX.format(" ")
    added = old + "- [x] **Anything** <!-- prodgate-signoff:attest-soc-2-type-ii -->\n"
    record = apply_ticks(SignOffs(), old, added, "w", "admin", "write", date(2026, 11, 22))
    assert record == SignOffs()
