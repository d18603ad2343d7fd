# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared fixtures: the fake Astra API, a fake clock for the plugins, and a module runner."""

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.kubedr.astra.plugins.module_utils import astra_client, waiter
from ansible_collections.kubedr.astra.tests.unit.fake_transport import FakeResponses
from ansible_collections.kubedr.astra.tests.unit.fakes import CONNECTION, FakeAstraApi, FakeTime


@pytest.fixture
def fake_time(monkeypatch):
    """No real sleeping anywhere in the plugins; waits and backoff advance a fake clock instead."""
    clock = FakeTime()
    monkeypatch.setattr(astra_client, "time", clock)
    monkeypatch.setattr(waiter, "time", clock)
    return clock


@pytest.fixture
def fake_api(fake_time, monkeypatch):
    api = FakeAstraApi()
    api.register(FakeResponses().install(monkeypatch))
    return api


class AnsibleExitJson(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


class AnsibleFailJson(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


def _module_runner(monkeypatch, connection):
    def exit_json(self, **kwargs):
        kwargs.setdefault("changed", False)
        raise AnsibleExitJson(kwargs)

    def fail_json(self, **kwargs):
        kwargs["failed"] = True
        raise AnsibleFailJson(kwargs)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)

    def run(module, args, check=False, diff=False):
        module_args = dict(CONNECTION) if connection else {}
        module_args.update(args)
        if check:
            module_args["_ansible_check_mode"] = True
        if diff:
            module_args["_ansible_diff"] = True
        with patch_module_args(module_args):
            try:
                module.main()
            except AnsibleExitJson as exc:
                return exc.result, False
            except AnsibleFailJson as exc:
                return exc.result, True
        raise AssertionError("the module neither exited nor failed")

    return run


@pytest.fixture
def run_module(monkeypatch):
    """run_module(module, args, check=False, diff=False) -> (result dict, failed bool), with the fake API's connection."""
    return _module_runner(monkeypatch, connection=True)


@pytest.fixture
def run_offline_module(monkeypatch):
    """The same for the modules that take no connection options (dr_report, dr_report_merge)."""
    return _module_runner(monkeypatch, connection=False)
