# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""astra_posture_info: the estate judged from one reading, with the request count and the bad input asserted."""

from ansible_collections.kubedr.astra.plugins.modules import astra_posture_info
from ansible_collections.kubedr.astra.tests.unit.fakes import DR_WEST, TOKEN

POLICY = [{"granularity": "hourly", "minute": 0, "snapshot_retention": 24, "backup_retention": 0}]


def checks(app):
    return dict((check["name"], check["status"]) for check in app["checks"])


def test_the_estate_from_one_list_per_kind_and_three_per_app(fake_api, run_module):
    postgres = fake_api.add_app("postgres", namespaces=["postgres"])
    fake_api.add_schedule(postgres["id"], name="hourly", granularity="hourly", minute="0", snapshotRetention="24",
                          backupRetention="0")
    fake_api.add_snapshot(postgres["id"], "hourly-1", created=fake_api.timestamp())
    fake_api.add_mirror(postgres["id"], DR_WEST)
    fake_api.add_app("jenkins", namespaces=["jenkins"])
    shop = [{"name": "shop", "cluster": "prod-east", "namespaces": [{"name": "shop-db"}], "wave": 3}]
    result, failed = run_module(astra_posture_info, {
        "apps": [{"name": "postgres", "cluster": "prod-east", "expect_mirror": False}] + shop,
        "rpo_target_seconds": 3600, "policy": POLICY, "bucket": "dr-bucket"}, check=True)
    assert not failed and result["changed"] is False
    postgres_checks, shop_checks = [checks(app) for app in result["posture"]["apps"]]
    assert postgres_checks == {"managed": "passed", "protection policy": "passed", "snapshot": "failed",
                               "backup": "failed", "backup bucket": "skipped"}
    assert shop_checks == {"managed": "failed"}
    # The fake gives the trident namespace no systemType; default is ignored; postgres on dr-west is the replica.
    assert result["posture"]["unprotected"] == {"apps": ["jenkins@prod-east"], "namespaces": [
        "billing@prod-east", "shop-db@prod-east", "shop-frontend@prod-east", "trident@dr-west", "trident@prod-east", "wordpress@prod-east"]}
    assert result["posture"]["passed"] is False and result["posture"]["hooks_enabled"] is False
    calls = [path for method, path, _params in fake_api.calls()]
    assert len(calls) == 6 + 3 and all(method == "GET" for method, _path, _params in fake_api.calls())
    assert TOKEN not in str(result)


def test_without_entries_every_managed_app_is_judged(fake_api, run_module):
    fake_api.add_app("postgres")
    fake_api.add_app("postgres", DR_WEST)
    result, failed = run_module(astra_posture_info, {"unprotected": False})
    assert not failed
    assert [app["key"] for app in result["posture"]["apps"]] == ["postgres@prod-east", "postgres@dr-west"]
    assert result["posture"]["unprotected"] == {"apps": [], "namespaces": []}
    assert checks(result["posture"]["apps"][0])["snapshot"] == "failed"


def test_bad_entries_and_policy_fail_before_any_request(fake_api, run_module):
    daily_without_hour = {"granularity": "daily", "minute": 0, "snapshot_retention": 1, "backup_retention": 1}
    result, failed = run_module(astra_posture_info, {"apps": [{"name": "postgres"}], "policy": [daily_without_hour]})
    assert failed
    assert [item["option"] for item in result["invalid_options"]] == ["apps[0].cluster", "policy[0]"]
    assert "hour is required when granularity is daily" in result["msg"]
    assert fake_api.calls() == []
