# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""kubedr.astra.dr_report's action: on the controller itself it writes what the module would, in this process;
anywhere else it runs the module."""

import json
import os
from unittest import mock

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.kubedr.astra.plugins.action.dr_report import ActionModule
from ansible_collections.kubedr.astra.plugins.modules import dr_report
from ansible_collections.kubedr.astra.tests.unit.plugins.action.action_mocks import mock_action
from ansible_collections.kubedr.astra.tests.unit.plugins.modules.test_dr_report import args


def action(task_args, transport="local", become=None, check_mode=False):
    plugin = mock_action(ActionModule, task_args, check_mode=check_mode, transport=transport, become=become)
    plugin._execute_module = mock.MagicMock(return_value={"changed": True, "report": {"from": "the module"}})
    return plugin


@pytest.mark.parametrize("timestamped", [True, False])
def test_on_the_controller_it_writes_what_the_module_writes_without_a_module_process(
        run_offline_module, tmp_path, timestamped):
    here, there = tmp_path / "action", tmp_path / "module"
    plugin = action(args(here, timestamped=timestamped))
    result = plugin.run(task_vars={})
    plugin._execute_module.assert_not_called()
    module_result, failed = run_offline_module(dr_report, args(there, timestamped=timestamped))
    assert not failed and result["changed"] is module_result["changed"] is True
    assert json.dumps(result["report"]).replace(str(here), "P") == json.dumps(module_result["report"]).replace(str(there), "P")
    directory = "drill-20250131T093000Z" if timestamped else ""
    for root in (here, there):
        assert sorted(os.listdir(str(root / directory))) == ["junit.xml", "report.html", "report.json"]
    mine = json.loads((here / directory / "report.json").read_text())
    theirs = json.loads((there / directory / "report.json").read_text())
    assert mine["apps"] == theirs["apps"] and mine["run"]["failed_apps"] == ["shop"]
    again = action(args(here, timestamped=timestamped)).run(task_vars={})
    assert again["changed"] is False  # the same run, the same files


def test_check_mode_writes_nothing_and_says_what_would_change(tmp_path):
    result = action(args(tmp_path), check_mode=True).run(task_vars={})
    assert result["changed"] is True and result["report"]["directory"] == str(tmp_path / "drill-20250131T093000Z")
    assert not tmp_path.exists() or os.listdir(str(tmp_path)) == []


def test_its_options_and_the_report_are_checked_as_the_module_checks_them(tmp_path):
    with pytest.raises(AnsibleActionFail, match="runbook must be one of"):
        action(args(tmp_path, runbook="dril")).run(task_vars={})
    with pytest.raises(AnsibleActionFail, match=r"apps\[0\].status"):
        action(args(tmp_path, apps=[{"name": "wordpress", "status": "ok"}])).run(task_vars={})
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    with pytest.raises(AnsibleActionFail, match="writing the report into .* failed"):
        action(args(blocked, timestamped=False)).run(task_vars={})


@pytest.mark.parametrize("transport, become", [("ssh", None), ("local", mock.sentinel.sudo)])
def test_on_another_host_or_as_another_user_the_module_runs(tmp_path, transport, become):
    plugin = action(args(tmp_path), transport=transport, become=become)
    result = plugin.run(task_vars={})
    plugin._execute_module.assert_called_once()
    assert plugin._execute_module.call_args.kwargs["module_name"] == "kubedr.astra.dr_report"
    assert result["report"] == {"from": "the module"} and not tmp_path.joinpath("drill-20250131T093000Z").exists()
