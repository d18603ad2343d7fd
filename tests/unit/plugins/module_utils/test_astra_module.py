# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import datetime
import json
import re
import ssl

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils import astra_module
from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import (
    CHECK_MODE_ID,
    astra_argument_spec,
    compare,
    is_check_mode_id,
    normalise,
    option_shape,
)
from ansible_collections.kubedr.astra.plugins.modules import astra_app, astra_bucket_info
from ansible_collections.kubedr.astra.tests.unit.fakes import TOKEN


def test_compare_reports_only_differing_user_keys():
    have = {"name": "shop", "state": "ready", "labels": ["a", "b"], "spec": {"x": 1, "y": 2}}
    assert compare({"labels": ["b", "a"], "spec": {"x": 1}, "other": None}, have) == ({}, {})
    before, after = compare({"labels": ["a"], "spec": {"x": 3}}, have)
    assert before == {"labels": ["a", "b"], "spec": {"x": 1}}
    assert after == {"labels": ["a"], "spec": {"x": 3}}


def test_compare_lists_of_dicts_as_multisets():
    want = {"items": [{"namespace": "b", "labelSelectors": ["y", "x"]}, {"namespace": "a", "labelSelectors": []}]}
    have = {"items": [{"namespace": "a", "labelSelectors": []}, {"namespace": "b", "labelSelectors": ["x", "y"]}]}
    assert compare(want, have) == ({}, {})
    assert compare({"items": [{"namespace": "a"}, {"namespace": "a"}]}, {"items": [{"namespace": "a"}]}) != ({}, {})


def test_compare_keeps_order_where_it_matters():
    want, have = {"namespaces": ["b", "a"]}, {"namespaces": ["a", "b"]}
    assert compare(want, have) == ({}, {})
    assert compare(want, have, ordered=("namespaces",)) == (have, want)


def test_normalise_drops_none_values():
    assert normalise({"a": None, "b": [3, 1, 2]}) == {"b": [1, 2, 3]}


def test_check_mode_id_is_recognisable():
    assert is_check_mode_id(CHECK_MODE_ID) and "check-mode" in CHECK_MODE_ID


def test_connection_options_and_their_environment_variables():
    spec = astra_argument_spec()
    assert spec["api_token"]["no_log"] is True
    env = {name: option["fallback"][1][0] for name, option in spec.items()}
    assert env == {"api_url": "ASTRA_API_URL", "account_id": "ASTRA_ACCOUNT_ID", "api_token": "ASTRA_API_TOKEN",
                   "actoolkit_config": "ASTRA_ACTOOLKIT_CONFIG", "validate_certs": "ASTRA_VALIDATE_CERTS",
                   "ca_path": "ASTRA_CA_PATH", "timeout": "ASTRA_TIMEOUT", "retry_timeout": "ASTRA_RETRY_TIMEOUT"}
    # Required and true by default, but actoolkit_config may give them: AstraModule applies both after reading it
    # (test_actoolkit_config.py).
    assert not any(option.get("required") for option in spec.values())
    assert "default" not in spec["validate_certs"]
    assert (spec["timeout"]["default"], spec["retry_timeout"]["default"]) == (30, 60)


def test_connection_comes_from_the_environment(fake_api, run_module, monkeypatch):
    monkeypatch.setenv("ASTRA_TIMEOUT", "9")
    monkeypatch.setenv("ASTRA_VALIDATE_CERTS", "false")
    result, failed = run_module(astra_bucket_info, {})
    assert not failed, result
    request = fake_api.requests[0][3]
    assert request.timeout == 9 and request.ssl_context.verify_mode == ssl.CERT_NONE


@pytest.mark.parametrize("option, value, message", [
    ("api_url", "astra.example.com", "must be an http:// or https:// URL"),
    ("api_url", "https://astra.example.com/accounts/2d8b8b9c-2f58-4c3e-9a1b-3c4d5e6f7a8b/k8s/v2/apps",
     "must be the base URL of Astra Control without /accounts/...; it looks like a full API URL: use "
     "https://astra.example.com and set account_id to 2d8b8b9c-2f58-4c3e-9a1b-3c4d5e6f7a8b"),
    ("api_url", "https://admin:secret@astra.example.com", "must not contain a user name or password"),
    ("timeout", 0, "must be at least 1"),
    ("retry_timeout", -1, "must be 0 (no retries) or more seconds"),
    ("account_id", " ", "must not be empty"),
    ("account_id", "2d8b8b9c-2f58-4c3e-9a1b-3c4d5e6f7a8b/../../x", "must be the account's UUID"),
    ("ca_path", "/nonexistent/ca.pem", "/nonexistent/ca.pem does not exist"),
])
def test_bad_connection_options_fail_before_any_request(fake_api, run_module, option, value, message):
    result, failed = run_module(astra_bucket_info, {option: value})
    assert failed and ("%s: %s" % (option, message)) in result["msg"]
    assert fake_api.requests == []


def test_every_argument_spec_error_is_reported_so_the_option_is_named(fake_api, run_module):
    # ansible-core's first error alone is "dictionary requested, could not parse JSON or key=value".
    result, failed = run_module(astra_app, {"name": "wordpress", "cluster": "prod-east", "namespaces": ["wordpress"]})
    assert failed
    assert "option 'namespaces'" in result["msg"] and result["msg"].startswith("dictionary requested"), result["msg"]
    assert fake_api.requests == []


def test_an_empty_ca_file_means_the_system_trust_store(fake_api, run_module, tmp_path):
    blank = tmp_path / "ca.pem"
    blank.write_text("\n")
    result, failed = run_module(astra_bucket_info, {"ca_path": str(blank)})
    assert not failed, result
    assert fake_api.requests[0][3].verified is True


def test_a_ca_file_that_holds_no_certificate_fails_the_task_cleanly(fake_api, run_module, tmp_path):
    garbage = tmp_path / "ca.pem"
    garbage.write_text("not a certificate")
    result, failed = run_module(astra_bucket_info, {"ca_path": str(garbage)})
    assert failed and result["msg"].startswith("Invalid input: ca_path: cannot load the CA certificates of the CA file")
    assert result["invalid_options"][0]["option"] == "ca_path" and "timing" in result
    assert fake_api.requests == []


def test_turning_validation_off_warns(fake_api, run_module, monkeypatch):
    warnings = []
    monkeypatch.setattr(astra_module.AstraModule, "warn", lambda self, message: warnings.append(message))
    result, failed = run_module(astra_bucket_info, {"validate_certs": False})
    assert not failed, result
    assert len(warnings) == 1 and "validate_certs is false" in warnings[0] and "ca_path" in warnings[0]


def test_api_errors_fail_with_the_problem_and_never_the_token(fake_api, run_module):
    result, failed = run_module(astra_bucket_info, {"api_token": "wrong-" + TOKEN})
    assert failed
    assert "Invalid bearer token" in result["msg"] and "HTTP 401" in result["msg"] and "problem 4" in result["msg"]
    assert result["status"] == 401 and result["problem"]["number"] == 4
    assert TOKEN not in json.dumps(result)
    assert len(fake_api.requests) == 1


def test_unexpected_errors_are_reported_without_the_token(fake_api, run_module, monkeypatch):
    def explode(module):
        raise RuntimeError("boom with %s inside" % TOKEN)
    monkeypatch.setattr(astra_bucket_info, "list_buckets", explode)
    result, failed = run_module(astra_bucket_info, {})
    assert failed and "RuntimeError: boom" in result["msg"]
    assert TOKEN not in json.dumps(result)


# ---------------------------------------------------------------------- timing

ISO_MS = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"


def test_every_result_carries_when_the_module_started_and_finished(fake_api, run_module, monkeypatch):
    moments = iter([datetime.datetime(2025, 1, 31, 9, 30, 0, 123456, tzinfo=datetime.timezone.utc),
                    datetime.datetime(2025, 1, 31, 9, 31, 2, 5000, tzinfo=datetime.timezone.utc)])
    monkeypatch.setattr(astra_module, "utc_now", lambda: next(moments))
    result, failed = run_module(astra_bucket_info, {})
    assert not failed, result
    assert result["timing"] == {"started": "2025-01-31T09:30:00.123Z", "finished": "2025-01-31T09:31:02.005Z"}


@pytest.mark.parametrize("args", [{"api_token": "wrong-" + TOKEN}, {"timeout": 0}])
def test_failures_carry_the_timing_too(fake_api, run_module, args):
    result, failed = run_module(astra_bucket_info, args)
    assert failed
    assert re.match(ISO_MS, result["timing"]["started"]) and re.match(ISO_MS, result["timing"]["finished"])
    assert result["timing"]["started"] <= result["timing"]["finished"]


def test_the_timing_says_when_the_api_accepted_the_last_write_only_when_there_was_one(fake_api, run_module):
    args = {"name": "wordpress", "cluster": "prod-east", "namespaces": [{"name": "wordpress"}]}
    predicted, failed = run_module(astra_app, args, check=True)
    assert not failed and predicted["changed"] and "accepted" not in predicted["timing"], predicted
    created, failed = run_module(astra_app, args)
    assert not failed and created["changed"], created
    timing = created["timing"]
    assert re.match(ISO_MS, timing["accepted"]) and timing["started"] <= timing["accepted"] <= timing["finished"]
    unchanged, failed = run_module(astra_app, args)
    assert not failed and not unchanged["changed"] and "accepted" not in unchanged["timing"], unchanged


def test_iso_time_converts_to_utc():
    moment = datetime.datetime(2025, 1, 31, 10, 30, 0, 999999, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    assert astra_module.iso_time(moment) == "2025-01-31T09:30:00.999Z"


# ---------------------------------------------------------------------- ensure_collection

def test_ensure_collection_deletes_then_updates_then_creates(fake_api, monkeypatch):
    from ansible_collections.kubedr.astra.plugins.module_utils.astra_client import AstraClient
    from ansible_collections.kubedr.astra.plugins.module_utils.kinds import schedule_kind
    from ansible_collections.kubedr.astra.plugins.module_utils.schedules import schedule_definition, schedule_fields
    from ansible_collections.kubedr.astra.tests.unit.fakes import ACCOUNT_ID, API_URL, TOKEN

    app = fake_api.add_app("wordpress")
    keep = fake_api.add_schedule(app["id"], name="keep", granularity="hourly", minute="1", snapshotRetention="1",
                                 backupRetention="0")
    change = fake_api.add_schedule(app["id"], name="change", granularity="hourly", minute="2", snapshotRetention="1",
                                   backupRetention="0")
    drop = fake_api.add_schedule(app["id"], name="drop", granularity="hourly", minute="3", snapshotRetention="1",
                                 backupRetention="0")

    class Module:
        check_mode = False
        client = AstraClient(API_URL, ACCOUNT_ID, TOKEN)

    path = "k8s/v1/apps/%s/schedules" % app["id"]

    def listed():
        return Module.client.list(path)

    def shape(name, minute):
        return {"name": name, "granularity": "hourly", "minute": minute, "snapshot_retention": 1, "backup_retention": 0,
                "bucket": None, "enabled": True}

    desired = [shape("keep", 1), shape("change", 20), shape("new", 4)]
    result = astra_module.AstraModule.ensure_collection(Module(), schedule_kind(app["id"]), listed, desired,
                                                        schedule_definition, schedule_fields)
    assert result["changed"] is True
    assert (result["created"], result["updated"], result["deleted"]) == (1, 1, 1)
    assert fake_api.writes() == [("DELETE", "%s/%s" % (path, drop["id"])), ("PUT", "%s/%s" % (path, change["id"])),
                                 ("POST", path)]
    assert sorted(item["name"] for item in result["items"]) == ["change", "keep", "new"]
    assert [item["name"] for item in result["before"]] == ["change", "drop", "keep"]
    assert [item["name"] for item in result["after"]] == ["change", "keep", "new"]
    assert keep["id"] in fake_api.schedules[app["id"]]


def test_option_shape_renames_known_keys_converts_values_and_drops_the_rest():
    names = (("name", "name"), ("clusterName", "cluster"), ("labelSelectors", "label_selectors", sorted))
    assert option_shape({"id": "x", "name": "shop", "clusterName": "prod-east", "labelSelectors": ["b", "a"]}, names) == {
        "name": "shop", "cluster": "prod-east", "label_selectors": ["a", "b"]}
    assert list(option_shape({"labelSelectors": [], "name": "shop"}, names)) == ["name", "label_selectors"]
    assert option_shape({}, names) == {} and option_shape(None, names) == {}


def test_diff_keys_are_option_names(fake_api, run_module):
    fake_api.add_app("postgres")
    wanted = [{"group": "rbac.authorization.k8s.io", "version": "v1", "kind": "ClusterRole", "label_selectors": ["app=pg"]}]
    result, failed = run_module(astra_app, {"name": "postgres", "cluster": "prod-east", "cluster_scoped_resources": wanted},
                                diff=True)
    assert not failed and result["changed"] is True
    assert result["diff"] == {"before": {"cluster_scoped_resources": []}, "after": {"cluster_scoped_resources": wanted}}
