# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Protection posture: each check of an app against the estate, with the ages and the verdicts asserted."""

import datetime

from ansible_collections.kubedr.astra.plugins.module_utils.posture import (
    age_seconds,
    app_posture,
    policy_differences,
    unprotected,
)

NOW = datetime.datetime(2025, 1, 31, 12, 0, 0, tzinfo=datetime.timezone.utc)
DAILY = {"name": "daily", "granularity": "daily", "minute": 0, "hour": 2, "snapshot_retention": 7, "backup_retention": 7,
         "enabled": True, "bucket": None}
HOURLY = {"name": "hourly", "granularity": "hourly", "minute": 15, "snapshot_retention": 24, "backup_retention": 0,
          "enabled": True, "bucket": None}
ENTRY = {"key": "postgres@prod-east", "name": "postgres", "cluster": "prod-east", "destination_cluster": "dr-west",
         "rpo_target_seconds": 3600}
APP = {"id": "a1", "name": "postgres", "clusterName": "prod-east", "state": "ready"}


def mirror(state="established", health="normal", source="a1", completed="2025-01-31T11:40:00Z", source_cluster="prod-east"):
    return {"state": state, "healthState": health, "sourceAppID": source, "sourceClusterName": source_cluster,
            "transferStateDetails": [{"additionalDetails": {"snapshotID": "s9", "completionTime": completed}}]}


def facts(**more):
    found = {"app": APP, "schedules": [DAILY, HOURLY], "mirror": mirror(), "bucket_names": {"b1": "dr-backups"},
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
    assert found["hooks"]["message"] == "the execution hooks of the newest snapshot hourly-1 succeeded"
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
                    "hookState": "failed", "hookStateDetails": [{"message": "pg_start_backup timed out"}]}
    checks = by_name(app_posture(ENTRY, facts(backup=newer_backup), {"hooks": True}, NOW))
    assert checks["hooks"]["message"] == ("the execution hooks of the newest backup daily-2 failed: pg_start_backup "
                                          "timed out")
    crash = by_name(app_posture(ENTRY, facts(snapshot={"name": "s", "snapshotCreationTimestamp": "2025-01-31T11:59:00Z"}),
                                {"hooks": True}, NOW))
    assert crash["hooks"]["status"] == "failed"
    assert crash["hooks"]["message"] == ("no execution hook ran for the newest snapshot s: it is crash-consistent, not "
                                         "app-consistent")


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
