# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import CHECK_MODE_ID
from ansible_collections.kubedr.astra.plugins.module_utils.module_code import astra_app_backup as astra_app_backup_code
from ansible_collections.kubedr.astra.plugins.module_utils.module_code import astra_app_snapshot as astra_app_snapshot_code
from ansible_collections.kubedr.astra.plugins.modules import astra_app_backup, astra_app_snapshot
from ansible_collections.kubedr.astra.tests.unit.fakes import BUCKET, DR_WEST, PROD_EAST, TOKEN


@pytest.fixture
def wordpress(fake_api):
    return fake_api.add_app("wordpress")


def snaps_path(app):
    return "k8s/v1/apps/%s/appSnaps" % app["id"]


def backups_path(app):
    return "k8s/v1/apps/%s/appBackups" % app["id"]


# ---------------------------------------------------------------------- snapshots

def test_snapshot_is_taken_and_waited_for(fake_api, run_module, wordpress):
    fake_api.polls_until_completed = 3
    result, failed = run_module(astra_app_snapshot, {"app": "wordpress", "cluster": "prod-east", "name": "pre-upgrade"})

    assert not failed, result
    assert result["changed"] is True
    assert result["snapshot"]["name"] == "pre-upgrade" and result["snapshot"]["state"] == "completed"
    assert fake_api.writes() == [("POST", snaps_path(wordpress))]
    assert fake_api.bodies("POST") == [{"type": "application/astra-appSnap", "version": "1.1", "name": "pre-upgrade"}]
    post = next(request for method, _path, _params, request in fake_api.requests if method == "POST")
    assert post.headers["Content-Type"] == "application/astra-appSnap+json"
    assert TOKEN not in json.dumps(result)


def test_snapshot_second_run_sends_no_write_and_few_requests(fake_api, run_module, wordpress):
    run_module(astra_app_snapshot, {"app": "wordpress", "cluster": "prod-east", "name": "pre-upgrade"})
    fake_api.requests.clear()

    result, failed = run_module(astra_app_snapshot, {"app": "wordpress", "cluster": "prod-east", "name": "pre-upgrade"})

    assert not failed and result["changed"] is False
    assert fake_api.writes() == []
    assert [path for _method, path, _params in fake_api.calls()] == [
        "topology/v1/clusters", "k8s/v2/apps", snaps_path(wordpress)]
    assert fake_api.calls()[2][2] == {}, "snapshot lists take no filter"


def test_snapshot_by_app_id_without_cluster(fake_api, run_module, wordpress):
    result, failed = run_module(astra_app_snapshot, {"app": wordpress["id"], "name": "s1"})
    assert not failed and result["changed"] is True
    assert fake_api.calls()[0] == ("GET", "k8s/v2/apps/" + wordpress["id"], {})


def test_snapshot_check_mode_predicts_without_writing(fake_api, run_module, wordpress):
    result, failed = run_module(astra_app_snapshot, {"app": "wordpress", "name": "s1"}, check=True, diff=True)
    assert not failed and result["changed"] is True
    assert fake_api.writes() == []
    assert result["snapshot"]["id"] == CHECK_MODE_ID and result["snapshot"]["name"] == "s1"
    assert result["diff"]["before"] == {} and result["diff"]["after"]["name"] == "s1"

    fake_api.add_snapshot(wordpress["id"], "s1")
    result, failed = run_module(astra_app_snapshot, {"app": "wordpress", "name": "s1"}, check=True)
    assert not failed and result["changed"] is False


def test_snapshot_of_a_predicted_app_is_predicted_in_check_mode(fake_api, run_module):
    result, failed = run_module(astra_app_snapshot, {"app": CHECK_MODE_ID, "name": "s1"}, check=True)
    assert not failed and result["changed"] is True
    assert fake_api.requests == []


def test_pending_snapshot_is_waited_for_unchanged(fake_api, run_module, wordpress):
    fake_api.add_snapshot(wordpress["id"], "s1", state="pending")
    result, failed = run_module(astra_app_snapshot, {"app": "wordpress", "name": "s1"})
    assert not failed and result["changed"] is False and result["snapshot"]["state"] == "completed"
    assert fake_api.writes() == []


def test_wait_false_returns_the_pending_snapshot(fake_api, run_module, wordpress):
    result, _failed = run_module(astra_app_snapshot, {"app": "wordpress", "name": "s1", "wait": False})
    assert result["changed"] is True and result["snapshot"]["state"] == "pending"
    assert [method for method, _path, _params in fake_api.calls()][-1] == "POST"


@pytest.mark.parametrize("module, code, add, word", [
    (astra_app_snapshot, astra_app_snapshot_code, "add_snapshot", "snapshot"),
    (astra_app_backup, astra_app_backup_code, "add_backup", "backup"),
])
def test_replace_failed_deletes_the_failed_one_and_takes_it_again(
        fake_api, run_module, wordpress, monkeypatch, module, code, add, word):
    warnings = []
    monkeypatch.setattr(code.AstraModule, "warn", lambda self, message: warnings.append(message))
    failed_one = getattr(fake_api, add)(wordpress["id"], "s1", state="failed",
                                        stateDetails=[{"title": "Failed", "detail": "volume busy"}])
    collection = snaps_path(wordpress) if word == "snapshot" else backups_path(wordpress)

    predicted, failed = run_module(module, {"app": "wordpress", "name": "s1", "replace_failed": True}, check=True)
    assert not failed and predicted["changed"] is True and fake_api.writes() == []

    result, failed = run_module(module, {"app": "wordpress", "name": "s1", "replace_failed": True})
    assert not failed, result
    assert result["changed"] is True and result[word]["state"] == "completed" and result[word]["id"] != failed_one["id"]
    assert fake_api.writes() == [("DELETE", "%s/%s" % (collection, failed_one["id"])), ("POST", collection)]
    assert any("in state failed (Failed: volume busy)" in warning and "replace_failed" in warning for warning in warnings)

    again, failed = run_module(module, {"app": "wordpress", "name": "s1", "replace_failed": True})
    assert not failed and again["changed"] is False


def test_failed_snapshot_fails_and_says_to_remove_it(fake_api, run_module, wordpress):
    fake_api.add_snapshot(wordpress["id"], "s1", state="failed",
                          stateDetails=[{"title": "Snapshot failed", "detail": "volume busy"}])
    result, failed = run_module(astra_app_snapshot, {"app": "wordpress", "name": "s1"})
    assert failed
    assert "snapshot 's1' is in state failed (Snapshot failed: volume busy)" in result["msg"]
    assert "state: absent" in result["msg"]
    assert result["snapshot"]["state"] == "failed"
    assert fake_api.writes() == []


def test_snapshot_that_ends_failed_fails_the_task(fake_api, run_module, wordpress):
    fake_api.fail_next["appSnap"] = 1
    result, failed = run_module(astra_app_snapshot, {"app": "wordpress", "name": "s1"})
    assert failed and "ended in state failed" in result["msg"] and "simulated failure" in result["msg"]


def test_snapshot_absent_deletes_waits_then_unchanged(fake_api, run_module, wordpress):
    snapshot = fake_api.add_snapshot(wordpress["id"], "s1")
    result, failed = run_module(astra_app_snapshot, {"app": "wordpress", "name": "s1", "state": "absent"}, diff=True)
    assert not failed and result["changed"] is True and result["snapshot"] == {}
    assert fake_api.writes() == [("DELETE", "%s/%s" % (snaps_path(wordpress), snapshot["id"]))]
    assert fake_api.points["appSnaps"][wordpress["id"]] == {}
    assert result["diff"] == {"before": {"name": "s1"}, "after": {}}

    fake_api.requests.clear()
    again, failed = run_module(astra_app_snapshot, {"app": "wordpress", "name": "s1", "state": "absent"})
    assert not failed and again["changed"] is False and fake_api.writes() == []


def test_snapshot_absent_in_check_mode_does_not_delete(fake_api, run_module, wordpress):
    fake_api.add_snapshot(wordpress["id"], "s1")
    result, _failed = run_module(astra_app_snapshot, {"app": "wordpress", "name": "s1", "state": "absent"}, check=True)
    assert result["changed"] is True and fake_api.writes() == []


def test_snapshot_already_deleting_is_waited_for_not_deleted_again(fake_api, run_module, wordpress):
    fake_api.add_snapshot(wordpress["id"], "s1", state="deleting")
    result, failed = run_module(astra_app_snapshot, {"app": "wordpress", "name": "s1", "state": "absent"})
    assert not failed and result["changed"] is False and fake_api.writes() == []
    assert fake_api.points["appSnaps"][wordpress["id"]] == {}


@pytest.mark.parametrize("args, option, rule", [
    ({"app": "wordpress", "name": "Pre_Upgrade"}, "name", "DNS-1123"),
    ({"app": "wordpress", "name": "s1", "wait_timeout": 0}, "wait_timeout", "at least 1"),
    ({"name": "s1"}, "app", "missing"),
])
def test_snapshot_bad_input_fails_before_any_request(fake_api, run_module, args, option, rule):
    result, failed = run_module(astra_app_snapshot, args)
    assert failed and option in result["msg"] and rule in result["msg"]
    assert fake_api.requests == []


def test_unknown_app_names_the_option_and_lists_apps(fake_api, run_module, wordpress):
    result, failed = run_module(astra_app_snapshot, {"app": "wordpres", "name": "s1"})
    assert failed and "app: no managed app named or identified by 'wordpres'" in result["msg"]
    assert "wordpress" in result["msg"] and fake_api.writes() == []


def test_ambiguous_app_asks_for_the_cluster(fake_api, run_module, wordpress):
    fake_api.add_app("wordpress", DR_WEST)
    result, failed = run_module(astra_app_snapshot, {"app": "wordpress", "name": "s1"})
    assert failed and "set cluster" in result["msg"] and "dr-west, prod-east" in result["msg"]


def test_api_conflict_is_reported_with_the_problem(fake_api, run_module, wordpress):
    original = fake_api._post

    def conflict(path, params, body):
        if path.endswith("/appSnaps"):
            return fake_api._problem(409, 148, "Snapshot in progress", "Another snapshot is running.")
        return original(path, params, body)
    fake_api._post = conflict
    result, failed = run_module(astra_app_snapshot, {"app": "wordpress", "name": "s1"})
    assert failed
    assert "Snapshot in progress - Another snapshot is running. (HTTP 409, problem 148" in result["msg"]
    assert result["status"] == 409 and result["problem"]["number"] == 148


# ---------------------------------------------------------------------- backups

def test_backup_without_bucket_lets_the_api_choose(fake_api, run_module, wordpress):
    result, failed = run_module(astra_app_backup, {"app": "wordpress", "name": "b1"})
    assert not failed and result["changed"] is True
    assert fake_api.bodies("POST") == [{"type": "application/astra-appBackup", "version": "1.1", "name": "b1"}]
    backup = result["backup"]
    assert backup["state"] == "completed" and backup["bucketID"] == BUCKET and backup["snapshotID"]
    assert not any(path == "topology/v1/buckets" for _method, path, _params in fake_api.calls())


def test_backup_with_bucket_and_snapshot_by_name(fake_api, run_module, wordpress):
    snapshot = fake_api.add_snapshot(wordpress["id"], "before-migration")
    result, failed = run_module(astra_app_backup, {"app": "wordpress", "name": "b1", "bucket": "dr-bucket",
                                                   "snapshot": "before-migration"})
    assert not failed and result["changed"] is True
    assert fake_api.bodies("POST") == [{"type": "application/astra-appBackup", "version": "1.1", "name": "b1",
                                        "bucketID": BUCKET, "snapshotID": snapshot["id"]}]
    fake_api.requests.clear()
    again, _failed = run_module(astra_app_backup, {"app": "wordpress", "name": "b1", "bucket": "dr-bucket",
                                                   "snapshot": "before-migration"})
    assert again["changed"] is False and fake_api.writes() == []
    assert [path for _method, path, _params in fake_api.calls()] == ["k8s/v2/apps", backups_path(wordpress)]


def test_backup_of_the_latest_snapshot(fake_api, run_module, wordpress):
    fake_api.add_snapshot(wordpress["id"], "old", created="2025-01-01T00:00:00Z")
    newest = fake_api.add_snapshot(wordpress["id"], "new", created="2025-01-02T00:00:00Z")
    fake_api.add_snapshot(wordpress["id"], "running", state="running", created="2025-01-03T00:00:00Z")
    run_module(astra_app_backup, {"app": "wordpress", "name": "b1", "snapshot": "latest"})
    assert fake_api.bodies("POST")[0]["snapshotID"] == newest["id"]


def test_backup_bad_bucket_or_snapshot_fails_without_writing(fake_api, run_module, wordpress):
    other = fake_api.add_app("other")
    result, failed = run_module(astra_app_backup, {"app": "wordpress", "name": "b1", "bucket": "nope"})
    assert failed and "bucket: no bucket named or identified by 'nope'; known buckets: dr-bucket" in result["msg"]
    other_snapshot = fake_api.add_snapshot(other["id"], "x")
    result, failed = run_module(astra_app_backup, {"app": "wordpress", "name": "b1", "snapshot": other_snapshot["id"]})
    assert failed and "snapshot: app 'wordpress' has no snapshot named or identified by" in result["msg"]
    assert fake_api.writes() == []


def test_backup_check_mode_and_absent(fake_api, run_module, wordpress):
    result, _failed = run_module(astra_app_backup, {"app": "wordpress", "name": "b1", "bucket": BUCKET}, check=True,
                                 diff=True)
    assert result["changed"] is True and result["backup"]["bucketID"] == BUCKET and fake_api.writes() == []
    assert result["diff"] == {"before": {}, "after": {"name": "b1", "bucket": BUCKET}}

    backup = fake_api.add_backup(wordpress["id"], "b1")
    result, failed = run_module(astra_app_backup, {"app": "wordpress", "name": "b1", "state": "absent"})
    assert not failed and result["changed"] is True
    assert fake_api.writes() == [("DELETE", "%s/%s" % (backups_path(wordpress), backup["id"]))]


def test_failed_backup_fails_with_details(fake_api, run_module, wordpress):
    fake_api.add_backup(wordpress["id"], "b1", state="failed", stateUnready=["bucket unreachable"])
    result, failed = run_module(astra_app_backup, {"app": "wordpress", "name": "b1"})
    assert failed and "backup 'b1' is in state failed (bucket unreachable)" in result["msg"]
    assert fake_api.writes() == []


def test_backup_on_cluster(fake_api, run_module, wordpress):
    dr = fake_api.add_app("wordpress", DR_WEST)
    result, failed = run_module(astra_app_backup, {"app": "wordpress", "cluster": "dr-west", "name": "b1"})
    assert not failed and fake_api.writes() == [("POST", backups_path(dr))]
    assert wordpress["clusterID"] == PROD_EAST
