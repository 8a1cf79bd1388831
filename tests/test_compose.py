"""docker-compose.yml cannot run here (no Docker engine), so its structure is checked."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent


def compose() -> dict[str, Any]:
    data = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_neo4j_is_526_community_with_a_health_check_and_volumes() -> None:
    neo4j = compose()["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert any(v.startswith("neo4j-data:") for v in neo4j["volumes"])
    assert neo4j["environment"]["NEO4J_dbms_usage__report_enabled"] == "false"


def test_dashboard_is_built_and_waits_for_a_healthy_neo4j() -> None:
    dashboard = compose()["services"]["dashboard"]
    assert dashboard["build"] == "."
    assert dashboard["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert dashboard["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
    assert (REPO / "Dockerfile").is_file()


def test_every_port_is_bound_to_loopback() -> None:
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_no_secret_is_written_in_the_file() -> None:
    services = compose()["services"]
    auth = services["neo4j"]["environment"]["NEO4J_AUTH"]
    assert re.fullmatch(r"neo4j/\$\{NEO4J_PASSWORD:\?[^}]+\}", auth), auth
    assert services["dashboard"]["environment"]["NEO4J_PASSWORD"].startswith("${NEO4J_PASSWORD:?")
    for service in services.values():
        for key, value in service.get("environment", {}).items():
            secretive = any(word in key for word in ("PASSWORD", "SECRET", "KEY"))
            if secretive and key != "SCHAKEL_KEY_ID":
                assert str(value).startswith("${") or str(value).startswith("/run/secrets/"), key


def test_bolt_takes_tls_only_and_the_dashboard_trusts_the_servers_certificate() -> None:
    services = compose()["services"]
    neo4j, dashboard = services["neo4j"], services["dashboard"]
    env = neo4j["environment"]
    assert env["NEO4J_server_bolt_tls__level"] == "REQUIRED"
    assert env["NEO4J_dbms_ssl_policy_bolt_enabled"] == "true"
    assert env["NEO4J_server_http_enabled"] == "false"
    assert [p for p in neo4j["ports"] if "7474" in str(p)] == []
    assert any(v.startswith("${SCHAKEL_TLS_DIR:?") and v.endswith(":/ssl/bolt:ro")
               for v in neo4j["volumes"])
    assert dashboard["environment"]["NEO4J_TRUSTED_CA"] == "/run/secrets/neo4j_certificate"
    assert "neo4j_certificate" in dashboard["secrets"]
    assert compose()["secrets"]["neo4j_certificate"]["file"].startswith("${SCHAKEL_TLS_DIR")
    # the dashboard's own settings come from a file outside the repository
    assert dashboard["env_file"].startswith("${SCHAKEL_ENV_FILE:?")


def test_the_image_holds_every_package_the_command_imports() -> None:
    copied = set(re.findall(r"^COPY (\w+) ", (REPO / "Dockerfile").read_text(), re.M))
    packages = {p.parent.name for p in REPO.glob("*/__init__.py")} - {"tests", "bench"}
    assert packages <= copied, packages - copied
