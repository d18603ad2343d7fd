# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""kubedr.astra.info_batch with the module runs replaced (the runbook tests run them for real)."""

import threading

import pytest
from ansible.errors import AnsibleError

from ansible_collections.kubedr.astra.plugins.action import info_batch
from ansible_collections.kubedr.astra.plugins.action.info_batch import ActionModule, plan_reads
from ansible_collections.kubedr.astra.tests.unit.plugins.action.action_mocks import mock_action


def action(args, outcomes):
    plugin = mock_action(ActionModule, args)
    plugin.started = []
    both_started = threading.Barrier(len(outcomes), timeout=10)

    def execute(module, module_args, task_vars, slots=None):
        plugin.started.append((module, module_args))
        both_started.wait()  # every read is under way before any ends: they run at the same time
        return dict(outcomes[module])
    plugin._execute_isolated = execute
    return plugin


@pytest.fixture(autouse=True)
def defaults(monkeypatch):
    monkeypatch.setattr(info_batch, "module_defaults", lambda module, task, templar: {"api_url": "https://astra"})


def test_the_reads_run_at_once_each_result_under_its_name():
    outcomes = {"kubedr.astra.astra_cluster_info": {"changed": False, "clusters": [{"name": "prod-east"}]},
                "kubedr.astra.astra_app_mirror_info": {"changed": False, "app_mirrors": []}}
    plugin = action({"reads": {"clusters": {"module": "astra_cluster_info"},
                               "mirrors": {"module": "kubedr.astra.astra_app_mirror_info",
                                           "module_args": {"names": ["postgres"], "api_url": "https://other"}}}},
                    outcomes)
    result = plugin.run(task_vars={})
    assert not result.get("failed") and result["changed"] is False
    assert result["results"] == {"clusters": outcomes["kubedr.astra.astra_cluster_info"],
                                 "mirrors": outcomes["kubedr.astra.astra_app_mirror_info"]}
    # module_defaults apply under each read's own options; each module's payload is built once, before the threads
    assert sorted(plugin.started) == [
        ("kubedr.astra.astra_app_mirror_info", {"names": ["postgres"], "api_url": "https://other"}),
        ("kubedr.astra.astra_cluster_info", {"api_url": "https://astra"})]
    assert sorted(call.kwargs["module_name"] for call in plugin._configure_module.call_args_list) == [
        "kubedr.astra.astra_app_mirror_info", "kubedr.astra.astra_cluster_info"]


def test_a_failed_read_fails_the_task_unless_told_to_go_on():
    outcomes = {"kubedr.astra.astra_cluster_info": {"failed": True, "msg": "401 Unauthorized"},
                "kubedr.astra.astra_execution_hook_info": {"changed": False, "execution_hooks": []}}
    reads = {"clusters": {"module": "astra_cluster_info"}, "hooks": {"module": "astra_execution_hook_info"}}
    result = action({"reads": reads}, outcomes).run(task_vars={})
    assert result["failed"] and result["msg"] == "1 of 2 reads failed: clusters: 401 Unauthorized"
    going_on = action({"reads": reads, "fail_on_read_failure": False}, outcomes).run(task_vars={})
    assert not going_on.get("failed") and going_on["results"]["clusters"]["failed"] is True
    assert going_on["results"]["hooks"] == {"changed": False, "execution_hooks": []}


@pytest.mark.parametrize("reads, problem", [
    ({"x": {"module": "astra_app"}}, "must name one of the collection's info modules"),
    ({"x": {"module": "ansible.builtin.uri"}}, "must name one of the collection's info modules"),
    ({"x": {"module": "kubedr.astra.dr_report"}}, "must name one of the collection's info modules"),
    ({"x": {"module": "astra_app_info", "args": {}}}, "must be a dict with module and module_args"),
    ({"x": "astra_app_info"}, "must be a dict with module and module_args"),
    ({"x": {"module": "astra_app_info", "module_args": ["names"]}}, "module_args must be a dict"),
])
def test_only_the_collection_s_info_modules_are_read(reads, problem):
    with pytest.raises(AnsibleError, match=problem):
        plan_reads(reads)
    assert plan_reads({"a": {"module": "astra_app_info"}}) == {"a": ("kubedr.astra.astra_app_info", {})}
