# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.kubedr.astra.plugins.modules import astra_app_restore
from ansible_collections.kubedr.astra.tests.unit.fakes import PROD_EAST


@pytest.fixture
def postgres(fake_api):
    app = fake_api.add_app("postgres")
    fake_api.add_snapshot(app["id"], "old", created="2025-01-01T00:00:00Z")
    fake_api.add_snapshot(app["id"], "before-migration", created="2025-01-02T00:00:00Z")
    fake_api.requests.clear()
    return app


def snapshot_id(fake_api, app, name):
    return next(item["id"] for item in fake_api.points["appSnaps"][app["id"]].values() if item["name"] == name)


def restore(**extra):
    args = {"app": "postgres", "cluster": "prod-east", "snapshot": "before-migration"}
    args.update(extra)
    return args


def test_restore_puts_with_force_update_and_waits_after_the_put(fake_api, run_module, postgres):
    fake_api.polls_until_ready = 3
    result, failed = run_module(astra_app_restore, restore(), diff=True)

    assert not failed, result
    assert result["changed"] is True
    wanted = snapshot_id(fake_api, postgres, "before-migration")
    app_path = "k8s/v2/apps/" + postgres["id"]
    assert fake_api.writes() == [("PUT", app_path)]
    assert fake_api.bodies("PUT") == [{"type": "application/astra-app", "version": "2.2", "snapshotID": wanted}]
    put = next(request for method, _path, _params, request in fake_api.requests if method == "PUT")
    assert put.headers["ForceUpdate"] == "true" and put.headers["Content-Type"] == "application/astra-app+json"
    calls = fake_api.calls()
    put_index = calls.index(("PUT", app_path, {}))
    assert not any(path == app_path for _method, path, _params in calls[:put_index]), "the app is never polled before the PUT"
    assert [path for _method, path, _params in calls[put_index + 1:]] == [app_path] * 3
    assert result["app"]["state"] == "ready" and result["app"]["snapshotID"] == wanted
    assert result["diff"] == {"before": {"snapshot": None}, "after": {"snapshot": wanted}}


def test_second_run_is_unchanged_and_force_restores_again(fake_api, run_module, postgres):
    run_module(astra_app_restore, restore())
    fake_api.requests.clear()
    again, failed = run_module(astra_app_restore, restore())
    assert not failed and again["changed"] is False and fake_api.writes() == []
    check, _failed = run_module(astra_app_restore, restore(), check=True)
    assert check["changed"] is False

    forced, failed = run_module(astra_app_restore, restore(force=True))
    assert not failed and forced["changed"] is True
    assert [method for method, _path in fake_api.writes()] == ["PUT"]


def test_latest_is_resolved_before_the_idempotency_check(fake_api, run_module, postgres):
    fake_api.add_snapshot(postgres["id"], "newest-running", state="running", created="2025-01-09T00:00:00Z")
    result, _failed = run_module(astra_app_restore, restore(snapshot="latest"))
    assert result["app"]["snapshotID"] == snapshot_id(fake_api, postgres, "before-migration")
    unchanged, _failed = run_module(astra_app_restore, restore(snapshot="latest"))
    assert unchanged["changed"] is False

    newer = fake_api.add_snapshot(postgres["id"], "newer", created="2025-01-10T00:00:00Z")
    fake_api.requests.clear()
    again, _failed = run_module(astra_app_restore, restore(snapshot="latest"))
    assert again["changed"] is True and fake_api.bodies("PUT")[0]["snapshotID"] == newer["id"]


def test_restore_from_a_backup_by_id_with_filter_and_class_mapping(fake_api, run_module, postgres):
    backup = fake_api.add_backup(postgres["id"], "weekly")
    restore_filter = {"selection": "include", "resources": [
        {"version": "v1", "kind": "PersistentVolumeClaim", "names": ["data-postgres-0"]},
        {"group": "apps", "version": "v1", "kind": "StatefulSet", "label_selectors": ["app=postgres"]},
        {"namespaces": ["postgres"], "label_selectors": ["tier in (db)"]},
    ]}
    result, failed = run_module(astra_app_restore, {"app": "postgres", "backup": backup["id"], "restore_filter": restore_filter,
                                                    "storage_class_mapping": [{"source": "*", "destination": "ontap-gold"}]})
    assert not failed, result
    assert fake_api.bodies("PUT") == [{
        "type": "application/astra-app", "version": "2.2", "backupID": backup["id"],
        "restoreFilter": {"resourceSelectionCriteria": "include", "GVKN": [
            {"version": "v1", "kind": "PersistentVolumeClaim", "names": ["data-postgres-0"]},
            {"group": "apps", "version": "v1", "kind": "StatefulSet", "labelSelectors": ["app=postgres"]},
            {"namespaces": ["postgres"], "labelSelectors": ["tier in (db)"]}]},
        "storageClassMapping": [{"source": "*", "destination": "ontap-gold"}]}]
    put = next(request for method, _path, _params, request in fake_api.requests if method == "PUT")
    assert put.headers["ForceUpdate"] == "true"
    assert result["app"]["backupID"] == backup["id"]
    assert ("GET", "topology/v1/managedClusters/%s/apiResources" % PROD_EAST, {}) in fake_api.calls()


def test_check_mode_validates_everything_and_sends_nothing(fake_api, run_module, postgres):
    result, failed = run_module(astra_app_restore, restore(), check=True, diff=True)
    assert not failed and result["changed"] is True and fake_api.writes() == []
    assert result["app"]["state"] == "restoring"
    assert result["app"]["snapshotID"] == snapshot_id(fake_api, postgres, "before-migration")

    missing, failed = run_module(astra_app_restore, restore(snapshot="nope"), check=True)
    assert failed and "snapshot: app 'postgres' has no snapshot named or identified by 'nope'" in missing["msg"]
    bad_kind, failed = run_module(astra_app_restore, restore(restore_filter={"selection": "exclude", "resources": [
        {"group": "example.com", "version": "v1", "kind": "Widget"}]}), check=True)
    assert failed and "restore_filter.resources[0]: cluster 'prod-east' does not serve kind Widget of example.com/v1" \
        in bad_kind["msg"]
    assert fake_api.writes() == []


@pytest.mark.parametrize("restore_filter, option, rule", [
    ({"selection": "include", "resources": []}, "restore_filter.resources", "at least one resource entry"),
    ({"selection": "include", "resources": [{}]}, "restore_filter.resources[0]", "an empty entry selects nothing"),
    ({"selection": "include", "resources": [{"group": "apps"}]}, "restore_filter.resources[0]",
     "version and kind are both required"),
    ({"selection": "include", "resources": [{"kind": "Secret"}]}, "restore_filter.resources[0]",
     "version and kind are both required"),
    ({"selection": "include", "resources": [{"label_selectors": ["app in (a"]}]},
     "restore_filter.resources[0].label_selectors[0]", "unbalanced parentheses"),
    ({"selection": "include", "resources": [{"namespaces": ["Bad_NS"]}]}, "restore_filter.resources[0].namespaces[0]",
     "DNS-1123"),
    ({"selection": "some", "resources": [{"kind": "Secret", "version": "v1"}]}, "selection", "include, exclude"),
])
def test_bad_restore_filters_fail_before_any_request(fake_api, run_module, postgres, restore_filter, option, rule):
    result, failed = run_module(astra_app_restore, restore(restore_filter=restore_filter))
    assert failed, result
    assert option in result["msg"] and rule in result["msg"]
    assert fake_api.requests == []


@pytest.mark.parametrize("args, rule", [
    ({"app": "postgres"}, "one of the following is required: snapshot, backup"),
    ({"app": "postgres", "snapshot": "a", "backup": "b"}, "mutually exclusive"),
])
def test_exactly_one_restore_point(fake_api, run_module, args, rule):
    result, failed = run_module(astra_app_restore, args)
    assert failed and rule in result["msg"] and fake_api.requests == []


def test_all_problems_found_by_reading_are_reported_together(fake_api, run_module, postgres):
    other = fake_api.add_app("other")
    foreign = fake_api.add_snapshot(other["id"], "foreign")
    fake_api.apps[postgres["id"]]["state"] = "discovering"
    result, failed = run_module(astra_app_restore, restore(
        snapshot=foreign["id"],
        restore_filter={"selection": "include", "resources": [{"version": "v2", "kind": "Secret"}]},
        storage_class_mapping=[{"source": "*", "destination": "ontap-platinum"}]))
    assert failed
    assert [entry["option"] for entry in result["invalid_options"]] == [
        "snapshot", "restore_filter.resources[0]", "storage_class_mapping[0].destination", "app"]
    assert "app 'postgres' is discovering; an in-place restore needs it ready" in result["msg"]
    assert fake_api.writes() == []


def test_restore_point_must_be_completed(fake_api, run_module, postgres):
    fake_api.add_backup(postgres["id"], "running", state="running")
    result, failed = run_module(astra_app_restore, {"app": "postgres", "backup": "running"})
    assert failed and "backup 'running' of app 'postgres' is running, not completed" in result["msg"]


def test_wait_false_returns_the_restoring_app_and_a_later_run_waits_unchanged(fake_api, run_module, postgres):
    fake_api.polls_until_ready = 3
    result, _failed = run_module(astra_app_restore, restore(wait=False))
    assert result["changed"] is True and result["app"]["state"] == "restoring"
    fake_api.requests.clear()
    again, _failed = run_module(astra_app_restore, restore())
    assert again["changed"] is False and again["app"]["state"] == "ready" and fake_api.writes() == []


def test_restore_that_ends_failed_fails_the_task(fake_api, run_module, postgres):
    fake_api.fail_next["restore"] = 1
    result, failed = run_module(astra_app_restore, restore())
    assert failed and "ended in state failed" in result["msg"] and result["app"]["state"] == "failed"
