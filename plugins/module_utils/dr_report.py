# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The DR run report: validation, secret scrubbing and rendering (JSON, HTML, JUnit XML).

Standard library only. build_report() turns the run data the roles collect into
the report dict (schema version 1); merge_reports() makes one report of the
reports of several runs of one runbook (the slices of an AWX sliced job, or one
job per wave or cluster); render_json(), render_html() and render_junit() turn
that dict into file contents; claim_report_directory() picks a directory no
other run writes into; write_report() writes the files atomically. Every user
string is escaped; secrets are scrubbed before anything is rendered.
"""

import datetime
import html
import json
import os
import re
import tempfile
import xml.etree.ElementTree as ET

from ansible_collections.kubedr.astra.plugins.module_utils import runbook

__all__ = ["SCHEMA_VERSION", "GENERATOR", "REDACTED", "RUNBOOKS", "CHECK_RUNBOOKS", "STATUSES", "APP_KEYS", "STEP_KEYS", "FILE_NAMES",
           "MERGED_RUN_ID", "ReportError", "scrub", "parse_time", "format_time", "format_duration", "check_run_id", "build_report",
           "report_directory", "claim_report_directory", "read_report", "merge_reports", "render_json", "render_html",
           "render_junit", "render_all", "write_report", "planned_changes", "publish_report", "argument_spec",
           "report_task"]

SCHEMA_VERSION = 1
GENERATOR = "kubedr.astra.dr_report"
REDACTED = "VALUE_REDACTED"
RUNBOOKS = ("drill", "failover", "failback", "protect", "replicate", "posture")
# Runbooks whose steps are checks: their JUnit file has one test case per app and check.
CHECK_RUNBOOKS = ("posture",)
STATUSES = ("passed", "failed", "skipped")
FILE_NAMES = {"json": "report.json", "html": "report.html", "junit": "junit.xml"}
# The run ID of a merged report, and so the end of its directory's name: <runbook>-<UTC start>-merged.
MERGED_RUN_ID = "merged"
# A run ID is part of a directory name: letters, digits, '.', '_' and '-', starting with a letter or digit.
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# How many directories claim_report_directory() tries (<dir>, <dir>-2, ... <dir>-100) before it gives up.
CLAIM_ATTEMPTS = 100

_SECRET_KEY = re.compile(r"token|password|secret|authorization", re.IGNORECASE)
_BEARER = re.compile(r"\b(bearer)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
# Characters XML 1.0 cannot carry at all (ANSI colour codes in a message, for example).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class ReportError(ValueError):
    """Invalid report input; the message starts with the option path (apps[1].steps[0].finished: ...)."""


# ---------------------------------------------------------------------- scrubbing

def scrub(value):
    """A copy of value with every value under a secret-looking key replaced, and bearer tokens masked in strings."""
    if isinstance(value, dict):
        return {key: (REDACTED if _SECRET_KEY.search(str(key)) and item is not None else scrub(item))
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return _BEARER.sub(r"\1 " + REDACTED, value)
    return value


# ---------------------------------------------------------------------- time

format_duration = runbook.format_duration


def parse_time(value, where):
    """An aware UTC datetime from an ISO 8601 string (Z, an offset, or naive meaning UTC)."""
    return runbook.parse_time(value, where, ReportError)


def format_time(moment):
    """ISO 8601 UTC with a Z; milliseconds only when there are fractions of a second."""
    if moment is None:
        return None
    moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds") + "Z"


def _seconds(start, end):
    if start is None or end is None:
        return None
    return round((end - start).total_seconds(), 3)


# ---------------------------------------------------------------------- the report dict

APP_KEYS = ("name", "cluster", "destination_cluster", "wave", "status", "message", "rto_seconds", "rpo_seconds",
            "rto_target_seconds", "rpo_target_seconds", "astra_ids", "steps")
STEP_KEYS = ("name", "started", "finished", "status", "message", "warnings")


def _known_keys(item, allowed, where):
    if not isinstance(item, dict):
        raise ReportError("%s: expected a dict, got %r" % (where, item))
    unknown = sorted(str(key) for key in item if key not in allowed)
    if unknown:
        raise ReportError("%s: unknown key(s) %s; the keys are %s" % (where, ", ".join(unknown), ", ".join(allowed)))


def _status(value, where):
    if value in (None, ""):
        raise ReportError("%s: a status is required (%s)" % (where, ", ".join(STATUSES)))
    if value not in STATUSES:
        raise ReportError("%s: %r is not one of %s" % (where, value, ", ".join(STATUSES)))
    return value


def _number(value, where):
    if value is None:
        return None
    if isinstance(value, bool):
        raise ReportError("%s: expected a number of seconds, got %r" % (where, value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ReportError("%s: expected a number of seconds, got %r" % (where, value)) from None
    if number < 0:
        raise ReportError("%s: must not be negative, got %r" % (where, value))
    return int(number) if number.is_integer() else number


def _text(value):
    return None if value is None else str(value)


def _interval(item, where):
    started = parse_time(item["started"], where + ".started") if item.get("started") not in (None, "") else None
    finished = parse_time(item["finished"], where + ".finished") if item.get("finished") not in (None, "") else None
    if started is not None and finished is not None and finished < started:
        raise ReportError("%s.finished: %s is before %s.started %s" % (where, format_time(finished), where, format_time(started)))
    return started, finished


def _target_met(actual, target):
    if actual is None or target is None:
        return None
    return actual <= target


def _build_step(step, where):
    _known_keys(step, STEP_KEYS, where)
    if not step.get("name"):
        raise ReportError("%s.name: a step name is required" % where)
    started, finished = _interval(step, where)
    warnings = step.get("warnings") or []
    if not isinstance(warnings, (list, tuple)):
        raise ReportError("%s.warnings: expected a list of strings, got %r" % (where, warnings))
    return {
        "name": str(step["name"]),
        "status": _status(step.get("status"), where + ".status"),
        "started": format_time(started),
        "finished": format_time(finished),
        "duration_seconds": _seconds(started, finished),
        "message": _text(step.get("message")),
        "warnings": [str(warning) for warning in warnings],
    }, started, finished


def _build_app(app, where):
    _known_keys(app, APP_KEYS, where)
    if not app.get("name"):
        raise ReportError("%s.name: an app name is required" % where)
    wave = app.get("wave")
    if wave is not None:
        try:
            wave = int(wave)
        except (TypeError, ValueError):
            raise ReportError("%s.wave: expected an integer, got %r" % (where, wave)) from None
    ids = app.get("astra_ids") or {}
    if not isinstance(ids, dict):
        raise ReportError("%s.astra_ids: expected a dict, got %r" % (where, ids))
    steps, starts, ends = [], [], []
    if not isinstance(app.get("steps") or [], (list, tuple)):
        raise ReportError("%s.steps: expected a list, got %r" % (where, app["steps"]))
    for index, step in enumerate(app.get("steps") or []):
        built, started, finished = _build_step(step, "%s.steps[%d]" % (where, index))
        steps.append(built)
        starts.extend([started] if started else [])
        ends.extend([finished] if finished else [])
    started, finished = (min(starts) if starts else None), (max(ends) if ends else None)
    result = {
        "name": str(app["name"]),
        "cluster": _text(app.get("cluster")),
        "destination_cluster": _text(app.get("destination_cluster")),
        "wave": wave,
        "status": _status(app.get("status"), where + ".status"),
        "message": _text(app.get("message")),
        "started": format_time(started),
        "finished": format_time(finished),
        "duration_seconds": _seconds(started, finished),
    }
    for kind in ("rto", "rpo"):
        actual = _number(app.get(kind + "_seconds"), "%s.%s_seconds" % (where, kind))
        target = _number(app.get(kind + "_target_seconds"), "%s.%s_target_seconds" % (where, kind))
        result.update({kind + "_seconds": actual, kind + "_target_seconds": target, kind + "_passed": _target_met(actual, target)})
    result["astra_ids"] = {str(key): _text(value) for key, value in ids.items()}
    result["steps"] = steps
    return result


def check_run_id(run_id, where="run_id"):
    """run_id itself, or None when empty; ReportError when it cannot be part of a directory name."""
    if run_id in (None, ""):
        return None
    if not isinstance(run_id, str) or not _RUN_ID.match(run_id):
        raise ReportError("%s: %r is not a run ID: up to 64 letters, digits, '.', '_' and '-', starting with a letter "
                          "or digit" % (where, run_id))
    return run_id


def build_report(runbook, started, finished, apps, title=None, extra=None, run_error=None, run_id=None):
    """The report dict (schema version 1) from the run data; raises ReportError naming the bad option.

    run_error: why the run stopped before its end, when it did; such a run never passes, whatever its apps say.
    run_id: what tells this run apart from other runs of the runbook started in the same second (an AWX job), or None.
    """
    run_id = check_run_id(run_id)
    if runbook not in RUNBOOKS:
        raise ReportError("runbook: %r is not one of %s" % (runbook, ", ".join(RUNBOOKS)))
    run_started = parse_time(started, "started")
    run_finished = parse_time(finished, "finished")
    if run_finished < run_started:
        raise ReportError("finished: %s is before started %s" % (format_time(run_finished), format_time(run_started)))
    if not isinstance(apps or [], (list, tuple)):
        raise ReportError("apps: expected a list, got %r" % (apps,))
    if extra is not None and not isinstance(extra, dict):
        raise ReportError("extra: expected a dict, got %r" % (extra,))
    built = [_build_app(app, "apps[%d]" % index) for index, app in enumerate(scrub(list(apps or [])))]
    failed = [app["name"] for app in built if app["status"] == "failed"]
    missed = sum(1 for app in built for kind in ("rto", "rpo") if app[kind + "_passed"] is False)
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": GENERATOR,
        "run": {
            "runbook": runbook,
            "run_id": run_id,
            "title": str(title) if title else "kubedr.astra %s report" % runbook,
            "started": format_time(run_started),
            "finished": format_time(run_finished),
            "duration_seconds": _seconds(run_started, run_finished),
            "passed": not failed and not run_error,
            "error": _text(scrub(run_error)) if run_error else None,
            "app_count": len(built),
            "failed_count": len(failed),
            "skipped_count": sum(1 for app in built if app["status"] == "skipped"),
            "targets_missed": missed,
            "failed_apps": failed,
        },
        "apps": built,
        "extra": scrub(dict(extra or {})),
    }


def report_directory(path, runbook, started, timestamped=True, run_id=None):
    """<path>/<runbook>-<YYYYmmddTHHMMSSZ of started>[-<run_id>], or path itself when not timestamped."""
    if not timestamped:
        return path
    name = "%s-%s" % (runbook, parse_time(started, "started").strftime("%Y%m%dT%H%M%SZ"))
    run_id = check_run_id(run_id)
    return os.path.join(path, "%s-%s" % (name, run_id) if run_id else name)


def _run_identity(report):
    """What makes two reports the report of one run: the runbook, the start, the run ID and the apps."""
    run = report.get("run") if isinstance(report, dict) else None
    if not isinstance(run, dict) or not isinstance(report.get("apps"), list):
        return None
    apps = [(app.get("name"), app.get("cluster")) if isinstance(app, dict) else None for app in report["apps"]]
    return run.get("runbook"), run.get("started"), run.get("run_id"), apps


def _holds_the_run(directory, report):
    """Whether directory holds the report.json of the run of report (same runbook, start, run ID and apps)."""
    try:
        with open(os.path.join(directory, FILE_NAMES["json"]), encoding="utf-8") as handle:
            return _run_identity(json.load(handle)) == _run_identity(report)
    except (OSError, ValueError):
        return False


def claim_report_directory(directory, report, create=True):
    """The directory to write report into: directory, or directory-2, directory-3 ... when another run has it.

    A directory is this run's when this call creates it (os.mkdir, which only one process can do) or when it already
    holds this run's report.json (same runbook, start, run ID and apps: a rerun with the same data): two runs of a
    runbook that start in the same second never write into one directory, whatever their run IDs. With create false (check mode) nothing is created and the
    first directory that is missing or this run's is returned. OSError when the parent cannot be made.
    """
    if create:
        os.makedirs(os.path.dirname(directory) or ".", mode=0o755, exist_ok=True)
    for attempt in range(1, CLAIM_ATTEMPTS + 1):
        candidate = directory if attempt == 1 else "%s-%d" % (directory, attempt)
        if not create:
            if not os.path.lexists(candidate) or _holds_the_run(candidate, report):
                return candidate
            continue
        try:
            os.mkdir(candidate, 0o755)
            return candidate
        except FileExistsError:
            if _holds_the_run(candidate, report):
                return candidate
    raise ReportError("%s: this name and the next %d are all taken by other runs' reports" % (directory, CLAIM_ATTEMPTS - 1))


# ---------------------------------------------------------------------- merging the reports of several runs

def read_report(path):
    """(the path of report.json, its content) for a report.json or a report directory; ReportError naming the path."""
    json_path = os.path.join(path, FILE_NAMES["json"]) if os.path.isdir(path) else path
    try:
        with open(json_path, encoding="utf-8") as handle:
            return json_path, json.load(handle)
    except OSError as exc:
        raise ReportError("%s: cannot be read: %s" % (json_path, exc.strerror or exc)) from None
    except ValueError as exc:
        raise ReportError("%s: is not JSON: %s" % (json_path, exc)) from None


def _checked_part(source, document):
    """The run of one report to merge, checked: a report of this schema with its run and apps."""
    if not isinstance(document, dict) or document.get("generator") != GENERATOR:
        raise ReportError("%s: is not a report of %s" % (source, GENERATOR))
    if document.get("schema_version") != SCHEMA_VERSION:
        raise ReportError("%s: report schema version %r, expected %d" % (source, document.get("schema_version"), SCHEMA_VERSION))
    run = document.get("run")
    if not isinstance(run, dict) or run.get("runbook") not in RUNBOOKS:
        raise ReportError("%s: run.runbook: expected one of %s" % (source, ", ".join(RUNBOOKS)))
    for field in ("started", "finished"):
        parse_time(run.get(field), "%s: run.%s" % (source, field))
    if not isinstance(document.get("apps"), list):
        raise ReportError("%s: apps: expected a list" % source)
    return run


def _app_input(app):
    """A built app back in the shape build_report() takes (its computed fields dropped)."""
    entry = dict((key, app.get(key)) for key in APP_KEYS if key != "steps")
    entry["steps"] = [dict((key, step.get(key)) for key in STEP_KEYS) for step in app.get("steps") or []]
    return entry


def _merged_extra(parts):
    """Each extra key once: its value when every report has the same, else {report label: value} of those that have it."""
    merged = {}
    keys = []
    for _label, document in parts:
        keys += [key for key in document.get("extra") or {} if key not in keys]
    for key in keys:
        values = [(label, document["extra"][key]) for label, document in parts if key in (document.get("extra") or {})]
        same = len(values) == len(parts) and all(value == values[0][1] for _label, value in values)
        merged[key] = values[0][1] if same else dict(values)
    return merged


def merge_reports(reports, expected_reports, title=None, run_id=MERGED_RUN_ID):
    """One report of the reports of several runs of one runbook, each of them over other apps.

    reports: [(source, report dict)], source naming it in messages (its path); expected_reports: how many runs the whole
    run has (the slice count of an AWX sliced job, the jobs of a workflow). Every app is in the result once; an app in
    two reports is an error naming it and both. The merged run started with the earliest report and finished with the
    latest; it passes only when every report passed and none is missing (fewer reports than expected_reports): the run
    error says what is missing and which reports stopped early. extra keeps a key's value when the reports agree, else
    the value of each report under its label (its run ID, or its source). merged says how many reports were expected,
    how many are missing, and lists the reports merged.
    """
    if not isinstance(expected_reports, int) or isinstance(expected_reports, bool) or expected_reports < 1:
        raise ReportError("expected_reports: expected a whole number of at least 1, got %r" % (expected_reports,))
    if not reports:
        raise ReportError("reports: no report to merge (%d expected)" % expected_reports)
    if len(reports) > expected_reports:
        raise ReportError("reports: %d reports, but expected_reports is %d" % (len(reports), expected_reports))
    checked = [(source, _checked_part(source, document), document) for source, document in reports]
    runbook = checked[0][1]["runbook"]
    for source, run, _document in checked:
        if run["runbook"] != runbook:
            raise ReportError("%s: a %s report, but %s is a %s report; merge the reports of one runbook"
                              % (source, run["runbook"], checked[0][0], runbook))
    checked.sort(key=lambda part: (parse_time(part[1]["started"], "started"), part[0]))
    labels = [run.get("run_id") or source for source, run, _document in checked]
    if len(set(labels)) != len(labels):
        labels = [source for source, _run, _document in checked]

    where = {}
    apps = []
    for source, _run, document in checked:
        for app in document["apps"]:
            if not isinstance(app, dict):
                raise ReportError("%s: apps: expected dicts, got %r" % (source, app))
            key = (app.get("name"), app.get("cluster"))
            if key in where:
                raise ReportError("app %s%s is in two reports: %s and %s" % (
                    key[0], " on %s" % key[1] if key[1] else "", where[key], source))
            where[key] = source
            apps.append(app)

    problems = []
    missing = expected_reports - len(checked)
    if missing:
        problems.append("%d of the %d expected reports %s missing: the apps of %s are not in this report"
                        % (missing, expected_reports, "is" if missing == 1 else "are", "that run" if missing == 1 else "those runs"))
    for (_source, run, _document), label in zip(checked, labels):
        if run.get("error"):
            problems.append("%s: %s" % (label, run["error"]))
        elif not run.get("passed") and not run.get("failed_apps"):
            problems.append("%s: did not pass" % label)

    titles = set(run.get("title") for _source, run, _document in checked)
    report = build_report(
        runbook,
        format_time(min(parse_time(run["started"], "started") for _source, run, _document in checked)),
        format_time(max(parse_time(run["finished"], "finished") for _source, run, _document in checked)),
        [_app_input(app) for app in apps], title=title or (titles.pop() if len(titles) == 1 else None),
        extra=_merged_extra([(label, document) for (_source, _run, document), label in zip(checked, labels)]),
        run_error="; ".join(problems) or None, run_id=run_id)
    # Each app as its report has it: rebuilt above only to check it and to count the verdicts, since durations computed
    # again from the report's millisecond times could differ from the run's own by a millisecond.
    report["apps"] = apps
    report["merged"] = {
        "expected_reports": expected_reports,
        "missing_reports": missing,
        "reports": [{
            "source": source, "run_id": run.get("run_id"), "title": run.get("title"), "started": run["started"],
            "finished": run["finished"], "passed": bool(run.get("passed")), "app_count": len(document["apps"]),
            "failed_apps": list(run.get("failed_apps") or []), "error": run.get("error"),
        } for source, run, document in checked],
    }
    return report


# ---------------------------------------------------------------------- JSON

def render_json(report):
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------- HTML

def _h(value):
    """HTML-escaped text (attributes too); None becomes an en dash."""
    if value is None:
        return "\u2013"
    return html.escape(_XML_INVALID.sub("", str(value)), quote=True)


_CSS = """
:root { --ok: #1e7b34; --bad: #b3261e; --skip: #6b6b6b; --ink: #1b1f24; --muted: #5a6270; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font-family: "Liberation Sans", "DejaVu Sans", Arial, Helvetica, sans-serif; color: var(--ink);
       margin: 24px auto; max-width: 1240px; padding: 0 16px; font-size: 14px; line-height: 1.4; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.subtitle { color: var(--muted); margin: 0 0 16px; }
.verdict { display: inline-block; font-weight: bold; padding: 4px 14px; border-radius: 4px; color: #fff;
           font-size: 16px; letter-spacing: .05em; }
.verdict.passed { background: var(--ok); } .verdict.failed { background: var(--bad); }
.summary { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 8px 16px; margin: 12px 0; }
.summary div { border: 1px solid var(--line); border-radius: 4px; padding: 6px 10px; }
.summary dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.summary dd { margin: 2px 0 0; font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f3f5f7; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
td.num { white-space: nowrap; }
td.msg { word-break: break-word; }
table.steps { table-layout: fixed; }
table.steps th:nth-child(1) { width: 16%; } table.steps th:nth-child(2) { width: 11%; }
table.steps th:nth-child(3), table.steps th:nth-child(4) { width: 17%; } table.steps th:nth-child(5) { width: 10%; }
table.extra th { text-transform: none; letter-spacing: 0; font-size: 13px; width: 25%; }
code { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12px; }
.status { font-weight: bold; white-space: nowrap; }
.status.passed, .met { color: var(--ok); } .status.failed, .missed { color: var(--bad); }
.status.skipped { color: var(--skip); }
tr.failed td:first-child { border-left: 4px solid var(--bad); }
figure { margin: 8px 0; }
figcaption { color: var(--muted); font-size: 12px; }
svg.timeline { width: 100%; height: auto; display: block; }
svg text { font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 6px; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 11px; }
  h2 { break-after: avoid; }
  tr, figure, .summary div, .app-steps { break-inside: avoid; }
  thead { display: table-header-group; }
}
"""

_STATUS_SYMBOL = {"passed": "\u2714", "failed": "\u2718", "skipped": "\u2013"}
_STATUS_COLOUR = {"passed": "#1e7b34", "failed": "#b3261e", "skipped": "#6b6b6b"}
# Tableau 10 without its red, which marks failures here.
_PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#bab0ac")
_TICKS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


def _status_cell(status):
    return '<span class="status %s">%s %s</span>' % (_h(status), _STATUS_SYMBOL.get(status, ""), _h(status.upper()))


def _target_cell(actual, target, met):
    if actual is None and target is None:
        return "\u2013"
    text = "%s / %s" % (runbook.format_duration(actual), runbook.format_duration(target) if target is not None else "no target")
    if met is None:
        return _h(text)
    return '%s <span class="%s">%s</span>' % (_h(text), "met" if met else "missed", "\u2714 met" if met else "\u2718 missed")


def _route(app):
    if app["destination_cluster"]:
        return "%s \u2192 %s" % (_h(app["cluster"]), _h(app["destination_cluster"]))
    return _h(app["cluster"])


def _clock(seconds, long_form):
    hours, minutes, secs = runbook.split_duration(seconds)
    if long_form:
        return "%d:%02d:%02d" % (hours, minutes, secs)
    return "%d:%02d" % (minutes, secs)


def _timeline_svg(report):
    """Inline SVG: one row per app, one bar per timed step, a time axis and a legend."""
    run = report["run"]
    apps = report["apps"]
    origin = parse_time(run["started"], "started")
    end = parse_time(run["finished"], "finished")
    timed = [(parse_time(step["started"], "started"), parse_time(step["finished"], "finished"))
             for app in apps for step in app["steps"] if step["started"] and step["finished"]]
    if not timed:
        return '<p class="no-timeline">No step timings were recorded, so there is no timeline.</p>'
    origin = min([origin] + [start for start, _end in timed])
    end = max([end] + [finish for _start, finish in timed])
    span = max((end - origin).total_seconds(), 1.0)
    tick = next((candidate for candidate in _TICKS if span / candidate <= 10), _TICKS[-1])
    long_form = span >= 3600

    width, label_w, right, top, row_h, bar_h = 1100, 210, 20, 34, 34, 20
    plot_w = width - label_w - right
    plot_bottom = top + row_h * len(apps)

    def x_of(moment):
        return label_w + (moment - origin).total_seconds() / span * plot_w

    names = []
    for app in apps:
        for step in app["steps"]:
            if step["name"] not in names:
                names.append(step["name"])
    colours = {name: _PALETTE[index % len(_PALETTE)] for index, name in enumerate(names)}

    parts = []
    parts.append('<defs><pattern id="hatch-failed" width="6" height="6" patternUnits="userSpaceOnUse" '
                 'patternTransform="rotate(45)"><rect width="6" height="6" fill="none"/>'
                 '<line x1="0" y1="0" x2="0" y2="6" stroke="#b3261e" stroke-width="2.5"/></pattern></defs>')
    parts.append('<text x="%d" y="16" font-size="12" fill="#5a6270">Time since run start (%s, run started %s)</text>'
                 % (label_w, "h:mm:ss" if long_form else "m:ss", _h(run["started"])))
    # Rows, labels and bars.
    for index, app in enumerate(apps):
        y = top + index * row_h
        if index % 2 == 0:
            parts.append('<rect x="0" y="%d" width="%d" height="%d" fill="#f6f8fa"/>' % (y, width, row_h))
        label = app["name"] if len(app["name"]) <= 26 else app["name"][:25] + "\u2026"
        parts.append('<text x="8" y="%.1f" font-size="13" fill="%s">%s</text>'
                     % (y + row_h / 2 + 4.5, _STATUS_COLOUR[app["status"]], _STATUS_SYMBOL[app["status"]]))
        parts.append('<text class="app-label" x="24" y="%.1f" font-size="13" fill="#1b1f24"><title>%s</title>%s</text>'
                     % (y + row_h / 2 + 4.5, _h(app["name"]), _h(label)))
        for step in app["steps"]:
            if not (step["started"] and step["finished"]):
                continue
            start, finish = parse_time(step["started"], "started"), parse_time(step["finished"], "finished")
            x0 = x_of(start)
            bar_w = max(x_of(finish) - x0, 2.0)
            by = y + (row_h - bar_h) / 2
            status = step["status"]
            extra = ""
            if status == "failed":
                extra = ' stroke="#b3261e" stroke-width="2.5"'
            elif status == "skipped":
                extra = ' fill-opacity="0.35" stroke="#6b6b6b" stroke-width="1" stroke-dasharray="3 2"'
            else:
                extra = ' stroke="#ffffff" stroke-width="1"'
            tooltip = "%s \u2014 %s: %s, %s \u2192 %s (%s)%s" % (
                app["name"], step["name"], status, step["started"], step["finished"],
                runbook.format_duration(step["duration_seconds"]), (" \u2014 " + step["message"]) if step["message"] else "")
            parts.append('<rect class="bar" data-app="%s" data-step="%s" data-status="%s" x="%.1f" y="%.1f" '
                         'width="%.1f" height="%d" rx="2" fill="%s"%s><title>%s</title></rect>'
                         % (_h(app["name"]), _h(step["name"]), _h(status), x0, by, bar_w, bar_h,
                            colours[step["name"]], extra, _h(tooltip)))
            if status == "failed":
                parts.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="url(#hatch-failed)" '
                             'pointer-events="none"/>' % (x0, by, bar_w, bar_h))
            if bar_w >= len(step["name"]) * 6.4 + 8:
                parts.append('<text x="%.1f" y="%.1f" font-size="11" fill="#1b1f24" pointer-events="none">%s</text>'
                             % (x0 + 4, by + bar_h / 2 + 4, _h(step["name"])))
    # Axis with ticks and grid lines.
    parts.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#1b1f24"/>' % (label_w, plot_bottom, width - right, plot_bottom))
    parts.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#1b1f24"/>' % (label_w, top, label_w, plot_bottom))
    value = 0
    while value <= span + 1e-9:
        x = label_w + value / span * plot_w
        parts.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#d0d7de" stroke-dasharray="2 3"/>' % (x, top, x, plot_bottom))
        parts.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#1b1f24"/>' % (x, plot_bottom, x, plot_bottom + 5))
        parts.append('<text class="tick" x="%.1f" y="%d" font-size="11" text-anchor="middle" fill="#1b1f24">%s</text>'
                     % (x, plot_bottom + 18, _clock(value, long_form)))
        value += tick
    # Legend: step colours, then what the outlines mean; wrapped to the chart width.
    items = [("swatch", colours[name], name) for name in names]
    items += [("failed", None, "failed step (red outline, hatched)"), ("skipped", None, "skipped step (faded, dashed)")]
    lx, ly = label_w, plot_bottom + 40
    legend = ['<g class="legend">']
    for kind, colour, text in items:
        item_w = 26 + len(text) * 6.2 + 18
        if lx + item_w > width - right and lx > label_w:
            lx, ly = label_w, ly + 22
        if kind == "swatch":
            legend.append('<rect x="%.1f" y="%d" width="18" height="12" rx="2" fill="%s"/>' % (lx, ly - 10, colour))
        elif kind == "failed":
            legend.append('<rect x="%.1f" y="%d" width="18" height="12" rx="2" fill="#ffffff" stroke="#b3261e" '
                          'stroke-width="2"/><rect x="%.1f" y="%d" width="18" height="12" fill="url(#hatch-failed)"/>'
                          % (lx, ly - 10, lx, ly - 10))
        else:
            legend.append('<rect x="%.1f" y="%d" width="18" height="12" rx="2" fill="#bab0ac" fill-opacity="0.35" '
                          'stroke="#6b6b6b" stroke-dasharray="3 2"/>' % (lx, ly - 10))
        legend.append('<text x="%.1f" y="%d" font-size="12" fill="#1b1f24">%s</text>' % (lx + 24, ly, _h(text)))
        lx += item_w
    legend.append("</g>")
    height = ly + 14
    return ('<svg class="timeline" role="img" aria-label="Timeline of every app\'s steps" viewBox="0 0 %d %d" '
            'width="%d" height="%d" preserveAspectRatio="xMinYMin meet">%s%s</svg>'
            % (width, height, width, height, "".join(parts), "".join(legend)))


def _extra_rows(extra):
    rows = []
    for key, value in extra.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
        rows.append("<tr><th>%s</th><td><code>%s</code></td></tr>" % (_h(key), _h(shown)))
    return "".join(rows)


def _merged_section(merged):
    """The table of the reports a merged report was made of."""
    rows = "".join(
        '<tr class="merged-report %s"><td>%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%d</td>'
        '<td>%s</td><td class="msg"><code>%s</code>%s</td></tr>'
        % ("passed" if part["passed"] else "failed", _h(part["run_id"]), _h(part["started"]), _h(part["finished"]),
           part["app_count"], _status_cell("passed" if part["passed"] else "failed"), _h(part["source"]),
           "<br>%s" % _h(part["error"]) if part["error"] else "")
        for part in merged["reports"])
    if merged["missing_reports"]:
        rows += ('<tr class="merged-report missing"><td colspan="6"><span class="status failed">\u2718 MISSING</span> '
                 '%d of the %d expected reports</td></tr>' % (merged["missing_reports"], merged["expected_reports"]))
    return ('<section>\n<h2>Merged from %d of %d reports</h2>\n<table class="merged"><thead><tr><th>Run ID</th>'
            '<th>Started (UTC)</th><th>Finished (UTC)</th><th>Apps</th><th>Verdict</th><th>Report</th></tr></thead>'
            '<tbody>%s</tbody></table>\n</section>\n' % (len(merged["reports"]), merged["expected_reports"], rows))


def render_html(report):
    """One self-contained HTML page: inline CSS and SVG, no script, no external reference."""
    run = report["run"]
    apps = report["apps"]
    verdict = "passed" if run["passed"] else "failed"
    passed_count = sum(1 for app in apps if app["status"] == "passed")
    out = ['<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
           '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
           '<meta name="generator" content="%s">\n<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n'
           % (_h(report["generator"]), _h(run["title"]), _CSS)]
    merged = report.get("merged")
    subtitle = "Disaster-recovery %s run%s, %s to %s (UTC)%s" % (
        run["runbook"], " %s" % run["run_id"] if run.get("run_id") and not merged else "", run["started"],
        run["finished"], ", merged from %d of %d reports" % (len(merged["reports"]), merged["expected_reports"])
        if merged else "")
    out.append('<header>\n<h1>%s</h1>\n<p class="subtitle">%s</p>\n<span class="verdict %s" id="verdict">%s</span>\n'
               % (_h(run["title"]), _h(subtitle), verdict, "PASSED" if run["passed"] else "FAILED"))
    cells = [("Runbook", run["runbook"]), ("Started (UTC)", run["started"]), ("Finished (UTC)", run["finished"]),
             ("Duration", runbook.format_duration(run["duration_seconds"])),
             ("Apps", "%d" % run["app_count"]), ("Passed", "%d" % passed_count),
             ("Failed", "%d" % run["failed_count"]), ("Skipped", "%d" % run["skipped_count"])]
    out.append('<dl class="summary">%s</dl>\n</header>\n'
               % "".join("<div><dt>%s</dt><dd>%s</dd></div>" % (_h(name), _h(value)) for name, value in cells))
    if run.get("error"):
        out.append('<p class="missed" id="run-error"><strong>%s</strong> %s</p>\n'
                   % ("Not every run merged here reported in full:" if merged
                      else "The run stopped before its end:", _h(run["error"])))
    if merged:
        out.append(_merged_section(merged))
    if run["targets_missed"]:
        out.append('<p class="missed"><strong>%d RTO/RPO target(s) missed.</strong></p>\n' % run["targets_missed"])

    out.append('<section>\n<h2>Applications</h2>\n<table class="apps">\n<thead><tr><th>App</th>'
               '<th>Cluster \u2192 destination</th><th>Wave</th><th>Status</th><th>RTO / target</th>'
               '<th>RPO / target</th><th>Message</th></tr></thead>\n<tbody>\n')
    for app in apps:
        out.append('<tr class="app-row %s" data-app="%s"><td><strong>%s</strong></td><td>%s</td><td class="num">%s</td>'
                   '<td>%s</td><td class="num">%s</td><td class="num">%s</td><td class="msg">%s</td></tr>\n'
                   % (_h(app["status"]), _h(app["name"]), _h(app["name"]), _route(app), _h(app["wave"]),
                      _status_cell(app["status"]),
                      _target_cell(app["rto_seconds"], app["rto_target_seconds"], app["rto_passed"]),
                      _target_cell(app["rpo_seconds"], app["rpo_target_seconds"], app["rpo_passed"]),
                      _h(app["message"]) if app["message"] else ""))
    if not apps:
        out.append('<tr><td colspan="7">No apps in this run.</td></tr>\n')
    out.append("</tbody>\n</table>\n</section>\n")

    checks = run["runbook"] in CHECK_RUNBOOKS
    if not checks:  # checks judge one reading of the estate: they have no times to chart
        out.append('<section>\n<h2>Timeline</h2>\n<figure>\n%s\n<figcaption>One row per app, one bar per step, '
                   'positioned by time relative to the run start.</figcaption>\n</figure>\n</section>\n'
                   % _timeline_svg(report))

    out.append("<section>\n<h2>%s and Astra Control identifiers</h2>\n" % ("Checks" if checks else "Steps"))
    for app in apps:
        out.append('<div class="app-steps">\n<h3>%s %s</h3>\n' % (_status_cell(app["status"]), _h(app["name"])))
        if app["astra_ids"]:
            out.append("<p>%s</p>\n" % "; ".join("%s: <code>%s</code>" % (_h(key), _h(value))
                                                 for key, value in sorted(app["astra_ids"].items())))
        if app["steps"]:
            out.append('<table class="steps"><thead><tr><th>Step</th><th>Status</th><th>Started (UTC)</th>'
                       '<th>Finished (UTC)</th><th>Duration</th><th>Message</th></tr></thead><tbody>')
            for step in app["steps"]:
                out.append('<tr><td>%s</td><td>%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                           '<td class="msg">%s</td></tr>'
                           % (_h(step["name"]), _status_cell(step["status"]), _h(step["started"]), _h(step["finished"]),
                              _h(runbook.format_duration(step["duration_seconds"])),
                              "<br>".join([_h(step["message"])] * bool(step["message"])
                                          + ['<span class="warning">warning: %s</span>' % _h(text)
                                             for text in step.get("warnings") or []])))
            out.append("</tbody></table>\n")
        out.append("</div>\n")
    out.append("</section>\n")

    if report["extra"]:
        out.append('<section>\n<h2>Run metadata</h2>\n<table class="extra"><tbody>%s</tbody></table>\n</section>\n'
                   % _extra_rows(report["extra"]))
    out.append("<footer>Generated by %s (report schema version %d). All times are UTC. Values under keys naming a "
               "token, password, secret or authorization are replaced by %s.</footer>\n</body>\n</html>\n"
               % (_h(report["generator"]), report["schema_version"], REDACTED))
    return "".join(out)


# ---------------------------------------------------------------------- JUnit XML

def _x(value):
    return _XML_INVALID.sub("", "" if value is None else str(value))


def _check_cases(suite, suite_name, apps):
    """One test case per app and check (the posture runbook), named after the check, its class the app's."""
    for app in apps:
        classname = "%s.%s.%s" % (suite_name, app["cluster"] or "app", app["name"])
        for step in app["steps"]:
            case = ET.SubElement(suite, "testcase", classname=_x(classname), name=_x(step["name"]), time="0.000")
            message = step["message"] or step["status"]
            if step["status"] == "failed":
                ET.SubElement(case, "failure", message=_x(message), type="failed").text = _x(message)
            elif step["status"] == "skipped":
                ET.SubElement(case, "skipped", message=_x(message))
            elif step["message"]:
                ET.SubElement(case, "system-out").text = _x(step["message"])


def _case_counts(report):
    """(tests, failures, skipped): per app, or per app and check for the runbooks in CHECK_RUNBOOKS."""
    run = report["run"]
    if run["runbook"] not in CHECK_RUNBOOKS:
        return run["app_count"], run["failed_count"], run["skipped_count"]
    steps = [step for app in report["apps"] for step in app["steps"]]
    return (len(steps), sum(1 for step in steps if step["status"] == "failed"),
            sum(1 for step in steps if step["status"] == "skipped"))


def render_junit(report):
    """JUnit XML: one testsuite kubedr.astra.<runbook>, one testcase per app (failure/skipped as appropriate), or per
    app and check for the posture runbook."""
    run = report["run"]
    suite_name = "kubedr.astra.%s" % run["runbook"]
    # A run that stopped early is one more test case, in error: a CI view then shows it failed, whatever the apps say.
    errors = 1 if run.get("error") else 0
    cases, failures, skipped = _case_counts(report)
    tests = str(cases + errors)
    root = ET.Element("testsuites", name=_x(run["title"]), tests=tests, failures=str(failures),
                      errors=str(errors), skipped=str(skipped), time="%.3f" % (run["duration_seconds"] or 0))
    suite = ET.SubElement(root, "testsuite", name=suite_name, tests=tests,
                          failures=str(failures), errors=str(errors), skipped=str(skipped),
                          time="%.3f" % (run["duration_seconds"] or 0), timestamp=_x(run["started"]))
    properties = ET.SubElement(suite, "properties")
    for name in ("runbook", "run_id", "title", "started", "finished"):
        if run.get(name) is not None:
            ET.SubElement(properties, "property", name=name, value=_x(run[name]))
    if run["runbook"] in CHECK_RUNBOOKS:
        _check_cases(suite, suite_name, report["apps"])
    for app in report["apps"] if run["runbook"] not in CHECK_RUNBOOKS else []:
        classname = suite_name + "." + (app["cluster"] or "app")
        case = ET.SubElement(suite, "testcase", classname=_x(classname), name=_x(app["name"]),
                             time="%.3f" % (app["duration_seconds"] or 0))
        lines = []
        for step in app["steps"]:
            lines.append("%s %s%s%s" % (step["status"].upper(), step["name"],
                                        (" " + runbook.format_duration(step["duration_seconds"])) if step["duration_seconds"] is not None else "",
                                        (": " + step["message"]) if step["message"] else ""))
            lines += ["WARNING %s: %s" % (step["name"], text) for text in step.get("warnings") or []]
        for kind in ("rto", "rpo"):
            if app[kind + "_seconds"] is not None:
                lines.append("%s %s (target %s)" % (kind.upper(), runbook.format_duration(app[kind + "_seconds"]),
                                                    runbook.format_duration(app[kind + "_target_seconds"])))
        lines += ["%s: %s" % (key, value) for key, value in sorted(app["astra_ids"].items())]
        if app["status"] == "failed":
            failed_steps = [step["name"] for step in app["steps"] if step["status"] == "failed"]
            message = app["message"] or ("failed at step %s" % ", ".join(failed_steps) if failed_steps else "failed")
            failure = ET.SubElement(case, "failure", message=_x(message), type="failed")
            failure.text = _x("\n".join([message] + lines))
        elif app["status"] == "skipped":
            ET.SubElement(case, "skipped", message=_x(app["message"] or "skipped"))
        if lines:
            ET.SubElement(case, "system-out").text = _x("\n".join(lines))
    if errors:
        case = ET.SubElement(suite, "testcase", classname=_x(suite_name), name="run", time="0.000")
        ET.SubElement(case, "error", message=_x(run["error"]), type="stopped").text = _x(run["error"])
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ---------------------------------------------------------------------- files

def render_all(report):
    """{kind: file content} for json, html and junit."""
    return {"json": render_json(report), "html": render_html(report), "junit": render_junit(report)}


def _same_content(path, content):
    try:
        with open(path, "rb") as handle:
            return handle.read() == content.encode("utf-8")
    except OSError:
        return False


def planned_changes(directory, contents):
    """The kinds whose file is missing or differs from what would be written."""
    return [kind for kind in FILE_NAMES if not _same_content(os.path.join(directory, FILE_NAMES[kind]), contents[kind])]


def _write_atomically(path, content):
    fd, temp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def write_report(directory, contents, only=None):
    """Write the files (all, or the kinds in only) atomically with mode 0644; create the directory; return the paths."""
    os.makedirs(directory, mode=0o755, exist_ok=True)
    paths = {kind: os.path.join(directory, name) for kind, name in FILE_NAMES.items()}
    for kind in FILE_NAMES:
        if only is None or kind in only:
            _write_atomically(paths[kind], contents[kind])
    return paths


def publish_report(report, directory, timestamped=True, check_mode=False):
    """Render report into directory (claimed first when timestamped) and write the files that change; nothing is
    created or written in check_mode. Returns ({directory, run_id, json, html, junit, passed, failed_apps}, changed);
    OSError or ReportError when the directory cannot be made or written."""
    contents = render_all(report)
    if timestamped:
        directory = claim_report_directory(directory, report, create=not check_mode)
    changes = planned_changes(directory, contents)
    paths = dict((kind, os.path.join(directory, name)) for kind, name in FILE_NAMES.items())
    if changes and not check_mode:
        paths = write_report(directory, contents, only=changes)
    run = report["run"]
    result = dict(directory=directory, run_id=run["run_id"], passed=run["passed"], failed_apps=list(run["failed_apps"]))
    result.update(paths)
    return result, bool(changes)


def argument_spec():
    """The options of the kubedr.astra.dr_report task, for the module and for its action (which validates them the same
    way when it writes the report on the controller itself)."""
    # The app dicts are checked by build_report(), which names the entry at fault (apps[1].steps[0].finished);
    # an argspec for them is not possible anyway: "message" is reserved for ansible-core in argument specs.
    return dict(
        path=dict(type="path", required=True),
        runbook=dict(type="str", required=True, choices=list(RUNBOOKS)),
        title=dict(type="str"),
        started=dict(type="str", required=True),
        finished=dict(type="str", required=True),
        timestamped=dict(type="bool", default=True),
        apps=dict(type="list", elements="dict", default=[]),
        extra=dict(type="dict"),
        run_error=dict(type="str"),
        run_id=dict(type="str"),
    )


def report_task(params, check_mode=False):
    """What the dr_report task does with its validated options: ({directory, run_id, json, html, junit, passed,
    failed_apps}, changed), or ReportError with the task's message."""
    report = build_report(params["runbook"], params["started"], params["finished"], params["apps"],
                          title=params["title"], extra=params["extra"], run_error=params["run_error"] or None,
                          run_id=params["run_id"])
    directory = report_directory(params["path"], params["runbook"], params["started"], params["timestamped"],
                                 run_id=params["run_id"])
    try:
        return publish_report(report, directory, params["timestamped"], check_mode=check_mode)
    except (OSError, ReportError) as exc:
        raise ReportError("writing the report into %s failed: %s" % (directory, exc)) from None
