# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The activity log (core/v1/events): reading the events of one resource, or of the account, since a moment.

Astra Control records there what has no state of its own in the API, such as how the execution hooks of a
restore, clone or failover went. The log of a busy account is long, so a resource's events are asked for with the
API's filter; the time bound is applied here, on parsed times (the API compares strings).
"""

import datetime

from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import looks_like_id

EVENTS = "core/v1/events"
SEVERITIES = ("cleared", "indeterminate", "informational", "warning", "critical")


def parse_moment(value, option):
    """An ISO 8601 time with a zone (2025-01-31T09:30:00Z, ...+02:00) as an aware datetime."""
    text = str(value).strip()
    try:
        moment = datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise AstraValidationError(option, "must be an ISO 8601 time with a time zone, such as 2025-01-31T09:30:00Z; "
                                           "got %r" % value)
    return moment


def check_options(resource_id, since):
    """The problems of the options, all at once, before any request."""
    violations = []
    if resource_id is not None and not looks_like_id(resource_id):
        violations.append(("resource_id", "must be an Astra Control ID (a UUID); got %r" % resource_id))
    if since is not None:
        try:
            parse_moment(since, "since")
        except AstraValidationError as exc:
            violations.extend(exc.violations)
    if violations:
        raise AstraValidationError(violations=violations)


def _event_time(event):
    try:
        return parse_moment(event.get("eventTime"), "eventTime")
    except AstraValidationError:
        return None


def read_events(lookups, resource_id=None, since=None, severities=None):
    """The events whose resourceID is `resource_id` (every event without it), recorded at or after `since`, of the
    given severities, oldest first. Event times are whole seconds, so `since` counts from its whole second."""
    conditions = [("resourceID", resource_id)] if resource_id else []
    items = lookups.find_by_fields(EVENTS, conditions, what="events")
    bound = parse_moment(since, "since") if since else None
    kept = []
    for event in items:
        moment = _event_time(event)
        if bound is not None and (moment is None or moment < bound.replace(microsecond=0)):
            continue
        if severities and event.get("severity") not in severities:
            continue
        kept.append(event)
    return sorted(kept, key=lambda event: (event.get("eventTime") or "", event.get("sequenceCount") or 0))
