"""``bin/setup`` run again on a checkout that is set up leaves ``.venv`` as it is.

``bin/demo`` and ``bin/test`` both run it first, so it runs while a dashboard or a test
run of the same checkout uses ``.venv``. It once asked uv for the interpreter by its
``PATH`` name, a pyenv shim on these machines, and uv rebuilt ``.venv`` from scratch at
every run: a dashboard left running lost its packages under it (``No module named
'neo4j._deadline'``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_setup_run_again_keeps_the_virtual_environment() -> None:
    venv = Path(sys.prefix)
    assert venv == REPO / ".venv", "the tests run from the checkout's own .venv"
    marker = venv / "schakel-test-marker"
    marker.write_text("placed before bin/setup ran\n")
    try:
        done = subprocess.run(["bash", str(REPO / "bin" / "setup")], cwd=REPO,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        assert marker.exists(), "bin/setup rebuilt .venv: " + done.stdout + done.stderr
        assert (venv / "bin" / "schakel").exists()
    finally:
        marker.unlink(missing_ok=True)
