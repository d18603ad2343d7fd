"""Snapshots and backups: state machines, refusals, buckets, appAssets, cloud PUT, cascades."""

import time
import uuid

from simulator_harness import assert_problem, wait_until

TRIGGER = "astra.netapp.io/labels/read-only/triggerType"


def snaps(app_id, snap_id=""):
    return "k8s/v1/apps/%s/appSnaps%s" % (app_id, "/" + snap_id if snap_id else "")


def backups(app_id, backup_id=""):
    return "k8s/v1/apps/%s/appBackups%s" % (app_id, "/" + backup_id if backup_id else "")


def test_snapshot_is_pending_listed_at_once_then_completed(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    response = sim.snapshot(app["id"], "before-upgrade", version="1.3")
    assert response.status_code == 201, response.text
    snap = response.json()
    assert response.headers["location"] == sim.api + snaps(app["id"], snap["id"])
    assert response.headers["etag"]
    assert snap["state"] == "pending" and snap["type"] == "application/astra-appSnap" and snap["version"] == "1.3"
    assert snap["stateUnready"] == [] and "snapshotAppAsset" not in snap and "scheduleID" not in snap
    assert [s["id"] for s in sim.items(snaps(app["id"]))] == [snap["id"]]
    done = sim.wait_for(snaps(app["id"], snap["id"]), "completed")
    assert done["snapshotAppAsset"] and done["hookState"] == "success" and done["snapshotCreationTimestamp"].endswith("Z")
    assert done["name"] == "before-upgrade"
    # the system names a snapshot when the request doesn't
    unnamed = sim.snapshot(app["id"]).json()
    assert unnamed["name"].startswith("wp-snapshot-")
    sim.wait_for(snaps(app["id"], unnamed["id"]), "completed")


def test_snapshot_list_parameters(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    for name in ("s1", "s2", "s3"):
        sim.completed_snapshot(app["id"], name)
    page = sim.get(snaps(app["id"]) + "?include=name,state&limit=2").json()
    assert page["items"] == [["s1", "completed"], ["s2", "completed"]]
    rest = sim.items(snaps(app["id"]) + "?include=name&limit=2&continue=" + page["metadata"]["continue"])
    assert rest == [["s3"]]
    assert_problem(sim.get(snaps(app["id"]) + "?filter=name%20eq%20's1'"), 400, 6)
    assert_problem(sim.get(backups(app["id"]) + "?filter=name%20eq%20's1'"), 400, 6)
    assert_problem(sim.get("topology/v1/appBackups?filter=name%20eq%20'x'"), 400, 6)


def test_snapshot_refusals(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    other = sim.ready_app("pg", "prod-east", ["postgres"])
    sim.completed_snapshot(app["id"], "daily")
    assert_problem(sim.snapshot(app["id"], "daily"), 409, 176)
    assert sim.snapshot(other["id"], "daily").status_code == 201          # names are unique per app
    assert_problem(sim.snapshot(app["id"], "Bad_Name"), 400, 8)
    assert_problem(sim.post(snaps(app["id"]), {"type": "application/astra-appBackup", "version": "1.1"}), 400, 8)
    assert_problem(sim.snapshot(app["id"], "to-bucket", bucketID=sim.items("topology/v1/buckets")[0]["id"]), 400, 177)
    assert_problem(sim.snapshot(str(uuid.uuid4()), "x"), 404, 2)
    snap = sim.named(snaps(app["id"]), "daily")
    assert_problem(sim.put(snaps(app["id"], snap["id"]), {"type": "application/astra-appSnap", "version": "1.1"}), 405, 69)
    assert_problem(sim.get(snaps(other["id"], snap["id"])), 404, 2)        # another app's snapshot
    assert_problem(sim.delete(snaps(app["id"], str(uuid.uuid4()))), 404, 1)


def test_snapshot_and_backup_of_an_unavailable_app_are_refused(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    sim.control("POST", "clusters/prod-east/outage")
    problem = assert_problem(sim.snapshot(app["id"], "during-outage"), 409, 112)
    assert "unavailable" in problem["reason"]
    assert_problem(sim.backup(app["id"], "during-outage"), 409, 112)
    sim.control("DELETE", "clusters/prod-east/outage")
    assert sim.snapshot(app["id"], "after-outage").status_code == 201


def test_snapshot_in_flight_waits_for_an_outage_to_end(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    snap = sim.snapshot(app["id"], "s1").json()
    sim.control("POST", "clusters/prod-east/outage")
    time.sleep(0.2)                       # several times the snapshot's duration at this scale
    assert sim.get(snaps(app["id"], snap["id"])).json()["state"] in ("pending", "running")
    sim.control("DELETE", "clusters/prod-east/outage")
    sim.wait_for(snaps(app["id"], snap["id"]), "completed")


def test_snapshot_delete_goes_through_deleting(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    snap = sim.completed_snapshot(app["id"], "s1")
    sim.control("POST", "clusters/prod-east/outage")     # holds the deletion so `deleting` can be seen
    response = sim.delete(snaps(app["id"], snap["id"]), json={"type": "application/astra-appSnap", "version": "1.1"})
    assert response.status_code == 204 and response.content == b""
    assert sim.get(snaps(app["id"], snap["id"])).json()["state"] == "deleting"
    assert sim.delete(snaps(app["id"], snap["id"])).status_code == 204      # again while deleting: no-op
    sim.control("DELETE", "clusters/prod-east/outage")
    sim.wait_gone(snaps(app["id"], snap["id"]))
    assert sim.items(snaps(app["id"])) == []


def test_backup_takes_a_snapshot_first_and_goes_to_the_default_bucket(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    cloud = sim.items("topology/v1/clouds")[0]
    response = sim.backup(app["id"], "nightly", version="1.2")
    assert response.status_code == 201, response.text
    backup = response.json()
    assert response.headers["location"] == sim.api + backups(app["id"], backup["id"])
    assert backup["state"] == "pending" and backup["version"] == "1.2"
    assert backup["bucketID"] == cloud["defaultBucketID"]
    assert backup["percentDone"] == 0 and backup["bytesDone"] == 0 and backup["totalBytes"] > 0
    assert backup["backupCreationTimestamp"].endswith("Z")
    assert {"name": TRIGGER, "value": "backup"} in backup["metadata"]["labels"]
    assert [b["id"] for b in sim.items(backups(app["id"]))] == [backup["id"]]
    assert [b["id"] for b in sim.items("topology/v1/appBackups")] == [backup["id"]]
    snapshot = sim.get(snaps(app["id"], backup["snapshotID"])).json()          # the snapshot taken for it
    assert snapshot["name"].startswith("nightly")
    done = sim.wait_for(backups(app["id"], backup["id"]), "completed")
    assert done["percentDone"] == 100 and done["bytesDone"] == done["totalBytes"]
    assert sim.get("topology/v1/appBackups/" + backup["id"]).json()["state"] == "completed"
    assert sim.get(snaps(app["id"], backup["snapshotID"])).json()["state"] == "completed"


def test_backup_of_an_existing_snapshot_to_a_named_bucket(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    snap = sim.completed_snapshot(app["id"], "s1")
    bucket = sim.items("topology/v1/buckets")[0]["id"]
    backup = sim.completed_backup(app["id"], "b1", snapshotID=snap["id"], bucketID=bucket,
                                  metadata={"labels": [{"name": "team", "value": "web"}]})
    assert backup["snapshotID"] == snap["id"] and backup["bucketID"] == bucket
    assert {"name": "team", "value": "web"} in backup["metadata"]["labels"]
    assert [s["id"] for s in sim.items(snaps(app["id"]))] == [snap["id"]]     # no extra snapshot


def test_backup_refusals(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    other = sim.ready_app("pg", "prod-east", ["postgres"])
    foreign = sim.completed_snapshot(other["id"], "pg-snap")
    sim.completed_backup(app["id"], "b1")
    assert_problem(sim.backup(app["id"], "b1"), 409, 143)
    assert_problem(sim.backup(app["id"], "b2", snapshotID=foreign["id"]), 403, 76)
    assert_problem(sim.backup(app["id"], "b2", snapshotID=str(uuid.uuid4())), 400, 46)
    assert_problem(sim.backup(app["id"], "b2", bucketID=str(uuid.uuid4())), 400, 108)
    sim.control("PUT", "faults", json={"fail_next": {"appSnap": 1}})
    failed = sim.wait_for(snaps(app["id"], sim.snapshot(app["id"], "broken").json()["id"]), "failed")
    assert_problem(sim.backup(app["id"], "b2", snapshotID=failed["id"]), 409, 111)
    assert_problem(sim.post(backups(app["id"]), {"type": "application/astra-appBackup", "version": "1.3"}), 400, 8)
    backup = sim.named(backups(app["id"]), "b1")
    assert_problem(sim.put(backups(app["id"], backup["id"]), {"type": "application/astra-appBackup", "version": "1.1"}), 405, 69)
    assert_problem(sim.put("topology/v1/appBackups/" + backup["id"], {}), 405, 69)
    assert_problem(sim.get(backups(other["id"], backup["id"])), 404, 2)
    assert_problem(sim.delete("topology/v1/appBackups/" + str(uuid.uuid4())), 404, 1)


def test_fail_next_fails_snapshots_and_backups(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    sim.control("PUT", "faults", json={"fail_next": {"appSnap": 1, "appBackup": 1}})
    snap = sim.wait_for(snaps(app["id"], sim.snapshot(app["id"], "s1").json()["id"]), "failed")
    assert snap["stateUnready"] and snap["stateDetails"][0]["title"] and "snapshotAppAsset" not in snap
    backup = sim.wait_for(backups(app["id"], sim.backup(app["id"], "b1").json()["id"]), "failed")
    assert backup["stateUnready"] and backup["stateDetails"] and backup["percentDone"] < 100
    assert sim.control("GET", "faults").json()["fail_next"] == {}
    assert sim.completed_backup(app["id"], "b2")["percentDone"] == 100
    # failed ones can be deleted
    assert sim.delete(backups(app["id"], backup["id"])).status_code == 204
    assert sim.delete(snaps(app["id"], snap["id"])).status_code == 204


def test_backup_delete_goes_through_deleting_on_both_paths(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    first = sim.completed_backup(app["id"], "b1")
    second = sim.completed_backup(app["id"], "b2")
    assert sim.delete(backups(app["id"], first["id"])).status_code == 204
    assert sim.delete("topology/v1/appBackups/" + second["id"]).status_code == 204
    sim.wait_gone("topology/v1/appBackups/" + first["id"])
    sim.wait_gone(backups(app["id"], second["id"]))
    assert sim.items("topology/v1/appBackups") == []


def test_cloud_put_clears_the_default_bucket(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    cloud = sim.items("topology/v1/clouds")[0]
    bucket = cloud["defaultBucketID"]
    put = {"type": "application/astra-cloud", "version": "1.0", "defaultBucketID": ""}
    response = sim.put("topology/v1/clouds/" + cloud["id"], put)
    assert response.status_code == 204 and response.content == b""
    assert "defaultBucketID" not in sim.get("topology/v1/clouds/" + cloud["id"]).json()
    problem = assert_problem(sim.backup(app["id"], "b1"), 400, 127)
    assert problem["title"] == "Bucket unavailable"
    assert sim.items(snaps(app["id"])) == []          # a refused backup takes no snapshot
    assert sim.completed_backup(app["id"], "b2", bucketID=bucket)["bucketID"] == bucket
    # a cross-cluster clone now has no bucket to go through
    clone = {"type": "application/astra-app", "version": "2.2", "name": "wp-dr", "clusterID": sim.cluster_id("dr-west"),
             "sourceClusterID": sim.cluster_id("prod-east"), "sourceAppID": app["id"]}
    assert_problem(sim.post("k8s/v2/apps", clone), 400, 170)
    # put it back (and rename the cloud)
    response = sim.put("topology/v1/clouds/" + cloud["id"], dict(put, defaultBucketID=bucket, name="on-prem-2"))
    assert response.status_code == 204
    restored = sim.get("topology/v1/clouds/" + cloud["id"]).json()
    assert restored["defaultBucketID"] == bucket and restored["name"] == "on-prem-2"
    assert sim.post("k8s/v2/apps", clone).status_code == 201


def test_cloud_put_refusals(sim):
    cloud = sim.items("topology/v1/clouds")[0]
    path = "topology/v1/clouds/" + cloud["id"]
    put = {"type": "application/astra-cloud", "version": "1.1"}
    assert_problem(sim.put(path, dict(put, defaultBucketID=str(uuid.uuid4()))), 400, 108)
    assert_problem(sim.put(path, dict(put, defaultBucketID="nope")), 400, 8)
    assert_problem(sim.put(path, dict(put, cloudType="aws")), 409, 10)
    assert_problem(sim.put(path, dict(put, id=str(uuid.uuid4()))), 409, 10)
    assert_problem(sim.put("topology/v1/clouds/" + str(uuid.uuid4()), put), 404, 1)
    assert sim.put(path, dict(put, cloudType="private", id=cloud["id"])).status_code == 204


def test_app_assets_of_a_live_app(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    items = sim.items("k8s/v1/apps/%s/appAssets" % app["id"])
    world = sim.objects("prod-east", "wordpress")
    assert {(a["assetType"], a["assetName"]) for a in items} == set(world)
    pvc = next(a for a in items if a["assetName"] == "wp-pv-claim")
    assert pvc["type"] == "application/astra-appAsset" and pvc["namespace"] == "wordpress"
    assert pvc["assetID"] == world[("PersistentVolumeClaim", "wp-pv-claim")]["uid"]
    assert pvc["GVK"] == {"version": "v1", "kind": "PersistentVolumeClaim"}     # core group: no `group` (minLength 1)
    assert {"name": "app", "value": "wordpress"} in pvc["labels"]
    assert pvc["resource"]["spec"]["storageClassName"] == "ontap-gold"
    assert pvc["resource"]["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert pvc["resource"]["metadata"]["uid"] == pvc["assetID"]
    assert set(pvc["metadata"]) >= {"labels", "creationTimestamp", "modificationTimestamp", "createdBy"}
    deployment = next(a for a in items if a["assetType"] == "Deployment")
    assert deployment["GVK"] == {"group": "apps", "version": "v1", "kind": "Deployment"}
    # by asset id or by Kubernetes UID; the cluster-scoped path; include
    assert sim.get("k8s/v1/apps/%s/appAssets/%s" % (app["id"], pvc["id"])).json() == pvc
    assert sim.get("k8s/v1/apps/%s/appAssets/%s" % (app["id"], pvc["assetID"])).json() == pvc
    prod = sim.cluster_id("prod-east")
    assert sim.items("topology/v1/managedClusters/%s/apps/%s/appAssets" % (prod, app["id"])) == items
    assert_problem(sim.get("topology/v1/managedClusters/%s/apps/%s/appAssets" % (sim.cluster_id("dr-west"), app["id"])), 404, 2)
    assert ["PersistentVolumeClaim", "wp-pv-claim"] in sim.items("k8s/v1/apps/%s/appAssets?include=assetType,assetName" % app["id"])
    assert_problem(sim.get("k8s/v1/apps/%s/appAssets/%s" % (app["id"], uuid.uuid4())), 404, 2)
    assert_problem(sim.get("k8s/v1/apps/%s/appAssets?filter=assetType%%20eq%%20'Secret'" % app["id"]), 400, 6)


def test_core_group_kinds_have_no_group_in_any_app_asset(sim):
    """The spec gives appAsset GVK.group a minimum length of 1: core-group kinds (apiVersion v1) leave it out."""
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    snap = sim.completed_snapshot(app["id"], "s1")
    backup = sim.completed_backup(app["id"], "b1", snapshotID=snap["id"])
    prod = sim.cluster_id("prod-east")
    paths = ("k8s/v1/apps/%s/appAssets" % app["id"],
             "topology/v1/managedClusters/%s/apps/%s/appAssets" % (prod, app["id"]),
             snaps(app["id"], snap["id"]) + "/appAssets",
             "k8s/v1/apps/%s/appBackups/%s/appAssets" % (app["id"], backup["id"]),
             "topology/v1/appBackups/%s/appAssets" % backup["id"])
    for path in paths:
        items = sim.items(path)
        assert {a["assetType"] for a in items} >= {"Service", "Secret", "PersistentVolumeClaim", "Deployment"}, path
        for asset in items:
            api_version = asset["resource"]["apiVersion"]
            if "/" in api_version:
                assert asset["GVK"] == dict(zip(("group", "version"), api_version.split("/")), kind=asset["assetType"])
            else:
                assert asset["GVK"] == {"version": api_version, "kind": asset["assetType"]}, (path, asset["GVK"])
            assert sim.get("%s/%s" % (path, asset["id"])).json()["GVK"] == asset["GVK"]
        assert ["PersistentVolumeClaim", {"version": "v1", "kind": "PersistentVolumeClaim"}] in \
            sim.items(path + "?include=assetType,GVK")


def test_assets_select_by_labels_and_cluster_scoped_kinds(sim):
    response = sim.manage("shop", "prod-east", [{"namespace": "shop-frontend", "labelSelectors": ["app=shop"]}],
                          clusterScopedResources=[{"GVK": {"group": "rbac.authorization.k8s.io", "version": "v1",
                                                           "kind": "ClusterRole"}, "labelSelectors": ["app=shop"]}])
    app = sim.wait_for_app(response.json()["id"], "ready")
    names = {(a["assetType"], a["assetName"], a.get("namespace")) for a in sim.items("k8s/v1/apps/%s/appAssets" % app["id"])}
    assert ("ConfigMap", "debug-tools", "shop-frontend") not in names       # labelled tier=debug only
    assert ("PersistentVolumeClaim", "frontend-assets", "shop-frontend") in names
    assert ("ClusterRole", "shop-reader", None) in names


def test_snapshot_and_backup_keep_the_assets_captured_at_creation(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    live = sim.items("k8s/v1/apps/%s/appAssets" % app["id"])
    snap = sim.completed_snapshot(app["id"], "s1")
    backup = sim.completed_backup(app["id"], "b1", snapshotID=snap["id"])
    sim.control("DELETE", "clusters/prod-east/namespaces/wordpress")        # the live app loses its objects
    assert sim.items("k8s/v1/apps/%s/appAssets" % app["id"]) == []

    def key(asset):
        return asset["assetType"], asset["assetName"], asset["assetID"]
    from_snapshot = sim.items(snaps(app["id"], snap["id"]) + "/appAssets")
    assert sorted(map(key, from_snapshot)) == sorted(map(key, live))
    assert {a["id"] for a in from_snapshot}.isdisjoint({a["id"] for a in live})    # own asset IDs
    pvc = next(a for a in from_snapshot if a["assetName"] == "mysql-pv-claim")
    assert pvc["resource"]["spec"]["storageClassName"] == "ontap-gold"
    assert sim.get(snaps(app["id"], snap["id"]) + "/appAssets/" + pvc["id"]).json() == pvc
    for path in (backups(app["id"], backup["id"]) + "/appAssets", "topology/v1/appBackups/%s/appAssets" % backup["id"]):
        assert sorted(map(key, sim.items(path))) == sorted(map(key, live))
    one = sim.items("topology/v1/appBackups/%s/appAssets" % backup["id"])[0]
    assert sim.get("topology/v1/appBackups/%s/appAssets/%s" % (backup["id"], one["assetID"])).json() == one
    assert_problem(sim.get(snaps(app["id"], str(uuid.uuid4())) + "/appAssets"), 404, 2)


def test_unmanage_removes_snapshots_backups_and_schedules(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    backup = sim.completed_backup(app["id"], "b1")
    schedule = sim.post("k8s/v1/apps/%s/schedules" % app["id"], {
        "type": "application/astra-schedule", "version": "1.3", "name": "daily", "granularity": "daily", "minute": "0",
        "hour": "2", "snapshotRetention": "3", "backupRetention": "3"})
    assert schedule.status_code == 201
    assert sim.delete("k8s/v2/apps/" + app["id"]).status_code == 204
    sim.wait_until_gone(app["id"])
    assert sim.items("topology/v1/appBackups") == []
    assert_problem(sim.get("topology/v1/appBackups/" + backup["id"]), 404, 2)
    assert_problem(sim.get(snaps(app["id"])), 404, 2)


def test_in_flight_states_and_refusals(slow_sim):
    """At time scale 0.25 a snapshot is in flight for 1 s and a backup for about 3 s: long enough to see and refuse."""
    sim = slow_sim
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    snap = sim.snapshot(app["id"], "s1").json()
    assert_problem(sim.snapshot(app["id"], "s2"), 409, 148)
    seen = []

    def completed():
        state = sim.get(snaps(app["id"], snap["id"])).json()["state"]
        if not seen or seen[-1] != state:
            seen.append(state)
        return state == "completed"
    wait_until(completed, timeout=10, interval=0.02)
    assert seen == ["pending", "running", "completed"]

    backup = sim.backup(app["id"], "b1").json()
    assert backup["state"] == "pending"
    assert_problem(sim.snapshot(app["id"], "s3"), 409, 148)           # the backup's own snapshot is running
    assert_problem(sim.backup(app["id"], "b2"), 409, 107)
    assert_problem(sim.backup(app["id"], "b2", snapshotID=snap["id"]), 409, 107)
    assert_problem(sim.delete(backups(app["id"], backup["id"])), 409, 128)
    assert_problem(sim.delete(snaps(app["id"], backup["snapshotID"])), 409, 144)
    restore = {"type": "application/astra-app", "version": "2.2", "snapshotID": snap["id"]}
    assert_problem(sim.put("k8s/v2/apps/" + app["id"], restore, headers={"ForceUpdate": "true"}), 409, 152)
    progress = []

    def transferred():
        current = sim.get(backups(app["id"], backup["id"])).json()
        if current["state"] == "running":
            progress.append((current["percentDone"], current["bytesDone"]))
        return current["state"] == "completed"
    wait_until(transferred, timeout=15, interval=0.05)
    percents = [pair[0] for pair in progress]
    assert len(set(percents)) >= 3, progress
    assert percents == sorted(percents) and 0 < percents[0] and percents[-1] < 100
    done = [pair[1] for pair in progress]
    assert done == sorted(done)

    # in-place restore: `restoring` in the very first GET after the 204, then discovering, then ready
    response = sim.put("k8s/v2/apps/" + app["id"], restore, headers={"ForceUpdate": "true"})
    assert response.status_code == 204 and response.content == b""
    assert sim.app(app["id"]).json()["state"] == "restoring"
    assert_problem(sim.delete(snaps(app["id"], snap["id"])), 409, 142)
    assert_problem(sim.delete(backups(app["id"], backup["id"])), 409, 142)
    assert_problem(sim.delete("topology/v1/appBackups/" + backup["id"]), 409, 142)
    states = []

    def ready():
        state = sim.app(app["id"]).json()["state"]
        if not states or states[-1] != state:
            states.append(state)
        return state == "ready"
    wait_until(ready, timeout=10, interval=0.02)
    assert states == ["restoring", "discovering", "ready"]


def test_the_managed_clusters_default_bucket_comes_before_the_clouds(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    cloud = sim.items("topology/v1/clouds")[0]
    bucket = cloud["defaultBucketID"]
    prod = sim.cluster_id("prod-east")
    assert sim.put("topology/v1/clouds/" + cloud["id"], {"type": "application/astra-cloud", "version": "1.1",
                                                         "defaultBucketID": ""}).status_code == 204
    put = {"type": "application/astra-managedCluster", "version": "1.2", "defaultBucketID": bucket}
    response = sim.put("topology/v1/managedClusters/" + prod, put)
    assert response.status_code == 204, response.text
    assert sim.get("topology/v1/managedClusters/" + prod).json()["defaultBucketID"] == bucket
    assert sim.completed_backup(app["id"], "b1")["bucketID"] == bucket
    assert_problem(sim.put("topology/v1/managedClusters/" + prod, dict(put, defaultBucketID=str(uuid.uuid4()))), 400, 108)
    assert_problem(sim.put("topology/v1/managedClusters/" + prod, dict(put, id=str(uuid.uuid4()))), 409, 10)
    assert_problem(sim.put("topology/v1/managedClusters/" + sim.cluster_id("lab-north"), put), 404, 1)
    assert sim.put("topology/v1/managedClusters/" + prod, dict(put, defaultBucketID="")).status_code == 204
    assert_problem(sim.backup(app["id"], "b2"), 400, 127)
