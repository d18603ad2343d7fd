# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import CHECK_MODE_ID
from ansible_collections.kubedr.astra.plugins.modules import astra_app_clone
from ansible_collections.kubedr.astra.tests.unit.fakes import CLOUD, DR_WEST, PROD_EAST

RWX = ("ReadWriteMany",)


@pytest.fixture
def wordpress(fake_api):
    app = fake_api.add_app("wordpress")
    fake_api.add_pvc(app["id"], "wordpress", "wp-content", "ontap-gold", RWX)
    fake_api.add_pvc(app["id"], "wordpress", "mysql-data", None)
    return app


def same_cluster(**extra):
    args = {"name": "wordpress-test", "source_app": "wordpress", "source_cluster": "prod-east",
            "namespace_mapping": [{"source": "wordpress", "destination": "wordpress-test"}]}
    args.update(extra)
    return args


def to_dr(**extra):
    args = {"name": "wordpress-dr", "source_app": "wordpress", "source_cluster": "prod-east",
            "destination_cluster": "dr-west"}
    args.update(extra)
    return args


def test_live_clone_on_the_same_cluster(fake_api, run_module, wordpress):
    result, failed = run_module(astra_app_clone, same_cluster())

    assert not failed, result
    assert result["changed"] is True
    assert fake_api.writes() == [("POST", "k8s/v2/apps")]
    assert fake_api.bodies("POST") == [{
        "type": "application/astra-app", "version": "2.2", "name": "wordpress-test", "clusterID": PROD_EAST,
        "sourceClusterID": PROD_EAST, "sourceAppID": wordpress["id"],
        "namespaceMapping": [{"source": "wordpress", "destination": "wordpress-test"}]}]
    app = result["app"]
    assert app["state"] == "ready" and app["sourceAppID"] == wordpress["id"] and app["namespaces"] == ["wordpress-test"]
    assert not any("clouds" in path for _method, path, _params in fake_api.calls()), "no bucket check on one cluster"


def test_second_run_is_unchanged_without_checks(fake_api, run_module, wordpress):
    run_module(astra_app_clone, same_cluster())
    fake_api.requests.clear()
    result, failed = run_module(astra_app_clone, same_cluster())
    assert not failed and result["changed"] is False and fake_api.writes() == []
    assert [path for _method, path, _params in fake_api.calls()] == ["topology/v1/clusters", "k8s/v2/apps", "k8s/v2/apps"]


def test_check_mode_predicts_the_clone(fake_api, run_module, wordpress):
    result, failed = run_module(astra_app_clone, same_cluster(), check=True, diff=True)
    assert not failed and result["changed"] is True and fake_api.writes() == []
    app = result["app"]
    assert app["id"] == CHECK_MODE_ID and app["sourceAppID"] == wordpress["id"] and app["clusterName"] == "prod-east"
    assert result["diff"] == {"before": {}, "after": {
        "name": "wordpress-test", "source_app": wordpress["id"], "source_cluster": "prod-east",
        "destination_cluster": "prod-east", "namespace_mapping": [{"source": "wordpress", "destination": "wordpress-test"}]}}


def test_cross_cluster_restore_from_the_latest_backup(fake_api, run_module, wordpress):
    fake_api.add_backup(wordpress["id"], "old", created="2025-01-01T00:00:00Z")
    newest = fake_api.add_backup(wordpress["id"], "new", created="2025-01-02T00:00:00Z")
    fake_api.add_backup(wordpress["id"], "newer-but-running", state="running", created="2025-01-03T00:00:00Z")
    result, failed = run_module(astra_app_clone, to_dr(backup="latest"))

    assert not failed, result
    assert fake_api.bodies("POST") == [{
        "type": "application/astra-app", "version": "2.2", "name": "wordpress-dr", "clusterID": DR_WEST,
        "sourceClusterID": PROD_EAST, "backupID": newest["id"],
        "namespaceMapping": [{"source": "wordpress", "destination": "wordpress"}]}]
    assert result["app"]["clusterName"] == "dr-west" and result["app"]["state"] == "ready"
    assert [path for _method, path, _params in fake_api.calls()].count("topology/v1/clouds/" + CLOUD) == 1
    assert ("GET", "k8s/v1/apps/%s/appBackups/%s/appAssets" % (wordpress["id"], newest["id"]), {}) in fake_api.calls()

    fake_api.requests.clear()
    again, _failed = run_module(astra_app_clone, to_dr(backup="latest"))
    assert again["changed"] is False and fake_api.writes() == []


def test_cluster_is_an_alias_of_destination_cluster(fake_api, run_module, wordpress):
    args = to_dr()
    args["cluster"] = args.pop("destination_cluster")
    result, failed = run_module(astra_app_clone, args)

    assert not failed, result
    assert fake_api.bodies("POST") == [{
        "type": "application/astra-app", "version": "2.2", "name": "wordpress-dr", "clusterID": DR_WEST,
        "sourceClusterID": PROD_EAST, "sourceAppID": wordpress["id"],
        "namespaceMapping": [{"source": "wordpress", "destination": "wordpress"}]}]
    assert result["app"]["clusterName"] == "dr-west"


def test_absent_needs_destination_cluster_when_the_source_is_gone(fake_api, run_module):
    result, failed = run_module(astra_app_clone, {"name": "blog-copy", "source_app": "blog", "state": "absent"})
    assert failed and fake_api.writes() == []
    assert [entry["option"] for entry in result["invalid_options"]] == ["destination_cluster"]
    assert "is required to find the clone when source_app 'blog' no longer exists" in result["msg"]


def test_restore_to_new_from_a_snapshot_by_name(fake_api, run_module, wordpress):
    snapshot = fake_api.add_snapshot(wordpress["id"], "nightly")
    result, failed = run_module(astra_app_clone, same_cluster(snapshot="nightly", storage_class_mapping=[
        {"source": "*", "destination": "ontap-gold"}]))
    assert not failed, result
    body = fake_api.bodies("POST")[0]
    assert body["snapshotID"] == snapshot["id"] and "sourceAppID" not in body
    assert body["storageClassMapping"] == [{"source": "*", "destination": "ontap-gold"}]


def test_every_violation_is_reported_at_once_and_nothing_is_posted(fake_api, run_module):
    shop = fake_api.add_app("shop", namespaces=["shop-frontend", "shop-db"])
    fake_api.add_pvc(shop["id"], "shop-frontend", "assets", "ontap-gold", RWX)
    fake_api.add_pvc(shop["id"], "shop-db", "data", "ontap-nas-economy")
    fake_api.clusters[1]["namespaces"].append("shop-frontend")
    fake_api.clouds[0]["defaultBucketID"] = ""
    args = {"name": "shop-dr", "source_app": "shop", "source_cluster": "prod-east", "destination_cluster": "dr-west",
            "namespace_mapping": [{"source": "shop-frontend", "destination": "shop-frontend"},
                                  {"source": "shop-cache", "destination": "shop-cache"}],
            "storage_class_mapping": [{"source": "ontap-gold", "destination": "ontap-san"},
                                      {"source": "ontap-nas-economy", "destination": "ontap-platinum"}]}

    result, failed = run_module(astra_app_clone, args)

    assert failed
    assert fake_api.writes() == []
    options = [entry["option"] for entry in result["invalid_options"]]
    assert options == [
        "namespace_mapping[1].source",
        "namespace_mapping",
        "namespace_mapping[0].destination",
        "storage_class_mapping[1].destination",
        "storage_class_mapping",
        "source_app",
        "source_cluster",
        "destination_cluster",
    ]
    message = result["msg"]
    assert message.startswith("Invalid input (8 problems): ")
    assert "'shop-cache' is not a namespace of app 'shop'" in message
    assert "namespaces shop-db of app 'shop' have no entry" in message
    assert "namespace 'shop-frontend' already exists on cluster 'dr-west'" in message
    assert "storage class 'ontap-platinum' does not exist on cluster 'dr-west'" in message
    assert "PVC shop-frontend/assets is ReadWriteMany" in message and "'ontap-san'" in message
    assert "ontap-nas-economy storage classes (shop-db/data (ontap-nas-economy))" in message
    assert "cloud 'on-prem' of cluster 'prod-east' has no default bucket" in message
    assert "cloud 'on-prem' of cluster 'dr-west' has no default bucket" in message


def test_rwx_on_an_unmapped_class_missing_on_the_destination_falls_back_to_the_default(fake_api, run_module, wordpress):
    fake_api.storage_classes[DR_WEST][0].pop("isDefault")
    fake_api.storage_classes[DR_WEST][1]["isDefault"] = "true"
    result, failed = run_module(astra_app_clone, to_dr(name="wp2"), check=True)
    assert not failed and result["changed"] is True, "ontap-gold exists on dr-west: the volume keeps it"
    fake_api.storage_classes[DR_WEST].pop(0)  # ontap-gold gone: the RWX volume would land on the default ontap-san
    result, failed = run_module(astra_app_clone, to_dr(name="wp2"))
    assert failed and "storage_class_mapping (omitted): PVC wordpress/wp-content is ReadWriteMany" in result["msg"]
    assert fake_api.writes() == []


def test_snapshot_that_is_not_completed_or_unknown(fake_api, run_module, wordpress):
    fake_api.add_snapshot(wordpress["id"], "running", state="running")
    result, failed = run_module(astra_app_clone, same_cluster(snapshot="running"))
    assert failed and "snapshot: snapshot 'running' of app 'wordpress' is running, not completed" in result["msg"]
    result, failed = run_module(astra_app_clone, same_cluster(backup="latest"))
    assert failed and "backup: app 'wordpress' has no completed backup" in result["msg"]
    result, failed = run_module(astra_app_clone, same_cluster(snapshot="nope"))
    assert failed and "snapshot: app 'wordpress' has no snapshot named or identified by 'nope'" in result["msg"]
    assert fake_api.writes() == []


def test_restoring_a_nas_economy_app_from_a_snapshot_is_allowed(fake_api, run_module):
    app = fake_api.add_app("jenkins")
    fake_api.add_pvc(app["id"], "jenkins", "home", "ontap-nas-economy")
    fake_api.add_snapshot(app["id"], "s1")
    args = {"name": "jenkins-2", "source_app": "jenkins", "namespace_mapping": [{"source": "jenkins", "destination": "j2"}]}
    live, failed = run_module(astra_app_clone, args)
    assert failed and "source_app: app 'jenkins' has volumes on ontap-nas-economy" in live["msg"]
    result, failed = run_module(astra_app_clone, dict(args, snapshot="s1"))
    assert not failed and result["changed"] is True


def test_existing_app_from_another_source_is_an_error(fake_api, run_module, wordpress):
    fake_api.add_app("wordpress-test", namespaces=["wordpress-test"])
    result, failed = run_module(astra_app_clone, same_cluster())
    assert failed
    assert "app 'wordpress-test' already exists on cluster 'prod-east' and was not cloned from source_app 'wordpress'" \
        in result["msg"]
    assert "no source app (it is not a clone)" in result["msg"]
    assert fake_api.writes() == []


def test_same_cluster_clone_needs_a_namespace_mapping_before_any_request(fake_api, run_module):
    result, failed = run_module(astra_app_clone, {"name": "x", "source_app": "wordpress", "source_cluster": "prod-east"})
    assert failed and "namespace_mapping: is required for a clone on the source cluster" in result["msg"]
    assert fake_api.requests == []


@pytest.mark.parametrize("args, option, rule", [
    (same_cluster(name="Bad_Name"), "name", "DNS-1123"),
    (same_cluster(namespace_mapping=[{"source": "wordpress", "destination": "Bad"}]), "namespace_mapping[0].destination",
     "DNS-1123"),
    (same_cluster(namespace_mapping=[{"source": "a", "destination": "b"}, {"source": "a", "destination": "c"}]),
     "namespace_mapping", "listed twice"),
    (same_cluster(storage_class_mapping=[{"source": "*", "destination": "*"}]), "storage_class_mapping[0].destination",
     "only as source"),
    (same_cluster(snapshot="a", backup="b"), "snapshot", "mutually exclusive"),
])
def test_bad_input_fails_before_any_request(fake_api, run_module, args, option, rule):
    result, failed = run_module(astra_app_clone, args)
    assert failed and option in result["msg"] and rule in result["msg"]
    assert fake_api.requests == []


def test_clone_that_ends_failed_fails_the_task(fake_api, run_module, wordpress):
    fake_api.fail_next["clone"] = 1
    result, failed = run_module(astra_app_clone, same_cluster())
    assert failed and "ended in state failed" in result["msg"] and result["app"]["state"] == "failed"


def test_absent_unmanages_the_clone_then_is_unchanged(fake_api, run_module, wordpress):
    run_module(astra_app_clone, same_cluster())
    clone_id = next(app_id for app_id, app in fake_api.apps.items() if app["name"] == "wordpress-test")
    fake_api.requests.clear()

    result, failed = run_module(astra_app_clone, same_cluster(state="absent"))
    assert not failed and result["changed"] is True and result["app"] == {}
    assert fake_api.writes() == [("DELETE", "k8s/v2/apps/" + clone_id)]
    again, _failed = run_module(astra_app_clone, same_cluster(state="absent"))
    assert again["changed"] is False


def test_absent_refuses_to_unmanage_an_app_that_is_not_the_clone(fake_api, run_module, wordpress):
    fake_api.add_app("wordpress-test", namespaces=["wordpress-test"])
    result, failed = run_module(astra_app_clone, same_cluster(state="absent"))
    assert failed and "was not cloned from" in result["msg"] and fake_api.writes() == []


def test_absent_when_the_source_app_is_gone(fake_api, run_module, wordpress):
    run_module(astra_app_clone, to_dr())
    del fake_api.apps[wordpress["id"]]
    result, failed = run_module(astra_app_clone, to_dr(state="absent"))
    assert not failed and result["changed"] is True


def test_live_clone_needs_the_storage_classes_on_the_destination(fake_api, run_module):
    app = fake_api.add_app("postgres")
    fake_api.add_pvc(app["id"], "postgres", "data", "ontap-gold")
    fake_api.add_pvc(app["id"], "postgres", "scratch", "ontap-nas-economy")
    fake_api.add_snapshot(app["id"], "s1")
    args = {"name": "postgres-dr", "source_app": "postgres", "destination_cluster": "dr-west"}
    live, failed = run_module(astra_app_clone, args)
    assert failed
    assert "storage_class_mapping (omitted): storage class 'ontap-nas-economy' of PVCs postgres/scratch does not exist " \
           "on cluster 'dr-west'" in live["msg"]
    mapped, failed = run_module(astra_app_clone, dict(args, storage_class_mapping=[
        {"source": "ontap-nas-economy", "destination": "ontap-gold"}]))
    assert failed and "does not exist on cluster" not in mapped["msg"] and "ontap-nas-economy storage classes" in mapped["msg"]
    restored, failed = run_module(astra_app_clone, dict(args, snapshot="s1"))
    assert not failed and restored["changed"] is True, "a restore falls back to the destination's default class"
