"""Data shown through Streamlit's Markdown (titles, captions, labels) as literal text."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(value: object) -> str:
    """``value`` with every Markdown and HTML special character escaped.

    >>> print(md("[x](javascript:go) <b>"))
    \\[x\\]\\(javascript\\:go\\) \\<b\\>
    """
    return _MARKDOWN.sub(r"\\\1", str(value))
