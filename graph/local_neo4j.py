"""The local Neo4j: Neo4j Community 5.26 embedded, run by our Java launcher.

Used on machines without Docker (the developers', CI's) and whenever ``NEO4J_URI`` is
unset. It is the real database: same Cypher, same Bolt protocol, same driver.

The launcher lives in ``graph/launcher`` (a ``pom.xml`` and one class). :func:`build`
compiles it and copies the Neo4j jars from Maven Central once; :func:`start` runs it in
the background with its Bolt connector on 127.0.0.1 and waits for its ready line.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from graph.errors import LauncherError
from graph.files import write_private
from graph.settings import LocalNeo4j

LAUNCHER_DIR = Path(__file__).resolve().parent / "launcher"
MAIN_CLASS = "nl.schakel.launcher.Launcher"
READY = "SCHAKEL-NEO4J READY"
FAILED = "SCHAKEL-NEO4J ERROR"
PID_FILE = "launcher.pid"
PASSWORD_FILE = "launcher.password"  # noqa: S105  (a file name, not a password)
LOG_FILE = "launcher.log"

# What Neo4j's own start script passes to the JVM.
JVM_FLAGS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-XX:+UseG1GC",
    "-XX:+ExitOnOutOfMemoryError",
)


@dataclass(frozen=True)
class Running:
    """A local Neo4j that answers: its process, address and version."""

    pid: int
    uri: str
    version: str


def _require(tool: str, install_hint: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise LauncherError(f"`{tool}` was not found on PATH.", hint=install_hint)
    return path


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted([LAUNCHER_DIR / "pom.xml", *LAUNCHER_DIR.glob("src/**/*.java")]):
        digest.update(path.relative_to(LAUNCHER_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _stamp() -> Path:
    return LAUNCHER_DIR / "target" / "schakel-build.sha256"


def is_built() -> bool:
    stamp = _stamp()
    return stamp.is_file() and stamp.read_text().strip() == _sources_digest()


def build(*, force: bool = False) -> Path:
    """Compile the launcher and fetch its jars if the sources changed; return ``target/``."""
    target = LAUNCHER_DIR / "target"
    if is_built() and not force:
        return target
    mvn = _require("mvn", "Install Maven (Debian: apt-get install maven) to build the local Neo4j.")
    _require("java", "Install Java 17 (Debian: apt-get install openjdk-17-jdk-headless).")
    lib = target / "lib"
    if lib.exists():
        shutil.rmtree(lib)  # a changed pom must not leave old jars beside new ones
    cmd = [
        mvn, "-B", "-q", "compile", "dependency:copy-dependencies",
        "-DincludeScope=runtime", f"-DoutputDirectory={lib}",
    ]
    result = subprocess.run(cmd, cwd=LAUNCHER_DIR, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise LauncherError(
            "Building the local Neo4j launcher with Maven failed.",
            hint=f"Maven said:\n{tail}",
        )
    _stamp().write_text(_sources_digest() + "\n")
    return target


def _pid_alive(pid: int) -> bool:
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        return MAIN_CLASS.encode() in cmdline.read_bytes()
    except OSError:
        return False


def _read_pid(data_dir: Path) -> dict[str, object] | None:
    path = data_dir / PID_FILE
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and isinstance(info.get("pid"), int) else None


def running(local: LocalNeo4j) -> dict[str, object] | None:
    """The pid-file record of the launcher serving ``local.data_dir``, if it still runs."""
    info = _read_pid(local.data_dir)
    if info is None:
        return None
    pid = info["pid"]
    assert isinstance(pid, int)
    if _pid_alive(pid):
        return info
    (local.data_dir / PID_FILE).unlink(missing_ok=True)  # left by a crash
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a temporary server)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def command(local: LocalNeo4j, *, watch_stdin: bool = False) -> list[str]:
    java = _require("java", "Install Java 17 (Debian: apt-get install openjdk-17-jdk-headless).")
    target = LAUNCHER_DIR / "target"
    cmd = [
        java, f"-Xms{local.heap}", f"-Xmx{local.heap}", *JVM_FLAGS,
        "-cp", f"{target / 'classes'}{os.pathsep}{target / 'lib' / '*'}",
        MAIN_CLASS, "--home", str(local.data_dir), "--port", str(local.port),
        "--pagecache", local.pagecache,
    ]
    if local.secure:
        cmd += ["--password-file", str(local.data_dir / PASSWORD_FILE),
                "--tls-dir", str(local.tls_dir)]
    if watch_stdin:
        cmd.append("--watch-stdin")
    return cmd


def secure(local: LocalNeo4j) -> None:
    """For a secure local server: the password file the launcher reads (owner-only, in the
    data folder, rewritten at each start from NEO4J_PASSWORD), and a self-signed
    certificate for 127.0.0.1 made once with openssl (its key owner-only)."""
    if len(local.password) < 8:
        raise LauncherError("SCHAKEL_NEO4J_SECURE needs NEO4J_PASSWORD: 8 characters or more.",
                            hint="Set NEO4J_PASSWORD (from a file of secrets, not the shell's "
                                 "history) and start again.")
    local.data_dir.mkdir(parents=True, exist_ok=True)
    target = local.data_dir / PASSWORD_FILE
    write_private(target, (local.password + "\n").encode("utf-8"))
    key, cert = local.tls_dir / "private.key", local.tls_dir / "public.crt"
    if key.exists() and cert.exists():
        return
    openssl = _require("openssl", "Install OpenSSL (Debian: apt-get install openssl).")
    local.tls_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    made = subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:3072", "-nodes", "-days", "825",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        capture_output=True, text=True, check=False)
    if made.returncode != 0:
        raise LauncherError("openssl could not make the local server's certificate.",
                            hint=made.stderr.strip()[-500:])
    os.chmod(key, 0o600)


def _check_startable(local: LocalNeo4j) -> None:
    info = running(local)
    if info is not None:
        raise LauncherError(
            f"The local Neo4j already runs (pid {info['pid']}) at {info['uri']}.",
            hint="Use it as it is, or stop it first with `schakel neo4j stop`.",
        )
    if local.data_dir.exists() and not local.data_dir.is_dir():
        raise LauncherError(
            f"The data folder {local.data_dir} is a file, not a folder.",
            hint="Set SCHAKEL_NEO4J_DATA to a folder.",
        )
    if not port_free(local.port):
        raise LauncherError(
            f"Port {local.port} on 127.0.0.1 is already in use by another program.",
            hint="Choose another port with SCHAKEL_NEO4J_PORT, or stop what listens there.",
        )


def start(local: LocalNeo4j, *, timeout: float = 180.0, watch_stdin: bool = False
          ) -> tuple[Running, subprocess.Popen[bytes]]:
    """Start the launcher in the background and wait until Bolt answers.

    With ``watch_stdin`` the server stops when the returned process's stdin is closed
    (the test session uses this so a killed test run takes its database with it).
    """
    _check_startable(local)
    build()
    local.data_dir.mkdir(parents=True, exist_ok=True)
    if local.secure:
        secure(local)
    log_path = local.data_dir / LOG_FILE
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command(local, watch_stdin=watch_stdin),
            stdin=subprocess.PIPE if watch_stdin else subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    (local.data_dir / PID_FILE).write_text(
        json.dumps({"pid": proc.pid, "uri": local.uri, "port": local.port}) + "\n"
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log_path.read_text(errors="replace").splitlines():
            if line.startswith(READY):
                version = line.split()[-1]
                return Running(pid=proc.pid, uri=local.uri, version=version), proc
            if line.startswith(FAILED):
                proc.wait(timeout=60)
                (local.data_dir / PID_FILE).unlink(missing_ok=True)
                raise LauncherError(
                    "The local Neo4j did not start: " + line[len(FAILED):].strip(),
                    hint=_failure_hint(line),
                    log=str(log_path),
                )
        if proc.poll() is not None:
            (local.data_dir / PID_FILE).unlink(missing_ok=True)
            raise LauncherError(
                f"The local Neo4j exited with status {proc.returncode} before it was ready.",
                hint=f"See {log_path} for what Java said.", log=str(log_path),
            )
        time.sleep(0.2)
    _terminate(proc.pid)
    (local.data_dir / PID_FILE).unlink(missing_ok=True)
    raise LauncherError(
        f"The local Neo4j was not ready after {timeout:.0f} s and was stopped.",
        hint=f"See {log_path}.", log=str(log_path),
    )


def _failure_hint(line: str) -> str:
    text = line.lower()
    if "already in use" in text:
        return "Choose another port with SCHAKEL_NEO4J_PORT."
    if "lock" in text:
        return "Another Neo4j holds this data folder; stop it, or use another SCHAKEL_NEO4J_DATA."
    return (
        "If the data folder is damaged, move it aside (or remove it to start empty) "
        "and start again; set SCHAKEL_NEO4J_DATA to use another folder."
    )


def _terminate(pid: int, *, timeout: float = 90.0) -> bool:
    """SIGTERM (a clean shutdown), then SIGKILL after ``timeout``; True if it had to kill."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            _reap(pid)
            return False
        _reap(pid)
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    _reap(pid)
    return True


def _reap(pid: int) -> None:
    # A launcher started by this very process is our child; collect it so it is not a zombie.
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def stop(local: LocalNeo4j) -> int | None:
    """Stop the launcher that serves ``local.data_dir``; return its pid, or None if none ran."""
    info = running(local)
    if info is None:
        return None
    pid = info["pid"]
    assert isinstance(pid, int)
    killed = _terminate(pid)
    (local.data_dir / PID_FILE).unlink(missing_ok=True)
    if killed:
        raise LauncherError(
            f"The local Neo4j (pid {pid}) did not stop within 90 s and was killed.",
            hint="It will recover its transaction log on the next start.",
        )
    return pid


@contextmanager
def serve(local: LocalNeo4j) -> Iterator[Running]:
    """A local Neo4j for the length of a ``with`` block (tests, benchmarks).

    The server watches its stdin, so it also stops if this process dies.
    """
    running_server, proc = start(local, watch_stdin=True)
    try:
        yield running_server
    finally:
        try:
            stop(local)
        finally:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=120)
