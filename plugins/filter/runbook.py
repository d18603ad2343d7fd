# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The runbook engine (plugins/module_utils/runbook.py) as filters, for the runbook roles.

A filter is the right shape: every function is a pure function of facts the roles already hold (registered module
results, the run record), with no connection, no I/O and nothing to run on a remote host. The engine raises
RunbookError; here it becomes AnsibleFilterError, so a role that passes the wrong thing fails with the engine's
message.
"""

import functools

from ansible.errors import AnsibleFilterError

from ansible_collections.kubedr.astra.plugins.module_utils import runbook

FILTERS = (
    "normalise_apps", "waves", "wave_failures", "passed_results", "passed_values",
    "new_record", "record_step", "record_steps", "record_preflight", "record_results", "record_skipped_steps", "record_stop",
    "recovery_clusters", "record_ready", "record_clones", "record_kept_clones", "record_waited", "hook_runs",
    "execution_hook_runs", "hook_event_reads", "record_hook_events",
    "read_clusters", "managed_clusters", "find_apps", "find_mirrors", "find_clones", "namespace_mappings",
    "failback_phases", "preflight_findings", "preflight_failure", "preflight_summary",
    "report_apps", "report_summary", "seconds_between", "failure_message",
    "clone_outcomes", "describe_clones", "verdict_message", "select_apps", "run_stats", "stats_data",
    "published_reports",
)


def as_filter(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except runbook.RunbookError as error:
            raise AnsibleFilterError(str(error)) from None
    return wrapper


class FilterModule:
    def filters(self):
        return dict((name, as_filter(getattr(runbook, name))) for name in FILTERS)
