# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""astra_execution_hooks_setting, astra_hook_source (module and action plugin), astra_execution_hook and
astra_execution_hook_info against the fake API."""

import base64
import hashlib
import json
from unittest import mock

import pytest

from ansible_collections.kubedr.astra.plugins.action import astra_hook_source as source_action
from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import CHECK_MODE_ID
from ansible_collections.kubedr.astra.plugins.modules import (
    astra_execution_hook,
    astra_execution_hook_info,
    astra_execution_hooks_setting,
    astra_hook_source,
)
from ansible_collections.kubedr.astra.tests.unit.fakes import TOKEN

SCRIPT = "#!/bin/sh\necho \"quiesce $1\"\n"
SETTING_PATH = "core/v1/settings/66666666-6666-4666-8666-666666666666"


@pytest.fixture
def enabled(fake_api):
    fake_api.hooks.enable()
    return fake_api


@pytest.fixture
def postgres(enabled):
    return enabled.add_app("postgres")


def checksum(script):
    return hashlib.md5(base64.b64encode(script.encode())).hexdigest()


# ---------------------------------------------------------------------- the setting

def test_setting_enables_hooks_once(fake_api, run_module):
    result, failed = run_module(astra_execution_hooks_setting, {"enabled": True}, diff=True)
    assert not failed and result["changed"] is True and result["execution_hooks_enabled"] is True
    assert result["diff"] == {"before": {"enabled": False}, "after": {"enabled": True}}
    assert fake_api.writes() == [("PUT", SETTING_PATH)]
    assert fake_api.bodies("PUT") == [{"type": "application/astra-setting", "version": "1.1",
                                       "desiredConfig": {"isEnabled": "true"}}]
    assert fake_api.calls("GET")[0] == ("GET", "core/v1/settings", {"filter": "name eq 'astra.account.executionHooks.enabled'"})
    fake_api.requests.clear()

    again, failed = run_module(astra_execution_hooks_setting, {"enabled": True})
    assert not failed and again["changed"] is False and again["setting"]["currentConfig"] == {"isEnabled": "true"}
    assert fake_api.writes() == [] and len(fake_api.requests) == 1


def test_setting_check_mode_predicts_without_writing(fake_api, run_module):
    result, failed = run_module(astra_execution_hooks_setting, {"enabled": True}, check=True)
    assert not failed and result["changed"] is True and result["execution_hooks_enabled"] is True
    assert fake_api.writes() == [] and not fake_api.hooks.enabled


# ---------------------------------------------------------------------- hooks disabled

@pytest.mark.parametrize("module, args", [
    (astra_hook_source, {"name": "quiesce", "content": SCRIPT}),
    (astra_execution_hook, {"app": "postgres", "name": "h", "action": "snapshot", "stage": "pre", "source": "q"}),
])
def test_disabled_hooks_fail_with_a_clear_message(fake_api, run_module, module, args):
    fake_api.add_app("postgres")
    result, failed = run_module(module, args)
    assert failed
    assert result["msg"].startswith("Execution hooks are disabled in the Astra Control account; enable them with "
                                    "kubedr.astra.astra_execution_hooks_setting (enabled: true) or in Astra Control "
                                    "(Account > Settings)"), result["msg"]
    assert result["status"] == 403 and result["problem"]["number"] == 168
    assert fake_api.writes() == [] and TOKEN not in json.dumps(result)


def test_info_returns_nothing_while_disabled(fake_api, run_module):
    result, failed = run_module(astra_execution_hook_info, {})
    assert not failed and result == dict(result, execution_hooks=[], execution_hooks_enabled=False)
    assert [path for _m, path, _p in fake_api.calls()] == ["core/v1/settings"]


# ---------------------------------------------------------------------- hook sources

def test_source_is_created_encoded_and_never_echoed(enabled, run_module):
    result, failed = run_module(astra_hook_source, {"name": "quiesce", "content": SCRIPT, "description": "Quiesce"},
                                diff=True)
    assert not failed and result["changed"] is True
    assert enabled.bodies("POST") == [{"type": "application/astra-hookSource", "version": "1.0", "name": "quiesce",
                                       "sourceType": "script", "source": base64.b64encode(SCRIPT.encode()).decode(),
                                       "description": "Quiesce"}]
    assert "source" not in result["hook_source"] and result["hook_source"]["sourceMD5Checksum"] == checksum(SCRIPT)
    assert result["diff"] == {"before": {}, "after": {"name": "quiesce", "description": "Quiesce",
                                                      "checksum": checksum(SCRIPT)}}
    enabled.requests.clear()

    again, failed = run_module(astra_hook_source, {"name": "quiesce", "content": SCRIPT, "description": "Quiesce"})
    assert not failed and again["changed"] is False and enabled.writes() == []
    assert enabled.calls() == [("GET", "core/v1/hookSources", {"filter": "name eq 'quiesce'"})]


def test_source_update_puts_the_new_script_and_keeps_the_description(enabled, run_module):
    source = enabled.hooks.add_source("quiesce", SCRIPT, description="kept")
    new_script = SCRIPT + "sync\n"
    predicted, failed = run_module(astra_hook_source, {"name": "quiesce", "content": new_script}, check=True, diff=True)
    assert not failed and predicted["changed"] is True and enabled.writes() == []
    assert predicted["diff"] == {"before": {"checksum": checksum(SCRIPT)}, "after": {"checksum": checksum(new_script)}}

    result, failed = run_module(astra_hook_source, {"name": "quiesce", "content": new_script})
    assert not failed and result["changed"] is True
    assert enabled.writes()[-1] == ("PUT", "core/v1/hookSources/" + source["id"])
    assert enabled.bodies("PUT")[-1] == {"type": "application/astra-hookSource", "version": "1.0", "name": "quiesce",
                                         "sourceType": "script", "source": base64.b64encode(new_script.encode()).decode(),
                                         "description": "kept"}
    assert result["hook_source"]["sourceMD5Checksum"] == checksum(new_script) and "source" not in result["hook_source"]


def test_source_from_a_file_read_by_the_module(enabled, run_module, tmp_path):
    script = tmp_path / "quiesce.sh"
    script.write_text(SCRIPT)
    result, failed = run_module(astra_hook_source, {"name": "quiesce", "src": str(script)})
    assert not failed and result["hook_source"]["sourceMD5Checksum"] == checksum(SCRIPT)


def test_a_used_source_is_not_deleted(enabled, run_module, postgres):
    source = enabled.hooks.add_source("quiesce")
    enabled.hooks.add_hook(postgres["id"], "pg-pre-snapshot", source["id"])
    result, failed = run_module(astra_hook_source, {"name": "quiesce", "state": "absent"})
    assert failed
    assert "hook source 'quiesce' is used by the execution hooks pg-pre-snapshot (app postgres)" in result["msg"]
    assert "state: absent" in result["msg"] and enabled.writes() == []
    assert "source" not in result["hook_source"]


def test_source_delete_and_rerun(enabled, run_module):
    source = enabled.hooks.add_source("quiesce")
    predicted, failed = run_module(astra_hook_source, {"name": "quiesce", "state": "absent"}, check=True)
    assert not failed and predicted["changed"] is True and enabled.writes() == []
    result, failed = run_module(astra_hook_source, {"name": "quiesce", "state": "absent"}, diff=True)
    assert not failed and result["changed"] is True and result["hook_source"] == {}
    assert result["diff"]["before"] == {"name": "quiesce", "description": "", "checksum": source["sourceMD5Checksum"]}
    assert enabled.writes() == [("DELETE", "core/v1/hookSources/" + source["id"])]
    again, failed = run_module(astra_hook_source, {"name": "quiesce", "state": "absent"})
    assert not failed and again["changed"] is False


def test_preloaded_sources_cannot_be_changed(enabled, run_module):
    enabled.hooks.add_source("netapp-mysql", SCRIPT, preloaded="true")
    for args in ({"content": SCRIPT + "x\n"}, {"state": "absent"}):
        result, failed = run_module(astra_hook_source, dict(args, name="netapp-mysql"))
        assert failed and "NetApp-provided hook sources cannot be changed or deleted" in result["msg"]
    assert enabled.writes() == []


def test_the_api_refusal_of_a_used_source_is_explained(enabled, run_module, postgres, monkeypatch):
    source = enabled.hooks.add_source("quiesce")
    enabled.hooks.add_hook(postgres["id"], "h", source["id"])
    monkeypatch.setattr(astra_hook_source, "hooks_using", lambda lookups, source: None)  # as when the list is refused
    result, failed = run_module(astra_hook_source, {"name": "quiesce", "state": "absent"})
    assert failed and "still used by an execution hook" in result["msg"] and result["problem"]["number"] == 72


def test_bad_scripts_fail_before_any_request(enabled, run_module):
    result, failed = run_module(astra_hook_source, {"name": "quiesce", "content": "#!/bin/sh\r\n"})
    assert failed and result["invalid_options"][0]["option"] == "content" and enabled.requests == []


# ---------------------------------------------------------------------- the action plugin

def action(args, found=None):
    plugin = source_action.ActionModule.__new__(source_action.ActionModule)
    plugin._task = mock.Mock(args=args)
    plugin._find_needle = mock.Mock(side_effect=found or source_action.AnsibleError("not found"))
    plugin._execute_module = mock.Mock(return_value={"changed": True})
    return plugin


def run_action(plugin):
    with mock.patch.object(source_action.ActionBase, "run", return_value={}):
        return plugin.run(task_vars={})


def test_action_reads_src_on_the_controller(tmp_path):
    script = tmp_path / "quiesce.sh"
    script.write_text(SCRIPT)
    plugin = action({"name": "quiesce", "src": "quiesce.sh", "api_url": "https://x"}, found=[str(script)])
    assert run_action(plugin) == {"changed": True}
    plugin._find_needle.assert_called_once_with("files", "quiesce.sh")
    sent = plugin._execute_module.call_args.kwargs
    assert sent["module_name"] == "kubedr.astra.astra_hook_source"
    assert sent["module_args"] == {"name": "quiesce", "content": SCRIPT, "api_url": "https://x"}


def test_action_refuses_missing_and_binary_files(tmp_path):
    missing = action({"name": "q", "src": "nope.sh"})
    result = run_action(missing)
    assert result["failed"] and result["msg"].startswith("Invalid input: src: the script file nope.sh was not found")
    binary = tmp_path / "binary"
    binary.write_bytes(b"\x00\x01")
    result = run_action(action({"name": "q", "src": "binary"}, found=[str(binary)]))
    assert result["failed"] and "src:" in result["msg"] and "not binary data" in result["msg"]


def test_action_leaves_content_and_src_together_to_the_module():
    plugin = action({"name": "q", "src": "a.sh", "content": SCRIPT})
    run_action(plugin)
    assert plugin._execute_module.call_args.kwargs["module_args"] == {"name": "q", "src": "a.sh", "content": SCRIPT}
    plugin._find_needle.assert_not_called()


# ---------------------------------------------------------------------- execution hooks

HOOK = {"app": "postgres", "cluster": "prod-east", "name": "pg-pre-snapshot", "action": "snapshot", "stage": "pre",
        "source": "quiesce", "arguments": ["pre", "--fast"],
        "matching_criteria": [{"type": "container_image", "value": "/postgresql:"},
                              {"type": "namespace_name", "value": "^postgres$"}]}


def test_hook_is_created_on_the_apps_path(enabled, run_module, postgres):
    source = enabled.hooks.add_source("quiesce")
    predicted, failed = run_module(astra_execution_hook, HOOK, check=True, diff=True)
    assert not failed and predicted["changed"] is True and enabled.writes() == []
    assert predicted["execution_hook"]["id"] == CHECK_MODE_ID and predicted["diff"]["after"]["source"] == "quiesce"

    result, failed = run_module(astra_execution_hook, HOOK)
    assert not failed and result["changed"] is True
    path = "k8s/v1/apps/%s/executionHooks" % postgres["id"]
    assert enabled.writes() == [("POST", path)]
    assert enabled.bodies("POST") == [{
        "type": "application/astra-executionHook", "version": "1.3", "name": "pg-pre-snapshot", "hookType": "custom",
        "appID": postgres["id"], "action": "snapshot", "stage": "pre", "hookSourceID": source["id"],
        "arguments": ["pre", "--fast"], "enabled": "true",
        "matchingCriteria": [{"type": "containerImage", "value": "/postgresql:"},
                             {"type": "namespaceName", "value": "^postgres$"}]}]
    assert result["execution_hook"]["matchingContainers"] and result["execution_hook"]["matchingImages"]


def test_hook_rerun_ignores_criteria_order_but_not_argument_order(enabled, run_module, postgres):
    source = enabled.hooks.add_source("quiesce")
    existing = enabled.hooks.add_hook(postgres["id"], "pg-pre-snapshot", source["id"], arguments=["pre", "--fast"],
                                      matchingCriteria=[{"type": "namespaceName", "value": "^postgres$"},
                                                        {"type": "containerImage", "value": "/postgresql:"}])
    result, failed = run_module(astra_execution_hook, HOOK)
    assert not failed and result["changed"] is False and enabled.writes() == []

    swapped = dict(HOOK, arguments=["--fast", "pre"], enabled=False)
    predicted, failed = run_module(astra_execution_hook, swapped, check=True, diff=True)
    assert not failed and predicted["changed"] is True and enabled.writes() == []
    assert predicted["diff"] == {"before": {"arguments": ["pre", "--fast"], "enabled": True},
                                 "after": {"arguments": ["--fast", "pre"], "enabled": False}}
    result, failed = run_module(astra_execution_hook, swapped)
    assert not failed and result["changed"] is True
    item = "k8s/v1/apps/%s/executionHooks/%s" % (postgres["id"], existing["id"])
    assert enabled.writes() == [("PUT", item)]
    body = enabled.bodies("PUT")[0]
    assert body["arguments"] == ["--fast", "pre"] and body["enabled"] == "false" and body["appID"] == postgres["id"]
    assert body["hookType"] == "custom" and None not in body.values()
    assert result["execution_hook"]["enabled"] == "false"


def test_hook_options_left_out_are_not_compared(enabled, run_module, postgres):
    source = enabled.hooks.add_source("quiesce")
    enabled.hooks.add_hook(postgres["id"], "h", source["id"], arguments=["x"], description="kept")
    result, failed = run_module(astra_execution_hook, {"app": "postgres", "name": "h", "action": "snapshot",
                                                       "stage": "pre", "source": source["id"]})
    assert not failed and result["changed"] is False


def test_pre_restore_is_refused_before_any_request(enabled, run_module, postgres):
    enabled.requests.clear()
    result, failed = run_module(astra_execution_hook, dict(HOOK, action="restore"))
    assert failed and "restore hooks run after the operation only; use stage: post" in result["msg"]
    assert enabled.requests == []


def test_unknown_source_names_the_option(enabled, run_module, postgres):
    enabled.hooks.add_source("other")
    result, failed = run_module(astra_execution_hook, HOOK)
    assert failed and result["invalid_options"][0]["option"] == "source"
    assert "no hook source named or identified by 'quiesce'; hook sources: other" in result["msg"]


def test_failover_hook_refusal_is_explained(enabled, run_module, postgres):
    enabled.hooks.add_source("quiesce")
    enabled.apps[postgres["id"]]["_destination"] = True
    result, failed = run_module(astra_execution_hook, dict(HOOK, action="failover", stage="post"))
    assert failed and "not eligible for failover hooks" in result["msg"] and "problem 162" in result["msg"]


def test_netapp_hooks_are_not_touched(enabled, run_module, postgres):
    source = enabled.hooks.add_source("quiesce")
    enabled.hooks.add_hook(postgres["id"], "pg-pre-snapshot", source["id"], hookType="netapp")
    result, failed = run_module(astra_execution_hook, dict(HOOK, state="absent"))
    assert failed and "NetApp-provided hooks cannot be created, changed or deleted" in result["msg"]
    assert enabled.writes() == []


def test_hook_delete(enabled, run_module, postgres):
    source = enabled.hooks.add_source("quiesce")
    existing = enabled.hooks.add_hook(postgres["id"], "pg-pre-snapshot", source["id"])
    args = {"app": "postgres", "name": "pg-pre-snapshot", "state": "absent"}
    result, failed = run_module(astra_execution_hook, args, diff=True)
    assert not failed and result["changed"] is True and result["execution_hook"] == {}
    assert result["diff"]["before"]["name"] == "pg-pre-snapshot" and result["diff"]["after"] == {}
    assert enabled.writes() == [("DELETE", "k8s/v1/apps/%s/executionHooks/%s" % (postgres["id"], existing["id"]))]
    again, failed = run_module(astra_execution_hook, args)
    assert not failed and again["changed"] is False


def test_info_lists_per_app_or_account_wide(enabled, run_module, postgres):
    source = enabled.hooks.add_source("quiesce")
    jenkins = enabled.add_app("jenkins")
    enabled.hooks.add_hook(postgres["id"], "pg", source["id"])
    enabled.hooks.add_hook(jenkins["id"], "jk", source["id"])
    result, failed = run_module(astra_execution_hook_info, {})
    assert not failed and result["execution_hooks_enabled"] is True
    assert sorted(item["name"] for item in result["execution_hooks"]) == ["jk", "pg"]
    result, failed = run_module(astra_execution_hook_info, {"app": "postgres", "name": "pg"})
    assert not failed and [item["name"] for item in result["execution_hooks"]] == ["pg"]
    assert enabled.calls()[-1] == ("GET", "k8s/v1/apps/%s/executionHooks" % postgres["id"], {"filter": "name eq 'pg'"})
