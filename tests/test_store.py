"""The store's driver: a failed transaction's connection is not shared while it closes."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from neo4j import Driver, GraphDatabase, ManagedTransaction
from neo4j.exceptions import ConstraintError

from graph.settings import Settings
from graph.store import Store


@pytest.fixture
def one_connection(neo4j_settings: Settings, store: Store) -> Iterator[Driver]:
    """A driver with a pool of one connection, so a released one is the next one taken."""
    s = neo4j_settings
    auth = (s.neo4j_user, s.neo4j_password) if s.neo4j_password else None
    with GraphDatabase.driver(s.uri, auth=auth, max_connection_pool_size=1) as driver:
        yield driver


def test_a_failed_transaction_keeps_its_connection_until_it_has_closed(
        one_connection: Driver, store: Store) -> None:
    """The neo4j driver gives a failed transaction's connection back to the pool before the
    transaction has closed. A thread that took it in between made the failing one see a
    ResultFailedError instead of the server's error (so a deadlock was not retried), and
    could itself wait minutes for an answer. graph.store keeps the connection till then."""
    store.run("CREATE (:SavedView {ref: 'taken'})")
    failed, other_began, other_may_end = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def clash(tx: ManagedTransaction) -> None:
        try:
            tx.run("CREATE (:SavedView {ref: 'taken'})").consume()
        except ConstraintError:
            failed.set()
            # Where the other thread could take the connection: give it the time.
            seen["shared"] = other_began.wait(1.0)
            raise

    def other(tx: ManagedTransaction) -> int:
        n = int(tx.run("RETURN 1 AS n").single(strict=True)["n"])
        other_began.set()
        other_may_end.wait(5.0)
        return n

    def run_other() -> None:
        failed.wait(5.0)
        with one_connection.session() as session:
            seen["other"] = session.execute_write(other)

    thread = threading.Thread(target=run_other)
    thread.start()
    try:
        with one_connection.session() as session:
            session.execute_write(clash)
    except Exception as exc:  # the type is what the test checks
        seen["clash"] = exc
    finally:
        other_may_end.set()
        thread.join(10.0)
    assert seen["shared"] is False  # the other transaction waited for the connection
    assert isinstance(seen.get("clash"), ConstraintError), repr(seen.get("clash"))
    assert seen.get("other") == 1
