"""A mend for one race in the neo4j driver, applied only when a store connects.

When a query in a transaction fails, the driver's session gives the connection back to
the pool at once, from the failure's callback (``Session._transaction_error_handler``);
the transaction then closes and, while it does, still reads that connection. Another
thread can take the connection in between. Then the failing thread gets
``ResultFailedError`` instead of the server's error, so a deadlock is not retried and a
unique-key clash is not seen as one, and the thread that took the connection can wait two
minutes for an answer (seen in CI in tests/test_views.py; reproduced by
tests/test_store.py, which fails if the race comes back).

The mend: the session keeps the connection; it gives it back once the transaction has
closed (the transaction's closed handler), or in its own clean-up when the driver refuses
to commit a failed transaction, the two ways the driver's code goes on.

It replaces a private method, so it is applied only to the driver versions it was read
against and verified on (``VERIFIED``; ``pyproject.toml`` pins that version), and Schakel
refuses to connect with any other, with a message that says what to do. Schakel uses the
synchronous driver only: the asynchronous session (``AsyncSession``, which has the same
handler) is not used anywhere, so it is left as it is.
"""

from __future__ import annotations

from neo4j import __version__ as DRIVER_VERSION
from neo4j._sync.work.session import Session as _DriverSession

from graph.errors import GraphError

VERIFIED: frozenset[str] = frozenset({"6.4.1"})

_original = _DriverSession._transaction_error_handler


class UnverifiedDriver(GraphError):
    """The installed neo4j driver is not one whose session this mend was verified on."""

    def __init__(self, version: str) -> None:
        self.version = version
        super().__init__(
            f"The neo4j driver {version} is installed, but Schakel was verified with "
            f"{', '.join(sorted(VERIFIED))} only (graph/driver.py mends a race inside the "
            "driver's session). Install the pinned version (`uv sync --frozen`), or verify "
            "the mend against the new driver and add its version to graph.driver.VERIFIED.")


def _keep_until_closed(session: _DriverSession, error: BaseException) -> None:
    """The failure of a query in ``session``'s transaction: nothing to do yet."""


def check(version: str | None = None) -> None:
    """:class:`UnverifiedDriver` unless ``version`` (default: the installed driver's) is
    one the mend was verified on."""
    version = version or DRIVER_VERSION
    if version not in VERIFIED or not callable(_original):
        raise UnverifiedDriver(version)


def apply() -> None:
    """Mend the race in this process (idempotent); :class:`UnverifiedDriver` first if the
    installed driver is not a verified one."""
    check()
    _DriverSession._transaction_error_handler = _keep_until_closed  # type: ignore[method-assign]


def applied() -> bool:
    """Whether the mend is in place in this process."""
    return _DriverSession._transaction_error_handler is _keep_until_closed  # type: ignore[comparison-overlap]
