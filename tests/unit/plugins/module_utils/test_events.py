# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.events import EVENTS, check_options, read_events

APP_ID = "0d8b1b4e-3f0c-4a51-9c57-5f3c9a0a6b8e"


class Lookups:
    """Records what read_events asks for and answers with the given events."""

    def __init__(self, items):
        self.items, self.asked = items, []

    def find_by_fields(self, path, conditions, what=None):
        self.asked.append((path, conditions, what))
        return list(self.items)


def event(number, time, severity="informational"):
    return {"id": "e%d" % number, "sequenceCount": number, "eventTime": time, "severity": severity}


def test_events_of_a_resource_are_filtered_by_the_api_and_bounded_in_time_and_severity_here():
    items = [event(3, "2025-01-31T09:35:00Z", "warning"), event(1, "2025-01-31T09:29:59Z"),
             event(2, "2025-01-31T09:30:00Z"), event(4, "not a time")]
    lookups = Lookups(items)
    # event times are whole seconds: the bound counts from its whole second
    found = read_events(lookups, APP_ID, since="2025-01-31T09:30:00.640Z")
    assert [item["id"] for item in found] == ["e2", "e3"]
    assert lookups.asked == [(EVENTS, [("resourceID", APP_ID)], "events")]
    assert [item["id"] for item in read_events(lookups, since="2025-01-31T10:30:00+01:00", severities=["warning"])] == ["e3"]
    assert lookups.asked[-1] == (EVENTS, [], "events")
    # without bounds: every event, ordered by eventTime as the API writes it
    assert [item["id"] for item in read_events(lookups)] == ["e1", "e2", "e3", "e4"]


@pytest.mark.parametrize("resource_id, since, expected", [
    ("postgres", None, [("resource_id", "must be an Astra Control ID (a UUID); got 'postgres'")]),
    (None, "2025-01-31T09:30:00", [("since", "must be an ISO 8601 time with a time zone, such as 2025-01-31T09:30:00Z; "
                                             "got '2025-01-31T09:30:00'")]),
    ("x", "yesterday", [("resource_id", "must be an Astra Control ID (a UUID); got 'x'"),
                        ("since", "must be an ISO 8601 time with a time zone, such as 2025-01-31T09:30:00Z; got 'yesterday'")]),
])
def test_options_are_checked_all_at_once_before_any_request(resource_id, since, expected):
    with pytest.raises(AstraValidationError) as raised:
        check_options(resource_id, since)
    assert raised.value.violations == expected


def test_valid_options_pass():
    assert check_options(APP_ID, "2025-01-31T09:30:00Z") is None and check_options(None, None) is None
