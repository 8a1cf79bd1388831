"""How the dashboard shows data as text: Markdown escaped, times readable."""

from __future__ import annotations

import pytest

from dashboard.text import md, stamp


@pytest.mark.parametrize(("written", "shown"), [
    # Neo4j's datetime() as the driver gives it: nanoseconds, UTC; shown in the team's
    # zone (Europe/Amsterdam by default), in winter and in summer time.
    ("2026-11-29T13:03:01.790000000+00:00", "2026-11-29 14:03:01 CET"),
    ("2026-07-29T13:03:01.790000000+00:00", "2026-07-29 15:03:01 CEST"),
    # Python's isoformat (saved views, the audit log), and a Z.
    ("2026-11-28T15:41:23.123+00:00", "2026-11-28 16:41:23 CET"),
    ("2026-11-28T15:41:23Z", "2026-11-28 16:41:23 CET"),
    # A partner's extract time with its own offset, in the team's zone too.
    ("2016-03-01T09:00:00.000000000+01:00", "2016-03-01 09:00:00 CET"),
    ("2016-03-01T09:00:00-05:00", "2016-03-01 15:00:00 CET"),
    # A time without an offset: as written.
    ("2016-03-01T09:00:00", "2016-03-01 09:00:00"),
    # Nothing, a date alone or text: as it is.
    (None, ""), ("", ""), ("2016-03-01", "2016-03-01"), ("soon", "soon"),
])
def test_stamp_shows_a_time_to_the_second_in_the_teams_zone(written: str | None,
                                                           shown: str) -> None:
    assert stamp(written) == shown


def test_md_escapes_what_markdown_and_html_would_act_on() -> None:
    assert md("[x](javascript:go) <b>") == r"\[x\]\(javascript\:go\) \<b\>"


def test_stamp_follows_the_zone_the_team_set() -> None:
    from dashboard.text import use_zone
    try:
        use_zone("Europe/London")
        assert stamp("2026-07-29T13:03:01+00:00") == "2026-07-29 14:03:01 BST"
    finally:
        use_zone("Europe/Amsterdam")
