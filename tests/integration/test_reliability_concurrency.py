"""Concurrency: eight operators on eight apps at once, and two operators on one AppMirror at once.

Eight ansible-playbook processes against one simulator all succeed and leave exactly what each asked for. Two
processes acting on one mirror (two failovers; then two resyncs in opposite directions) end with one applied and the
other converging or failing clearly, and a rerun of the loser converges; the relationship is never corrupted, and
the simulator's state file stays consistent.
"""
import json
import os
import sqlite3
import time

from playbook_harness import launch_playbook
from reliability import census, duplicates, full, record_figures


def write_playbook(path, tasks):
    path.write_text(json.dumps([{"name": path.stem, "hosts": "localhost", "connection": "local", "gather_facts": False,
                                 "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
                                 "tasks": tasks}]))
    return str(path)


def launch_all(sim, playbooks):
    processes = [launch_playbook(sim, path) for path in playbooks]
    outputs = [process.communicate(timeout=600)[0] for process in processes]
    for output in outputs:
        assert sim.token not in output
    return [(process.returncode, output) for process, output in zip(processes, outputs)]


def integrity(sim):
    connection = sqlite3.connect("file:%s?mode=ro" % os.path.join(sim.workdir, "state.sqlite"), uri=True)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def operator_tasks(team):
    """Manage the team's app and back it up; in full also snapshot it and clone it to dr-west."""
    tasks = [{"name": "Manage %s" % team, "kubedr.astra.astra_app": {"name": team, "cluster": "prod-east"}},
             {"name": "Back %s up" % team, "kubedr.astra.astra_app_backup": {"app": team, "cluster": "prod-east", "name": "b1"}}]
    if full():
        tasks += [{"name": "Snapshot %s" % team, "kubedr.astra.astra_app_snapshot": {"app": team, "cluster": "prod-east",
                                                                                     "name": "s1"}},
                  {"name": "Clone %s" % team, "kubedr.astra.astra_app_clone": {
                      "name": team + "-copy", "source_app": team, "source_cluster": "prod-east", "destination_cluster": "dr-west",
                      "backup": "b1", "namespace_mapping": [{"source": team, "destination": team + "-copy"}]}}]
    return tasks


def test_eight_operators_on_eight_apps_at_once(sim, tmp_path):
    teams = ["team-%d" % number for number in range(1, 9)]
    for team in teams:
        sim.control("POST", "clusters/prod-east/namespaces", json={"name": team})
    playbooks = [write_playbook(tmp_path / ("%s.yml" % team), operator_tasks(team)) for team in teams]
    started = time.monotonic()
    outcomes = launch_all(sim, playbooks)
    elapsed = time.monotonic() - started
    assert [rc for rc, _output in outcomes] == [0] * 8, [output for rc, output in outcomes if rc]
    world = census(sim)
    assert duplicates(world) == {}, world
    assert sorted(name for name in world["apps"] if name.endswith("@prod-east")) == sorted("%s@prod-east" % team for team in teams)
    for team in teams:
        assert world["snapshots"].count("%s@prod-east/s1" % team) == (1 if full() else 0), world
        assert world["backups"].count("%s@prod-east/b1" % team) == 1, world
    assert integrity(sim) == "ok"
    if full():
        again = launch_all(sim, playbooks)
        assert [rc for rc, _output in again] == [0] * 8
        assert all("changed=0" in output for _rc, output in again), [output for _rc, output in again]
        assert census(sim) == world
    record_figures("concurrency-eight-operators", processes=8, operations=8 * (4 if full() else 2),
                   seconds=round(elapsed, 1), failures=0, duplicates=0, integrity="ok")


def mirror_task(name, source, destination, state, discard=False):
    args = {"source_app": "postgres", "source_cluster": source, "destination_cluster": destination, "state": state}
    if discard:
        args["discard_failed_over_data"] = True
    return [{"name": name, "kubedr.astra.astra_app_mirror": args}]


def only_mirror(sim):
    (mirror,) = sim.api("GET", "k8s/v1/appMirrors").json()["items"]
    apps = {app["id"]: app for app in sim.api("GET", "k8s/v2/apps").json()["items"]}
    source, destination = apps[mirror["sourceAppID"]], apps[mirror["destinationAppID"]]
    # Never corrupted: each end is an app on the cluster the mirror says, and the two ends are different apps.
    assert source["clusterID"] == mirror["sourceClusterID"] and destination["clusterID"] == mirror["destinationClusterID"]
    assert mirror["sourceClusterID"] != mirror["destinationClusterID"]
    return mirror, source["clusterName"]


def settle(sim, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        mirror, source = only_mirror(sim)
        if mirror["state"] in ("established", "failedOver") and mirror.get("transferState", "idle") == "idle":
            return mirror, source
        assert time.monotonic() < deadline, mirror
        time.sleep(0.2)


def test_two_operators_on_one_mirror_at_once(sim, run_playbook, tmp_path):
    setup = write_playbook(tmp_path / "setup.yml", [
        {"name": "Manage postgres", "kubedr.astra.astra_app": {"name": "postgres", "cluster": "prod-east"}},
        {"name": "Replicate postgres", "kubedr.astra.astra_app_mirror": {
            "source_app": "postgres", "source_cluster": "prod-east", "destination_cluster": "dr-west",
            "replication_interval": 5}}])
    assert run_playbook(setup).rc == 0

    # Two operators fail over at once: both converge on one failover, and the API applied it once.
    sim.clear_requests_log()
    failovers = [write_playbook(tmp_path / ("failover-%d.yml" % number),
                                mirror_task("Fail over", "prod-east", "dr-west", "failed_over")) for number in (1, 2)]
    outcomes = launch_all(sim, failovers)
    accepted = [entry for entry in sim.requests_log() if entry["method"] == "PUT" and entry["status"] in (200, 204)]
    for rc, output in outcomes:
        assert rc == 0 or "HTTP 409" in output, output
    mirror, source = settle(sim)
    # A second PUT of the same failover while the first runs is a no-op for the API: one failover happened.
    assert (mirror["state"], source) == ("failedOver", "prod-east") and accepted, (mirror, accepted)
    assert sorted(census(sim)["apps"]) == ["postgres@dr-west", "postgres@prod-east"]

    # Two operators disagree: one resyncs from dr-west (keeping what was written there), the other from prod-east
    # (discarding it). One is applied; the other fails clearly or converges; its rerun converges to what it asked.
    from_dr = mirror_task("Resync from dr-west", "dr-west", "prod-east", "established")
    from_prod = mirror_task("Resync from prod-east", "prod-east", "dr-west", "established", discard=True)
    opposite = [write_playbook(tmp_path / "resync-from-dr.yml", from_dr),
                write_playbook(tmp_path / "resync-from-prod.yml", from_prod)]
    outcomes = launch_all(sim, opposite)
    assert any(rc == 0 for rc, _output in outcomes), outcomes
    for rc, output in outcomes:
        assert rc == 0 or "HTTP 409" in output or "Refusing" in output or "failed" in output, output
    mirror, winner_source = settle(sim, timeout=120)
    assert mirror["state"] == "established" and winner_source in ("prod-east", "dr-west")
    assert integrity(sim) == "ok"
    loser = [path for (rc, _output), path in zip(outcomes, opposite) if rc != 0]
    for path in loser:
        rerun = run_playbook(path)
        assert rerun.rc == 0, rerun
        mirror, source = settle(sim, timeout=120)
        assert mirror["state"] == "established" and source == ("dr-west" if "from-dr" in path else "prod-east")
    record_figures("concurrency-one-mirror", operators=2, rounds=2, corrupted=0, losers_converged_on_rerun=len(loser),
                   integrity=integrity(sim))
