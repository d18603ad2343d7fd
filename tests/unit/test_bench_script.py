# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scripts/bench.py's arithmetic: the waited time, the estates it hands the runbooks, the part of the file it rewrites."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import bench  # noqa: E402  (a script, not a package)


def test_waited_time_is_the_union_of_the_operation_intervals():
    assert bench.union_seconds([]) == 0
    # Overlapping operations of one wave count once; a gap between waves is not waiting.
    assert bench.union_seconds([(0, 4), (1, 3), (2, 6), (10, 11), (10.5, 12)]) == pytest.approx(8.0)
    assert bench.union_seconds([(5, 6), (0, 1)]) == pytest.approx(2.0)


def test_report_times_parse_with_and_without_fractions():
    assert bench.parse_time("2026-12-03T10:42:16.158Z") - bench.parse_time("2026-12-03T10:42:15Z") == pytest.approx(1.158)


def test_the_user_task_files_are_their_own_column_not_the_runbooks_overhead():
    def step(name, started, finished):
        return {"name": name, "status": "passed", "started": "2026-12-04T10:00:%06.3fZ" % started,
                "finished": "2026-12-04T10:00:%06.3fZ" % finished}
    report = {"apps": [
        {"steps": [step("clone", 1, 5), step("verify", 6, 6.5), step("remove clone", 7, 8), step("cleanup", 9, 10)]},
        {"steps": [step("clone", 1, 4), step("verify", 6.5, 7), {"name": "cleanup", "status": "skipped"}]},
    ]}
    assert bench.union_seconds(bench.step_intervals(report, bench.OPERATION_STEPS["drill"])) == pytest.approx(5.0)
    assert bench.union_seconds(bench.step_intervals(report, bench.TASK_FILE_STEPS)) == pytest.approx(2.0)
    report["apps"][0]["steps"].insert(0, step("pre-flight", 0, 0.75))
    report["apps"][1]["steps"].insert(0, step("pre-flight", 0, 0.75))
    assert bench.union_seconds(bench.step_intervals(report, bench.PREFLIGHT_STEPS)) == pytest.approx(0.75)


def test_the_waits_polls_count_the_shared_lists_with_the_gets_of_one_resource():
    account = "/accounts/0b4d2c4e-5f1e-4a33-9d57-3f0c9e2b8a11/"
    app_id = "6fcaaa6c-25e9-41d2-b2d5-21817f4a9a4a"
    log = [{"method": "GET", "path": account + "k8s/v2/apps/" + app_id, "query": ""},
           {"method": "DELETE", "path": account + "k8s/v2/apps/" + app_id, "query": ""},
           {"method": "GET", "path": account + "k8s/v2/apps", "query": "include=id%2Cstate"},
           {"method": "GET", "path": account + "k8s/v2/apps", "query": "include=id"},
           {"method": "GET", "path": account + "k8s/v1/appMirrors", "query": "include=id,state,stateDesired"},
           {"method": "GET", "path": account + "k8s/v2/apps", "query": "filter=name+eq+'app-001'"},
           {"method": "GET", "path": account + "k8s/v1/appMirrors", "query": ""},
           {"method": "GET", "path": account + "k8s/v2/apps", "query": "include=name,id"}]
    gets, lists = bench.poll_requests(log)
    assert gets == log[:1] and lists == log[2:5]
    assert bench.polls_cell({"polls_per_operation": 1.35, "shared_lists": 12}) == "1.35 (12 lists)"
    assert bench.polls_cell({"polls_per_operation": None}) == "-"


@pytest.mark.parametrize("count, waves, expected", [
    (20, 1, [20]), (20, 5, [4, 4, 4, 4, 4]), (7, 5, [2, 1, 2, 1, 1]),
])
def test_the_apps_are_dealt_into_waves_in_order(tmp_path, count, waves, expected):
    path = bench.estate_vars(tmp_path / "vars.json", "drill", list(range(1, count + 1)), waves, tmp_path / "reports")
    content = json.loads(path.read_text())
    entries = content["drill_apps"]
    assert [sum(1 for entry in entries if entry["wave"] == wave) for wave in range(1, waves + 1)] == expected
    assert [entry["wave"] for entry in entries] == sorted(entry["wave"] for entry in entries)
    assert entries[1] == {"name": "app-002", "cluster": "prod-02", "destination_cluster": "dr-02",
                          "namespaces": [{"name": "app-002"}], "wave": entries[1]["wave"]}


def test_failover_runs_are_unplanned_and_confirmed_for_every_app(tmp_path):
    content = json.loads(bench.estate_vars(tmp_path / "vars.json", "failover", [5, 6], 1, tmp_path).read_text())
    assert (content["failover_mode"], content["failover_confirm_unplanned"]) == ("unplanned", "all")
    assert content["failover_apps"][0]["namespaces"] == [{"name": "app-005"}, {"name": "app-005-cache"}]


def test_only_the_part_between_the_markers_is_rewritten(tmp_path):
    path = tmp_path / "performance.md"
    path.write_text("# Performance\n\nintro\n%s\nold figures\n%s\n\n## History\n\nbefore: 1 s\n" % (bench.BEGIN, bench.END))
    bench.write_output(path, "new figures\n")
    assert path.read_text() == "# Performance\n\nintro\n%s\nnew figures\n%s\n\n## History\n\nbefore: 1 s\n" % (
        bench.BEGIN, bench.END)
    path.write_text("no markers")
    with pytest.raises(SystemExit, match="no .* section to replace"):
        bench.write_output(path, "x")


@pytest.mark.parametrize("quick, sizes, expected", [
    (True, [4, 8], "quick"),
    (False, [20, 50, 200], "full"),
    (False, [20, 50], "--sizes 20,50, 3 repeats"),
])
def test_the_header_says_how_the_bench_was_run(quick, sizes, expected):
    results = {"quick": quick, "sizes": sizes, "task_costs": {"repeat": 3}}
    assert bench.run_kind(results) == expected


def test_each_runbook_runs_one_app_in_one_wave_first_then_every_size_in_one_and_five_waves():
    assert bench.runbook_plan([20, 200]) == [(1, 1), (20, 1), (20, 5), (200, 1), (200, 5)]


def read_proc(pid, name):
    with open("/proc/%s/%s" % (pid, name), encoding="ascii") as handle:
        return handle.read()


def test_a_forked_childs_shared_pages_count_once_in_the_tree_memory():
    import os  # pylint: disable=import-outside-toplevel
    import signal  # pylint: disable=import-outside-toplevel
    import subprocess  # pylint: disable=import-outside-toplevel
    # A parent that touches 64 MiB, then forks a child that only waits: resident sizes would count the 64 MiB twice.
    script = ("import os, sys, time\n"
              "block = bytearray(64 * 2 ** 20)\n"
              "for offset in range(0, len(block), 4096): block[offset] = 1\n"
              "child = os.fork()\n"
              "if child == 0:\n    time.sleep(60); os._exit(0)\n"
              "print(child, flush=True); sys.stdin.readline(); os.kill(child, 9)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    child = None
    try:
        child = int(parent.stdout.readline())
        measured = bench.tree_memory(parent.pid)
        page = os.sysconf("SC_PAGE_SIZE")
        resident = sum(int(read_proc(pid, "statm").split()[1]) * page for pid in (parent.pid, child))
        assert measured >= 64 * 2 ** 20
        assert resident >= 2 * 64 * 2 ** 20
        assert measured < resident - 48 * 2 ** 20, (measured, resident)
    finally:
        parent.stdin.close()
        parent.wait(timeout=10)
        if child:
            try:
                os.kill(child, signal.SIGKILL)
            except OSError:
                pass


def test_repeated_runbook_runs_show_the_run_of_median_wall_time_whole():
    runs = [{"wall_seconds": 40.1, "overhead_seconds": 26.1}, {"wall_seconds": 25.2, "overhead_seconds": 17.2},
            {"wall_seconds": 28.3, "overhead_seconds": 18.6}]
    assert bench.median_run(runs) == {"wall_seconds": 28.3, "overhead_seconds": 18.6,
                                      "wall_seconds_of_runs": [40.1, 25.2, 28.3]}
    # An even count takes the lower middle run, never a blend of two runs' figures.
    assert bench.median_run(runs[:2])["overhead_seconds"] == 17.2
    assert bench.median_run(runs[:1])["wall_seconds_of_runs"] == [40.1]
    assert "One run of each size" in bench.runbook_runs_note(1)
    assert "median wall time of 3 runs" in bench.runbook_runs_note(3)


BUSY = "import time\nend = time.process_time() + %s\nwhile time.process_time() < end:\n    pass\n"


class BusySimulator:
    """A stand-in simulator: a process burning CPU while the playbook runs (or none, when process is None)."""

    def __init__(self, process):
        self.process = process

    @staticmethod
    def env():
        return {}


def test_a_runs_cpu_is_the_controllers_whole_tree_and_the_simulators_own(tmp_path, monkeypatch):
    import stat  # pylint: disable=import-outside-toplevel
    import subprocess  # pylint: disable=import-outside-toplevel
    # A stand-in ansible-playbook whose child (a module process, say) burns 0.4 CPU-s and which burns 0.2 itself.
    fake = tmp_path / "ansible-playbook"
    fake.write_text("#!%s\nimport subprocess, sys\nsubprocess.run([sys.executable, '-c', %r], check=True)\nexec(%r)\n" % (
        sys.executable, BUSY % 0.4, BUSY % 0.2))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(bench, "BIN", tmp_path)
    simulator = subprocess.Popen([sys.executable, "-c", BUSY % 30])
    try:
        run = bench.run_playbook(BusySimulator(simulator), tmp_path / "any.yml")
    finally:
        simulator.kill()
        simulator.wait()
    assert run.completed.returncode == 0
    assert 0.55 <= run.controller_cpu < 0.55 + run.seconds
    # The simulator burned CPU the whole time the playbook ran, on a core of its own or sharing one.
    assert 0.2 <= run.simulator_cpu <= run.seconds + 0.1
    assert bench.run_playbook(BusySimulator(None), tmp_path / "any.yml").simulator_cpu is None
    assert bench.seconds_cell(None) == "-" and bench.seconds_cell(2.345) == "2.3 s"
