from pathlib import Path

import pytest

from ingest.seen import SeenRows


def test_finds_every_duplicate_with_its_first_line_across_growth() -> None:
    seen = SeenRows(capacity=4)  # forces many resizes
    for line in range(2, 20_002):
        assert seen.first_line(("row", line), line) is None
    assert len(seen) == 20_000
    for line in (2, 777, 20_001):
        assert seen.first_line(("row", line), 99_999) == line
    assert seen.first_line(("row", 20_002), 20_003) is None


def test_values_of_different_types_are_different_rows() -> None:
    seen = SeenRows()
    assert seen.first_line(("1",), 2) is None
    assert seen.first_line((1,), 3) is None
    assert seen.first_line(("1",), 4) == 2


def test_past_its_limit_the_table_moves_to_disk_and_still_finds_every_duplicate() -> None:
    with SeenRows(capacity=4, limit=1000) as seen:
        for line in range(2, 5_002):
            assert seen.first_line(("row", line), line) is None
        assert seen.on_disk and len(seen) == 5_000
        for line in (2, 999, 1_003, 5_001):  # kept before the move, and after it
            assert seen.first_line(("row", line), 99_999) == line
        assert seen.first_line(("row", 5_002), 5_003) is None
        assert seen.first_line(("row", 5_002), 5_004) == 5_003
    assert not seen.on_disk  # closed: the scratch file is gone


def test_the_scratch_file_is_deleted_when_done(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with SeenRows(limit=10) as seen:
        for line in range(50):
            seen.first_line((line,), line)
        assert [p.name[:13] for p in tmp_path.iterdir()] == ["schakel-seen-"]
    assert list(tmp_path.iterdir()) == []
