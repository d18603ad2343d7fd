"""AppMirror replication: the whole DR story, refusals, transfers and health, lists, persistence."""

import uuid

from simulator_harness import SimulatorProcess, assert_problem, wait_until

MIRROR = {"type": "application/astra-appMirror", "version": "1.1"}
SCHEDULE = {"type": "application/astra-schedule", "version": "1.2"}
RULE = "DTSTART:20220101T000500Z\nRRULE:FREQ=MINUTELY;INTERVAL=1"     # every 60 x scale s (1.2 s on `sim`)
TRIGGER = "astra.netapp.io/labels/read-only/triggerType"
WORKLOADS = {"Deployment", "StatefulSet"}


def mirrors(mirror_id=""):
    return "k8s/v1/appMirrors" + ("/" + mirror_id if mirror_id else "")


def create_mirror(sim, app, cluster="dr-west", **extra):
    body = {**MIRROR, "sourceAppID": app["id"], "destinationClusterID": sim.cluster_id(cluster),
            "stateDesired": "established", **extra}
    return sim.post(mirrors(), body)


def established_mirror(sim, app, timeout=5.0, **extra):
    response = create_mirror(sim, app, **extra)
    assert response.status_code == 201, response.text
    return wait_mirror(sim, response.json()["id"], "established", timeout)


def wait_mirror(sim, mirror_id, state, timeout=5.0, **fields):
    """The mirror once it is in `state` with its transfer idle and the given top-level fields."""
    def reached():
        response = sim.get(mirrors(mirror_id))
        if response.status_code != 200:
            return None
        mirror = response.json()
        wanted = {"state": state, "transferState": "idle", **fields}
        return mirror if all(mirror.get(key) == value for key, value in wanted.items()) else None
    return wait_until(reached, timeout, what="mirror %s to be %s %s" % (mirror_id, state, fields))


def put_mirror(sim, mirror_id, **fields):
    return sim.put(mirrors(mirror_id), {**MIRROR, **fields})


def ids(mirror, swap=False):
    keys = ("sourceAppID", "sourceClusterID", "destinationAppID", "destinationClusterID")
    values = [mirror[key] for key in keys]
    if swap:
        values = values[2:] + values[:2]
    return dict(zip(keys, values))


def replication_schedule(sim, app_id):
    body = {**SCHEDULE, "name": "kubedr-replication", "granularity": "custom", "recurrenceRule": RULE, "replicate": "true",
            "snapshotRetention": "0", "backupRetention": "0", "minute": None, "hour": None, "dayOfWeek": None,
            "dayOfMonth": None}
    response = sim.post("k8s/v1/apps/%s/schedules" % app_id, body)
    assert response.status_code == 201, response.text
    return response.json()


def kinds(sim, cluster, namespace):
    return {key[0] for key in sim.objects(cluster, namespace)}


def pvc_uid(sim, cluster, namespace, name):
    return sim.objects(cluster, namespace)[("PersistentVolumeClaim", name)]["uid"]


def last_transfer(mirror):
    (detail,) = mirror["transferStateDetails"]
    assert detail["type"] == "https://astra.netapp.io/stateDetails/24", detail
    assert detail["title"] == "Snapshot replication completed"
    assert set(detail["additionalDetails"]) == {"snapshotID", "startTime", "completionTime"}
    return detail["additionalDetails"]["snapshotID"]


def test_the_whole_dr_story(sim):
    pg = sim.ready_app("postgres", "prod-east", ["postgres"])
    prod, dr = sim.cluster_id("prod-east"), sim.cluster_id("dr-west")
    hourly = {**SCHEDULE, "name": "hourly", "granularity": "hourly", "minute": "5", "snapshotRetention": "2",
              "backupRetention": "0"}
    assert sim.post("k8s/v1/apps/%s/schedules" % pg["id"], hourly).status_code == 201

    # create: 201 establishing, the destination app exists at once, holding only its PVC
    response = create_mirror(sim, pg)
    assert response.status_code == 201, response.text
    mirror = response.json()
    assert response.headers["location"] == sim.api + mirrors(mirror["id"])
    assert mirror["type"] == "application/astra-appMirror" and mirror["version"] == "1.1"
    assert (mirror["state"], mirror["stateDesired"], mirror["transferState"]) == ("establishing", "established", "idle")
    assert mirror["stateAllowed"] == ["established", "deleted"]
    assert mirror["stateDetails"][0]["type"] == "https://astra.netapp.io/stateDetails/3"
    assert mirror["healthState"] == "warning"
    assert mirror["healthStateDetails"][0]["type"] == "https://astra.netapp.io/stateDetails/4"
    assert mirror["healthStateDetails"][0]["title"] == "AppMirror not yet established"
    assert mirror["sourceAppID"] == pg["id"] and mirror["sourceClusterID"] == prod and mirror["destinationClusterID"] == dr
    assert mirror["namespaceMapping"] == [
        {"clusterID": prod, "namespaces": ["postgres"]}, {"clusterID": dr, "namespaces": ["postgres"]}]
    assert {t["from"] for t in mirror["stateTransitions"]} == {"establishing", "established", "failingOver", "failedOver",
                                                               "deleting"}
    assert mirror["transferStateTransitions"] and mirror["healthStateTransitions"] and mirror["metadata"]["createdBy"]
    mirror_id, dst_id = mirror["id"], mirror["destinationAppID"]
    dst = sim.app(dst_id).json()
    assert (dst["name"], dst["clusterID"], dst["state"]) == ("postgres", dr, "ready")
    assert dst["replicationSourceAppID"] == pg["id"] and dst["namespaces"] == ["postgres"]
    assert dst_id in [a["id"] for a in sim.items("topology/v2/managedClusters/%s/apps" % dr)]
    assert kinds(sim, "dr-west", "postgres") == {"PersistentVolumeClaim"}
    standby_pvc = pvc_uid(sim, "dr-west", "postgres", "data-postgres-0")
    assert [a["assetType"] for a in sim.items("k8s/v1/apps/%s/appAssets" % dst_id)] == ["PersistentVolumeClaim"]

    # the replication schedule drives transfers once established (the establish did a baseline transfer)
    replication = replication_schedule(sim, pg["id"])
    mirror = wait_mirror(sim, mirror_id, "established")
    assert mirror["stateAllowed"] == ["failedOver", "deleted"]
    assert mirror["stateDetails"][0]["type"] == "https://astra.netapp.io/stateDetails/1"
    assert mirror["healthState"] == "normal"
    assert mirror["healthStateDetails"][0]["type"] == "https://astra.netapp.io/stateDetails/2"
    baseline = last_transfer(mirror)

    def scheduled_transfer():
        current = sim.get(mirrors(mirror_id)).json()
        return current if current["transferState"] == "idle" and last_transfer(current) != baseline else None
    mirror = wait_until(scheduled_transfer, 5, what="a scheduled transfer")
    assert mirror["healthState"] == "normal"
    snap = sim.get("k8s/v1/apps/%s/appSnaps/%s" % (pg["id"], last_transfer(mirror))).json()
    assert snap["state"] == "completed" and snap["scheduleID"] == replication["id"]
    assert {"name": TRIGGER, "value": "replication"} in snap["metadata"]["labels"]

    # the source cluster goes down: transfers fail, health critical; failover still works
    sim.control("POST", "clusters/prod-east/outage")
    mirror = wait_mirror(sim, mirror_id, "established", healthState="critical")
    assert "prod-east" in mirror["healthStateDetails"][0]["detail"]
    response = put_mirror(sim, mirror_id, stateDesired="failedOver")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/")
    failing = response.json()
    assert (failing["state"], failing["stateDesired"], failing["id"]) == ("failingOver", "failedOver", mirror_id)
    assert failing["stateAllowed"] == ["failedOver", "deleted"] and failing["sourceAppID"] == pg["id"]
    mirror = wait_mirror(sim, mirror_id, "failedOver")
    assert sim.control("GET", "clusters/prod-east").json()["unreachable"] is True
    assert mirror["healthState"] == "warning" and mirror["stateAllowed"] == ["established", "deleted"]
    dst = sim.app(dst_id).json()
    assert "replicationSourceAppID" not in dst and dst["state"] == "ready"
    assert kinds(sim, "dr-west", "postgres") == {"StatefulSet", "Service", "Secret", "ConfigMap", "PersistentVolumeClaim"}
    assert pvc_uid(sim, "dr-west", "postgres", "data-postgres-0") == standby_pvc      # the replicated volume is kept
    assert "StatefulSet" in {a["assetType"] for a in sim.items("k8s/v1/apps/%s/appAssets" % dst_id)}
    copied = sim.items("k8s/v1/apps/%s/schedules" % dst_id)
    assert [(s["name"], s["replicate"]) for s in copied] == [("hourly", "false")]
    sim.control("DELETE", "clusters/prod-east/outage")
    assert sim.app(pg["id"]).json()["state"] == "ready"
    assert WORKLOADS & kinds(sim, "prod-east", "postgres")                          # the source wasn't stopped

    # resync keeping dr-west's data: IDs swapped, prod-east stops and becomes the destination
    response = put_mirror(sim, mirror_id, stateDesired="established", **ids(mirror, swap=True))
    assert response.status_code == 200, response.text
    resyncing = response.json()
    assert resyncing["state"] == "establishing" and resyncing["stateDesired"] == "established"
    assert resyncing["sourceAppID"] == dst_id and resyncing["destinationClusterID"] == prod
    assert resyncing["namespaceMapping"][0]["clusterID"] == dr
    # the replication schedule moves to the new source (the simulator moves nothing; a client does)
    assert sim.delete("k8s/v1/apps/%s/schedules/%s" % (pg["id"], replication["id"])).status_code == 204
    replication = replication_schedule(sim, dst_id)
    mirror = wait_mirror(sim, mirror_id, "established", sourceAppID=dst_id, healthState="normal")
    assert not WORKLOADS & kinds(sim, "prod-east", "postgres")
    assert kinds(sim, "prod-east", "postgres") == {"PersistentVolumeClaim"}
    assert sim.app(pg["id"]).json()["replicationSourceAppID"] == dst_id
    assert "replicationSourceAppID" not in sim.app(dst_id).json()
    assert WORKLOADS & kinds(sim, "dr-west", "postgres")

    # reverse (fail back): swap again from established; prod-east comes online as the source
    response = put_mirror(sim, mirror_id, stateDesired="established", **ids(mirror, swap=True))
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "establishing" and response.json()["sourceAppID"] == pg["id"]
    assert sim.delete("k8s/v1/apps/%s/schedules/%s" % (dst_id, replication["id"])).status_code == 204
    replication_schedule(sim, pg["id"])
    mirror = wait_mirror(sim, mirror_id, "established", sourceAppID=pg["id"], sourceClusterID=prod, healthState="normal")
    assert kinds(sim, "prod-east", "postgres") == {"StatefulSet", "Service", "Secret", "ConfigMap", "PersistentVolumeClaim"}
    assert kinds(sim, "dr-west", "postgres") == {"PersistentVolumeClaim"}
    assert "replicationSourceAppID" not in sim.app(pg["id"]).json()
    assert sim.app(dst_id).json()["replicationSourceAppID"] == pg["id"]

    # delete: deleting, then gone; both apps stay managed and independent
    assert sim.delete(mirrors(mirror_id)).status_code == 204
    deleting = sim.get(mirrors(mirror_id)).json()
    assert (deleting["state"], deleting["stateDesired"], deleting["stateAllowed"]) == ("deleting", "deleted", ["deleted"])
    assert sim.delete(mirrors(mirror_id)).status_code == 204                        # a repeat is a no-op
    sim.wait_gone(mirrors(mirror_id))
    assert sim.items(mirrors()) == [] and sim.items("k8s/v1/apps/%s/appMirrors" % pg["id"]) == []
    for app_id in (pg["id"], dst_id):
        app = sim.app(app_id).json()
        assert app["state"] == "ready" and "replicationSourceAppID" not in app
    assert kinds(sim, "dr-west", "postgres") == {"PersistentVolumeClaim"}           # the "empty" destination app keeps its PVC
    assert not [s for s in sim.items("k8s/v1/apps/%s/appSnaps" % pg["id"])
                if {"name": TRIGGER, "value": "replication"} in s["metadata"]["labels"]]
    assert sim.delete("k8s/v2/apps/" + dst_id).status_code == 204                   # no longer in a relationship


def test_create_refusals(sim):
    jenkins = sim.ready_app("jenkins", "prod-east", ["jenkins"])
    problem = assert_problem(create_mirror(sim, jenkins), 409, 150)
    assert "more than one storage class" in problem["reason"] and "ontap-nas-economy" in problem["reason"]
    pg = sim.ready_app("postgres", "prod-east", ["postgres"])
    wp = sim.ready_app("wordpress", "prod-east", ["wordpress"])

    invalid = assert_problem(create_mirror(sim, pg, destinationAppID=str(uuid.uuid4())), 400, 9)["invalidFields"]
    assert [f["name"] for f in invalid] == ["destinationAppID"]
    invalid = assert_problem(create_mirror(sim, pg, stateDesired="failedOver"), 400, 9)["invalidFields"]
    assert [f["name"] for f in invalid] == ["stateDesired"]
    assert_problem(create_mirror(sim, pg, stateDesired="running"), 400, 8)
    assert_problem(create_mirror(sim, pg, links=[]), 400, 8)
    assert_problem(create_mirror(sim, {"id": str(uuid.uuid4())}), 400, 117)
    assert_problem(sim.post(mirrors(), {**MIRROR, "sourceAppID": pg["id"], "destinationClusterID": str(uuid.uuid4()),
                                        "stateDesired": "established"}), 400, 106)
    assert_problem(create_mirror(sim, pg, cluster="lab-north"), 400, 106)
    prod, dr = sim.cluster_id("prod-east"), sim.cluster_id("dr-west")

    def mapping(src, dst):
        return [{"clusterID": prod, "namespaces": src}, {"clusterID": dr, "namespaces": dst}]
    assert_problem(create_mirror(sim, pg, namespaceMapping=mapping(["postgres"], ["a", "b"])), 400, 9)
    assert_problem(create_mirror(sim, pg, namespaceMapping=mapping(["wordpress"], ["pg-dr"])), 400, 9)
    assert_problem(create_mirror(sim, pg, namespaceMapping=[{"clusterID": dr, "namespaces": ["pg-dr"]}]), 400, 9)
    assert_problem(create_mirror(sim, pg, cluster="prod-east", namespaceMapping=[
        {"clusterID": prod, "namespaces": ["postgres"]}, {"clusterID": prod, "namespaces": ["pg-copy"]}]), 400, 9)   # roles
    assert_problem(create_mirror(sim, pg, storageClasses=[{"clusterID": dr, "storageClassName": "nope"}]), 400, 118)
    problem = assert_problem(create_mirror(sim, pg, namespaceMapping=mapping(["postgres"], ["kube-system"])), 409, 123)
    assert "kube-system" in problem["reason"]

    sim.control("POST", "clusters/prod-east/outage")
    assert_problem(create_mirror(sim, pg), 409, 112)                  # the source app is unavailable
    sim.control("DELETE", "clusters/prod-east/outage")
    sim.control("POST", "clusters/dr-west/outage")
    assert "dr-west" in assert_problem(create_mirror(sim, pg), 409, 150)["reason"]
    sim.control("DELETE", "clusters/dr-west/outage")

    # a mapped namespace and a destination storage class; then a second relationship is refused
    response = create_mirror(sim, pg, namespaceMapping=mapping(["postgres"], ["pg-dr"]),
                             storageClasses=[{"clusterID": dr, "storageClassName": "ontap-san"}])
    assert response.status_code == 201, response.text
    mirror = response.json()
    assert mirror["namespaceMapping"] == mapping(["postgres"], ["pg-dr"])
    assert mirror["storageClasses"] == [{"clusterID": dr, "storageClassName": "ontap-san"}]
    assert sim.objects("dr-west", "pg-dr")[("PersistentVolumeClaim", "data-postgres-0")]["storageClassName"] == "ontap-san"
    problem = assert_problem(create_mirror(sim, pg), 409, 150)
    assert mirror["id"] in problem["reason"]
    assert_problem(create_mirror(sim, {"id": mirror["destinationAppID"]}, cluster="prod-east"), 409, 150)
    problem = assert_problem(create_mirror(sim, wp, namespaceMapping=mapping(["wordpress"], ["pg-dr"])), 409, 123)
    assert "postgres" in problem["reason"]                             # the namespace belongs to the destination app

    # neither app can be unmanaged while the relationship exists
    for app_id in (pg["id"], mirror["destinationAppID"]):
        assert "AppMirror" in assert_problem(sim.delete("k8s/v2/apps/" + app_id), 409, 119)["reason"]


def test_forbidden_transitions_while_establishing(slow_sim):
    sim = slow_sim                                              # establishing lasts 2.5 s
    pg = sim.ready_app("postgres", "prod-east", ["postgres"])
    mirror = create_mirror(sim, pg).json()
    mirror_id = mirror["id"]
    sim.control("POST", "clusters/dr-west/outage")             # and now until the outage ends
    assert sim.get(mirrors(mirror_id)).json()["state"] == "establishing"
    invalid = assert_problem(put_mirror(sim, mirror_id, stateDesired="failedOver"), 409, 10)["invalidFields"]
    assert invalid[0]["name"] == "stateDesired"
    assert_problem(put_mirror(sim, mirror_id, stateDesired="established", **ids(mirror, swap=True)), 409, 10)
    mixed = dict(ids(mirror), sourceClusterID=mirror["destinationClusterID"])        # a cluster not of its app
    assert "sourceClusterID" in [f["name"] for f in assert_problem(
        put_mirror(sim, mirror_id, stateDesired="established", **mixed), 409, 10)["invalidFields"]]
    assert_problem(put_mirror(sim, mirror_id, stateDesired="established", sourceAppID=str(uuid.uuid4())), 409, 10)
    assert_problem(put_mirror(sim, mirror_id, id=str(uuid.uuid4())), 409, 10)
    assert_problem(put_mirror(sim, mirror_id, stateDesired="deleting"), 400, 8)
    same = put_mirror(sim, mirror_id, stateDesired="established", metadata={"labels": [{"name": "a", "value": "b"}]})
    assert same.status_code == 200 and same.json()["state"] == "establishing"     # nothing to do
    assert same.json()["metadata"]["labels"] == [{"name": "a", "value": "b"}]
    sim.control("DELETE", "clusters/dr-west/outage")
    wait_mirror(sim, mirror_id, "established", timeout=10)


def test_forbidden_transitions_failover_and_resync(sim):
    pg = sim.ready_app("postgres", "prod-east", ["postgres"])
    mirror = established_mirror(sim, pg)
    mirror_id = mirror["id"]
    partial = {"sourceAppID": mirror["destinationAppID"], "destinationAppID": mirror["sourceAppID"]}
    assert_problem(put_mirror(sim, mirror_id, stateDesired="established", **partial), 409, 10)
    assert_problem(put_mirror(sim, mirror_id, stateDesired="failedOver", **ids(mirror, swap=True)), 409, 10)
    assert_problem(put_mirror(sim, mirror_id, namespaceMapping=[]), 409, 10)
    assert put_mirror(sim, mirror_id, stateDesired="established", **ids(mirror)).json()["state"] == "established"

    # failover while the destination is down: accepted, failingOver until it is back
    sim.control("POST", "clusters/dr-west/outage")
    assert put_mirror(sim, mirror_id, stateDesired="failedOver").json()["state"] == "failingOver"
    assert put_mirror(sim, mirror_id, stateDesired="failedOver").status_code == 200            # a repeat is a no-op
    assert_problem(put_mirror(sim, mirror_id, stateDesired="established", **ids(mirror)), 409, 10)
    assert sim.get(mirrors(mirror_id)).json()["state"] == "failingOver"
    sim.control("DELETE", "clusters/dr-west/outage")
    mirror = wait_mirror(sim, mirror_id, "failedOver")
    assert put_mirror(sim, mirror_id, stateDesired="failedOver").json()["state"] == "failedOver"
    invalid = assert_problem(put_mirror(sim, mirror_id, stateDesired="established"), 400, 9)["invalidFields"]
    assert {f["name"] for f in invalid} == {"sourceAppID", "sourceClusterID", "destinationAppID", "destinationClusterID"}

    # resync keeping the original source's data: the failed-over destination stops again
    assert WORKLOADS & kinds(sim, "dr-west", "postgres")
    response = put_mirror(sim, mirror_id, stateDesired="established", **ids(mirror))
    assert response.status_code == 200 and response.json()["sourceAppID"] == pg["id"]
    wait_mirror(sim, mirror_id, "established", healthState="normal")
    assert kinds(sim, "dr-west", "postgres") == {"PersistentVolumeClaim"}
    assert sim.app(mirror["destinationAppID"]).json()["replicationSourceAppID"] == pg["id"]
    assert WORKLOADS & kinds(sim, "prod-east", "postgres")

    # delete through PUT stateDesired deleted; then anything else is refused until it is gone
    response = put_mirror(sim, mirror_id, stateDesired="deleted")
    assert response.status_code == 200 and response.json()["state"] == "deleting"
    assert_problem(put_mirror(sim, mirror_id, stateDesired="failedOver"), 409, 10)
    sim.wait_gone(mirrors(mirror_id))
    assert_problem(put_mirror(sim, mirror_id, stateDesired="failedOver"), 404, 1)
    assert_problem(sim.delete(mirrors(mirror_id)), 404, 1)


def test_failed_transfer_makes_health_critical_until_the_next_one(sim):
    pg = sim.ready_app("postgres", "prod-east", ["postgres"])
    mirror = established_mirror(sim, pg)
    baseline = last_transfer(mirror)
    assert sim.control("PUT", "faults", json={"fail_next": {"appMirror": 1}}).status_code == 200
    replication_schedule(sim, pg["id"])
    failed = wait_mirror(sim, mirror["id"], "established", healthState="critical")
    # the detail of the last completed transfer stays (which snapshot the destination holds), the failure follows
    kept, detail = failed["transferStateDetails"]
    assert kept["title"] == "Snapshot replication completed" and kept["additionalDetails"]["snapshotID"] == baseline
    assert detail["title"] == "Snapshot replication failed" and "fail_next" in detail["detail"]
    assert failed["healthStateDetails"][0]["title"] == "Snapshot replication failed"
    assert sim.control("GET", "faults").json()["fail_next"] == {}
    # the last replicated snapshot is still the baseline, and it can't be deleted
    snap_path = "k8s/v1/apps/%s/appSnaps/%s" % (pg["id"], baseline)
    assert sim.get(snap_path).json()["state"] == "completed"
    assert "replication" in assert_problem(sim.delete(snap_path), 403, 120)["reason"]
    recovered = wait_mirror(sim, mirror["id"], "established", healthState="normal")
    assert last_transfer(recovered) != baseline
    assert recovered["healthStateDetails"][0]["type"] == "https://astra.netapp.io/stateDetails/2"
    wait_until(lambda: sim.get(snap_path).status_code == 404, 5, what="the older replication snapshot to be pruned")


def test_per_app_lists_filters_and_reset(sim):
    pg = sim.ready_app("postgres", "prod-east", ["postgres"])
    wp = sim.ready_app("wordpress", "prod-east", ["wordpress"])
    shop = sim.ready_app("shop", "prod-east", ["shop-db"])
    first = create_mirror(sim, pg).json()
    response = sim.post("k8s/v1/apps/%s/appMirrors" % wp["id"], {**MIRROR, "sourceAppID": wp["id"],
                        "destinationClusterID": sim.cluster_id("dr-west"), "stateDesired": "established"})
    assert response.status_code == 201, response.text
    second = response.json()
    assert response.headers["location"] == sim.api + mirrors(second["id"])
    assert_problem(sim.post("k8s/v1/apps/%s/appMirrors" % shop["id"], {**MIRROR, "sourceAppID": pg["id"],
                            "destinationClusterID": sim.cluster_id("dr-west"), "stateDesired": "established"}), 400, 9)

    assert [m["id"] for m in sim.items(mirrors())] == [first["id"], second["id"]]
    assert [m["id"] for m in sim.items("k8s/v1/apps/%s/appMirrors" % pg["id"])] == [first["id"]]
    assert [m["id"] for m in sim.items("k8s/v1/apps/%s/appMirrors" % first["destinationAppID"])] == [first["id"]]
    assert sim.items("k8s/v1/apps/%s/appMirrors" % shop["id"]) == []
    assert_problem(sim.get("k8s/v1/apps/%s/appMirrors" % uuid.uuid4()), 404, 2)
    assert sim.get("k8s/v1/apps/%s/appMirrors/%s" % (pg["id"], first["id"])).json()["id"] == first["id"]
    assert_problem(sim.get("k8s/v1/apps/%s/appMirrors/%s" % (pg["id"], second["id"])), 404, 2)
    assert_problem(sim.delete("k8s/v1/apps/%s/appMirrors/%s" % (shop["id"], first["id"])), 404, 1)
    assert_problem(sim.get(mirrors(str(uuid.uuid4()))), 404, 2)

    assert sim.items(mirrors() + "?filter=sourceAppID%20eq%20'" + wp["id"] + "'&include=id,sourceAppID") == [
        [second["id"], wp["id"]]]
    wait_mirror(sim, first["id"], "established")
    established = [m["id"] for m in sim.items(mirrors() + "?filter=state%20eq%20'established'")]
    assert established in ([first["id"]], [first["id"], second["id"]])
    assert sim.items(mirrors() + "?filter=namespaceMapping[*].namespaces[*]%20eq%20'wordpress'&include=id") == [[second["id"]]]
    page = sim.get(mirrors() + "?limit=1").json()
    assert len(page["items"]) == 1 and page["metadata"]["continue"]
    rest = sim.items(mirrors() + "?limit=1&continue=" + page["metadata"]["continue"])
    assert [page["items"][0]["id"], rest[0]["id"]] == [first["id"], second["id"]]
    assert_problem(sim.get(mirrors() + "?orderBy=id"), 400, 6)

    response = sim.put("k8s/v1/apps/%s/appMirrors/%s" % (first["destinationAppID"], first["id"]),
                       {**MIRROR, "stateDesired": "failedOver"})
    assert response.status_code == 200 and response.json()["state"] == "failingOver"
    assert sim.control("POST", "reset").status_code == 200
    assert sim.items(mirrors()) == []


def test_a_mirror_in_flight_survives_a_restart(tmp_path):
    simulator = SimulatorProcess(tmp_path, time_scale=0.25)      # establishing takes 2.5 s: it spans the restart
    simulator.start()
    try:
        pg = simulator.manage("postgres", "prod-east", ["postgres"]).json()
        simulator.wait_for_app(pg["id"], "ready", timeout=10)
        mirror = create_mirror(simulator, pg).json()
        assert mirror["state"] == "establishing"
    finally:
        simulator.stop()
    simulator.start()
    try:
        done = wait_mirror(simulator, mirror["id"], "established", timeout=10, healthState="normal")
        assert done["destinationAppID"] == mirror["destinationAppID"] and last_transfer(done)
        assert simulator.app(mirror["destinationAppID"]).json()["replicationSourceAppID"] == pg["id"]
    finally:
        simulator.stop()


def test_same_cluster_replication_needs_roles(sim):
    shop = sim.ready_app("shop", "prod-east", [{"namespace": "shop-db", "labelSelectors": ["app=shop"]}])
    prod = sim.cluster_id("prod-east")
    mapping = [{"clusterID": prod, "namespaces": ["shop-db"], "role": "source"},
               {"clusterID": prod, "namespaces": ["shop-db-copy"], "role": "destination"}]
    assert_problem(create_mirror(sim, shop, cluster="prod-east"), 400, 9)                 # no mapping
    assert_problem(create_mirror(sim, shop, cluster="prod-east", namespaceMapping=[
        dict(mapping[0], namespaces=["shop-db"]), dict(mapping[1], namespaces=["shop-db"])]), 400, 9)
    response = create_mirror(sim, shop, cluster="prod-east", namespaceMapping=mapping)
    assert response.status_code == 201, response.text
    mirror = wait_mirror(sim, response.json()["id"], "established", healthState="normal")
    assert mirror["namespaceMapping"] == mapping and mirror["destinationClusterID"] == prod
    copy = sim.app(mirror["destinationAppID"]).json()
    assert copy["name"] == "shop" and copy["namespaces"] == ["shop-db-copy"]
    assert copy["namespaceScopedResources"] == [{"namespace": "shop-db-copy", "labelSelectors": ["app=shop"]}]
    assert kinds(sim, "prod-east", "shop-db-copy") == {"PersistentVolumeClaim"}
    failed_over = put_mirror(sim, mirror["id"], stateDesired="failedOver")
    assert failed_over.status_code == 200
    wait_mirror(sim, mirror["id"], "failedOver")
    assert kinds(sim, "prod-east", "shop-db-copy") == {"StatefulSet", "Service", "Secret", "PersistentVolumeClaim"}
    response = put_mirror(sim, mirror["id"], stateDesired="established", **ids(mirror, swap=True))
    assert response.json()["namespaceMapping"] == [dict(mapping[1], role="source"), dict(mapping[0], role="destination")]
    wait_mirror(sim, mirror["id"], "established", sourceAppID=mirror["destinationAppID"])
    assert kinds(sim, "prod-east", "shop-db") == {"PersistentVolumeClaim"}
