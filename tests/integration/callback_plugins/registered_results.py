# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test helper: write what each task registers to the JSON file named by KUBEDR_TEST_RESULTS_FILE.

The integration tests read module results from this file instead of adding a task that copies them to disk: a copy
task is a module run of its own, and it costs as much as the task under test.
"""

from __future__ import annotations

DOCUMENTATION = """
name: registered_results
type: aggregate
short_description: write registered task results to a JSON file (kubedr.astra integration tests only)
description:
  - Writes a mapping of register name to result, once the playbook ends, to the file in C(KUBEDR_TEST_RESULTS_FILE),
    with what C(set_stats) published (not per host) under C(_set_stats).
requirements:
  - enabled in callbacks_enabled
"""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "registered_results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._results = {}

    def _keep(self, result, failed=None):
        task = getattr(result, "task", None) or result._task
        name = task.register
        if name:
            data = getattr(result, "result", None)
            if data is None:
                data = result._result
            # As `register` keeps it: no internal keys, no invocation, and `failed` set on every run that was not skipped.
            kept = {key: value for key, value in data.items() if key != "invocation" and not str(key).startswith("_ansible")}
            if failed is not None:
                kept["failed"] = failed
            self._results[name] = kept

    def v2_runner_on_ok(self, result):
        self._keep(result, failed=False)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._keep(result, failed=True)

    def v2_runner_on_skipped(self, result):
        self._keep(result)

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("KUBEDR_TEST_RESULTS_FILE")
        if path:
            # With them, under _set_stats, what set_stats published not per host (what AWX keeps as a job's artifacts).
            results = dict(self._results, _set_stats=(getattr(stats, "custom", None) or {}).get("_run", {}))
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(results, handle, default=str)
