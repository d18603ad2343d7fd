"""Live clone, restore to a new app and in-place restore."""

import uuid

from simulator_harness import assert_problem

APP = {"type": "application/astra-app", "version": "2.2"}
FORCE = {"ForceUpdate": "true"}
SECRETS_ONLY = {"resourceSelectionCriteria": "include", "GVKN": [{"version": "v1", "kind": "Secret"}]}


def clone_body(sim, name, source_app, destination="dr-west", source="prod-east", **extra):
    return {**APP, "name": name, "clusterID": sim.cluster_id(destination), "sourceClusterID": sim.cluster_id(source),
            "sourceAppID": source_app["id"], **extra}


def restore_body(sim, name, destination="dr-west", **extra):
    return {**APP, "name": name, "clusterID": sim.cluster_id(destination), **extra}


def uids(sim, cluster, namespace):
    return {key: obj["uid"] for key, obj in sim.objects(cluster, namespace).items()}


def test_live_clone_to_another_cluster(sim):
    source = sim.ready_app("wp", "prod-east", ["wordpress"])
    body = clone_body(sim, "wp-copy", source, namespaceMapping=[{"source": "wordpress", "destination": "wp-copy"}],
                      storageClassMapping=[{"source": "*", "destination": "ontap-san"}])
    response = sim.post("k8s/v2/apps", body)
    assert response.status_code == 201, response.text
    clone = response.json()
    assert response.headers["location"].endswith("/k8s/v2/apps/" + clone["id"])
    assert clone["state"] == "provisioning" and clone["namespaces"] == []
    assert clone["clusterID"] == sim.cluster_id("dr-west") and clone["clusterName"] == "dr-west"
    assert clone["sourceAppID"] == source["id"] and clone["sourceClusterID"] == sim.cluster_id("prod-east")
    assert clone["sourceClusterName"] == "prod-east"
    assert "snapshotID" not in clone and "backupID" not in clone
    assert clone["namespaceMapping"] == body["namespaceMapping"]
    assert clone["storageClassMapping"] == body["storageClassMapping"]
    assert clone["namespaceScopedResources"] == [{"namespace": "wp-copy", "labelSelectors": []}]
    assert clone["id"] in [a["id"] for a in sim.items("k8s/v2/apps")]           # listed at once
    ready = sim.wait_for_app(clone["id"], "ready")
    assert ready["namespaces"] == ["wp-copy"]
    cluster = sim.named("topology/v1/clusters", "dr-west")
    assert "wp-copy" in cluster["namespaces"]
    namespace = sim.named("topology/v1/clusters/%s/namespaces" % cluster["id"], "wp-copy")
    assert namespace["namespaceState"] == "discovered"
    # copies of every object with new UIDs; PVCs on the mapped class, access modes kept
    original, copied = sim.objects("prod-east", "wordpress"), sim.objects("dr-west", "wp-copy")
    assert set(copied) == set(original)
    assert all(copied[key]["uid"] != original[key]["uid"] for key in copied)
    pvcs = [obj for obj in copied.values() if obj["kind"] == "PersistentVolumeClaim"]
    assert len(pvcs) == 2 and all(pvc["storageClassName"] == "ontap-san" for pvc in pvcs)
    assets = sim.items("k8s/v1/apps/%s/appAssets" % clone["id"])
    claim = next(a for a in assets if a["assetName"] == "wp-pv-claim")
    assert claim["namespace"] == "wp-copy" and claim["resource"]["spec"]["storageClassName"] == "ontap-san"
    assert claim["resource"]["spec"]["accessModes"] == ["ReadWriteOnce"]
    # the source is untouched
    assert sim.objects("prod-east", "wordpress") == original


def test_cross_cluster_clone_keeps_namespace_names_and_maps_classes_by_name(sim):
    source = sim.ready_app("shop", "prod-east", ["shop-frontend", "shop-db"])
    body = clone_body(sim, "shop", source, storageClassMapping=[{"source": "ontap-gold", "destination": "ontap-gold"}])
    clone = sim.wait_for_app(sim.post("k8s/v2/apps", body).json()["id"], "ready")
    assert clone["namespaces"] == ["shop-frontend", "shop-db"]
    copied = sim.objects("dr-west", "shop-frontend")
    assert copied[("PersistentVolumeClaim", "frontend-assets")]["storageClassName"] == "ontap-gold"
    assert copied[("PersistentVolumeClaim", "frontend-assets")]["accessModes"] == ["ReadWriteMany"]
    dr_west = sim.world("dr-west")
    labels = next(ns for ns in dr_west["namespaces"] if ns["name"] == "shop-db")["labels"]
    assert labels["app"] == "shop"                 # namespace labels come along


def test_same_cluster_clone_without_mapping_uses_the_app_name(sim):
    source = sim.ready_app("pg", "prod-east", ["postgres"])
    response = sim.post("k8s/v2/apps", clone_body(sim, "pg-test", source, destination="prod-east"))
    assert response.status_code == 201, response.text
    clone = sim.wait_for_app(response.json()["id"], "ready")
    assert clone["namespaces"] == ["pg-test"]
    assert ("StatefulSet", "postgres") in sim.objects("prod-east", "pg-test")


def test_clone_onto_a_class_without_read_write_many_fails_asynchronously(sim):
    source = sim.ready_app("shop", "prod-east", ["shop-frontend"])       # frontend-assets is ReadWriteMany
    body = clone_body(sim, "shop-dr", source, storageClassMapping=[{"source": "*", "destination": "ontap-san"}])
    response = sim.post("k8s/v2/apps", body)
    assert response.status_code == 201, response.text
    failed = sim.wait_for_app(response.json()["id"], "failed")
    assert "ReadWriteMany" in failed["stateDetails"][0]["detail"] and "ontap-san" in failed["stateDetails"][0]["detail"]
    assert "shop-frontend" not in sim.named("topology/v1/clusters", "dr-west")["namespaces"]
    assert sim.delete("k8s/v2/apps/" + failed["id"]).status_code == 204     # a failed clone can be unmanaged


def test_fail_next_clone(sim):
    source = sim.ready_app("wp", "prod-east", ["wordpress"])
    sim.control("PUT", "faults", json={"fail_next": {"clone": 1}})
    failed = sim.wait_for_app(sim.post("k8s/v2/apps", clone_body(sim, "wp-dr", source)).json()["id"], "failed")
    assert failed["stateDetails"] and failed["namespaces"] == []
    second = sim.post("k8s/v2/apps", clone_body(sim, "wp-dr2", source))
    assert second.status_code == 201, second.text       # the failed clone's namespace wasn't created
    sim.wait_for_app(second.json()["id"], "ready")


def test_restore_to_a_new_app_from_a_backup_and_a_snapshot(sim):
    source = sim.ready_app("wp", "prod-east", ["wordpress"])
    backup = sim.completed_backup(source["id"], "b1")
    body = restore_body(sim, "wp-dr", sourceClusterID=sim.cluster_id("prod-east"), backupID=backup["id"],
                        namespaceMapping=[{"source": "wordpress", "destination": "wordpress-dr"}])
    response = sim.post("k8s/v2/apps", body)
    assert response.status_code == 201, response.text
    restored = response.json()
    assert restored["state"] == "provisioning" and restored["namespaces"] == []
    assert restored["backupID"] == backup["id"] and restored["sourceAppID"] == source["id"]
    assert restored["sourceClusterName"] == "prod-east"
    assert sim.wait_for_app(restored["id"], "ready")["namespaces"] == ["wordpress-dr"]
    assert set(sim.objects("dr-west", "wordpress-dr")) == set(sim.objects("prod-east", "wordpress"))
    # from a snapshot, onto the same cluster, without sourceClusterID
    snap = sim.completed_snapshot(source["id"], "s1")
    body = restore_body(sim, "wp-test", destination="prod-east", snapshotID=snap["id"],
                        namespaceMapping=[{"source": "wordpress", "destination": "wp-test"}])
    restored = sim.wait_for_app(sim.post("k8s/v2/apps", body).json()["id"], "ready")
    assert restored["snapshotID"] == snap["id"] and restored["namespaces"] == ["wp-test"]
    assert restored["sourceClusterID"] == sim.cluster_id("prod-east")


def test_restore_to_new_with_a_restore_filter_creates_only_the_selection(sim):
    source = sim.ready_app("wp", "prod-east", ["wordpress"])
    snap = sim.completed_snapshot(source["id"], "s1")
    body = restore_body(sim, "wp-secrets", snapshotID=snap["id"], restoreFilter=SECRETS_ONLY)
    restored = sim.wait_for_app(sim.post("k8s/v2/apps", body).json()["id"], "ready")
    assert restored["restoreFilter"] == SECRETS_ONLY
    assert set(sim.objects("dr-west", "wordpress")) == {("Secret", "mysql-pass")}
    # exclude, with names: everything but that PVC
    exclude = {"resourceSelectionCriteria": "exclude",
               "GVKN": [{"kind": "PersistentVolumeClaim", "names": ["wp-pv-claim"], "namespaces": ["wordpress"]}]}
    body = restore_body(sim, "wp-most", snapshotID=snap["id"], restoreFilter=exclude,
                        namespaceMapping=[{"source": "wordpress", "destination": "wp-most"}])
    sim.wait_for_app(sim.post("k8s/v2/apps", body).json()["id"], "ready")
    expected = set(sim.objects("prod-east", "wordpress")) - {("PersistentVolumeClaim", "wp-pv-claim")}
    assert set(sim.objects("dr-west", "wp-most")) == expected
    # label selectors in a GVKN element must all match
    labelled = {"resourceSelectionCriteria": "include", "GVKN": [{"labelSelectors": ["app=wordpress", "tier=mysql"]}]}
    body = restore_body(sim, "wp-db", snapshotID=snap["id"], restoreFilter=labelled,
                        namespaceMapping=[{"source": "wordpress", "destination": "wp-db"}])
    sim.wait_for_app(sim.post("k8s/v2/apps", body).json()["id"], "ready")
    assert set(sim.objects("dr-west", "wp-db")) == {("Deployment", "wordpress-mysql")}


def test_restore_falls_back_to_the_default_class_and_maps_cluster_scoped_objects(sim):
    response = sim.manage("jenkins", "prod-east", ["jenkins"], clusterScopedResources=[
        {"GVK": {"group": "rbac.authorization.k8s.io", "version": "v1", "kind": "ClusterRole"}, "labelSelectors": ["app=jenkins"]}])
    source = sim.wait_for_app(response.json()["id"], "ready")
    backup = sim.completed_backup(source["id"], "b1")
    restored = sim.wait_for_app(sim.post("k8s/v2/apps", restore_body(sim, "jenkins", backupID=backup["id"])).json()["id"], "ready")
    assert restored["clusterScopedResources"] == source["clusterScopedResources"]
    copied = sim.objects("dr-west", "jenkins")
    assert copied[("PersistentVolumeClaim", "jenkins-cache")]["storageClassName"] == "ontap-gold"   # no economy class there
    assert any(obj["kind"] == "ClusterRole" and obj["name"] == "jenkins-agent" for obj in sim.world("dr-west")["resources"])


def test_clone_and_restore_refusals(sim):
    source = sim.ready_app("wp", "prod-east", ["wordpress"])
    other = sim.ready_app("pg", "prod-east", ["postgres"])
    shop = sim.ready_app("shop", "prod-east", ["shop-frontend", "shop-db"])
    snap = sim.completed_snapshot(source["id"], "s1")
    backup = sim.completed_backup(source["id"], "b1", snapshotID=snap["id"])

    def post(body):
        return sim.post("k8s/v2/apps", body)

    # problem 9: sources and fields that don't go together
    two = assert_problem(post(clone_body(sim, "x", source, snapshotID=snap["id"])), 400, 9)
    assert {f["name"] for f in two["invalidFields"]} == {"sourceAppID", "snapshotID"}
    assert_problem(post(restore_body(sim, "x", snapshotID=snap["id"], backupID=backup["id"])), 400, 9)
    no_cluster = clone_body(sim, "x", source)
    del no_cluster["sourceClusterID"]
    assert assert_problem(post(no_cluster), 400, 9)["invalidFields"][0]["name"] == "sourceClusterID"
    assert_problem(post(clone_body(sim, "x", source, restoreFilter=SECRETS_ONLY)), 400, 9)
    assert_problem(post(restore_body(sim, "x", namespaceMapping=[{"source": "a", "destination": "b"}])), 400, 9)
    assert_problem(post(restore_body(sim, "x", snapshotID=snap["id"], namespaceScopedResources=[{"namespace": "a"}])), 400, 9)
    wrong_source = [{"source": "postgres", "destination": "pg-x"}]
    assert_problem(post(restore_body(sim, "x", snapshotID=snap["id"], namespaceMapping=wrong_source)), 400, 9)
    partial = [{"source": "shop-db", "destination": "db-x"}]
    assert_problem(post(clone_body(sim, "x", shop, namespaceMapping=partial)), 400, 9)
    assert_problem(post(clone_body(sim, "x", shop, destination="prod-east")), 400, 9)   # multi-namespace, same cluster
    no_destination = clone_body(sim, "x", source)
    del no_destination["clusterID"]
    assert_problem(post(no_destination), 400, 9)
    assert_problem(post(clone_body(sim, "Bad_Name", source)), 400, 8)
    # unknown sources and clusters
    assert_problem(post(restore_body(sim, "x", snapshotID=str(uuid.uuid4()))), 400, 46)
    assert_problem(post(restore_body(sim, "x", backupID=str(uuid.uuid4()))), 400, 74)
    assert_problem(post(clone_body(sim, "x", {"id": str(uuid.uuid4())})), 400, 75)
    assert_problem(post(clone_body(sim, "x", source, source="dr-west")), 400, 129)
    assert_problem(post(restore_body(sim, "x", snapshotID=snap["id"], sourceClusterID=sim.cluster_id("dr-west"))), 400, 129)
    assert_problem(post(clone_body(sim, "x", source, destination="lab-north")), 400, 106)
    assert_problem(post(dict(clone_body(sim, "x", source), clusterID=str(uuid.uuid4()))), 400, 106)
    # storage classes, restore filters, buckets
    assert_problem(post(clone_body(sim, "x", source, storageClassMapping=[{"source": "*", "destination": "ontap-nas-economy"}])),
                   400, 156)
    for bad in ({"resourceSelectionCriteria": "include", "GVKN": []},
                {"resourceSelectionCriteria": "include", "GVKN": [{}]},
                {"resourceSelectionCriteria": "include", "GVKN": [{"group": "example.com", "kind": "Widget"}]},
                {"resourceSelectionCriteria": "exclude", "GVKN": [{"labelSelectors": ["app in wordpress"]}]}):
        assert_problem(post(restore_body(sim, "x", snapshotID=snap["id"], restoreFilter=bad)), 400, 147)
    assert_problem(post(restore_body(sim, "x", snapshotID=snap["id"], restoreFilter={"GVKN": [{"kind": "Secret"}]})), 400, 8)
    # conflicts
    assert_problem(post(clone_body(sim, "wp", source, destination="prod-east",
                                   namespaceMapping=[{"source": "wordpress", "destination": "wp-2"}])), 409, 121)
    assert_problem(post(clone_body(sim, "x", source, destination="prod-east",
                                   namespaceMapping=[{"source": "wordpress", "destination": "jenkins"}])), 409, 123)
    jenkins = sim.ready_app("jenkins", "prod-east", ["jenkins"])
    assert_problem(post(clone_body(sim, "x", jenkins)), 409, 151)       # jenkins-cache is on ontap-nas-economy
    sim.control("PUT", "faults", json={"fail_next": {"appSnap": 1}})
    failed = sim.wait_for("k8s/v1/apps/%s/appSnaps/%s" % (other["id"], sim.snapshot(other["id"], "bad").json()["id"]), "failed")
    assert_problem(post(restore_body(sim, "x", snapshotID=failed["id"])), 409, 111)
    sim.control("POST", "clusters/prod-east/outage")
    assert_problem(post(clone_body(sim, "x", source)), 409, 112)                        # source app unavailable
    assert_problem(post(restore_body(sim, "x", snapshotID=snap["id"])), 409, 111)       # snapshot on an unreachable cluster
    restored = post(restore_body(sim, "from-backup", backupID=backup["id"]))            # backups are in the bucket
    assert restored.status_code == 201, restored.text
    sim.control("DELETE", "clusters/prod-east/outage")
    assert not [a for a in sim.items("k8s/v2/apps?include=name") if a == ["x"]]


def test_destination_namespace_being_created_is_unavailable(sim):
    source = sim.ready_app("wp", "prod-east", ["wordpress"])
    sim.control("POST", "clusters/dr-west/outage")          # holds the first clone in provisioning
    first = sim.post("k8s/v2/apps", clone_body(sim, "wp-a", source))
    assert first.status_code == 201
    assert_problem(sim.post("k8s/v2/apps", clone_body(sim, "wp-b", source)), 409, 123)
    assert_problem(sim.delete("k8s/v2/apps/" + first.json()["id"]), 409, 112)        # provisioning
    sim.control("DELETE", "clusters/dr-west/outage")
    sim.wait_for_app(first.json()["id"], "ready")
    assert_problem(sim.post("k8s/v2/apps", clone_body(sim, "wp-b", source)), 409, 123)


def test_clone_through_the_cluster_scoped_alias(sim):
    source = sim.ready_app("wp", "prod-east", ["wordpress"])
    dr = sim.cluster_id("dr-west")
    body = clone_body(sim, "wp-dr", source)
    del body["clusterID"]
    response = sim.post("topology/v2/managedClusters/%s/apps" % dr, body)
    assert response.status_code == 201, response.text
    assert response.json()["clusterID"] == dr and response.json()["state"] == "provisioning"


def test_in_place_restore_replaces_only_the_filtered_resources(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    snap = sim.completed_snapshot(app["id"], "s1")
    before = uids(sim, "prod-east", "wordpress")
    body = {**APP, "snapshotID": snap["id"], "restoreFilter": SECRETS_ONLY}
    response = sim.put("k8s/v2/apps/" + app["id"], body, headers={"forceupdate": "TRUE"})    # any case
    assert response.status_code == 204 and response.content == b""
    restoring = sim.app(app["id"]).json()
    assert restoring["state"] in ("restoring", "discovering", "ready")
    ready = sim.wait_for_app(app["id"], "ready")
    assert ready["snapshotID"] == snap["id"] and ready["restoreFilter"] == SECRETS_ONLY
    assert ready["namespaces"] == ["wordpress"]
    after = uids(sim, "prod-east", "wordpress")
    assert set(after) == set(before)
    for key in before:
        if key[0] == "Secret":
            assert after[key] != before[key], key
        else:
            assert after[key] == before[key], key
    secret = sim.objects("prod-east", "wordpress")[("Secret", "mysql-pass")]
    old = next(a for a in sim.items("k8s/v1/apps/%s/appSnaps/%s/appAssets" % (app["id"], snap["id"]))
               if a["assetName"] == "mysql-pass")
    assert secret["creationTimestamp"] >= old["creationTimestamp"]
    live = next(a for a in sim.items("k8s/v1/apps/%s/appAssets" % app["id"]) if a["assetName"] == "mysql-pass")
    assert live["assetID"] == after[("Secret", "mysql-pass")]


def test_in_place_restore_of_everything_from_a_backup_with_a_class_mapping(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    backup = sim.completed_backup(app["id"], "b1")
    before = uids(sim, "prod-east", "wordpress")
    body = {**APP, "backupID": backup["id"], "storageClassMapping": [{"source": "ontap-gold", "destination": "ontap-san"}]}
    assert sim.put("k8s/v2/apps/" + app["id"], body, headers=FORCE).status_code == 204
    ready = sim.wait_for_app(app["id"], "ready")
    assert ready["backupID"] == backup["id"] and "snapshotID" not in ready
    after = sim.objects("prod-east", "wordpress")
    assert set(after) == set(before) and all(after[key]["uid"] != before[key] for key in before)
    assert after[("PersistentVolumeClaim", "wp-pv-claim")]["storageClassName"] == "ontap-san"
    # a rename afterwards keeps the restore point
    assert sim.put("k8s/v2/apps/" + app["id"], {**APP, "name": "blog", "backupID": backup["id"]}).status_code == 204
    assert sim.app(app["id"]).json()["backupID"] == backup["id"]


def test_in_place_restore_refusals(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    other = sim.ready_app("pg", "prod-east", ["postgres"])
    snap = sim.completed_snapshot(app["id"], "s1")
    foreign = sim.completed_snapshot(other["id"], "s1")
    path = "k8s/v2/apps/" + app["id"]
    restore = {**APP, "snapshotID": snap["id"]}
    missing = assert_problem(sim.put(path, restore), 403, 79)
    assert missing["title"] == "Missing request header"
    assert_problem(sim.put(path, restore, headers={"ForceUpdate": "false"}), 403, 79)
    assert_problem(sim.put(path, {**APP, "snapshotID": foreign["id"]}, headers=FORCE), 403, 76)
    assert_problem(sim.put(path, {**APP, "snapshotID": str(uuid.uuid4())}, headers=FORCE), 400, 46)
    assert_problem(sim.put(path, {**APP, "backupID": str(uuid.uuid4())}, headers=FORCE), 400, 74)
    assert_problem(sim.put(path, APP, headers=FORCE), 400, 9)
    assert_problem(sim.put(path, dict(restore, name="renamed"), headers=FORCE), 400, 9)
    assert_problem(sim.put(path, dict(restore, restoreFilter={"resourceSelectionCriteria": "include", "GVKN": [{}]}),
                           headers=FORCE), 400, 147)
    assert_problem(sim.put(path, dict(restore, storageClassMapping=[{"source": "*", "destination": "standard"}]),
                           headers=FORCE), 400, 156)
    assert_problem(sim.put("k8s/v2/apps/" + str(uuid.uuid4()), restore, headers=FORCE), 404, 1)
    sim.control("PUT", "faults", json={"fail_next": {"appSnap": 1}})
    failed = sim.wait_for("k8s/v1/apps/%s/appSnaps/%s" % (app["id"], sim.snapshot(app["id"], "bad").json()["id"]), "failed")
    assert_problem(sim.put(path, {**APP, "snapshotID": failed["id"]}, headers=FORCE), 409, 111)
    sim.control("POST", "clusters/prod-east/outage")
    assert_problem(sim.put(path, restore, headers=FORCE), 409, 112)
    sim.control("DELETE", "clusters/prod-east/outage")
    assert sim.app(app["id"]).json()["state"] == "ready" and "snapshotID" not in sim.app(app["id"]).json()


def test_in_place_restore_failures_end_failed(sim):
    app = sim.ready_app("shop", "prod-east", ["shop-frontend"])
    snap = sim.completed_snapshot(app["id"], "s1")
    before = uids(sim, "prod-east", "shop-frontend")
    sim.control("PUT", "faults", json={"fail_next": {"restore": 1}})
    assert sim.put("k8s/v2/apps/" + app["id"], {**APP, "snapshotID": snap["id"]}, headers=FORCE).status_code == 204
    failed = sim.wait_for_app(app["id"], "failed")
    assert failed["stateDetails"] and failed["snapshotID"] == snap["id"]
    assert uids(sim, "prod-east", "shop-frontend") == before
    # access modes: the RWX PVC can't go onto ontap-san
    other = sim.ready_app("shop2", "prod-east", ["shop-db", {"namespace": "shop-frontend", "labelSelectors": ["app=shop"]}])
    snap = sim.completed_snapshot(other["id"], "s1")
    body = {**APP, "snapshotID": snap["id"], "storageClassMapping": [{"source": "*", "destination": "ontap-san"}]}
    assert sim.put("k8s/v2/apps/" + other["id"], body, headers=FORCE).status_code == 204
    assert "ReadWriteMany" in sim.wait_for_app(other["id"], "failed")["stateDetails"][0]["detail"]


def test_plain_put_cannot_change_clone_provenance(sim):
    source = sim.ready_app("wp", "prod-east", ["wordpress"])
    clone = sim.wait_for_app(sim.post("k8s/v2/apps", clone_body(sim, "wp-dr", source)).json()["id"], "ready")
    path = "k8s/v2/apps/" + clone["id"]
    assert_problem(sim.put(path, {**APP, "sourceAppID": str(uuid.uuid4())}), 409, 10)
    assert_problem(sim.put(path, {**APP, "namespaceMapping": [{"source": "a", "destination": "b"}]}), 409, 10)
    renamed = sim.put(path, {**APP, "name": "wp-dr-2", "sourceAppID": source["id"], "sourceClusterID": clone["sourceClusterID"]})
    assert renamed.status_code == 204
