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
