"""Integration tests: real ansible-playbook runs against the Astra API simulator.

One simulator (HTTPS, its own CA) serves the whole session; each test starts
from the demo scenario (reset) with an empty request log. Every playbook run
is checked for the simulator's token in its output, at the verbosity it ran.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from with_simulator import Simulator  # noqa: E402

PLAYBOOKS = Path(__file__).resolve().parent / "playbooks"
BIN = Path(sys.executable).parent
COLLECTIONS_PATH = ROOT / ".venv" / "collections"
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


class PlaybookRun:
    def __init__(self, completed):
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr

    @property
    def output(self):
        return self.stdout + self.stderr

    def recap(self):
        """The localhost line of PLAY RECAP as a dict of counters."""
        match = re.search(r"^localhost\s*:\s*(.*)$", self.stdout, re.MULTILINE)
        if not match:
            raise AssertionError("no PLAY RECAP in output:\n" + self.output)
        return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match.group(1))}

    def __repr__(self):
        return "PlaybookRun(rc=%s)\n%s" % (self.rc, self.output)


@pytest.fixture(scope="session")
def simulator():
    sim = Simulator(scenario="demo", time_scale=0.02, tls=True).start()
    yield sim
    sim.cleanup()


@pytest.fixture
def sim(simulator):
    simulator.reset()
    simulator.clear_requests_log()
    return simulator


def mutating_requests(sim):
    return [entry for entry in sim.requests_log() if entry["method"] in MUTATING]


@pytest.fixture
def run_playbook(sim):
    def run(name, check=False, diff=False, extra_vars=None, env=None, unset_env=(), verbosity=0):
        command = [str(BIN / "ansible-playbook"), str(PLAYBOOKS / name), "-i", "localhost,", "-c", "local"]
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        if verbosity:
            command.append("-" + "v" * verbosity)
        if extra_vars:
            command += ["-e", json.dumps(extra_vars)]
        run_env = {key: value for key, value in os.environ.items() if not key.startswith(("ASTRA_", "ANSIBLE_"))}
        run_env.update(sim.env())
        run_env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS_PATH),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "PATH": str(BIN) + os.pathsep + os.environ.get("PATH", ""),
        })
        run_env.update(env or {})
        for key in unset_env:
            run_env.pop(key, None)
        result = PlaybookRun(subprocess.run(command, env=run_env, capture_output=True, text=True, timeout=600, check=False))
        assert sim.token not in result.output, "the API token leaked into playbook output"
        return result
    return run
