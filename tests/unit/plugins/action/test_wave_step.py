# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""kubedr.astra.wave_step and step_arguments with the module runs replaced (the runbook tests run them for real)."""

import threading
from unittest import mock

import pytest
from ansible.errors import AnsibleError

from ansible_collections.kubedr.astra.plugins.action import wave_step
from ansible_collections.kubedr.astra.plugins.action.step_arguments import ActionModule as StepArguments
from ansible_collections.kubedr.astra.plugins.action.wave_step import ActionModule, plan_runs, run_module
from ansible_collections.kubedr.astra.tests.unit.plugins.action.action_mocks import mock_action


# A module kubedr.astra.astra_batch does not run: each run is its own module process.
ONE_BY_ONE = "kubedr.astra.astra_app_restore"


def arguments(name, module=ONE_BY_ONE, **extra):
    return dict({"module": module, "module_args": {"name": name}, "changed": False, "item": {"name": name, "key": name},
                 "ansible_loop_var": "item"}, **extra)


def action(args, check_mode=False):
    return mock_action(ActionModule, args, check_mode=check_mode)


@pytest.fixture(autouse=True)
def no_module_defaults(monkeypatch):
    monkeypatch.setattr(wave_step, "module_defaults", lambda module, task, templar: {})


def test_only_the_collections_modules_run():
    assert run_module("kubedr.astra.astra_app_clone") == ("kubedr.astra.astra_app_clone", None)
    for bad in ("ansible.builtin.command", "astra_app_clone", "kubedr.astra.sub.module", None):
        module, problem = run_module(bad)
        assert module is None and "kubedr.astra module" in problem


def test_skipped_and_failed_entries_pass_through_and_bad_ones_fail_alone():
    runs = [arguments("postgres"), {"skipped": True, "item": {"name": "shop"}},
            {"failed": True, "msg": "'dict object' has no attribute 'x'", "item": {"name": "jenkins"}},
            dict(arguments("wordpress"), module_args="name=wordpress")]
    started, passed = plan_runs(runs)
    assert started == [(0, ONE_BY_ONE, {"name": "postgres"})]
    assert passed[1]["skipped"] and passed[2]["msg"] == "'dict object' has no attribute 'x'"
    assert passed[3]["failed"] and "module_args must be a dict" in passed[3]["msg"]


def test_one_step_runs_one_module():
    with pytest.raises(AnsibleError, match="must run one module"):
        plan_runs([arguments("postgres"), arguments("shop", module="kubedr.astra.astra_app_mirror")])


def test_every_run_goes_at_once_and_results_keep_the_order_of_the_runs(monkeypatch):
    together = threading.Barrier(3, timeout=10)
    calls = []

    def execute(self, module_name=None, module_args=None, task_vars=None):
        calls.append((module_name, dict(module_args), self._connection._shell))
        together.wait()  # fails unless all three runs are in their module at the same time
        return {"changed": module_args["name"] != "jenkins", "app": {"name": module_args["name"]},
                "timing": {"started": "2026-01-01T00:00:00.000Z", "finished": "2026-01-01T00:01:00.000Z"}}

    monkeypatch.setattr(ActionModule, "_execute_module", execute)
    monkeypatch.setattr(wave_step, "module_defaults", lambda module, task, templar: {"timeout": 5, "name": "default"})
    runs = [arguments("postgres"), {"skipped": True, "skip_reason": "Conditional result was False", "item": {"name": "shop"}},
            arguments("wordpress"), arguments("jenkins")]
    plugin = action({"runs": runs, "step": "clone", "labels": ["p", "s", "w", "j"]})
    result = plugin.run(task_vars={})
    assert not result.get("failed") and result["changed"] and result["failed_jobs"] == 0
    assert [entry["label"] for entry in result["results"]] == ["p", "s", "w", "j"]
    assert [entry.get("app", {}).get("name") for entry in result["results"]] == ["postgres", None, "wordpress", "jenkins"]
    assert [entry["report_step"]["status"] for entry in result["results"]] == ["passed", "skipped", "passed", "passed"]
    assert result["results"][3]["report_step"]["message"] == "already done: nothing changed"
    assert result["results"][0]["item"] == {"name": "postgres", "key": "postgres"}
    assert all("module_args" not in entry and "module" not in entry for entry in result["results"])
    # module_defaults under every run's own arguments; one temporary-file shell per run, none shared with the task's
    assert sorted(args["name"] for _module, args, _shell in calls) == ["jenkins", "postgres", "wordpress"]
    assert all(args["timeout"] == 5 for _module, args, _shell in calls)
    shells = [shell for _module, _args, shell in calls]
    assert len(set(map(id, shells))) == 3 and id(plugin._connection._shell) not in set(map(id, shells))
    plugin._configure_module.assert_called_once()


def test_max_parallel_bounds_the_runs_going_at_once(monkeypatch):
    lock, state = threading.Lock(), {"now": 0, "most": 0}
    pair = threading.Barrier(2, timeout=10)

    def execute(self, module_name=None, module_args=None, task_vars=None):
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        pair.wait()
        with lock:
            state["now"] -= 1
        return {"changed": False}

    monkeypatch.setattr(ActionModule, "_execute_module", execute)
    result = action({"runs": [arguments(str(n)) for n in range(6)], "step": "check", "max_parallel": 2}).run(task_vars={})
    assert result["failed_jobs"] == 0 and state["most"] == 2


def test_a_failing_run_fails_the_step_after_the_others_ended(monkeypatch):
    def execute(self, module_name=None, module_args=None, task_vars=None):
        if module_args["name"] == "shop":
            raise AnsibleError("the module could not be found")
        if module_args["name"] == "jenkins":
            return {"failed": True, "msg": "Invalid input: backup: no backup named nightly"}
        return {"changed": True}

    monkeypatch.setattr(ActionModule, "_execute_module", execute)
    runs = [arguments("postgres"), arguments("shop"), arguments("jenkins")]
    result = action({"runs": runs, "step": "clone", "title": "drill wave 1 clone"}).run(task_vars={})
    assert result["failed"] and result["failed_jobs"] == 2
    assert result["msg"].startswith("2 of 3 app(s) of drill wave 1 clone failed: shop: the module could not run: ")
    assert "jenkins: Invalid input: backup: no backup named nightly" in result["msg"]
    assert result["results"][0]["report_step"]["status"] == "passed"
    recorded = action({"runs": runs, "step": "clone", "fail_on_job_failure": False}).run(task_vars={})
    assert not recorded.get("failed") and recorded["failed_jobs"] == 2


def test_a_run_still_going_after_wait_timeout_is_reported_failed(monkeypatch):
    release = threading.Event()

    def execute(self, module_name=None, module_args=None, task_vars=None):
        if module_args["name"] == "slow":
            release.wait(10)
        return {"changed": True}

    monkeypatch.setattr(ActionModule, "_execute_module", execute)
    try:
        result = action({"runs": [arguments("fast"), arguments("slow")], "step": "clone", "wait_timeout": 0.3,
                         "progress_interval": 0.1}).run(task_vars={})
    finally:
        release.set()
    assert result["failed"] and result["failed_jobs"] == 1
    assert result["results"][0]["report_step"]["status"] == "passed"
    assert "had not finished after" in result["results"][1]["msg"] and "may still be running" in result["results"][1]["msg"]


@pytest.mark.parametrize("option,value", [("wait_timeout", 0), ("progress_interval", -1), ("max_parallel", -1)])
def test_bad_limits_are_refused(option, value):
    with pytest.raises(AnsibleError, match=option):
        action({"runs": [], "step": "clone", option: value}).run(task_vars={})


def test_step_arguments_returns_its_arguments_and_runs_nothing():
    task = mock.MagicMock()
    task.args = {"module": "kubedr.astra.astra_app_snapshot", "module_args": {"app": "a1", "name": "initial"}}
    task.async_val = 0
    task.check_mode = True
    plugin = StepArguments(task, mock.MagicMock(), mock.MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    plugin._execute_module = mock.MagicMock()
    result = plugin.run(task_vars={})
    assert result["module"] == "kubedr.astra.astra_app_snapshot" and result["module_args"] == {"app": "a1", "name": "initial"}
    assert result["changed"] is False and not plugin._execute_module.called
    task.args = {"module": "ansible.builtin.shell", "module_args": {}}
    with pytest.raises(AnsibleError, match="kubedr.astra module"):
        plugin.run(task_vars={})


# ---------------------------------------------------------------------- the modules astra_batch runs

def batched(name, **extra):
    return arguments(name, module="kubedr.astra.astra_app_clone", **extra)


def test_a_step_of_a_batched_module_is_one_astra_batch_run_with_the_connection_set_once(monkeypatch):
    calls = []

    def execute(self, module_name=None, module_args=None, task_vars=None):
        calls.append((module_name, module_args))
        return {"changed": True, "failed": True, "msg": "1 of 3 runs of astra_app_clone failed: runs[2]", "results": [
            {"changed": True, "app": {"name": run["name"]}, "timing": {"finished": "2026-01-01T00:00:00.000Z"}}
            if run["name"] != "jenkins" else {"failed": True, "msg": "Invalid input: no backup"}
            for run in module_args["runs"]]}

    monkeypatch.setattr(ActionModule, "_execute_module", execute)
    monkeypatch.setattr(wave_step, "module_defaults", lambda module, task, templar: {
        "api_url": "https://astra.example", "api_token": "t0ken", "wait_timeout": 900})
    runs = [batched("postgres"), {"skipped": True, "item": {"name": "shop"}}, batched("wordpress"), batched("jenkins")]
    result = action({"runs": runs, "step": "clone", "max_parallel": 2, "wait_timeout": 60,
                     "fail_on_job_failure": False}).run(task_vars={})
    assert [module for module, _args in calls] == ["kubedr.astra.astra_batch"]
    batch = calls[0][1]
    assert (batch["module"], batch["max_parallel"], batch["wait_timeout"]) == ("astra_app_clone", 2, 60)
    # the connection options once, on the batch; each run's own options over the module's defaults
    assert (batch["api_url"], batch["api_token"]) == ("https://astra.example", "t0ken")
    assert batch["runs"] == [{"name": "postgres", "wait_timeout": 900}, {"name": "wordpress", "wait_timeout": 900},
                             {"name": "jenkins", "wait_timeout": 900}]
    assert [entry.get("app", {}).get("name") for entry in result["results"]] == ["postgres", None, "wordpress", None]
    assert [entry["report_step"]["status"] for entry in result["results"]] == ["passed", "skipped", "passed", "failed"]
    assert result["failed_jobs"] == 1 and result["results"][3]["msg"] == "Invalid input: no backup"


def test_runs_with_different_connections_go_to_different_batches(monkeypatch):
    calls = []

    def execute(self, module_name=None, module_args=None, task_vars=None):
        calls.append(module_args)
        return {"changed": False, "results": [{"changed": False} for _run in module_args["runs"]]}

    monkeypatch.setattr(ActionModule, "_execute_module", execute)
    runs = [batched("a", module_args={"name": "a", "api_url": "https://one"}),
            batched("b", module_args={"name": "b", "api_url": "https://two"}),
            batched("c", module_args={"name": "c", "api_url": "https://one"})]
    result = action({"runs": runs, "step": "clone"}).run(task_vars={})
    assert result["failed_jobs"] == 0
    assert sorted((call["api_url"], [run["name"] for run in call["runs"]]) for call in calls) == [
        ("https://one", ["a", "c"]), ("https://two", ["b"])]


def test_a_batch_that_could_not_run_fails_each_of_its_runs_with_its_reason(monkeypatch):
    def execute(self, module_name=None, module_args=None, task_vars=None):
        return {"failed": True, "msg": "MODULE FAILURE", "module_stderr": "Traceback ...", "rc": 1}

    monkeypatch.setattr(ActionModule, "_execute_module", execute)
    result = action({"runs": [batched("a"), batched("b")], "step": "clone", "fail_on_job_failure": False}).run(task_vars={})
    assert result["failed_jobs"] == 2
    for entry in result["results"]:
        assert entry["msg"] == "the step did not run: MODULE FAILURE" and entry["module_stderr"] == "Traceback ..."
        assert entry["report_step"]["status"] == "failed"


def test_each_run_of_a_batch_is_reported_with_its_own_end():
    started = wave_step.parse_time("2026-01-01T00:00:00Z", "start").timestamp()
    assert wave_step.run_duration({"timing": {"finished": "2026-01-01T00:00:42.500Z"}}, started, 99.0) == 42.5
    assert wave_step.run_duration({"changed": True}, started, 99.0) == 99.0
    assert wave_step.run_duration({"timing": {"finished": "not a time"}}, started, 99.0) == 99.0
