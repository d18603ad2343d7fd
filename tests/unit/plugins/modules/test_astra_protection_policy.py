# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import CHECK_MODE_ID
from ansible_collections.kubedr.astra.plugins.modules import astra_protection_policy
from ansible_collections.kubedr.astra.tests.unit.fakes import BUCKET

HOURLY = {"granularity": "hourly", "minute": 15, "snapshot_retention": 24, "backup_retention": 0}
DAILY = {"granularity": "daily", "minute": 30, "hour": 2, "snapshot_retention": 7, "backup_retention": 14, "bucket": "dr-bucket"}
CUSTOM = {"name": "every-30", "granularity": "custom", "snapshot_retention": 4, "backup_retention": 0,
          "recurrence_rule": "DTSTART:20250101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=30", "enabled": False}
MIRROR = {"name": "replication", "granularity": "custom", "replicate": "true", "snapshotRetention": "0",
          "backupRetention": "0", "recurrenceRule": "DTSTART:20220101T000500Z\nRRULE:FREQ=MINUTELY;INTERVAL=10",
          "minute": "0"}


@pytest.fixture
def wordpress(fake_api):
    return fake_api.add_app("wordpress")


def policy(*schedules, **extra):
    args = {"app": "wordpress", "cluster": "prod-east", "schedules": list(schedules)}
    args.update(extra)
    return args


def path(app, schedule_id=None):
    return "k8s/v1/apps/%s/schedules" % app["id"] + ("/%s" % schedule_id if schedule_id else "")


def test_create_posts_string_fields_and_second_run_is_unchanged(fake_api, run_module, wordpress):
    result, failed = run_module(astra_protection_policy, policy(HOURLY, DAILY, CUSTOM))

    assert not failed, result
    assert result["changed"] is True
    assert fake_api.writes() == [("POST", path(wordpress))] * 3
    assert fake_api.bodies("POST") == [
        {"type": "application/astra-schedule", "version": "1.2", "name": "hourly", "granularity": "hourly", "minute": "15",
         "snapshotRetention": "24", "backupRetention": "0", "enabled": "true", "replicate": "false"},
        {"type": "application/astra-schedule", "version": "1.2", "name": "daily", "granularity": "daily", "minute": "30",
         "hour": "2", "snapshotRetention": "7", "backupRetention": "14", "bucketID": BUCKET, "enabled": "true",
         "replicate": "false"},
        {"type": "application/astra-schedule", "version": "1.2", "name": "every-30", "granularity": "custom",
         "recurrenceRule": CUSTOM["recurrence_rule"], "snapshotRetention": "4", "backupRetention": "0",
         "enabled": "false", "replicate": "false"},
    ]
    returned = result["protection_policy"]
    assert returned["app_id"] == wordpress["id"] and returned["app_name"] == "wordpress"
    assert sorted(item["name"] for item in returned["schedules"]) == ["daily", "every-30", "hourly"]
    assert all(item["id"] != CHECK_MODE_ID for item in returned["schedules"])

    fake_api.requests.clear()
    again, failed = run_module(astra_protection_policy, policy(HOURLY, DAILY, CUSTOM))
    assert not failed and again["changed"] is False and fake_api.writes() == []


def test_api_strings_and_server_defaults_compare_equal(fake_api, run_module, wordpress):
    fake_api.add_schedule(wordpress["id"], name="hourly", granularity="hourly", minute="05", hour="*", dayOfWeek="*",
                          dayOfMonth="*", snapshotRetention="24", backupRetention="00", bucketID=BUCKET)
    fake_api.add_schedule(wordpress["id"], name="every-30", granularity="custom", minute="0",
                          recurrenceRule=CUSTOM["recurrence_rule"], snapshotRetention="4", backupRetention="0",
                          enabled="false")
    result, failed = run_module(astra_protection_policy, policy(dict(HOURLY, minute=5), CUSTOM))
    assert not failed and result["changed"] is False and fake_api.writes() == []


def test_update_in_place_puts_the_full_body(fake_api, run_module, wordpress):
    existing = fake_api.add_schedule(wordpress["id"], name="daily", granularity="daily", minute="30", hour="2",
                                     snapshotRetention="7", backupRetention="14", bucketID=BUCKET)
    changed = dict(DAILY, hour=3, snapshot_retention=10)
    del changed["bucket"]
    result, failed = run_module(astra_protection_policy, policy(changed), diff=True)

    assert not failed and result["changed"] is True
    assert fake_api.writes() == [("PUT", path(wordpress, existing["id"]))]
    assert fake_api.bodies("PUT") == [{
        "type": "application/astra-schedule", "version": "1.2", "name": "daily", "granularity": "daily", "minute": "30",
        "hour": "3", "snapshotRetention": "10", "backupRetention": "14", "bucketID": BUCKET, "enabled": "true",
        "replicate": "false"}]
    put = next(request for method, _path, _params, request in fake_api.requests if method == "PUT")
    assert put.headers["Content-Type"] == "application/astra-schedule+json"
    assert result["diff"]["before"]["schedules"][0]["hour"] == 2
    assert result["diff"]["after"]["schedules"][0]["hour"] == 3
    assert result["diff"]["after"]["schedules"][0]["snapshot_retention"] == 10

    fake_api.requests.clear()
    again, _failed = run_module(astra_protection_policy, policy(changed))
    assert again["changed"] is False and fake_api.writes() == []


def test_unlisted_protection_schedules_are_deleted_replication_is_kept(fake_api, run_module, wordpress):
    mirror = fake_api.add_schedule(wordpress["id"], **MIRROR)
    weekly = fake_api.add_schedule(wordpress["id"], name="weekly", granularity="weekly", minute="0", hour="4",
                                   dayOfWeek="0", snapshotRetention="1", backupRetention="8")
    result, failed = run_module(astra_protection_policy, policy(HOURLY))

    assert not failed and result["changed"] is True
    assert fake_api.writes() == [("DELETE", path(wordpress, weekly["id"])), ("POST", path(wordpress))]
    assert mirror["id"] in fake_api.schedules[wordpress["id"]]
    assert [item["name"] for item in result["protection_policy"]["schedules"]] == ["hourly"]


def test_absent_deletes_every_protection_schedule_but_not_replication(fake_api, run_module, wordpress):
    mirror = fake_api.add_schedule(wordpress["id"], **MIRROR)
    fake_api.add_schedule(wordpress["id"], name="hourly", granularity="hourly", minute="15", snapshotRetention="24",
                          backupRetention="0")
    result, failed = run_module(astra_protection_policy, {"app": "wordpress", "state": "absent"})
    assert not failed and result["changed"] is True
    assert list(fake_api.schedules[wordpress["id"]]) == [mirror["id"]]
    assert result["protection_policy"]["schedules"] == []

    fake_api.requests.clear()
    again, _failed = run_module(astra_protection_policy, {"app": "wordpress", "state": "absent"})
    assert again["changed"] is False and fake_api.writes() == []


def test_check_mode_predicts_exactly_without_writing(fake_api, run_module, wordpress):
    fake_api.add_schedule(wordpress["id"], name="weekly", granularity="weekly", minute="0", hour="4", dayOfWeek="0",
                          snapshotRetention="1", backupRetention="8")
    fake_api.add_schedule(wordpress["id"], name="hourly", granularity="hourly", minute="10", snapshotRetention="24",
                          backupRetention="0")
    predicted, failed = run_module(astra_protection_policy, policy(HOURLY, DAILY), check=True, diff=True)

    assert not failed and predicted["changed"] is True and fake_api.writes() == []
    schedules = dict((item["name"], item) for item in predicted["protection_policy"]["schedules"])
    assert sorted(schedules) == ["daily", "hourly"]
    assert schedules["daily"]["id"] == CHECK_MODE_ID and schedules["hourly"]["minute"] == "15"
    assert [item["name"] for item in predicted["diff"]["before"]["schedules"]] == ["hourly", "weekly"]
    assert [item["name"] for item in predicted["diff"]["after"]["schedules"]] == ["daily", "hourly"]

    real, _failed = run_module(astra_protection_policy, policy(HOURLY, DAILY))
    assert real["changed"] is True
    assert sorted(method for method, _path in fake_api.writes()) == ["DELETE", "POST", "PUT"]
    check_again, _failed = run_module(astra_protection_policy, policy(HOURLY, DAILY), check=True)
    assert check_again["changed"] is False


def test_check_mode_for_a_predicted_app(fake_api, run_module):
    result, failed = run_module(astra_protection_policy, {"app": CHECK_MODE_ID, "schedules": [HOURLY]}, check=True)
    assert not failed and result["changed"] is True and fake_api.requests == []


@pytest.mark.parametrize("schedule, option, rule", [
    (dict(HOURLY, minute=60), "schedules[0].minute", "less than or equal to 59"),
    (dict(DAILY, hour=None), "schedules[0]", "hour is required when granularity is daily"),
    (dict(HOURLY, hour=3), "schedules[0]", "hour is not used when granularity is hourly"),
    ({"granularity": "weekly", "minute": 0, "hour": 1, "day_of_week": 8, "snapshot_retention": 1, "backup_retention": 1},
     "schedules[0].day_of_week", "less than or equal to 7"),
    ({"granularity": "monthly", "minute": 0, "hour": 1, "snapshot_retention": 1, "backup_retention": 1},
     "schedules[0]", "day_of_month is required"),
    (dict(HOURLY, snapshot_retention=-1), "schedules[0].snapshot_retention", "greater than or equal to 0"),
    (dict(CUSTOM, name=None), "schedules[0]", "name is required when granularity is custom"),
    (dict(CUSTOM, recurrence_rule="FREQ=DAILY"), "schedules[0]", "recurrence_rule 'FREQ=DAILY' must have the form"),
    (dict(HOURLY, recurrence_rule=CUSTOM["recurrence_rule"]), "schedules[0]", "recurrence_rule is used only"),
])
def test_bad_schedules_fail_before_any_request(fake_api, run_module, schedule, option, rule):
    result, failed = run_module(astra_protection_policy, policy(schedule))
    assert failed, result
    assert option in result["msg"] and rule in result["msg"]
    assert fake_api.requests == []


def test_duplicate_names_and_timings_are_refused(fake_api, run_module):
    result, failed = run_module(astra_protection_policy, policy(HOURLY, dict(HOURLY, snapshot_retention=3)))
    assert failed and "both named 'hourly'" in result["msg"] and "same granularity and time" in result["msg"]
    assert fake_api.requests == []


def test_schedules_required_when_present(fake_api, run_module):
    result, failed = run_module(astra_protection_policy, {"app": "wordpress"})
    assert failed and "schedules" in result["msg"] and fake_api.requests == []


def test_empty_schedule_list_deletes_all(fake_api, run_module, wordpress):
    fake_api.add_schedule(wordpress["id"], name="hourly", granularity="hourly", minute="15", snapshotRetention="24",
                          backupRetention="0")
    result, failed = run_module(astra_protection_policy, policy())
    assert not failed and result["changed"] is True and fake_api.schedules[wordpress["id"]] == {}


def test_unknown_buckets_are_all_reported(fake_api, run_module, wordpress):
    result, failed = run_module(astra_protection_policy, policy(dict(HOURLY, bucket="nope"), dict(DAILY, bucket="gone")))
    assert failed
    assert [entry["option"] for entry in result["invalid_options"]] == ["schedules[0].bucket", "schedules[1].bucket"]
    assert fake_api.writes() == []
    assert [path for _method, path, _params in fake_api.calls()].count("topology/v1/buckets") == 1
