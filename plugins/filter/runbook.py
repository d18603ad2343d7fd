# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters the runbook roles use to keep their run record: what each app went through, step by step, and the
verdicts that go into the run's report (kubedr.astra.dr_report).

A record is a dict keyed by app key (name@cluster) of entries {app, steps, astra_ids, rto_seconds, rpo_seconds,
notes}: `app` is the role's normalised app (name, cluster, destination_cluster, wave, rto/rpo targets, ...).
"""

import copy
import datetime

from ansible.errors import AnsibleFilterError

from ansible_collections.kubedr.astra.plugins.module_utils.runbook import (
    clone_outcomes,
    describe_clones,
    failure_message,
    format_duration,
    parse_time,
    record_stop,
    verdict_message,
)

PREFLIGHT = "pre-flight"
REPORT_APP_FIELDS = ("name", "cluster", "destination_cluster", "wave", "rto_target_seconds", "rpo_target_seconds")


def seconds_between(start, end):
    """Seconds from `start` to `end` (ISO 8601; Z, an offset, or naive meaning UTC), rounded to milliseconds.

    None when either is missing, so a step that never ran measures nothing rather than failing the run.
    """
    if start in (None, "") or end in (None, ""):
        return None
    return round((parse_time(end, "seconds_between: end", AnsibleFilterError)
                  - parse_time(start, "seconds_between: start", AnsibleFilterError)).total_seconds(), 3)


def _entry(record, key):
    if not isinstance(record, dict):
        raise AnsibleFilterError("the run record must be a dict keyed by app key, got %r" % type(record).__name__)
    if key not in record:
        raise AnsibleFilterError("app %r is not in the run record (its apps: %s)" % (key, ", ".join(sorted(record)) or "none"))
    return record[key]


def _dig(value, path):
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def new_record(apps):
    """An empty run record for the normalised apps (each with a unique `key`)."""
    record = {}
    for app in apps or []:
        key = app.get("key") if isinstance(app, dict) else None
        if not key:
            raise AnsibleFilterError("new_record: every app needs a key, got %r" % (app,))
        if key in record:
            raise AnsibleFilterError("new_record: app %r is listed twice" % key)
        for target in ("rto_target_seconds", "rpo_target_seconds"):
            value = app.get(target)
            if value is None:
                continue
            try:
                valid = not isinstance(value, bool) and float(value) >= 0
            except (TypeError, ValueError):
                valid = False
            if not valid:
                raise AnsibleFilterError("%s of app %s must be a number of seconds, 0 or more; got %r (set it in the app "
                                         "entry or the runbook's default)" % (target, key, value))
        record[key] = {"app": dict(app), "steps": [], "astra_ids": {}, "rto_seconds": None, "rpo_seconds": None,
                       "notes": [], "skipped": None, "not_measured": None}
    return record


def record_step(record, key, step, ids=None, notes=None, skipped=None, not_measured=None, **measures):
    """The record with `step` (a report step dict) appended to app `key`, plus Astra IDs, notes and measures.

    measures: rto_seconds and rpo_seconds (None values are ignored). skipped: why the app's run stopped before it
    started (the app is then reported skipped unless a step failed). not_measured: why there was no recovery to
    measure (an app already failed over, for example); its RTO and RPO targets are then not judged.
    """
    result = copy.deepcopy(record)
    entry = _entry(result, key)
    if skipped:
        entry["skipped"] = skipped
    if not_measured:
        entry["not_measured"] = not_measured
        notes = list(notes or []) + [not_measured]
    if step:
        entry["steps"].append(dict(step))
    for name, value in (ids or {}).items():
        if value not in (None, ""):
            entry["astra_ids"][name] = value
    for note in notes or []:
        if note and note not in entry["notes"]:
            entry["notes"].append(note)
    for name, value in measures.items():
        if name not in ("rto_seconds", "rpo_seconds"):
            raise AnsibleFilterError("record_step: unknown measure %r (rto_seconds, rpo_seconds)" % name)
        if value is not None:
            entry[name] = value
    return result


def record_preflight(record, problems, started, finished=None, ids=None, common=None):
    """The record with a pre-flight step for every app: failed with its problems, or passed.

    problems: app key -> list of problem texts; common: problems that stop every app (a user task file that does
    not load); ids: app key -> Astra IDs found. When any app has problems no app goes ahead, so the apps without
    problems are marked skipped (not run).
    """
    finished = finished or datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")
    common = list(common or [])
    blocked = bool(common) or any(problems.get(key) for key in record)
    result = record
    for key in record:
        found = common + list(problems.get(key) or [])
        step = {"name": PREFLIGHT, "status": "failed" if found else "passed", "started": started, "finished": finished,
                "message": "; ".join(found) or None}
        result = record_step(result, key, step, ids=(ids or {}).get(key),
                             skipped="not run: the pre-flight checks found problems with other apps"
                             if blocked and not found else None)
    return result


def record_results(record, results, ids=None):
    """The record with the report_step of every kubedr.astra.async_wait result appended to its app.

    Each result's loop item must be a normalised app (with its `key`). ids maps an Astra ID name to a dotted
    path in the result ({'clone_app_id': 'app.id'}); found values are recorded.
    """
    result = record
    for item in results or []:
        app = item.get("item") if isinstance(item, dict) else None
        if not isinstance(app, dict) or not app.get("key"):
            raise AnsibleFilterError("record_results: each result needs the app it ran for as its item, got %r" % (app,))
        found = dict((name, _dig(item, path)) for name, path in (ids or {}).items())
        result = record_step(result, app["key"], item.get("report_step"), ids=found)
    return result


def _verdict(entry, targets):
    problems = ["%s: %s" % (step["name"], step.get("message") or "failed")
                for step in entry["steps"] if step.get("status") == "failed"]
    app = entry["app"]
    for kind, label in (("rto", "RTO"), ("rpo", "RPO")):
        target, actual = app.get(kind + "_target_seconds"), entry.get(kind + "_seconds")
        if target is None or problems or not targets or entry.get("skipped") or entry.get("not_measured"):
            continue
        if actual is None:
            problems.append("%s was not measured, so the target of %s s is not shown to be met" % (label, target))
        elif float(actual) > float(target):
            problems.append("%s %s s exceeds the target of %s s" % (label, actual, target))
    return problems


def report_apps(record, targets=True):
    """The apps of the record in dr_report's shape, in wave order, each with its verdict.

    failed: a step failed, or (with targets) an RTO/RPO target was missed or could not be measured; skipped:
    nothing ran; passed otherwise. The message joins the problems and the notes. targets=False judges the steps
    only, for check mode, where nothing is measured.
    """
    apps = []
    for entry in sorted(record.values(), key=lambda entry: (entry["app"].get("wave") or 0)):
        app = dict((field, entry["app"].get(field)) for field in REPORT_APP_FIELDS if entry["app"].get(field) is not None)
        problems = _verdict(entry, targets)
        stopped = None
        if not entry.get("skipped") and entry["steps"] and all(step.get("name") == PREFLIGHT for step in entry["steps"]):
            stopped = "not run: the run stopped before this app's wave"
        if problems:
            status = "failed"
        elif (entry.get("skipped") or stopped or not entry["steps"]
              or all(step.get("status") == "skipped" for step in entry["steps"])):
            status = "skipped"
        else:
            status = "passed"
        skipped = [entry.get("skipped") or stopped] if (entry.get("skipped") or stopped) and status == "skipped" else []
        message = "; ".join(problems + skipped + list(entry.get("notes") or []))
        app.update(status=status, steps=list(entry["steps"]), astra_ids=dict(entry["astra_ids"]),
                   message=message or ("not run" if status == "skipped" else None))
        for kind in ("rto_seconds", "rpo_seconds"):
            if entry.get(kind) is not None:
                app[kind] = entry[kind]
        apps.append(app)
    return apps


def report_summary(apps, title, report=None, check_mode=False):
    """The lines a runbook prints at its end: a table of the apps (report_apps), then the verdict and the report path."""
    measures = ("rto_seconds", "rto_target_seconds", "rpo_seconds", "rpo_target_seconds")
    timed = any(app.get(key) is not None for app in apps or [] for key in measures)
    columns = ("APP", "CLUSTER", "WAVE", "STATUS") + (("RTO", "TARGET", "RPO", "TARGET") if timed else ()) + ("MESSAGE",)
    rows = []
    for app in apps or []:
        route = app.get("cluster") or "-"
        if app.get("destination_cluster"):
            route += " -> " + app["destination_cluster"]
        row = (app.get("name") or "-", route, str(app.get("wave") or "-"), app.get("status") or "-")
        if timed:
            row += tuple(format_duration(app.get(key)) for key in measures)
        rows.append(row + (app.get("message") or "",))
    widths = [max([len(columns[i])] + [len(row[i]) for row in rows]) for i in range(len(columns) - 1)]
    lines = [title + (" (check mode: predicted, nothing written)" if check_mode else "")]
    for row in [columns] + rows:
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])) + "  " + row[-1])
    report = report or {}
    verdict = "PASSED" if report.get("passed", not any(app.get("status") == "failed" for app in apps or [])) else "FAILED"
    lines.append("%s: report %s" % (verdict, "not written in check mode" if check_mode else report.get("html") or "-"))
    return [line.rstrip() for line in lines]


class FilterModule:
    def filters(self):
        return {
            "seconds_between": seconds_between,
            "new_record": new_record,
            "record_step": record_step,
            "record_preflight": record_preflight,
            "record_results": record_results,
            "report_apps": report_apps,
            "report_summary": report_summary,
            "failure_message": failure_message,
            "record_stop": record_stop,
            "clone_outcomes": clone_outcomes,
            "describe_clones": describe_clones,
            "verdict_message": verdict_message,
        }
