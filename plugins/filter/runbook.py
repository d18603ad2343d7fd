# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The runbook engine (plugins/module_utils/runbook.py) as filters, for the runbook roles.

A filter is the right shape: every function is a pure function of facts the roles already hold (registered module
results, the run record), with no connection, no I/O and nothing to run on a remote host. The engine raises
RunbookError; here it becomes AnsibleFilterError, so a role that passes the wrong thing fails with the engine's
message. The roles hold the run record packed into one string (runbook.pack_record says why): a filter unpacks any
packed record it is given, and the filters that make a record pack it.
"""

import functools

from ansible.errors import AnsibleFilterError

from ansible_collections.kubedr.astra.plugins.module_utils import runbook

FILTERS = (
    "normalise_apps", "waves", "wave_failures", "passed_results", "passed_values",
    "new_record", "record_step", "record_steps", "gather_step", "record_preflight", "record_results", "record_skipped_steps",
    "record_stop",
    "recovery_clusters", "record_ready", "record_clones", "record_kept_clones", "record_waited", "hook_runs",
    "execution_hook_runs", "hook_event_reads", "record_hook_events",
    "read_clusters", "managed_clusters", "find_apps", "find_mirrors", "find_clones", "namespace_mappings",
    "failback_phases", "preflight_findings", "preflight_failure", "preflight_summary",
    "report_apps", "report_summary", "seconds_between", "failure_message",
    "clone_outcomes", "describe_clones", "verdict_message", "select_apps", "run_stats", "stats_data",
    "published_reports", "clone_runs", "failover_runs", "mirror_runs",
)


# The filters that return a run record, and where in what they return: the whole of it, or under a key.
RECORD_RESULTS = dict(
    dict.fromkeys(("new_record", "record_step", "record_steps", "record_preflight", "record_results",
                   "record_skipped_steps", "record_stop", "record_clones", "record_kept_clones", "record_waited",
                   "record_hook_events"), None),
    record_ready="record",
)


def as_filter(function, returns_record=False, record_key=None):
    """function as a filter: packed records among its arguments unpacked, the record it returns (when returns_record:
    the whole result, or the value under record_key) packed, RunbookError as AnsibleFilterError."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        args = [runbook.unpack_record(value) for value in args]
        kwargs = dict((name, runbook.unpack_record(value)) for name, value in kwargs.items())
        try:
            result = function(*args, **kwargs)
        except runbook.RunbookError as error:
            raise AnsibleFilterError(str(error)) from None
        if not returns_record:
            return result
        if record_key is None:
            return runbook.pack_record(result)
        return dict(result, **{record_key: runbook.pack_record(result[record_key])})
    return wrapper


class FilterModule:
    def filters(self):
        return dict((name, as_filter(getattr(runbook, name), returns_record=name in RECORD_RESULTS,
                                     record_key=RECORD_RESULTS.get(name)))
                    for name in FILTERS)
