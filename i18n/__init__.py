"""Schakel in Dutch and English: gettext catalogs, and dates and numbers the way the
reader's language writes them (Babel).

Texts are marked with :func:`_` (and :func:`ngettext` for counts) and written in
English in the code; ``i18n/nl.po`` holds their Dutch. Which language a text comes out in
is the current context's (:func:`use`): the dashboard sets it at the start of every run
from the user's choice, the command line from ``SCHAKEL_LANGUAGE``. Dutch is the default.

The catalog is read from the ``.po`` file when first needed: there is no compiled file
to forget to rebuild. ``python -m i18n.catalogs update`` extracts the marked texts again
and merges them into the catalog; a test fails when the catalog is out of date or a text
has no Dutch.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

HERE = Path(__file__).parent
LANGUAGES: dict[str, str] = {"nl": "Nederlands", "en": "English"}
DEFAULT = "nl"
_current: ContextVar[str | None] = ContextVar("schakel_language", default=None)


def default() -> str:
    """The installation's language: ``SCHAKEL_LANGUAGE`` (``nl`` or ``en``), else Dutch."""
    chosen = os.environ.get("SCHAKEL_LANGUAGE", "").strip().lower()
    return chosen if chosen in LANGUAGES else DEFAULT


def current() -> str:
    """The language texts come out in now."""
    return _current.get() or default()


def use(language: str | None) -> None:
    """Texts come out in ``language`` from now on in this context (``None``: the default)."""
    _current.set(language if language in LANGUAGES else None)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Texts in ``language`` within the block."""
    token = _current.set(language)
    try:
        yield
    finally:
        _current.reset(token)


@cache
def catalog(language: str) -> Catalog | None:
    """The catalog of ``language``; ``None`` for English, the language of the code."""
    path = HERE / f"{language}.po"
    if language == "en" or not path.exists():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=language)


def _(text: str) -> str:
    """``text`` in the current language (as it is, when it has no translation)."""
    found = catalog(current())
    if found is None:
        return text
    message = found.get(text)
    if message is None or not message.string or message.fuzzy:
        return text
    string = message.string
    return str(string[0] if isinstance(string, tuple | list) else string)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for ``n`` of a text that counts: "1 node", "12 nodes"."""
    found = catalog(current())
    message = found.get(singular) if found is not None else None
    if message is None or message.fuzzy or not isinstance(message.string, tuple) or not all(
            message.string):
        return singular if n == 1 else plural
    forms = message.string
    return forms[0] if n == 1 else forms[min(1, len(forms) - 1)]


def N_(text: str) -> str:
    """Mark a text for the catalog where it is defined (a table of names); it is
    translated where it is shown, with :func:`_`."""
    return text


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a text with a plural for the catalog, to be given a count later with
    :func:`ngettext`."""
    return singular, plural


def number(n: float, digits: int = 0) -> str:
    """A number as the current language writes it: 1.234,5 in Dutch, 1,234.5 in English.

    >>> with speaking("nl"):
    ...     number(1234), number(0.5, 2)
    ('1.234', '0,50')
    """
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(n, format=pattern, locale=current())


def day(value: date) -> str:
    """A date as the current language writes it: "5 dec. 2026", "Dec 5, 2026".

    >>> with speaking("nl"):
    ...     day(date(2026, 12, 5))
    '5 dec 2026'
    """
    return format_date(value, format="medium", locale=current())


def moment(value: datetime) -> str:
    """A date and time, to the minute, as the current language writes it."""
    return format_datetime(value, format="medium", locale=current())


def locale() -> Locale:
    return Locale.parse(current())
