"""The store's driver: a failed transaction's connection is not shared while it closes."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest
from neo4j import Driver, GraphDatabase, ManagedTransaction
from neo4j.exceptions import ConstraintError

from graph.settings import Settings
from graph.store import RETRY_DELAY_S, Store


@pytest.fixture
def one_connection(neo4j_settings: Settings, store: Store) -> Iterator[Driver]:
    """A driver with a pool of one connection, so a released one is the next one taken."""
    with GraphDatabase.driver(neo4j_settings.uri, auth=neo4j_settings.auth,
                              max_connection_pool_size=1) as driver:
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
    assert seen.get("shared") is False  # the other transaction waited for the connection
    assert isinstance(seen.get("clash"), ConstraintError), repr(seen.get("clash"))
    assert seen.get("other") == 1


def test_a_deadlock_is_retried_after_a_short_wait(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """Two transactions that lock two nodes in opposite order: Neo4j fails one of them and
    the driver tries it again, after 0.05 s rather than its default of 1 s (the wait that
    held up a delivery's next file: see graph/store.py)."""
    store.run("CREATE (:Person {ref: 'a', n: 0}), (:Person {ref: 'b', n: 0})")
    holds = {"a": threading.Event(), "b": threading.Event()}
    errors: list[BaseException] = []

    def lock_both(first: str, then: str) -> None:
        def work(tx: ManagedTransaction) -> None:
            tx.run("MATCH (p:Person {ref: $ref}) SET p.n = p.n + 1", ref=first).consume()
            holds[first].set()
            holds[then].wait(5.0)
            tx.run("MATCH (p:Person {ref: $ref}) SET p.n = p.n + 1", ref=then).consume()
        try:
            with store.session() as session:
                session.execute_write(work)
        except BaseException as exc:  # handed to the test below
            errors.append(exc)

    with caplog.at_level(logging.WARNING, logger="neo4j"):
        threads = [threading.Thread(target=lock_both, args=order)
                   for order in (("a", "b"), ("b", "a"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30.0)
    assert errors == []
    retries = [r.getMessage() for r in caplog.records if "will be retried" in r.getMessage()]
    assert retries and all("DeadlockDetected" in m for m in retries), retries
    waits = [float(m.split(" in ")[1].split("s ")[0]) for m in retries]
    assert max(waits) <= RETRY_DELAY_S * 1.2, waits  # the driver's jitter: up to 20 %
    assert [r["n"] for r in store.run("MATCH (p:Person) RETURN p.n AS n ORDER BY p.ref")] == [2, 2]
