"""Keep the Dutch catalog in step with the code.

    uv run python -m i18n.catalogs update   # extract the marked texts, merge into nl.po
    uv run python -m i18n.catalogs check    # exit 1 when nl.po is out of date or incomplete

Texts are marked with ``_("…")`` and ``ngettext("…", "…", n)`` in ``dashboard/``,
``graph/``, ``ingest/`` and ``schakel/``. A new text gets an empty Dutch translation to
fill in; a text no longer in the code leaves the catalog.
"""

from __future__ import annotations

import sys
from pathlib import Path
from string import Formatter

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("dashboard", "graph", "ingest", "schakel")
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None, "NP_": (1, 2)}
PO = Path(__file__).parent / "nl.po"


def extracted() -> Catalog:
    """The texts the code marks now."""
    found = Catalog(locale="nl", project="Schakel", fuzzy=False)
    for folder in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
                ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS,
                comment_tags=("i18n:",), strip_comment_tags=True):
            found.add(message, None, [(f"{folder}/{filename}", lineno)],
                      auto_comments=comments, context=context)
    return found


def current() -> Catalog:
    with PO.open("rb") as fh:
        return read_po(fh, locale="nl")


def problems() -> list[str]:
    """What is wrong with ``nl.po``: texts missing, left over, untranslated or fuzzy."""
    code, po = extracted(), current()
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in code if m.id}
    have = {m.id if isinstance(m.id, str) else m.id[0]: m for m in po if m.id}
    out = [f"not in nl.po (run `python -m i18n.catalogs update`): {t!r}"
           for t in sorted(wanted - set(have))]
    out += [f"in nl.po but no longer in the code: {t!r}" for t in sorted(set(have) - wanted)]
    for text in sorted(wanted & set(have)):
        m = have[text]
        strings = [s or "" for s in _several(m.string)]
        ids = [i or "" for i in _several(m.id)]
        if m.fuzzy or not all(strings):
            out.append(f"no Dutch yet: {text!r}")
        elif any(fields(s) != fields(ids[-1]) for s in strings):
            out.append(f"the Dutch names other {{fields}} than the English: {text!r}")
    return out


def _several(value: object) -> list[str]:
    """A message's id or string as a list: one text, or the singular and plural forms."""
    return list(value) if isinstance(value, (tuple, list)) else [value]  # type: ignore[list-item]


def fields(text: str) -> set[str]:
    """The ``{names}`` a text is formatted with: a translation must keep them all.

    >>> sorted(fields("{n} of {total} nodes"))
    ['n', 'total']
    """
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def update() -> int:
    """Merge the code's texts into ``nl.po``; how many have no Dutch yet."""
    code = extracted()
    po = current() if PO.exists() else Catalog(locale="nl", project="Schakel")
    po.update(code, no_fuzzy_matching=True)
    po.obsolete.clear()
    with PO.open("wb") as fh:
        write_po(fh, po, width=100, no_location=True, sort_output=True, include_previous=False)
    return sum(1 for m in po if m.id and (not m.string or (isinstance(m.string, tuple)
                                                            and not all(m.string))))


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        missing = update()
        print(f"nl.po updated; {missing} texts have no Dutch yet.")
        return
    found = problems()
    for line in found:
        print(line)
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
