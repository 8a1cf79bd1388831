"""How the dashboard shows data as text: Markdown escaped, times readable."""

from __future__ import annotations

import pytest

from dashboard.text import md, stamp


@pytest.mark.parametrize(("written", "shown"), [
    # Neo4j's datetime() as the driver gives it: nanoseconds, UTC.
    ("2026-11-29T13:03:01.790000000+00:00", "2026-11-29 13:03:01 UTC"),
    # Python's isoformat (saved views, the audit log), and a Z.
    ("2026-11-28T15:41:23.123+00:00", "2026-11-28 15:41:23 UTC"),
    ("2026-11-28T15:41:23Z", "2026-11-28 15:41:23 UTC"),
    # A partner's extract time keeps the partner's own offset.
    ("2016-03-01T09:00:00.000000000+01:00", "2016-03-01 09:00:00 +01:00"),
    ("2016-03-01T09:00:00", "2016-03-01 09:00:00"),
    # Nothing, a date alone or text: as it is.
    (None, ""), ("", ""), ("2016-03-01", "2016-03-01"), ("soon", "soon"),
])
def test_stamp_shows_a_time_to_the_second_in_its_own_zone(written: str | None,
                                                           shown: str) -> None:
    assert stamp(written) == shown


def test_md_escapes_what_markdown_and_html_would_act_on() -> None:
    assert md("[x](javascript:go) <b>") == r"\[x\]\(javascript\:go\) \<b\>"
