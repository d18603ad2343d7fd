"""Run the molecule scenario of every runbook that changes the estate (protect, replicate, failover, failback) and of
the read-only posture runbook (its converge, rerun and check run must give the same verdict, with GETs only).

Each scenario starts its own simulator in prepare (fixed ports 18461, 18462, 18464,
18465, 18466) and runs destroy, prepare, converge, idempotence, check, verify, cleanup,
destroy. (ansible-lint checks the scenarios' syntax.) The drill's check mode and
rerun are asserted in test_runbook_playbooks.py.
"""
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_BIN = os.path.dirname(sys.executable)
ANSI = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;;[^\x1b]*\x1b\\")


def _molecule():
    path = os.path.join(VENV_BIN, "molecule")
    return path if os.path.exists(path) else shutil.which("molecule")


@pytest.mark.parametrize("scenario", ["protect", "replicate", "failover", "failback", "posture"])
def test_molecule_scenario(scenario):
    assert _molecule() is not None, "molecule is not installed in the venv: make venv installs it"
    env = dict(os.environ)
    env["PATH"] = VENV_BIN + os.pathsep + env.get("PATH", "")
    env.pop("ANSIBLE_COLLECTIONS_PATH", None)  # molecule.yml sets it from MOLECULE_PROJECT_DIRECTORY
    env["NO_COLOR"] = "1"
    proc = subprocess.run(
        [_molecule(), "test", "-s", scenario], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600, check=False)
    output = ANSI.sub("", proc.stdout)
    tail = output[-6000:]
    assert proc.returncode == 0, tail
    assert re.search(r"idempotence: Executed: Successful", output), tail
    assert "Idempotence test failed" not in output, tail
    assert re.search(r"check: Executed: Successful", output), tail
    assert re.search(r"verify: Executed: Successful", output), tail
