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
    """The action with its module runs replaced: outcomes holds each read's result by its module's short name, as its
    own task would return it; a read that runs through astra_batch gets it as the batch's one run."""
    plugin = mock_action(ActionModule, args)
    plugin.started = []
    both_started = threading.Barrier(len(outcomes), timeout=10)

    def execute(module, module_args, task_vars, slots=None):
        plugin.started.append((module, module_args))
        both_started.wait()  # every read is under way before any ends: they run at the same time
        if module == "kubedr.astra.astra_batch":
            outcome = dict(outcomes[module_args["module"]])
            if outcome.pop("batch_refused", False):
                return outcome
            return {"changed": False, "failed": bool(outcome.get("failed")), "results": [outcome]}
        return dict(outcomes[module[len("kubedr.astra."):]])
    plugin._execute_isolated = execute
    return plugin


@pytest.fixture(autouse=True)
def defaults(monkeypatch):
    monkeypatch.setattr(info_batch, "module_defaults", lambda module, task, templar: {"api_url": "https://astra"})


def test_the_reads_run_at_once_each_result_under_its_name():
    outcomes = {"astra_cluster_info": {"changed": False, "clusters": [{"name": "prod-east"}]},
                "astra_app_mirror_info": {"changed": False, "app_mirrors": []},
                "astra_bucket_info": {"changed": False, "buckets": []}}
    plugin = action({"reads": {"clusters": {"module": "astra_cluster_info"},
                               "mirrors": {"module": "kubedr.astra.astra_app_mirror_info",
                                           "module_args": {"names": ["postgres"], "api_url": "https://other"}},
                               "buckets": {"module": "astra_bucket_info"}}},
                    outcomes)
    result = plugin.run(task_vars={})
    assert not result.get("failed") and result["changed"] is False
    assert result["results"] == {"clusters": outcomes["astra_cluster_info"], "mirrors": outcomes["astra_app_mirror_info"],
                                 "buckets": outcomes["astra_bucket_info"]}
    # module_defaults apply under each read's own options. The reads astra_batch runs go through it, each its one run
    # with the connection options the batch's own; a module it does not run (astra_bucket_info) runs as itself.
    assert sorted(plugin.started, key=repr) == sorted([
        ("kubedr.astra.astra_batch", {"api_url": "https://other", "module": "astra_app_mirror_info", "runs": [{"names": ["postgres"]}]}),
        ("kubedr.astra.astra_batch", {"api_url": "https://astra", "module": "astra_cluster_info", "runs": [{}]}),
        ("kubedr.astra.astra_bucket_info", {"api_url": "https://astra"})], key=repr)
    # Each module's payload is built once, before the threads: one for both batched reads.
    assert sorted(call.kwargs["module_name"] for call in plugin._configure_module.call_args_list) == [
        "kubedr.astra.astra_batch", "kubedr.astra.astra_bucket_info"]


def test_a_failed_read_fails_the_task_unless_told_to_go_on():
    outcomes = {"astra_cluster_info": {"failed": True, "msg": "401 Unauthorized"},
                "astra_execution_hook_info": {"changed": False, "execution_hooks": []}}
    reads = {"clusters": {"module": "astra_cluster_info"}, "hooks": {"module": "astra_execution_hook_info"}}
    result = action({"reads": reads}, outcomes).run(task_vars={})
    # The read's own message, not astra_batch's summary of its runs.
    assert result["failed"] and result["msg"] == "1 of 2 reads failed: clusters: 401 Unauthorized"
    going_on = action({"reads": reads, "fail_on_read_failure": False}, outcomes).run(task_vars={})
    assert not going_on.get("failed") and going_on["results"]["clusters"] == {"failed": True, "msg": "401 Unauthorized"}
    assert going_on["results"]["hooks"] == {"changed": False, "execution_hooks": []}


def test_a_batch_that_ran_no_read_fails_the_read_with_its_own_message():
    outcomes = {"astra_cluster_info": {"batch_refused": True, "failed": True, "rc": 1,
                                       "msg": "argument 'validate_certs' is of type str and we were unable to convert to bool"},
                "astra_execution_hook_info": {"changed": False, "execution_hooks": []}}
    reads = {"clusters": {"module": "astra_cluster_info"}, "hooks": {"module": "astra_execution_hook_info"}}
    result = action({"reads": reads, "fail_on_read_failure": False}, outcomes).run(task_vars={})
    assert result["results"]["clusters"] == {"failed": True, "rc": 1, "msg": outcomes["astra_cluster_info"]["msg"]}
    assert info_batch.read_result("kubedr.astra.astra_batch", {"failed": True}) == {
        "failed": True, "msg": "astra_batch returned no result"}


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
