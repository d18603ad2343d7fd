# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Protection posture: each check of an app against the estate, with the ages and the verdicts asserted."""

import datetime

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.astra_client import AstraClient
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraApiError
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import Lookups
from ansible_collections.kubedr.astra.plugins.module_utils.posture import (
    age_seconds,
    app_posture,
    entry_problems,
    estate_posture,
    normalise_entries,
    policy_differences,
    read_posture,
    record_posture,
    unprotected,
)
from ansible_collections.kubedr.astra.plugins.module_utils.runbook import RunbookError, new_record
from ansible_collections.kubedr.astra.tests.unit.fakes import ACCOUNT_ID, API_URL, TOKEN

NOW = datetime.datetime(2025, 1, 31, 12, 0, 0, tzinfo=datetime.timezone.utc)
DAILY = {"name": "daily", "granularity": "daily", "minute": 0, "hour": 2, "snapshot_retention": 7, "backup_retention": 7,
         "enabled": True, "bucket": None}
HOURLY = {"name": "hourly", "granularity": "hourly", "minute": 15, "snapshot_retention": 24, "backup_retention": 0,
          "enabled": True, "bucket": None}
ENTRY = {"key": "postgres@prod-east", "name": "postgres", "cluster": "prod-east", "destination_cluster": "dr-west",
         "rpo_target_seconds": 3600}
APP = {"id": "a1", "name": "postgres", "clusterName": "prod-east", "state": "ready"}
PRE_SNAPSHOT = {"id": "h1", "name": "quiesce", "appID": "a1", "action": "snapshot", "stage": "pre", "enabled": "true"}


def mirror(state="established", health="normal", source="a1", completed="2025-01-31T11:40:00Z", source_cluster="prod-east"):
    return {"state": state, "healthState": health, "sourceAppID": source, "sourceClusterName": source_cluster,
            "transferStateDetails": [{"additionalDetails": {"snapshotID": "s9", "completionTime": completed}}]}


def facts(**more):
    found = {"app": APP, "schedules": [DAILY, HOURLY], "mirror": mirror(), "bucket_names": {"b1": "dr-backups"},
             "hooks": [PRE_SNAPSHOT],
             "snapshot": {"name": "hourly-1", "snapshotCreationTimestamp": "2025-01-31T11:15:00Z", "hookState": "success"},
             "backup": {"name": "daily-1", "bucketID": "b1", "backupCreationTimestamp": "2025-01-31T02:00:05Z"}}
    found.update(more)
    return found


def by_name(checks):
    return dict((check["name"], check) for check in checks)


def test_ages_in_seconds_from_one_clock_read():
    assert age_seconds("2025-01-31T11:15:00Z", NOW) == 2700
    assert age_seconds("2025-01-31T12:15:00+01:00", NOW) == 2700
    assert age_seconds(None, NOW) is None


def test_an_app_as_the_estate_wants_it_passes_every_check_but_a_stale_backup():
    checks = app_posture(ENTRY, facts(), {"policy": [DAILY, HOURLY], "bucket": "dr-backups", "hooks": True}, NOW)
    assert [check["name"] for check in checks] == [
        "managed", "protection policy", "snapshot", "backup", "backup bucket", "mirror", "mirror transfer", "hooks"]
    found = by_name(checks)
    assert found["snapshot"] == {"name": "snapshot", "status": "passed", "age_seconds": 2700,
                                 "message": "the newest completed snapshot is 45m 00s old (RPO target 1h 00m 00s)"}
    assert found["backup"]["status"] == "failed" and found["backup"]["age_seconds"] == 35995
    assert found["backup"]["message"] == ("the newest completed backup is 9h 59m 55s old, older than the RPO target of "
                                          "1h 00m 00s")
    assert found["mirror transfer"]["age_seconds"] == 1200 and found["mirror transfer"]["status"] == "passed"
    assert found["mirror"]["message"] == "the AppMirror to dr-west: established, healthy"
    assert found["hooks"]["message"] == ("restore point snapshot hourly-1 is app-consistent: its execution hooks "
                                         "succeeded (pre-snapshot: quiesce)")
    assert found["backup bucket"]["status"] == "passed"
    assert all(check["status"] == "passed" for name, check in found.items() if name != "backup")


def test_policy_differences_name_what_is_missing_different_and_extra():
    changed = dict(HOURLY, snapshot_retention=48)
    extra = dict(DAILY, name="weekly", granularity="weekly", day_of_week=0)
    assert policy_differences([DAILY, HOURLY], [changed, extra]) == [
        "schedule daily (granularity=daily, minute=0, hour=2, snapshot_retention=7, backup_retention=7, enabled=True) "
        "is missing",
        "schedule hourly has snapshot_retention 48 instead of 24",
        "schedule weekly (granularity=weekly, minute=0, hour=2, day_of_week=0, snapshot_retention=7, "
        "backup_retention=7, enabled=True) is not in the policy"]
    assert policy_differences([DAILY], [dict(DAILY, bucket="b1")]) == []


def test_an_unmanaged_app_fails_only_the_managed_check():
    assert app_posture(ENTRY, facts(app=None), {"policy": [DAILY]}, NOW) == [
        {"name": "managed", "status": "failed", "message": "postgres is not managed on prod-east (run the protect runbook)"}]


def test_without_a_target_ages_are_reported_not_judged_and_without_a_policy_it_is_not_compared():
    checks = by_name(app_posture(dict(ENTRY, rpo_target_seconds=None, destination_cluster=None), facts(), {}, NOW))
    assert checks["snapshot"]["status"] == "skipped" and checks["snapshot"]["age_seconds"] == 2700
    assert checks["snapshot"]["message"] == ("the newest completed snapshot is 45m 00s old; no rpo_target_seconds to "
                                             "judge it by")
    assert checks["protection policy"] == {"name": "protection policy", "status": "skipped",
                                           "message": "no policy given to compare with"}
    assert "mirror" not in checks and "hooks" not in checks and "backup bucket" not in checks


def test_missing_restore_points_and_wrong_bucket():
    checks = by_name(app_posture(ENTRY, facts(snapshot=None, backup=None), {"bucket": "dr-backups", "hooks": True}, NOW))
    assert checks["snapshot"] == {"name": "snapshot", "status": "failed", "message": "no completed snapshot"}
    assert checks["backup"]["message"] == "no completed backup"
    assert checks["backup bucket"]["status"] == "skipped"
    assert checks["hooks"]["message"] == "no restore point to look at"
    backup = {"name": "b", "bucketID": "b7", "backupCreationTimestamp": "2025-01-31T11:30:00Z"}
    elsewhere = by_name(app_posture(ENTRY, facts(backup=backup), {"bucket": "dr-backups"}, NOW))
    assert elsewhere["backup bucket"]["message"] == "the newest backup is in bucket b7, not in dr-backups"


def test_a_stale_or_reversed_or_failed_over_mirror_fails():
    after_outage = by_name(app_posture(ENTRY, facts(mirror=mirror(health="warning", completed="2025-01-31T09:00:00Z")),
                                       {}, NOW))
    assert after_outage["mirror"]["message"] == "the AppMirror to dr-west: its health is warning"
    assert after_outage["mirror transfer"]["status"] == "failed" and after_outage["mirror transfer"]["age_seconds"] == 10800
    failed_over = by_name(app_posture(ENTRY, facts(mirror=mirror(state="failedOver")), {}, NOW))
    assert failed_over["mirror"]["message"] == "the AppMirror to dr-west: it is failedOver"
    reversed_ = by_name(app_posture(ENTRY, facts(mirror=mirror(source="d1", source_cluster="dr-west")), {}, NOW))
    assert reversed_["mirror"]["message"] == "the AppMirror to dr-west: it replicates from dr-west, not from prod-east"
    missing = by_name(app_posture(ENTRY, facts(mirror=None), {}, NOW))
    assert missing["mirror"]["message"] == "no AppMirror replicates postgres to dr-west"
    assert missing["mirror transfer"]["status"] == "skipped"


def test_hooks_judge_the_newest_restore_point():
    newer_backup = {"name": "daily-2", "bucketID": "b1", "backupCreationTimestamp": "2025-01-31T11:50:00Z",
                    "hookState": "failed",
                    "hookStateDetails": [{"title": "Execution hook failed", "detail": "pg_start_backup timed out"}]}
    checks = by_name(app_posture(ENTRY, facts(backup=newer_backup), {"hooks": True}, NOW))
    assert checks["hooks"]["message"] == ("restore point backup daily-2 is not app-consistent: its execution hooks "
                                          "failed (pg_start_backup timed out)")
    crash = by_name(app_posture(ENTRY, facts(snapshot={"name": "s", "snapshotCreationTimestamp": "2025-01-31T11:59:00Z"}),
                                {"hooks": True}, NOW))
    assert crash["hooks"]["status"] == "failed"
    assert crash["hooks"]["message"] == "restore point snapshot s reports no execution hook state"


def test_what_no_estate_entry_covers():
    apps = [APP, {"name": "jenkins", "clusterName": "prod-east", "namespaceScopedResources": [{"namespace": "ci"}]},
            dict(APP, namespaceScopedResources=[{"namespace": "postgres"}])]
    namespaces = {"prod-east": [{"name": "postgres", "namespaceState": "discovered"},
                                {"name": "ci", "namespaceState": "discovered"},
                                {"name": "shop", "namespaceState": "discovered"},
                                {"name": "old", "namespaceState": "removed"},
                                {"name": "kube-system", "namespaceState": "discovered", "systemType": "kubernetes"}]}
    assert unprotected({"postgres@prod-east"}, apps, namespaces) == {"apps": ["jenkins@prod-east"],
                                                                     "namespaces": ["shop@prod-east"]}


def test_hooks_need_an_enabled_pre_hook_and_the_accounts_hook_setting():
    disabled = by_name(app_posture(ENTRY, facts(hooks=None), {"hooks": True}, NOW))["hooks"]
    assert disabled == {"name": "hooks", "status": "failed", "message": (
        "restore point snapshot hourly-1 is crash-consistent: execution hooks are disabled in the Astra Control "
        "account")}
    post_only = [dict(PRE_SNAPSHOT, stage="post"), dict(PRE_SNAPSHOT, enabled="false"), dict(PRE_SNAPSHOT, action="restore")]
    none_before = by_name(app_posture(ENTRY, facts(hooks=post_only), {"hooks": True}, NOW))["hooks"]
    assert none_before["status"] == "failed"
    assert none_before["message"] == ("restore point snapshot hourly-1 is crash-consistent: the app has no enabled "
                                      "pre-snapshot execution hook")
    # a pre-backup hook does not run for a snapshot: the newest point, a snapshot, is crash-consistent
    pre_backup = [dict(PRE_SNAPSHOT, action="backup")]
    assert by_name(app_posture(ENTRY, facts(hooks=pre_backup), {"hooks": True}, NOW))["hooks"]["status"] == "failed"
    newest_backup = {"name": "daily-2", "bucketID": "b1", "backupCreationTimestamp": "2025-01-31T11:50:00Z",
                     "hookState": "success"}
    assert by_name(app_posture(ENTRY, facts(hooks=pre_backup, backup=newest_backup), {"hooks": True},
                               NOW))["hooks"]["status"] == "passed"
    # An entry's own expect_hooks wins over the estate's.
    assert "hooks" not in by_name(app_posture(dict(ENTRY, expect_hooks=False), facts(), {"hooks": True}, NOW))
    assert "hooks" in by_name(app_posture(dict(ENTRY, expect_hooks=True), facts(), {}, NOW))


def test_expect_mirror_and_the_mirrors_destination():
    assert "mirror" not in by_name(app_posture(dict(ENTRY, expect_mirror=False), facts(), {}, NOW))
    orphan = by_name(app_posture(dict(ENTRY, destination_cluster=None, expect_mirror=True), facts(), {}, NOW))
    assert orphan["mirror"]["message"] == "a mirror is expected but the entry has no destination_cluster"
    elsewhere = by_name(app_posture(ENTRY, facts(mirror=dict(mirror(), destinationClusterName="lab-north")), {}, NOW))
    assert elsewhere["mirror"]["message"] == "the AppMirror to dr-west: it replicates to lab-north, not to dr-west"


def test_entry_problems_and_defaults():
    assert entry_problems([{"name": "postgres", "cluster": "prod-east", "namespaces": [{"name": "postgres"}], "wave": 2},
                           {"name": "", "cluster": "prod-east", "rpo_target_seconds": -1, "expect_hooks": "yes"},
                           {"name": "postgres", "cluster": "prod-east"}, "shop"]) == [
        ("apps[1].name", "a non-empty string is required"),
        ("apps[1].rpo_target_seconds", "must be a number of seconds, 0 or more; got -1"),
        ("apps[1].expect_hooks", "must be true or false, got 'yes'"),
        ("apps[2]", "postgres@prod-east is listed more than once"),
        ("apps[3]", "must be a dict with name and cluster, got 'shop'")]
    defaults = {"destination_cluster": "dr-west", "rpo_target_seconds": 90000, "expect_mirror": None, "expect_hooks": False}
    assert normalise_entries([{"name": "jenkins", "cluster": "prod-east", "expect_mirror": False, "wave": 2},
                              {"name": "postgres", "cluster": "prod-east", "rpo_target_seconds": 900}], defaults) == [
        {"key": "jenkins@prod-east", "name": "jenkins", "cluster": "prod-east", "destination_cluster": "dr-west",
         "rpo_target_seconds": 90000, "expect_mirror": False, "expect_hooks": False},
        {"key": "postgres@prod-east", "name": "postgres", "cluster": "prod-east", "destination_cluster": "dr-west",
         "rpo_target_seconds": 900, "expect_mirror": True, "expect_hooks": False}]
    # Without entries, every managed app is judged by the defaults.
    every = normalise_entries([], dict(defaults, destination_cluster=None), apps=[APP])
    assert every == [{"key": "postgres@prod-east", "name": "postgres", "cluster": "prod-east", "destination_cluster": None,
                      "rpo_target_seconds": 90000, "expect_mirror": False, "expect_hooks": False}]


def estate(**more):
    found = {
        "clusters": [{"id": "c1", "name": "prod-east", "managedState": "managed"},
                     {"id": "c2", "name": "dr-west", "managedState": "managed"},
                     {"id": "c3", "name": "lab-north", "managedState": "unmanaged"}],
        "apps": [dict(APP, clusterID="c1", namespaceScopedResources=[{"namespace": "postgres"}]),
                 {"id": "d1", "name": "postgres", "clusterName": "dr-west", "clusterID": "c2",
                  "namespaceScopedResources": [{"namespace": "postgres"}]},
                 {"id": "j1", "name": "jenkins", "clusterName": "prod-east", "clusterID": "c1",
                  "namespaceScopedResources": [{"namespace": "jenkins"}]}],
        "app_mirrors": [dict(mirror(), id="m1", sourceClusterID="c1", destinationAppID="d1", destinationClusterID="c2")],
        "protection": {"a1": {
            "snapshots": [{"id": "s1", "name": "hourly-0", "state": "completed",
                           "metadata": {"creationTimestamp": "2025-01-31T10:15:00Z"}},
                          {"id": "s2", "name": "hourly-1", "state": "completed", "hookState": "success",
                           "snapshotCreationTimestamp": "2025-01-31T11:15:00Z",
                           "metadata": {"creationTimestamp": "2025-01-31T11:15:00Z"}},
                          {"id": "s3", "name": "hourly-2", "state": "running",
                           "metadata": {"creationTimestamp": "2025-01-31T11:59:00Z"}},
                          # the mirror's, judged by the mirror checks, not as the app's newest snapshot
                          {"id": "s4", "name": "replication-x", "state": "completed", "hookState": "success",
                           "snapshotCreationTimestamp": "2025-01-31T11:55:00Z",
                           "metadata": {"creationTimestamp": "2025-01-31T11:55:00Z", "labels": [
                               {"name": "astra.netapp.io/labels/read-only/triggerType", "value": "replication"}]}}],
            "backups": [], "schedules": [{"name": "hourly", "granularity": "hourly", "minute": "15",
                                          "snapshotRetention": "24", "backupRetention": "0", "enabled": "true"},
                                         {"name": "kubedr-replication", "granularity": "custom", "replicate": "true"}]}},
        "buckets": [{"id": "b1", "name": "dr-backups"}],
        "namespaces": [{"name": name, "namespaceState": "discovered", "clusterID": cluster}
                       for cluster, name in (("c1", "postgres"), ("c1", "jenkins"), ("c1", "billing"), ("c1", "default"),
                                             ("c2", "postgres"), ("c3", "lab"))],
        "execution_hooks": [PRE_SNAPSHOT, dict(PRE_SNAPSHOT, id="h2", appID="j1")],
    }
    found.update(more)
    return found


def test_the_estate_judged_app_by_app_with_what_no_entry_covers():
    entries = normalise_entries([{"name": "postgres", "cluster": "prod-east"}, {"name": "shop", "cluster": "prod-east"}],
                                {"destination_cluster": "dr-west", "rpo_target_seconds": 3600, "expect_hooks": True})
    result = estate_posture(entries, estate(), {"policy": [HOURLY]}, NOW, ignored_namespaces=["default"])
    postgres, shop = result["apps"]
    assert [(check["name"], check["status"]) for check in postgres["checks"]] == [
        ("managed", "passed"), ("protection policy", "passed"), ("snapshot", "passed"), ("backup", "failed"),
        ("mirror", "passed"), ("mirror transfer", "passed"), ("hooks", "passed")]
    assert postgres["status"] == "failed" and postgres["astra_ids"] == {"app_id": "a1"}
    assert by_name(postgres["checks"])["snapshot"]["age_seconds"] == 2700  # the newest completed one, hourly-1
    assert shop["checks"] == [{"name": "managed", "status": "failed",
                               "message": "shop is not managed on prod-east (run the protect runbook)"}]
    # postgres on dr-west is the replica of an entry's app; lab-north is not managed; default is ignored.
    assert result["unprotected"] == {"apps": ["jenkins@prod-east"], "namespaces": ["billing@prod-east"]}
    assert result["counts"] == {"passed": 0, "failed": 2, "skipped": 0}
    assert result["passed"] is False and result["hooks_enabled"] is True
    disabled = estate_posture(entries[:1], estate(execution_hooks=None), {}, NOW, list_unprotected=False)
    message = by_name(disabled["apps"][0]["checks"])["hooks"]["message"]
    assert message.endswith("execution hooks are disabled in the Astra Control account")
    assert disabled["unprotected"] == {"apps": [], "namespaces": []} and disabled["hooks_enabled"] is False


def test_the_run_record_has_one_step_per_check_and_an_entry_per_unprotected_thing():
    entries = normalise_entries([{"name": "postgres", "cluster": "prod-east"}], {"rpo_target_seconds": 3600})
    record = new_record([{"key": "postgres@prod-east", "name": "postgres", "cluster": "prod-east",
                          "rpo_target_seconds": 3600}])
    result = estate_posture(entries, estate(), {}, NOW, ignored_namespaces=["default"])
    recorded = record_posture(record, result)
    assert record["postgres@prod-east"]["steps"] == []  # not changed in place
    assert list(recorded) == ["postgres@prod-east", "jenkins@prod-east", "namespace billing@prod-east"]
    postgres = recorded["postgres@prod-east"]
    assert [step["name"] for step in postgres["steps"]] == ["managed", "protection policy", "snapshot", "backup"]
    assert postgres["astra_ids"] == {"app_id": "a1"} and "rpo_target_seconds" not in postgres["app"]
    assert recorded["namespace billing@prod-east"]["app"] == {"key": "namespace billing@prod-east",
                                                              "name": "namespace billing", "cluster": "prod-east"}
    assert recorded["jenkins@prod-east"]["steps"] == [{"name": "estate entry", "status": "failed", "message": (
        "managed on prod-east but in no estate entry: no policy says how it must be protected")}]
    # Without entries (every managed app judged), the record starts empty and gets an entry per judged app.
    assert list(record_posture({}, result))[:1] == ["postgres@prod-east"]
    with pytest.raises(RunbookError):
        record_posture(record, {"apps": None})


@pytest.fixture
def lookups(fake_api):
    return Lookups(AstraClient(API_URL, ACCOUNT_ID, TOKEN))


def test_read_posture_lists_each_kind_once_and_only_the_estates_apps_per_app(lookups, fake_api):
    postgres = fake_api.add_app("postgres")
    fake_api.add_app("jenkins")
    fake_api.hooks.enable()
    fake_api.hooks.add_hook(postgres["id"], "h1", fake_api.hooks.add_source("quiesce")["id"])
    estate_read = read_posture(lookups, keys={"postgres@prod-east"})
    assert [(method, path) for method, path, _params in fake_api.calls()] == [
        ("GET", "topology/v1/clusters"), ("GET", "k8s/v2/apps"), ("GET", "k8s/v1/appMirrors"),
        ("GET", "k8s/v1/apps/%s/appSnaps" % postgres["id"]), ("GET", "k8s/v1/apps/%s/appBackups" % postgres["id"]),
        ("GET", "k8s/v1/apps/%s/schedules" % postgres["id"]), ("GET", "topology/v1/buckets"),
        ("GET", "topology/v1/namespaces"), ("GET", "core/v1/executionHooks")]
    params = dict((path.rsplit("/", 1)[1], query) for _method, path, query in fake_api.calls())
    assert params["appSnaps"] == {"include": "id,name,state,metadata,snapshotCreationTimestamp,hookState,hookStateDetails"}
    assert params["appBackups"] == {
        "include": "id,name,state,metadata,bucketID,backupCreationTimestamp,hookState,hookStateDetails"}
    assert params["namespaces"] == {"include": "name,namespaceState,clusterID,systemType"}
    assert params["executionHooks"] == {"include": "id,name,appID,action,stage,enabled"}
    assert estate_read["execution_hooks"][0]["appID"] == postgres["id"]
    assert fake_api.writes() == []


def test_read_posture_takes_problem_168_as_hooks_disabled_and_raises_other_errors(lookups, fake_api, monkeypatch):
    assert read_posture(lookups)["execution_hooks"] is None
    original = lookups.client.list

    def refusing(path, params=None, operation=None):
        if path == "core/v1/executionHooks":
            raise AstraApiError("List execution hooks", "GET", path, 403, {"type": "https://astra.netapp.io/problems/11"})
        return original(path, params, operation)
    monkeypatch.setattr(lookups.client, "list", refusing)
    with pytest.raises(AstraApiError):
        read_posture(lookups)
