# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a runbook concludes from its run record: why it stopped, what it left behind, its closing message.

Standard library only. Everything here is derived from what the record says happened, never from what the run
meant to do: a clone counts as removed only when its removal step passed, an app as done only when its wave ended.
The record is the one kept by the kubedr.astra.record_* filters: app key -> {app, steps, astra_ids, notes, ...}.
"""

import copy
import datetime

STOPPED_STEP = "run stopped"
NO_MESSAGE = "failed (no message)"
# What Ansible leaves a rescue when an included file cannot be loaded: neither ansible_failed_task nor _result.
UNLOADABLE_INCLUDE = ("a task file it includes could not be found or loaded (Ansible passes no details to the rescue; "
                      "the error is in the output above)")


def parse_time(value, where, error=ValueError):
    """An aware UTC datetime from an ISO 8601 string (Z, an offset, or naive meaning UTC), or raise `error` saying
    what is wrong with the value named `where`. The one time parser of the runbooks, their filters and dr_report."""
    if isinstance(value, datetime.datetime):
        parsed = value
    else:
        text = str(value or "").strip()
        if not text:
            raise error("%s: a timestamp is required" % where)
        if text[-1] in "zZ":
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise error("%s: %r is not an ISO 8601 timestamp (for example 2025-01-31T09:30:00Z)" % (where, value)) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.astimezone(datetime.timezone.utc)


def split_duration(seconds):
    """(hours, minutes, seconds) of a duration, rounded to the whole second."""
    hours, rest = divmod(int(round(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return hours, minutes, secs


def format_duration(seconds):
    """12.5s, 4m 05s, 1h 02m 03s; an en dash for unknown. The one duration format of the report, the closing table
    and the progress lines."""
    if seconds is None:
        return "\u2013"
    if seconds < 60:
        return ("%.1fs" % seconds).replace(".0s", "s")
    hours, minutes, secs = split_duration(seconds)
    if hours:
        return "%dh %02dm %02ds" % (hours, minutes, secs)
    return "%dm %02ds" % (minutes, secs)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(str(item) for item in value if item not in (None, ""))
    return str(value)


def failure_message(task=None, result=None, default_task="a task"):
    """'<task name>: <message>' for the task that failed, whatever shape the failure had.

    task and result are ansible_failed_task and ansible_failed_result, either of which may be undefined (None):
    Ansible sets neither when an included file cannot be loaded (and leaves an earlier failure's values in place,
    so the runbooks reset both to None before each block they rescue). The message is the result's msg, else its
    reason (what a failed include reports), else a placeholder.
    """
    if not task and not result:
        return "%s: %s" % (default_task, UNLOADABLE_INCLUDE)
    name = task.get("name") if isinstance(task, dict) else getattr(task, "name", None)
    result = result if isinstance(result, dict) else {}
    message = _text(result.get("msg")) or _text(result.get("reason")) or NO_MESSAGE
    return "%s: %s" % (name or default_task, message.strip())


def _wave_of(entry):
    wave = entry["app"].get("wave")
    return int(wave) if wave is not None else None


def record_stop(record, wave, message, finished=None):
    """The record after the run stopped on an error while wave `wave` was under way (None: outside any wave).

    Every app of that wave without a failed step gets a failed 'run stopped' step: its steps were not all done
    (a clone not yet removed, a verification not run), so it must not read as passed. Apps of later waves stay
    as they are: the report shows them as not run.
    """
    result = copy.deepcopy(record)
    if wave is None or wave == "":
        return result
    wave = int(wave)
    for entry in result.values():
        if _wave_of(entry) != wave:
            continue
        if any(step.get("status") == "failed" for step in entry["steps"]):
            continue
        entry["steps"].append({"name": STOPPED_STEP, "status": "failed", "started": None, "finished": finished,
                               "message": "the run stopped during wave %d before this app's steps were done: %s"
                                          % (wave, message)})
    return result


def _step_passed(entry, name):
    return any(step.get("name") == name and step.get("status") == "passed" for step in entry["steps"])


def clone_outcomes(record, keep=False, check_mode=False):
    """What became of each drill clone, from the record: {'removed': [...], 'kept': [...], 'left': [...]}.

    Each entry is {'clone', 'cluster', 'app'}. A clone exists once its clone step passed (or its ID was recorded);
    it is removed only when a 'remove clone' step passed; with keep it was kept on purpose; otherwise it was left
    behind (removal failed or never ran) and the user must remove it. In check mode no clone was created.
    """
    outcomes = {"removed": [], "kept": [], "left": []}
    if check_mode:
        return outcomes
    for entry in record.values():
        app = entry["app"]
        created = _step_passed(entry, "clone") or bool(entry["astra_ids"].get("clone_app_id"))
        if not created:
            continue
        item = {"clone": app.get("clone_name"), "cluster": app.get("destination_cluster"), "app": app.get("name")}
        if _step_passed(entry, "remove clone"):
            outcomes["removed"].append(item)
        elif keep:
            outcomes["kept"].append(item)
        else:
            outcomes["left"].append(item)
    return outcomes


def _clone_list(items):
    return ", ".join("%s on %s" % (item["clone"], item["cluster"]) for item in items)


def describe_clones(outcomes):
    """One line for the report and the closing message: what the drill's clones are now."""
    parts = []
    if outcomes["removed"]:
        parts.append("removed: %s" % _clone_list(outcomes["removed"]))
    if outcomes["kept"]:
        parts.append("kept: %s" % _clone_list(outcomes["kept"]))
    if outcomes["left"]:
        parts.append("LEFT BEHIND (removal failed or did not run; remove them with the drill role's cleanup entry "
                     "point, playbooks/drill_cleanup.yml): %s" % _clone_list(outcomes["left"]))
    return "; ".join(parts) or "none created"


def verdict_message(runbook, report, run_error=None, clones=None):
    """The closing message of a run that did not pass, from its report (dr_report's result) and record.

    runbook: its name ('drill'); report: {'failed_apps', 'html', ...}; run_error: why the run stopped early, if
    it did; clones: clone_outcomes() for a drill.
    """
    failed = list(report.get("failed_apps") or [])
    parts = []
    if run_error:
        parts.append("The %s stopped before its end: %s." % (runbook, run_error))
    if failed:
        parts.append("The %s failed for %s." % (runbook, ", ".join(failed)))
    if not parts:
        parts.append("The %s failed." % runbook)
    if clones is not None:
        parts.append("Clones: %s." % describe_clones(clones))
    parts.append("Report: %s" % (report.get("html") or "not written"))
    return " ".join(parts)
