# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.kubedr.astra.plugins.modules import astra_app_backup_info, astra_app_snapshot_info
from ansible_collections.kubedr.astra.tests.unit.fakes import DR_WEST, PROD_EAST


@pytest.fixture
def estate(fake_api):
    wordpress = fake_api.add_app("wordpress", PROD_EAST)
    postgres = fake_api.add_app("postgres", PROD_EAST)
    dr = fake_api.add_app("wordpress-dr", DR_WEST, namespaces=["wordpress"])
    fake_api.add_snapshot(wordpress["id"], "w-old", created="2025-01-01T01:00:00Z")
    fake_api.add_snapshot(wordpress["id"], "w-new", created="2025-01-03T01:00:00.250Z")
    fake_api.add_snapshot(postgres["id"], "p-mid", state="failed", created="2025-01-02T01:00:00Z")
    fake_api.add_snapshot(dr["id"], "d-1", created="2025-01-04T01:00:00Z")
    fake_api.add_backup(wordpress["id"], "wb-1", created="2025-01-01T02:00:00Z")
    fake_api.add_backup(postgres["id"], "pb-1", state="running", created="2025-01-05T02:00:00Z")
    fake_api.add_backup(dr["id"], "db-1", created="2025-01-03T02:00:00Z")
    fake_api.requests.clear()
    return wordpress, postgres, dr


def names(items):
    return [item["name"] for item in items]


def test_snapshots_of_one_app_newest_first_in_two_requests(fake_api, run_module, estate):
    wordpress = estate[0]
    result, failed = run_module(astra_app_snapshot_info, {"app": "wordpress", "cluster": "prod-east"})
    assert not failed and result["changed"] is False
    assert names(result["snapshots"]) == ["w-new", "w-old"]
    assert result["snapshots"][0]["appName"] == "wordpress" and result["snapshots"][0]["appID"] == wordpress["id"]
    assert [path for _method, path, _params in fake_api.calls()] == [
        "topology/v1/clusters", "k8s/v2/apps", "k8s/v1/apps/%s/appSnaps" % wordpress["id"]]


def test_snapshots_of_every_app_one_list_per_app(fake_api, run_module, estate):
    result, _failed = run_module(astra_app_snapshot_info, {})
    assert names(result["snapshots"]) == ["d-1", "w-new", "p-mid", "w-old"]
    assert [path for _method, path, _params in fake_api.calls()][0] == "k8s/v2/apps"
    assert len(fake_api.calls()) == 1 + 3


def test_snapshots_of_one_cluster_filtered_by_state(fake_api, run_module, estate):
    result, _failed = run_module(astra_app_snapshot_info, {"cluster": "prod-east", "state": "completed"})
    assert names(result["snapshots"]) == ["w-new", "w-old"]
    assert fake_api.calls()[1] == ("GET", "k8s/v2/apps", {"filter": "clusterID eq '%s'" % PROD_EAST})
    assert len(fake_api.calls()) == 2 + 2


def test_snapshot_name_filter_and_empty_results(fake_api, run_module, estate):
    result, _failed = run_module(astra_app_snapshot_info, {"name": "w-old"})
    assert names(result["snapshots"]) == ["w-old"]
    result, failed = run_module(astra_app_snapshot_info, {"app": "postgres", "state": "completed"})
    assert not failed and result["snapshots"] == []


def test_snapshot_info_unknown_app_is_an_error(fake_api, run_module, estate):
    result, failed = run_module(astra_app_snapshot_info, {"app": "wordpres"})
    assert failed and "app: no managed app named or identified by 'wordpres'" in result["msg"]


def test_snapshot_info_bad_state_fails_before_any_request(fake_api, run_module, estate):
    result, failed = run_module(astra_app_snapshot_info, {"state": "ready"})
    assert failed and "state" in result["msg"] and fake_api.requests == []


def test_backups_of_the_account_in_one_request(fake_api, run_module, estate):
    result, failed = run_module(astra_app_backup_info, {})
    assert not failed
    assert names(result["backups"]) == ["pb-1", "db-1", "wb-1"]
    assert fake_api.calls() == [("GET", "topology/v1/appBackups", {})]


def test_backups_filtered_by_name_and_state_still_one_request(fake_api, run_module, estate):
    result, _failed = run_module(astra_app_backup_info, {"state": "completed"})
    assert names(result["backups"]) == ["db-1", "wb-1"]
    result, _failed = run_module(astra_app_backup_info, {"name": "wb-1"})
    assert names(result["backups"]) == ["wb-1"]
    assert len(fake_api.calls()) == 2


def test_backups_of_one_app(fake_api, run_module, estate):
    postgres = estate[1]
    result, _failed = run_module(astra_app_backup_info, {"app": postgres["id"]})
    assert names(result["backups"]) == ["pb-1"] and result["backups"][0]["appName"] == "postgres"
    assert [path for _method, path, _params in fake_api.calls()] == [
        "k8s/v2/apps/" + postgres["id"], "k8s/v1/apps/%s/appBackups" % postgres["id"]]


def test_backups_of_one_cluster_list_per_app(fake_api, run_module, estate):
    result, _failed = run_module(astra_app_backup_info, {"cluster": "dr-west"})
    assert names(result["backups"]) == ["db-1"]
    assert fake_api.calls()[1] == ("GET", "k8s/v2/apps", {"filter": "clusterID eq '%s'" % DR_WEST})
