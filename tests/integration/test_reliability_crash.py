"""Crashes: the simulator is killed (SIGKILL) while clones, backups and a failover are in flight, then restarted on
the same state file.

A restart within the modules' retry_timeout: the run that was in flight rides it out and converges. A restart after
it: the run fails clearly, naming what it could not reach, and a rerun converges by adopting what exists. Either
way every operation finishes (or ends failed with its details), and nothing is lost or made twice.
"""
import json
import time

import pytest

from playbook_harness import launch_playbook, make_run_playbook, start_simulator
from reliability import census, duplicates, record_figures

SETUP = [
    {"name": "Manage postgres and wordpress", "kubedr.astra.astra_app": {"name": "{{ item }}", "cluster": "prod-east"},
     "loop": ["postgres", "wordpress"]},
    {"name": "Back postgres up", "kubedr.astra.astra_app_backup": {"app": "postgres", "cluster": "prod-east",
                                                                   "name": "before-crash"}},
    {"name": "Replicate wordpress", "kubedr.astra.astra_app_mirror": {
        "source_app": "wordpress", "source_cluster": "prod-east", "destination_cluster": "dr-west",
        "replication_interval": 5}},
]
IN_FLIGHT = [
    {"name": "Clone postgres to dr-west", "kubedr.astra.astra_app_clone": {
        "name": "postgres-crash", "source_app": "postgres", "source_cluster": "prod-east", "destination_cluster": "dr-west",
        "backup": "before-crash", "namespace_mapping": [{"source": "postgres", "destination": "postgres-crash"}]},
     "async": 600, "poll": 0, "register": "clone_job"},
    {"name": "Back wordpress up", "kubedr.astra.astra_app_backup": {
        "app": "wordpress", "cluster": "prod-east", "name": "during-crash"}, "async": 600, "poll": 0, "register": "backup_job"},
    {"name": "Fail wordpress over", "kubedr.astra.astra_app_mirror": {
        "source_app": "wordpress", "source_cluster": "prod-east", "destination_cluster": "dr-west", "state": "failed_over"},
     "async": 600, "poll": 0, "register": "failover_job"},
    {"name": "Wait for all three", "ansible.builtin.async_status": {"jid": "{{ item.ansible_job_id }}"},
     "loop": ["{{ clone_job }}", "{{ backup_job }}", "{{ failover_job }}"], "register": "jobs",
     "until": "jobs.finished", "retries": 600, "delay": 0.5, "ignore_errors": True},
    {"name": "Fail when one failed", "ansible.builtin.fail": {
        "msg": "{{ jobs.results | selectattr('failed') | map(attribute='msg') | list }}"},
     "when": "jobs.results | selectattr('failed') | list | length > 0"},
]


def playbook(path, tasks):
    path.write_text(json.dumps([{"name": "Crash", "hosts": "localhost", "connection": "local", "gather_facts": False,
                                 "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
                                 "tasks": tasks}]))
    return str(path)


def wait_for_posts(sim, count, timeout=120):
    """Until the API accepted `count` creates or actions (POST, and the failover PUT) of the in-flight run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        writes = [entry for entry in sim.requests_log() if entry["method"] in ("POST", "PUT") and entry["status"] in (200, 201, 204)]
        if len(writes) >= count:
            return writes
        time.sleep(0.2)
    raise AssertionError("the in-flight operations did not start: %s" % sim.requests_log())


def in_flight_states(sim):
    apps = {app["name"] + "@" + app["clusterName"]: app for app in sim.api("GET", "k8s/v2/apps").json()["items"]}
    backups = sim.api("GET", "k8s/v1/apps/%s/appBackups" % apps["wordpress@prod-east"]["id"]).json()["items"]
    (mirror,) = sim.api("GET", "k8s/v1/appMirrors").json()["items"]
    return {"clone": apps.get("postgres-crash@dr-west", {}).get("state"),
            "backup": [item["state"] for item in backups if item["name"] == "during-crash"],
            "failover": mirror["state"]}


def crash_and_restart(sim, run_playbook, tmp_path, down_seconds, retry_timeout):
    assert run_playbook(playbook(tmp_path / "setup.yml", SETUP)).rc == 0
    sim.clear_requests_log()
    path = playbook(tmp_path / "in_flight.yml", IN_FLIGHT)
    process = launch_playbook(sim, path, env={"ASTRA_RETRY_TIMEOUT": str(retry_timeout)})
    try:
        wait_for_posts(sim, 3)
        before = in_flight_states(sim)
        sim.kill()
        killed = time.monotonic()
        time.sleep(down_seconds)
        sim.start()
        restarted_after = time.monotonic() - killed
        output = process.communicate(timeout=600)[0]
    finally:
        if process.poll() is None:
            process.kill()
    return process.returncode, output, before, restarted_after


def settled(sim, timeout=60):
    """The in-flight operations once they ended: none may still be running after a restart."""
    deadline = time.monotonic() + timeout
    while True:
        states = in_flight_states(sim)
        if states["clone"] in ("ready", "failed") and states["backup"] and states["backup"][0] in ("completed", "failed") \
                and states["failover"] in ("failedOver", "established"):
            return states
        assert time.monotonic() < deadline, states
        time.sleep(0.3)


@pytest.fixture
def crash_sim():
    """A simulator of its own (it gets killed), slow enough that a clone, a backup and a failover are in flight."""
    sim = start_simulator(0.2)
    yield sim
    sim.cleanup()


def assert_nothing_lost_or_twice_and_a_rerun_changes_nothing(sim, tmp_path):
    states = settled(sim)
    assert states == {"clone": "ready", "backup": ["completed"], "failover": "failedOver"}, states
    world = census(sim)
    assert duplicates(world) == {}, world
    rerun = make_run_playbook(sim)(playbook(tmp_path / "rerun.yml", IN_FLIGHT))
    assert rerun.rc == 0, rerun
    assert census(sim) == world, "the rerun adopted what the crashed run started; it created nothing twice"


def test_a_restart_within_the_retry_budget_is_ridden_out(crash_sim, tmp_path):
    rc, output, before, down = crash_and_restart(crash_sim, make_run_playbook(crash_sim), tmp_path, down_seconds=3,
                                                 retry_timeout=60)
    assert rc == 0, output
    assert crash_sim.token not in output
    assert_nothing_lost_or_twice_and_a_rerun_changes_nothing(crash_sim, tmp_path)
    record_figures("crash-ridden-out", in_flight=3, states_at_kill=before, down_seconds=round(down, 1),
                   run="converged", duplicates=0, lost=0)


def test_a_restart_after_the_retry_budget_fails_clearly_and_a_rerun_converges(crash_sim, tmp_path):
    rc, output, before, down = crash_and_restart(crash_sim, make_run_playbook(crash_sim), tmp_path, down_seconds=8,
                                                 retry_timeout=2)
    assert rc != 0, output
    assert "cannot reach the Astra Control API" in output and "within retry_timeout 2 s" in output, output
    assert crash_sim.token not in output
    assert_nothing_lost_or_twice_and_a_rerun_changes_nothing(crash_sim, tmp_path)
    record_figures("crash-after-budget", in_flight=3, states_at_kill=before, down_seconds=round(down, 1),
                   run="failed clearly", rerun="converged", duplicates=0, lost=0)
