"""The one exception family of ``ingest``."""

from __future__ import annotations


class IngestError(Exception):
    """Base of every error raised by ``ingest``; ``str()`` is a message fit for a user."""


class DeliveryRefused(IngestError):
    """A delivery is refused whole: nothing of it is stored.

    ``source`` names the delivery (and file, where one is at fault), ``reasons`` says why.
    Messages never contain a cell value: a value may be a raw identifier.
    """

    def __init__(self, source: str, reasons: list[str]) -> None:
        self.source = source
        self.reasons = reasons
        super().__init__(f"{source}: refused: " + "; ".join(reasons))


class KeyProblem(IngestError):
    """The pseudonymisation key is missing, unreadable or does not fit the key id."""
