"""The store's driver: a failed transaction's connection is not shared while it closes."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver, GraphDatabase, ManagedTransaction, Transaction
from neo4j.exceptions import ConstraintError

from graph import driver as driver_mend
from graph.audit import AuditLog
from graph.settings import Settings
from graph.store import RETRY_DELAY_S, Store

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def one_connection(neo4j_settings: Settings, store: Store) -> Iterator[Driver]:
    """A driver with a pool of one connection, so a released one is the next one taken;
    the store fixture connected a Store, which applied graph.driver's mend."""
    assert driver_mend.applied()
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
    the store tries it again, after 0.05 s rather than the driver's 1 s (the wait that
    held up a delivery's next file: see graph/store.py)."""
    store.run("CREATE (:Person {ref: 'a', n: 0}), (:Person {ref: 'b', n: 0})")
    holds = {"a": threading.Event(), "b": threading.Event()}
    errors: list[BaseException] = []
    tries: list[str] = []

    def lock_both(first: str, then: str) -> None:
        def work(tx: Transaction) -> None:
            tries.append(first)
            tx.run("MATCH (p:Person {ref: $ref}) SET p.n = p.n + 1", ref=first).consume()
            holds[first].set()
            holds[then].wait(5.0)
            tx.run("MATCH (p:Person {ref: $ref}) SET p.n = p.n + 1", ref=then).consume()
        try:
            store.write(work)
        except BaseException as exc:  # handed to the test below
            errors.append(exc)

    with caplog.at_level(logging.INFO, logger="graph.store"):
        threads = [threading.Thread(target=lock_both, args=order)
                   for order in (("a", "b"), ("b", "a"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30.0)
    assert errors == []
    retries = [r.getMessage() for r in caplog.records if "tried again in" in r.getMessage()]
    assert retries and all("DeadlockDetected" in m for m in retries), retries
    waits = [float(m.rsplit(" in ", 1)[1].rstrip("s")) for m in retries]
    assert max(waits) <= RETRY_DELAY_S * 2 ** (len(retries) - 1), waits
    assert len(tries) == 2 + len(retries)
    assert [r["n"] for r in store.run("MATCH (p:Person) RETURN p.n AS n ORDER BY p.ref")] == [2, 2]


def test_a_write_that_cannot_succeed_is_not_retried(store: Store) -> None:
    """A unique-key clash is the server's answer, not a passing fault: raised at once."""
    store.run("CREATE (:SavedView {ref: 'taken'})")
    tries = []

    def clash(tx: Transaction) -> None:
        tries.append(1)
        tx.run("CREATE (:SavedView {ref: 'taken'})").consume()

    with pytest.raises(ConstraintError):
        store.write(clash)
    assert tries == [1]


def test_importing_the_store_leaves_the_driver_as_it_is() -> None:
    """The mend is applied when a Store connects, never as a side effect of an import."""
    code = ("import graph.store, graph.driver, neo4j._sync.work.session as s; "
            "print(graph.driver.applied(), s.Session._transaction_error_handler is "
            "graph.driver._original)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["False", "True"]


def test_a_driver_the_mend_was_not_verified_on_is_refused(
        neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(driver_mend, "DRIVER_VERSION", "6.5.0")
    with pytest.raises(driver_mend.UnverifiedDriver) as info:
        Store.connect(neo4j_settings, AuditLog.of_home(neo4j_settings.home))
    message = str(info.value)
    assert "6.5.0" in message and "6.4.1" in message and "uv sync --frozen" in message
    driver_mend.check("6.4.1")  # the pinned one passes
