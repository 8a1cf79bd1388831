"""The local Neo4j with authentication and TLS on Bolt (SCHAKEL_NEO4J_SECURE): Schakel
connects over TLS, trusting the server's own self-signed certificate alone, with the
password; a plaintext connection, another certificate or a wrong password is refused.
Part of the suite (ingest, the dry run, the analysis, the command line) runs against it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable
from typer.testing import CliRunner

from graph import local_neo4j
from graph.analysis.run import analyse
from graph.audit import AuditLog
from graph.errors import DatabaseUnavailable
from graph.settings import Settings
from graph.store import Store
from ingest.check import check_delivery
from ingest.load import ingest_delivery
from ingest.pseudonymise import DEMO_KEY, TeamKey
from schakel.cli import app
from tests.helpers import basic_files, cli_env, delivery

PASSWORD = "a long test password"
KEY = TeamKey("demo", DEMO_KEY)


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    home = tmp_path_factory.mktemp("secure")
    settings = Settings.from_env({
        "SCHAKEL_HOME": str(home), "SCHAKEL_NEO4J_PORT": str(local_neo4j.free_port()),
        "SCHAKEL_NEO4J_HEAP": "1g", "SCHAKEL_NEO4J_PAGECACHE": "256m",
        "SCHAKEL_NEO4J_SECURE": "true", "NEO4J_PASSWORD": PASSWORD})
    with local_neo4j.serve(settings.local):
        yield settings


def test_only_tls_with_the_password_gets_in(secure: Settings, tmp_path: Path) -> None:
    cert = secure.local.certificate
    assert cert is not None and cert.is_file()
    assert (secure.local.tls_dir / "private.key").stat().st_mode & 0o077 == 0
    with Store.connect(secure) as store:  # TLS, this certificate, the password
        assert store.run("RETURN 1 AS one")[0]["one"] == 1
    plain = GraphDatabase.driver(secure.uri, auth=("neo4j", PASSWORD))
    with pytest.raises((ServiceUnavailable, OSError)):  # no plaintext
        plain.verify_connectivity()
    plain.close()
    other = tmp_path / "other.crt"  # a certificate that is not the server's
    other.write_text(_another_certificate(tmp_path))
    stranger = GraphDatabase.driver(secure.uri, auth=("neo4j", PASSWORD), encrypted=True,
                                    trusted_certificates=neo4j.TrustCustomCAs(str(other)))
    with pytest.raises((ServiceUnavailable, OSError)):
        stranger.verify_connectivity()
    stranger.close()
    wrong = Settings.from_env({**secure.child_env(), "NEO4J_PASSWORD": "not the password"})
    with pytest.raises(DatabaseUnavailable, match="refused the credentials"):
        Store.connect(wrong)
    with pytest.raises(AuthError):
        driver = GraphDatabase.driver(secure.uri, auth=("neo4j", "wrong"), encrypted=True,
                                      trusted_certificates=neo4j.TrustCustomCAs(str(cert)))
        try:
            driver.verify_connectivity()
        finally:
            driver.close()


def _another_certificate(tmp_path: Path) -> str:
    import subprocess
    key, crt = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(crt), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return crt.read_text()


def test_the_work_runs_over_tls(secure: Settings, tmp_path: Path) -> None:
    with Store.connect(secure, AuditLog.of_home(secure.home)) as store:
        store.reset()
        path = delivery(tmp_path, basic_files())
        assert check_delivery(store, path, KEY).status == 0
        assert ingest_delivery(store, path, KEY, standing=None).status == 0
        assert store.count_nodes()["Incident"] == 2
        analyse(store, top=3)
    env = cli_env(secure)  # a child schakel: the same server, password and certificate
    assert "SCHAKEL_NEO4J_SECURE" in env and env["NEO4J_PASSWORD"] == PASSWORD
    counts = CliRunner().invoke(app, ["db", "counts"], env=env, catch_exceptions=False)
    assert counts.exit_code == 0 and "Incident" in counts.output


def test_a_restart_keeps_the_password_and_a_new_one_replaces_it(tmp_path: Path) -> None:
    env = {"SCHAKEL_HOME": str(tmp_path), "SCHAKEL_NEO4J_PORT": str(local_neo4j.free_port()),
           "SCHAKEL_NEO4J_HEAP": "1g", "SCHAKEL_NEO4J_PAGECACHE": "128m",
           "SCHAKEL_NEO4J_SECURE": "true", "NEO4J_PASSWORD": PASSWORD}
    first = Settings.from_env(env)
    for settings in (first, first):  # the second start sets the same password: no error
        with local_neo4j.serve(settings.local), Store.connect(settings) as store:
            assert store.run("RETURN 1 AS one")[0]["one"] == 1
    changed = Settings.from_env({**env, "NEO4J_PASSWORD": "another one!"})
    with local_neo4j.serve(changed.local):
        with Store.connect(changed) as store:
            assert store.run("RETURN 1 AS one")[0]["one"] == 1
        with pytest.raises(DatabaseUnavailable, match="refused the credentials"):
            Store.connect(first)  # the old password no longer opens it
