# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The filter plugin is the runbook engine as filters: every listed function, the engine's errors as filter errors."""

import pytest

from ansible.errors import AnsibleFilterError

import subprocess
import sys

from ansible_collections.kubedr.astra.plugins.filter import posture as posture_filters
from ansible_collections.kubedr.astra.plugins.filter.runbook import FILTERS, FilterModule
from ansible_collections.kubedr.astra.plugins.module_utils import posture, runbook


def test_every_filter_is_the_engine_function_of_that_name():
    filters = FilterModule().filters()
    assert sorted(filters) == sorted(FILTERS)
    for name, function in filters.items():
        assert function.__wrapped__ is getattr(runbook, name)
    assert posture_filters.FilterModule().filters()["record_posture"].__wrapped__ is posture.record_posture


def test_the_runbook_filters_import_no_input_models():
    """Ansible imports a filter file again in each task's worker: the runbook filters stay free of pydantic."""
    code = ("import sys; import ansible_collections.kubedr.astra.plugins.filter.runbook; "
            "print(sorted(name for name in sys.modules if name.split('.')[0] == 'pydantic'))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_engine_errors_become_filter_errors_with_the_engine_message():
    filters = FilterModule().filters()
    with pytest.raises(AnsibleFilterError, match="^new_record: app 'a@b' is listed twice$"):
        filters["new_record"]([{"key": "a@b"}, {"key": "a@b"}])
    with pytest.raises(AnsibleFilterError, match="seconds_between: end: 'later' is not an ISO 8601 timestamp"):
        filters["seconds_between"]("2025-01-31T09:30:00Z", "later")
    assert filters["seconds_between"]("2025-01-31T09:30:00Z", "2025-01-31T09:31:00Z") == 60.0
