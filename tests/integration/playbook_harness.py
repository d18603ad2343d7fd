"""What the integration tests share: running playbooks and single module tasks against a simulator.

Kept out of conftest.py so that test modules import it by a name no other
test tree uses.
"""
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from with_simulator import Simulator  # noqa: E402

PLAYBOOKS = Path(__file__).resolve().parent / "playbooks"
CALLBACK_PLUGINS = Path(__file__).resolve().parent / "callback_plugins"
BIN = Path(sys.executable).parent
COLLECTIONS_PATH = ROOT / ".venv" / "collections"
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


def start_simulator(time_scale):
    """A simulator with the demo scenario over HTTPS, its own CA, account and token."""
    return Simulator(scenario="demo", time_scale=time_scale, tls=True).start()


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
        # pytest shortens long reprs in the middle; the failures are what matters, so they come first.
        failures = [line for line in self.output.splitlines() if line.startswith(("fatal:", "failed:", "[ERROR]"))]
        return "PlaybookRun(rc=%s)\n%s\n%s" % (self.rc, "\n".join(failures)[:6000], self.output)


def mutating_requests(sim):
    """The POST/PUT/PATCH/DELETE entries of the simulator's request log."""
    return [entry for entry in sim.requests_log() if entry["method"] in MUTATING]


def playbook_env(sim, extra=None):
    """The environment of an ansible-playbook run against sim: its connection, the collection, no colours."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ASTRA_", "ANSIBLE_"))}
    env.update(sim.env())
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS_PATH),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCALHOST_WARNING": "false",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "PATH": str(BIN) + os.pathsep + os.environ.get("PATH", ""),
    })
    env.update(extra or {})
    return env


def launch_playbook(sim, playbook, extra_vars=None, env=None):
    """Start ansible-playbook against sim in the background (for tests that act while it runs); returns the Popen."""
    command = [str(BIN / "ansible-playbook"), str(playbook), "-i", "localhost,", "-c", "local"]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    return subprocess.Popen(command, env=playbook_env(sim, env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def make_run_playbook(sim):
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
        run_env = playbook_env(sim, env)
        for key in unset_env:
            run_env.pop(key, None)
        result = PlaybookRun(subprocess.run(command, env=run_env, capture_output=True, text=True, timeout=600, check=False))
        assert sim.token not in result.output, "the API token leaked into playbook output"
        return result
    return run


def make_run_task(run_playbook, tmp_path):
    """Run one kubedr.astra module task through ansible-playbook and return its registered result.

    The result is what `register` keeps, written by a test callback (callback_plugins/registered_results.py) even in
    check mode, so tests can assert on what the module predicted as well as what it did.
    """
    counter = iter(range(1000))

    def run(module, args, check=False, diff=False):
        number = next(counter)
        result_path = tmp_path / ("result_%d.json" % number)
        playbook = tmp_path / ("task_%d.yml" % number)
        playbook.write_text(json.dumps([{
            "name": "Run " + module,
            "hosts": "localhost",
            "connection": "local",
            "gather_facts": False,
            "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
            "tasks": [{"name": module, "kubedr.astra." + module: args, "register": "task_result", "ignore_errors": True}],
        }]))
        run = run_playbook(str(playbook), check=check, diff=diff, env=results_callback_env(result_path))
        assert run.rc == 0, run
        result = json.loads(result_path.read_text())["task_result"]
        result["_output"] = run.output
        return result
    return run


def results_callback_env(result_path):
    """The environment that makes ansible-playbook write every registered result to result_path as it ends."""
    return {"ANSIBLE_CALLBACK_PLUGINS": str(CALLBACK_PLUGINS), "ANSIBLE_CALLBACKS_ENABLED": "registered_results",
            "KUBEDR_TEST_RESULTS_FILE": str(result_path)}


def make_converge(sim, run_playbook, tmp_path):
    """The contract of every mutating task: --check predicts, the real run agrees, a rerun changes nothing.

    The three runs are three tasks of one playbook (check_mode on the first). Returns the real run's result. The check
    run and the rerun must send no POST/PUT/DELETE: the simulator's request log is split between the runs by each
    request's arrival time and each module's own timing.
    """
    counter = iter(range(1000))

    def run(module, args, expect_changed=True):
        number = next(counter)
        result_path = tmp_path / ("converge_%d.json" % number)
        playbook = tmp_path / ("converge_%d.yml" % number)
        tasks = [{"name": name, "kubedr.astra." + module: args, "register": name, "ignore_errors": True}
                 for name in ("predicted", "real", "again")]
        tasks[0]["check_mode"] = True
        playbook.write_text(json.dumps([{
            "name": "Converge " + module, "hosts": "localhost", "connection": "local", "gather_facts": False,
            "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"}, "tasks": tasks}]))
        sim.clear_requests_log()
        playbook_run = run_playbook(str(playbook), env=results_callback_env(result_path))
        assert playbook_run.rc == 0, playbook_run
        results = json.loads(result_path.read_text())
        predicted, real, again = results["predicted"], results["real"], results["again"]
        writes = mutating_requests(sim)

        assert not predicted.get("failed"), predicted
        assert predicted["changed"] == expect_changed, predicted
        check_ended = _moment(predicted["timing"]["finished"])
        assert [entry for entry in writes if _moment(entry["time"]) <= check_ended] == [], \
            "check mode sent a mutating request"

        assert not real.get("failed"), real
        assert real["changed"] == expect_changed, real

        assert not again.get("failed"), again
        assert again["changed"] is False, again
        real_ended = _moment(real["timing"]["finished"])
        assert [entry for entry in writes if _moment(entry["time"]) > real_ended] == [], \
            "the second run sent a mutating request"
        return real
    return run


def _moment(text):
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def wait_for_state(sim, path, state, timeout=60):
    """GET path from the simulator's API until the resource is in state; fails at once when it ends failed instead."""
    deadline = time.monotonic() + timeout
    while True:
        item = sim.api("GET", path).json()
        if item.get("state") == state:
            return item
        assert time.monotonic() < deadline and item.get("state") != "failed", (path, item)
        time.sleep(0.05)
