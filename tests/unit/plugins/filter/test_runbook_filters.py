# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The filter plugin is the runbook engine as filters: every listed function, the engine's errors as filter errors."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.kubedr.astra.plugins.filter.runbook import FILTERS, POSTURE_FILTERS, FilterModule
from ansible_collections.kubedr.astra.plugins.module_utils import posture, runbook


def test_every_filter_is_the_engine_function_of_that_name():
    filters = FilterModule().filters()
    assert sorted(filters) == sorted(FILTERS + POSTURE_FILTERS)
    for name, function in filters.items():
        assert function.__wrapped__ is getattr(posture if name in POSTURE_FILTERS else runbook, name)


def test_engine_errors_become_filter_errors_with_the_engine_message():
    filters = FilterModule().filters()
    with pytest.raises(AnsibleFilterError, match="^new_record: app 'a@b' is listed twice$"):
        filters["new_record"]([{"key": "a@b"}, {"key": "a@b"}])
    with pytest.raises(AnsibleFilterError, match="seconds_between: end: 'later' is not an ISO 8601 timestamp"):
        filters["seconds_between"]("2025-01-31T09:30:00Z", "later")
    assert filters["seconds_between"]("2025-01-31T09:30:00Z", "2025-01-31T09:31:00Z") == 60.0
