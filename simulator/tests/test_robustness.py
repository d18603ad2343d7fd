"""The simulator itself under concurrent writers, and after a SIGKILL in the middle of long operations."""

import collections
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from simulator_harness import SimulatorProcess, assert_problem, wait_until

MIRROR = {"type": "application/astra-appMirror", "version": "1.1"}
SNAP = {"type": "application/astra-appSnap", "version": "1.1"}
BACKUP = {"type": "application/astra-appBackup", "version": "1.1"}
SCHEDULE = {"type": "application/astra-schedule", "version": "1.3"}
ID_FIELDS = ("sourceAppID", "sourceClusterID", "destinationAppID", "destinationClusterID")
# stateAllowed per state (the spec's table; README, AppMirrors)
ALLOWED = {"establishing": {"established", "deleted"}, "established": {"failedOver", "deleted"},
           "failingOver": {"failedOver", "deleted"}, "failedOver": {"established", "deleted"}, "deleting": {"deleted"}}
TIMEOUT = 20        # seconds any one thread may take


def integrity(state_path):
    """`PRAGMA integrity_check` through a separate read-only connection (the simulator may be running)."""
    connection = sqlite3.connect("file:%s?mode=ro" % state_path, uri=True, timeout=5)
    try:
        return connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()


def ids(mirror, swap=False):
    values = [mirror[key] for key in ID_FIELDS]
    return dict(zip(ID_FIELDS, values[2:] + values[:2] if swap else values))


def assert_consistent(mirror):
    assert set(mirror["stateAllowed"]) == ALLOWED[mirror["state"]], mirror
    assert mirror["stateDesired"] in ALLOWED[mirror["state"]] | {mirror["state"]}, mirror


def ready_apps(sim, *specs, timeout=10):
    created = {}
    for name, cluster, namespace in specs:
        response = sim.manage(name, cluster, [namespace])
        assert response.status_code == 201, response.text
        created[name] = response.json()["id"]
    return {name: sim.wait_for_app(app_id, "ready", timeout) for name, app_id in created.items()}


def establish(sim, app, timeout=10):
    response = sim.post("k8s/v1/appMirrors", {**MIRROR, "sourceAppID": app["id"], "stateDesired": "established",
                                              "destinationClusterID": sim.cluster_id("dr-west")})
    assert response.status_code == 201, response.text
    return sim.wait_for("k8s/v1/appMirrors/" + response.json()["id"], "established", timeout)


def run_together(*calls):
    """Run the calls in threads released at the same moment; their results in order."""
    barrier = threading.Barrier(len(calls))

    def released(call):
        barrier.wait(timeout=TIMEOUT)
        return call()
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(released, call) for call in calls]
        return [future.result(timeout=TIMEOUT) for future in futures]


def test_concurrent_writers_leave_a_consistent_state(sim):
    """8 threads at once: snapshots and backups on three apps (two threads per app, using the same names), and a
    failover and a resync PUT of one AppMirror."""
    apps = ready_apps(sim, ("wp", "prod-east", "wordpress"), ("jk", "prod-east", "jenkins"),
                      ("db", "prod-east", "shop-db"), ("pg", "prod-east", "postgres"))
    mirror = establish(sim, apps["pg"])
    mirror_url = sim.api + "k8s/v1/appMirrors/" + mirror["id"]

    def protect(app_id):
        session, answers = requests.Session(), []
        for i in range(8):
            for kind, body in (("appSnaps", SNAP), ("appBackups", BACKUP)):
                response = session.post(sim.api + "k8s/v1/apps/%s/%s" % (app_id, kind), headers=sim.headers, timeout=10,
                                        json={**body, "name": "%s-%d" % (kind.lower()[3:-1], i)})
                answers.append((kind, response))
            time.sleep(0.03)        # let some of them finish (a snapshot takes 80 ms here), so later ones succeed
        return app_id, answers

    def put(body):
        return lambda: requests.put(mirror_url, json={**MIRROR, **body}, headers=sim.headers, timeout=10)

    protectors = [lambda app_id=app_id: protect(app_id) for app_id in (apps["wp"]["id"], apps["jk"]["id"], apps["db"]["id"])
                  for _twice in range(2)]
    *protected, failed_over, resynced = run_together(*protectors, put({"stateDesired": "failedOver"}),
                                                     put({"stateDesired": "established", **ids(mirror)}))

    # each refusal is a conflict problem; each success is listed exactly once; names stay unique
    created = collections.defaultdict(list)
    for app_id, answers in protected:
        for kind, response in answers:
            if response.status_code == 201:
                created[kind, app_id].append(response.json())
            else:
                number = int(response.json()["type"].rsplit("/", 1)[1])
                assert number in (148, 176, 107, 143), response.text
                assert_problem(response, 409, number)
    assert sum(len(items) for items in created.values()) >= 6
    for name in ("wp", "jk", "db"):
        app_id = apps[name]["id"]
        snaps, backups = "k8s/v1/apps/%s/appSnaps" % app_id, "k8s/v1/apps/%s/appBackups" % app_id
        wait_until(lambda: all(item["state"] in ("completed", "failed") for item in sim.items(snaps) + sim.items(backups)),
                   10, what="snapshots and backups of " + name)
        listed_snaps, listed_backups = sim.items(snaps), sim.items(backups)
        for listed in (listed_snaps, listed_backups):
            names = [item["name"] for item in listed]
            assert len(names) == len(set(names)), names
            assert len({item["id"] for item in listed}) == len(listed)
        assert {b["id"] for b in listed_backups} == {b["id"] for b in created["appBackups", app_id]}
        own = {b["name"] + "-snapshot" for b in created["appBackups", app_id]}       # the snapshots backups take
        assert {s["id"] for s in listed_snaps if s["name"] not in own} == {s["id"] for s in created["appSnaps", app_id]}
        assert len([s for s in listed_snaps if s["name"] in own]) == len(own)
        assert all(item["state"] == "completed" for item in listed_snaps + listed_backups)

    # from established the failover always applies; the resync is a no-op before it, or a 409 after it
    assert failed_over.status_code == 200, failed_over.text
    assert_consistent(failed_over.json())
    if resynced.status_code == 409:
        assert_problem(resynced, 409, 10)
        assert failed_over.json()["state"] == "failingOver"
    else:
        assert resynced.status_code == 200, resynced.text
        assert resynced.json()["state"] == "established"
    final = sim.get("k8s/v1/appMirrors/" + mirror["id"]).json()
    assert final["state"] in ("failingOver", "failedOver") and final["stateDesired"] == "failedOver"
    assert_consistent(final)
    assert_consistent(sim.wait_for("k8s/v1/appMirrors/" + mirror["id"], "failedOver"))
    assert integrity(sim.state_path) == [("ok",)]


def test_conflicting_mirror_puts_apply_exactly_one(slow_sim):
    """From failedOver, resyncs (same IDs) race reverses (swapped IDs): one of them wins, the other kind gets 409.

    On the slow simulator (time scale 0.25), so the winner's `establishing` lasts while the others are answered.
    """
    sim = slow_sim
    app = ready_apps(sim, ("pg", "prod-east", "postgres"))["pg"]
    mirror = establish(sim, app)
    mirror_url = sim.api + "k8s/v1/appMirrors/" + mirror["id"]
    assert sim.put("k8s/v1/appMirrors/" + mirror["id"], {**MIRROR, "stateDesired": "failedOver"}).status_code == 200
    sim.wait_for("k8s/v1/appMirrors/" + mirror["id"], "failedOver")

    def put(body):
        return lambda: requests.put(mirror_url, json={**MIRROR, "stateDesired": "established", **body}, headers=sim.headers,
                                    timeout=10)
    resync, reverse = put(ids(mirror)), put(ids(mirror, swap=True))
    answers = run_together(resync, reverse, resync, reverse, resync, reverse, resync, reverse)
    applied = [response for response in answers if response.status_code == 200]
    refused = [response for response in answers if response.status_code != 200]
    for response in refused:
        assert_problem(response, 409, 10)
    now = sim.get("k8s/v1/appMirrors/" + mirror["id"]).json()
    assert now["state"] == "establishing"
    assert_consistent(now)
    assert ids(now) in (ids(mirror), ids(mirror, swap=True))
    # every 200 is the winner or a repeat of it (a no-op); all four of the other kind were refused
    assert applied and all(ids(response.json()) == ids(now) for response in applied)
    assert len(refused) == 4 and len(applied) == 4
    assert integrity(sim.state_path) == [("ok",)]


def test_operations_in_flight_survive_a_sigkill(tmp_path):
    simulator = SimulatorProcess(tmp_path, time_scale=0.2)
    simulator.start()
    try:
        apps = ready_apps(simulator, ("wp", "prod-east", "wordpress"), ("pg", "prod-east", "postgres"),
                          ("db", "prod-east", "shop-db"), ("jk", "prod-east", "jenkins"))
        mirror = establish(simulator, apps["pg"])
        clone = simulator.post("k8s/v2/apps", {
            "type": "application/astra-app", "version": "2.2", "name": "db-copy", "clusterID": simulator.cluster_id("dr-west"),
            "sourceClusterID": simulator.cluster_id("prod-east"), "sourceAppID": apps["db"]["id"]})
        backup = simulator.backup(apps["wp"]["id"], "b1")
        failover = simulator.put("k8s/v1/appMirrors/" + mirror["id"], {**MIRROR, "stateDesired": "failedOver"})
        assert clone.status_code == 201 and backup.status_code == 201 and failover.status_code == 200
        clone, backup, failover = clone.json(), backup.json(), failover.json()
        assert (clone["state"], backup["state"], failover["state"]) == ("provisioning", "pending", "failingOver")
        apps_before = {(a["id"], a["name"], a["clusterID"]) for a in simulator.items("k8s/v2/apps")}

        # a writer still busy when the process dies: every schedule it was told about (201) must be there afterwards
        acknowledged, stop = [], threading.Event()

        def writer():
            session = requests.Session()
            for minute in range(60):
                if stop.is_set():
                    return
                try:
                    response = session.post(simulator.api + "k8s/v1/apps/%s/schedules" % apps["jk"]["id"], timeout=5,
                                            headers=simulator.headers,
                                            json={**SCHEDULE, "name": "h%d" % minute, "granularity": "hourly",
                                                  "minute": str(minute), "snapshotRetention": "1", "backupRetention": "0"})
                except requests.RequestException:
                    return
                if response.status_code == 201:
                    acknowledged.append(response.json()["id"])
        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        wait_until(lambda: len(acknowledged) >= 3, 5, what="the writer to get going")
        simulator.crash()                                   # SIGKILL while the clone, backup and failover are in flight
        stop.set()
        thread.join(timeout=10)
        assert not thread.is_alive()
    finally:
        if simulator.process.poll() is None:
            simulator.stop()
    assert integrity(simulator.state_path) == [("ok",)]

    simulator.start()
    try:
        done = simulator.wait_for_app(clone["id"], "ready", timeout=10)
        assert done["name"] == "db-copy" and done["namespaces"] == ["shop-db"]
        finished = simulator.wait_for("k8s/v1/apps/%s/appBackups/%s" % (apps["wp"]["id"], backup["id"]), "completed", 10)
        assert finished["percentDone"] == 100
        failed_over = simulator.wait_for("k8s/v1/appMirrors/" + mirror["id"], "failedOver", timeout=10)
        assert_consistent(failed_over)
        # nothing lost, nothing twice: same IDs, one of each
        assert {(a["id"], a["name"], a["clusterID"]) for a in simulator.items("k8s/v2/apps")} == apps_before
        assert [b["id"] for b in simulator.items("topology/v1/appBackups")] == [backup["id"]]
        snaps = [s["name"] for s in simulator.items("k8s/v1/apps/%s/appSnaps" % apps["wp"]["id"])]
        assert snaps == ["b1-snapshot"]
        assert [m["id"] for m in simulator.items("k8s/v1/appMirrors")] == [mirror["id"]]
        assert len([a for a in simulator.items("k8s/v2/apps") if a["name"] == "db-copy"]) == 1
        assert simulator.objects("dr-west", "shop-db") and simulator.objects("dr-west", "postgres")
        schedules = {s["id"] for s in simulator.items("k8s/v1/apps/%s/schedules" % apps["jk"]["id"])}
        assert set(acknowledged) <= schedules and len(schedules) <= len(acknowledged) + 1    # at most one unanswered
        assert integrity(simulator.state_path) == [("ok",)]
    finally:
        simulator.stop()
