# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The runbook engine: everything the five runbook roles decide, measured and concluded, in tested Python.

Standard library only; the roles reach it through the kubedr.astra filters (plugins/filter/runbook.py) and
dr_report reuses its time parser and duration format. The roles only wire modules to these functions:

- apps: the user's app entries normalised (normalise_apps) and their waves;
- the run record: app key -> {app, steps, astra_ids, rto_seconds, rpo_seconds, notes, skipped, not_measured}, kept
  step by step (new_record, record_step, record_preflight, record_results, ...) and judged (report_apps); the roles
  hold it packed into one string (pack_record);
- pre-flight: what Astra Control says about the clusters (read_clusters), the apps and mirrors found, and every
  problem that stops an app (preflight_findings), all collected before anything is changed;
- readiness: the recovered apps read back, their RTO and RPO (record_ready, record_clones), the failback phases;
- conclusions: why a run stopped, what it left behind, its closing message.

Everything is derived from what the record says happened, never from what the run meant to do: a clone counts as
removed only when its removal step passed, an app as done only when its wave ended.
"""

import datetime
import json
import os
import re

STOPPED_STEP = "run stopped"
NO_MESSAGE = "failed (no message)"
# What Ansible leaves a rescue when an included file cannot be loaded: neither ansible_failed_task nor _result.
UNLOADABLE_INCLUDE = ("a task file it includes could not be found or loaded (Ansible passes no details to the rescue; "
                      "the error is in the output above)")
PREFLIGHT = "pre-flight"
REPORT_APP_FIELDS = ("name", "cluster", "destination_cluster", "wave", "rto_target_seconds", "rpo_target_seconds")
# What a step can measure for an app (record_step): its recovery time and point, and whether the restore point it
# recovered from was app-consistent (True/False; None: not known).
MEASURES = ("rto_seconds", "rpo_seconds", "app_consistent")
RUNBOOKS = ("protect", "replicate", "drill", "failover", "failback", "posture")
# Runbooks that only read: check mode runs them for real.
READ_ONLY_RUNBOOKS = ("posture",)
# The ID astra_app_clone returns in check mode for a clone it would create (an existing clone has its real ID).
CHECK_MODE_PLACEHOLDER_ID = "check-mode-placeholder-id"
# How a packed run record starts (pack_record).
PACKED_RECORD = "kubedr.astra run record:"
# The prefix of the steps gather_step gathers: one JSON line per step after it.
GATHERED_STEPS = "kubedr.astra gathered steps:"


class RunbookError(ValueError):
    """A runbook's input or record is not what the engine can work with; the message says what and where."""


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


def seconds_between(start, end):
    """Seconds from `start` to `end` (ISO 8601; Z, an offset, or naive meaning UTC), rounded to milliseconds.

    None when either is missing, so a step that never ran measures nothing rather than failing the run.
    """
    if start in (None, "") or end in (None, ""):
        return None
    return round((parse_time(end, "seconds_between: end", RunbookError)
                  - parse_time(start, "seconds_between: start", RunbookError)).total_seconds(), 3)


def pack_record(record):
    """The run record as one string, which is how the roles hold it between filters.

    Ansible 2.19 walks every value of a fact a task sets, and of a variable a template reads, to see whether it is a
    template: a record of 200 apps cost half a second each time a step was recorded, once per step per wave. A string
    is one value, and filter output is never templated again. The filters (plugins/filter) unpack a packed record
    they are given and pack each record they return; the functions here work on dicts.
    """
    return PACKED_RECORD + json.dumps(plain_copy(record), separators=(",", ":"))


def unpack_record(value):
    """The record pack_record packed (anything else as it is)."""
    if isinstance(value, str) and value.startswith(PACKED_RECORD):
        return json.loads(value[len(PACKED_RECORD):])
    return value


def plain_copy(value):
    """A copy of nested dicts and lists as plain Python containers. Roles hand the filters Ansible's lazy containers,
    which copy.deepcopy templates again element by element (seconds per step on a large record)."""
    if isinstance(value, dict):
        return dict((key, plain_copy(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [plain_copy(item) for item in value]
    return value


def _entry(record, key):
    if not isinstance(record, dict):
        raise RunbookError("the run record must be a dict keyed by app key, got %r" % type(record).__name__)
    if key not in record:
        raise RunbookError("app %r is not in the run record (its apps: %s)" % (key, ", ".join(sorted(record)) or "none"))
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
            raise RunbookError("new_record: every app needs a key, got %r" % (app,))
        if key in record:
            raise RunbookError("new_record: app %r is listed twice" % key)
        for target in ("rto_target_seconds", "rpo_target_seconds"):
            value = app.get(target)
            if value is None:
                continue
            try:
                valid = not isinstance(value, bool) and float(value) >= 0
            except (TypeError, ValueError):
                valid = False
            if not valid:
                raise RunbookError("%s of app %s must be a number of seconds, 0 or more; got %r (set it in the app "
                                   "entry or the runbook's default)" % (target, key, value))
        record[key] = {"app": dict(app), "steps": [], "astra_ids": {}, "rto_seconds": None, "rpo_seconds": None,
                       "notes": [], "skipped": None, "not_measured": None, "app_consistent": None}
    return record


def record_step(record, key, step, ids=None, notes=None, skipped=None, not_measured=None, **measures):
    """The record with `step` (a report step dict) appended to app `key`, plus Astra IDs, notes and measures.

    measures: rto_seconds, rpo_seconds and app_consistent (None values are ignored). skipped: why the app's run stopped before it
    started (the app is then reported skipped unless a step failed). not_measured: why there was no recovery to
    measure (an app already failed over, for example); its RTO and RPO targets are then not judged.
    """
    return _add_step(plain_copy(record), key, step, ids, notes, skipped, not_measured, **measures)


def _add_step(record, key, step, ids=None, notes=None, skipped=None, not_measured=None, **measures):
    """record_step on `record` itself (a copy the caller made once for all its steps): copying the whole record for
    each app's step would cost in proportion to the estate once per app."""
    entry = _entry(record, key)
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
        if name not in MEASURES:
            raise RunbookError("record_step: unknown measure %r (%s)" % (name, ", ".join(MEASURES)))
        if value is not None:
            entry[name] = value
    return record


def gather_step(steps, key, step):
    """The steps gathered so far (what gather_step returned before; empty for none) with the app's step appended.

    The runs of a user's task file gather their steps this way, one per run, and record_steps records them at once.
    They are one string, not a list: Ansible walks every element of a list a task sets, so appending to a list costs
    each run in proportion to the runs before it, O(runs^2) for a wave; appending a line to a string does not.
    """
    if not isinstance(step, dict) or not key:
        raise RunbookError("gather_step: needs the app's key and its step as a dict, got %r and %r" % (key, step))
    gathered = steps if isinstance(steps, str) and steps.startswith(GATHERED_STEPS) else GATHERED_STEPS
    if steps and gathered is not steps:
        raise RunbookError("gather_step: %r is not what gather_step gathers" % (steps,))
    return gathered + "\n" + json.dumps({"key": key, "step": plain_copy(step)}, separators=(",", ":"))


def _gathered(steps):
    """The [{key, step}] of steps gathered by gather_step (or given as a list)."""
    if isinstance(steps, str) and steps.startswith(GATHERED_STEPS):
        return [json.loads(line) for line in steps[len(GATHERED_STEPS):].split("\n") if line]
    return steps


def record_steps(record, steps):
    """The record with each of `steps` ([{key, step}] in order, or what gather_step gathered) appended to its app's
    entry: the steps a loop gathered (the runs of a user's task file), recorded at once, so that no task of the loop
    copies the whole record.
    """
    result = plain_copy(record)
    for item in _gathered(steps) or []:
        if not isinstance(item, dict) or not isinstance(item.get("step"), dict):
            raise RunbookError("record_steps: each item must be {key, step}, got %r" % (item,))
        _entry(result, item.get("key"))["steps"].append(dict(item["step"]))
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
    result = plain_copy(record)
    for key in result:
        found = common + list(problems.get(key) or [])
        step = {"name": PREFLIGHT, "status": "failed" if found else "passed", "started": started, "finished": finished,
                "message": "; ".join(found) or None}
        _add_step(result, key, step, ids=(ids or {}).get(key),
                  skipped="not run: the pre-flight checks found problems with other apps" if blocked and not found else None)
    return result


def record_results(record, results, ids=None):
    """The record with the report_step of every kubedr.astra.async_wait result appended to its app.

    Each result's loop item must be a normalised app (with its `key`). ids maps an Astra ID name to a dotted
    path in the result ({'clone_app_id': 'app.id'}); found values are recorded.
    """
    result = plain_copy(record)
    for item in results or []:
        app = item.get("item") if isinstance(item, dict) else None
        if not isinstance(app, dict) or not app.get("key"):
            raise RunbookError("record_results: each result needs the app it ran for as its item, got %r" % (app,))
        found = dict((name, _dig(item, path)) for name, path in (ids or {}).items())
        _add_step(result, app["key"], item.get("report_step"), ids=found)
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
    if app.get("require_app_consistent") and targets and not problems and not entry.get("skipped"):
        if entry.get("app_consistent") is None:
            problems.append("app consistency was not established, so the require_app_consistent target is not shown "
                            "to be met")
        elif not entry["app_consistent"]:
            problems.append("the restore point is not app-consistent (require_app_consistent)")
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


def report_summary(apps, title, report=None, check_mode=False, runbook=None):
    """The lines a runbook prints at its end: a table of the apps (report_apps), then the verdict and the report path.

    runbook: a read-only one (posture) says that check mode ran its checks for real."""
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
    if not check_mode:
        lines = [title]
    elif runbook in READ_ONLY_RUNBOOKS:
        lines = [title + " (check mode: the same read-only checks, no report written)"]
    else:
        lines = [title + " (check mode: predicted, nothing written)"]
    for row in [columns] + rows:
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])) + "  " + row[-1])
    report = report or {}
    verdict = "PASSED" if report.get("passed", not any(app.get("status") == "failed" for app in apps or [])) else "FAILED"
    lines.append("%s: report %s" % (verdict, "not written in check mode" if check_mode else report.get("html") or "-"))
    return [line.rstrip() for line in lines]


def _wave(app):
    return int(app.get("wave") or 1)


def _target(app, settings, name):
    # An explicit null in the entry means "no target", so only a missing key takes the runbook's default.
    return app[name] if name in app else settings.get(name)


def normalise_apps(apps, runbook, settings=None):
    """The user's app entries as the runbook works with them: one dict per app, with its key (name@cluster), wave
    (default 1), label, and what the runbook needs, each missing value taken from the runbook's defaults.

    settings: the runbook's defaults for entries without their own: destination_cluster, rto_target_seconds,
    rpo_target_seconds; for a drill also source, namespace_suffix and storage_class_mapping.
    """
    if runbook not in RUNBOOKS:
        raise RunbookError("normalise_apps: runbook %r is not one of %s" % (runbook, ", ".join(RUNBOOKS)))
    settings = settings or {}
    normalised = []
    for app in apps or []:
        if not isinstance(app, dict):
            raise RunbookError("normalise_apps: every app entry must be a dict, got %r" % (app,))
        name, cluster = app.get("name"), app.get("cluster")
        entry = {"key": "%s@%s" % (name, cluster), "name": name, "cluster": cluster}
        if runbook == "protect":
            entry.update(namespaces=app.get("namespaces"), wave=_wave(app), label="%s on %s" % (name, cluster),
                         execution_hooks=list(app.get("execution_hooks") or []))
            normalised.append(entry)
            continue
        if runbook == "posture":
            # One reading of the whole estate judges every app at once: no waves.
            entry.update(destination_cluster=app.get("destination_cluster") or settings.get("destination_cluster"),
                         label="%s on %s" % (name, cluster))
            normalised.append(entry)
            continue
        destination = app.get("destination_cluster") or settings.get("destination_cluster")
        entry.update(destination_cluster=destination, wave=_wave(app))
        if runbook == "replicate":
            entry.update(namespace_mapping=app.get("namespace_mapping"), storage_class=app.get("storage_class"))
        if runbook == "drill":
            source = app.get("source") or settings.get("source")
            entry.update(
                namespaces=[namespace.get("name") for namespace in app.get("namespaces") or []],
                source=source,
                backup="latest" if source == "backup" else None,
                snapshot={"snapshot": "latest", "mirror": "latest_replicated"}.get(source),
                clone_name="%s%s" % (name, settings.get("namespace_suffix") or ""),
                storage_class_mapping=app.get("storage_class_mapping") or settings.get("storage_class_mapping"),
                require_app_consistent=bool(_target(app, settings, "require_app_consistent")),
            )
        if runbook in ("drill", "failover", "failback"):
            entry.update(rto_target_seconds=_target(app, settings, "rto_target_seconds"),
                         rpo_target_seconds=_target(app, settings, "rpo_target_seconds"))
        entry["label"] = "%s (%s -> %s)" % (name, cluster, destination)
        normalised.append(entry)
    return normalised


def app_names(value, option):
    """The names a list option gives: a list of names, or one string of comma-separated names (what a survey's text
    field gives); empty for None, '' and []."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise RunbookError("%s must be a list of app names, got %r" % (option, value))
    names = []
    for item in value:
        if not isinstance(item, str):
            raise RunbookError("%s must be a list of app names, got %r in it" % (option, item))
        for part in item.split(","):
            if part.strip() and part.strip() not in names:
                names.append(part.strip())
    return names


def select_apps(apps, only, runbook):
    """The normalised apps that `only` names (their name, or their key name@cluster), in their order; all of them when
    `only` is empty. only: the value of <runbook>_only_apps, a list of names or a comma-separated string (a survey's
    text field). A name that is no app of <runbook>_apps is an error: a mistyped name must not shrink the run."""
    option = "%s_only_apps" % runbook
    names = app_names(only, option)
    if not names:
        return list(apps or [])
    apps = list(apps or [])
    unknown = [name for name in names if not any(name in (app["name"], app["key"]) for app in apps)]
    if unknown:
        raise RunbookError("%s names %s, which no entry of %s_apps has (its apps: %s); nothing was done"
                           % (option, ", ".join(unknown), runbook, ", ".join(app["key"] for app in apps) or "none"))
    return [app for app in apps if app["name"] in names or app["key"] in names]


def waves(apps):
    """The waves of the normalised apps, in the order they run (none for the posture runbook, which has no waves)."""
    return sorted(set(app["wave"] for app in apps or [] if app.get("wave") is not None))


def wave_failures(record, wave):
    """The names of the apps of `wave` that a step failed for (targets are judged in the report, not here)."""
    return [app["name"] for app in report_apps(record, targets=False)
            if app.get("wave") == int(wave) and app["status"] == "failed"]


def passed_results(results):
    """The async_wait results whose step passed."""
    return [result for result in results or [] if (result.get("report_step") or {}).get("status") == "passed"]


def passed_values(results, path):
    """app key -> the value at `path` (dotted) of each result whose step passed ({'postgres@prod-east': 'app-id'})."""
    return dict((result["item"]["key"], _dig(result, path)) for result in passed_results(results))


def record_skipped_steps(record, results, name, message):
    """The record with a skipped `name` step, saying why, for each result whose step passed (a step that follows one
    that was only predicted in check mode cannot be predicted in turn)."""
    record = plain_copy(record)
    for result in passed_results(results):
        _add_step(record, result["item"]["key"], {"name": name, "status": "skipped", "message": message})
    return record


# Pre-flight: everything is read first, and every problem of every app is reported before anything is changed.

def read_clusters(cluster_info):
    """What astra_cluster_info (registered with ignore_errors) says: {error, states, managed_states}.

    error: why Astra Control could not be read (None when it was); states and managed_states: cluster name ->
    its state (running, ...) and managedState (managed, unmanaged, ...).
    """
    cluster_info = cluster_info or {}
    if cluster_info.get("failed"):
        return {"error": cluster_info.get("msg", "unknown error"), "states": {}, "managed_states": {}}
    clusters = [cluster for cluster in cluster_info.get("clusters") or [] if isinstance(cluster, dict)]
    return {"error": None,
            "states": dict((cluster.get("name"), cluster.get("state")) for cluster in clusters),
            "managed_states": dict((cluster.get("name"), cluster.get("managedState")) for cluster in clusters)}


def managed_clusters(clusters, running=False):
    """The names of the clusters Astra Control manages (and, with running, that it can reach)."""
    return sorted(name for name, managed in clusters["managed_states"].items()
                  if managed == "managed" and (not running or clusters["states"].get(name) == "running"))


def _failed(result):
    return bool(isinstance(result, dict) and result.get("failed"))


def _by_name(items, last=False, where=None):
    """name -> the first (last: the last) item of that name for which where(item) holds: one pass over a list read
    from the API, not one per app."""
    found = {}
    for item in items or []:
        if where is None or where(item):
            if last:
                found[item.get("name")] = item
            else:
                found.setdefault(item.get("name"), item)
    return found


def _results_by_item(results):
    return dict((result.get("item"), result) for result in (results or {}).get("results") or [])


def _one_app_read(app_info):
    """The result of one astra_app_info run for every cluster (with names), or None: results of a run per cluster
    (looped), or a task that was skipped."""
    if isinstance(app_info, dict) and "results" not in app_info and not app_info.get("skipped"):
        return app_info
    return None


def _app_read_of(app_info, covered):
    """cluster -> the astra_app_info result that read its apps, None when they were not read. app_info: one run for
    every cluster (the apps' names), standing for the covered clusters, or one run per cluster (looped)."""
    one = _one_app_read(app_info)
    if one is None:
        return _results_by_item(app_info).get
    return lambda cluster: one if cluster in covered else None


def find_apps(apps, app_info, clusters=None):
    """app key -> the app as Astra Control returns it, from astra_app_info (ignore_errors) run once for the apps'
    names, every cluster at once (each app matched on its cluster, by name or ID; clusters: only the apps on these),
    or run per cluster (looped)."""
    one = _one_app_read(app_info)
    if one is not None:
        if _failed(one):
            return {}
        by_cluster_and_name = {}
        for candidate in one.get("apps") or []:
            for cluster in (candidate.get("clusterName"), candidate.get("clusterID")):
                by_cluster_and_name[(cluster, candidate.get("name"))] = candidate
        return dict((app["key"], by_cluster_and_name[(app["cluster"], app["name"])]) for app in apps
                    if (app["cluster"], app["name"]) in by_cluster_and_name and (clusters is None or app["cluster"] in clusters))
    found = {}
    for result in (app_info or {}).get("results") or []:
        if _failed(result):
            continue
        cluster_apps = None
        for app in apps:
            if app["cluster"] != result.get("item") or (clusters is not None and app["cluster"] not in clusters):
                continue
            if cluster_apps is None:
                cluster_apps = _by_name(result.get("apps"), last=True)
            if app["name"] in cluster_apps:
                found[app["key"]] = cluster_apps[app["name"]]
    return found


def _mirror_list(app_mirrors):
    """The mirrors of astra_app_mirror_info's result (or of its app_mirrors as they are); a read that failed is an
    error: taken as no mirror, it would say every app has none."""
    if isinstance(app_mirrors, dict):
        if app_mirrors.get("failed"):
            raise RunbookError("the replication relationships could not be read: %s" % app_mirrors.get("msg", "unknown error"))
        return app_mirrors.get("app_mirrors") or []
    return app_mirrors or []


def find_mirrors(apps, app_mirrors):
    """app key -> the AppMirror between the app's two clusters, in either direction (mirrors being deleted do not
    count), from what astra_app_mirror_info returned (the result, or its app_mirrors)."""
    by_ends_and_app = {}
    for mirror in _mirror_list(app_mirrors):
        if mirror.get("state") == "deleting":
            continue
        ends = tuple(sorted(str(cluster) for cluster in (mirror.get("sourceClusterName"), mirror.get("destinationClusterName"))))
        for name in (mirror.get("sourceAppName"), mirror.get("destinationAppName")):
            by_ends_and_app.setdefault((ends, name), mirror)
    found = {}
    for app in apps:
        ends = tuple(sorted(str(cluster) for cluster in (app["cluster"], app.get("destination_cluster"))))
        if (ends, app["name"]) in by_ends_and_app:
            found[app["key"]] = by_ends_and_app[(ends, app["name"])]
    return found


def find_clones(apps, app_info, known=None):
    """app key -> the drill clone of the app (an app named after it on its destination cluster, cloned from an app),
    from astra_app_info run per destination cluster.

    known: app key -> the clone as this run's clone step returned it. Those are taken as they are, so a wave whose
    clones all passed reads no cluster; app_info need only cover the other apps' destination clusters.
    """
    by_cluster = _results_by_item(app_info)
    clones_by_cluster = {}
    found = {}
    for app in apps:
        if app["key"] in (known or {}):
            found[app["key"]] = known[app["key"]]
            continue
        cluster = app["destination_cluster"]
        if cluster not in clones_by_cluster:
            clones_by_cluster[cluster] = _by_name(by_cluster.get(cluster, {}).get("apps"), last=True,
                                                  where=lambda candidate: candidate.get("sourceAppID"))
        if app["clone_name"] in clones_by_cluster[cluster]:
            found[app["key"]] = clones_by_cluster[cluster][app["clone_name"]]
    return found


def namespace_mappings(apps, source_apps, suffix):
    """app key -> the namespace mapping of its drill clone: each namespace of the app (those of its entry, else those
    its resources are in) to the same name with the suffix."""
    mappings = {}
    for app in apps:
        source = source_apps.get(app["key"])
        if source is None:
            continue
        names = list(app.get("namespaces") or [])
        if not names:
            for resource in source.get("namespaceScopedResources") or []:
                if resource.get("namespace") not in names:
                    names.append(resource.get("namespace"))
        mappings[app["key"]] = [{"source": name, "destination": "%s%s" % (name, suffix)} for name in names]
    return mappings


def _duplicated_keys(apps):
    """The keys of the apps listed more than once."""
    counts = {}
    for app in apps:
        counts[app["key"]] = counts.get(app["key"], 0) + 1
    return set(key for key, count in counts.items() if count > 1)


def _cluster_problems(app, clusters, runbook, running=False, why=""):
    """The problems of the app's cluster and destination cluster: missing, unknown, unmanaged (or, with running,
    unmanaged or unreachable)."""
    problems = []
    states = clusters["states"]
    usable = managed_clusters(clusters, running)
    for role, cluster in (("cluster", app["cluster"]), ("destination cluster", app.get("destination_cluster"))):
        if not cluster:
            problems.append("%s: no %s (set destination_cluster or %s_destination_cluster)" % (app["name"], role, runbook))
        elif cluster not in states:
            problems.append("%s %s of %s is not known to Astra Control (known: %s)"
                            % (role, cluster, app["name"], ", ".join(sorted(states))))
        elif cluster not in usable and running:
            problems.append("%s %s of %s is not managed and reachable (state %s)%s"
                            % (role, cluster, app["name"], states[cluster], why))
        elif cluster not in usable:
            problems.append("%s %s of %s is not managed by Astra Control" % (role, cluster, app["name"]))
    return problems


def _check_failures(results, item=lambda result: result.get("item")):
    """app key -> the messages of its failed runs, in order, from a looped or batched step's results. Indexed once:
    looking each app up in every result would cost apps x results."""
    failures = {}
    for result in (results or {}).get("results") or []:
        if _failed(result):
            failures.setdefault((item(result) or {}).get("key"), []).append(result.get("msg", ""))
    return failures


def _prefixed(prefix, messages):
    return ["%s%s" % (prefix, message) for message in messages or []]


def _per_app(apps, clusters, check):
    """app key -> its problems: check(app), or, when Astra Control could not be read, only that (nothing else can be
    checked without it)."""
    if clusters["error"] is not None:
        unreachable = "Astra Control cannot be reached or refused the credentials: %s" % clusters["error"]
        return dict((app["key"], [unreachable]) for app in apps)
    return dict((app["key"], check(app)) for app in apps)


def _source_app_problems(app, info, source_apps, require_ready=False):
    """The problems of the app itself on its cluster, from astra_app_info of that cluster (None: not read)."""
    if info is None:
        return []
    if _failed(info):
        return ["%s on %s: %s" % (app["name"], app["cluster"], info.get("msg", ""))]
    source = source_apps.get(app["key"])
    if source is None:
        return ["%s is not managed on %s (run the protect runbook first)" % (app["name"], app["cluster"])]
    if require_ready and source.get("state") != "ready":
        return ["%s on %s is not ready (state %s)" % (app["name"], app["cluster"], source.get("state"))]
    return []


def _protect_problems(apps, clusters, checks):
    managed = clusters["managed_states"]
    hook_info = checks.get("hook_info")
    hooks_usable = checks.get("enable_hooks") or (isinstance(hook_info, dict) and hook_info.get("execution_hooks_enabled"))
    duplicated = _duplicated_keys(apps)
    app_failures = _check_failures(checks.get("app_checks"))
    policy_failures = _check_failures(checks.get("policy_checks"), item=lambda result: (result.get("item") or {}).get("item"))

    def check(app):
        found = []
        if app["cluster"] not in managed:
            found.append("cluster %s is not known to Astra Control (known: %s)" % (app["cluster"], ", ".join(sorted(managed))))
        elif managed[app["cluster"]] != "managed":
            found.append("cluster %s is not managed by Astra Control (managedState %s)" % (app["cluster"], managed[app["cluster"]]))
        if app["key"] in duplicated:
            found.append("%s is listed more than once" % app["label"])
        found += _prefixed(app["label"] + ": ", app_failures.get(app["key"]))
        found += _prefixed("protection policy of %s: " % app["label"], policy_failures.get(app["key"]))
        if app.get("execution_hooks") and not hooks_usable:
            found.append("%s has execution hooks, but execution hooks are disabled in the Astra Control account: set "
                         "protect_enable_execution_hooks: true, or enable them in Astra Control (Account > Settings)"
                         % app["label"])
        return found
    return _per_app(apps, clusters, check), {}


def _replicate_problems(apps, clusters, checks):
    app_read = _app_read_of(checks.get("app_info"), managed_clusters(clusters, running=True))
    duplicated = _duplicated_keys(apps)
    mirror_failures = _check_failures(checks.get("mirror_checks"))

    def check(app):
        found = _cluster_problems(app, clusters, "replicate", running=True)
        if app["cluster"] == app["destination_cluster"]:
            found.append("%s: cluster and destination_cluster are both %s" % (app["name"], app["cluster"]))
        if app["key"] in duplicated:
            found.append("%s is listed more than once" % app["label"])
        found += _source_app_problems(app, app_read(app["cluster"]), checks.get("source_apps") or {}, require_ready=True)
        return found + _prefixed("mirror of %s: " % app["label"], mirror_failures.get(app["key"]))
    return _per_app(apps, clusters, check), {}


def _drill_problems(apps, clusters, checks):
    states = clusters["states"]
    managed = managed_clusters(clusters)
    app_read = _app_read_of(checks.get("app_info"), managed)
    source_apps = checks.get("source_apps") or {}
    clone_checks = dict(((result.get("item") or {}).get("key"), result)
                        for result in (checks.get("clone_checks") or {}).get("results") or [])
    duplicated = _duplicated_keys(apps)

    def check(app):
        name, cluster, destination = app["name"], app["cluster"], app["destination_cluster"]
        found = ["%s on %s is listed more than once" % (name, cluster)] if app["key"] in duplicated else []
        found += _cluster_problems(app, clusters, "drill")
        if destination and destination == cluster:
            found.append("%s: the destination cluster is its own cluster %s; a drill clones onto the DR cluster and "
                         "leaves production alone" % (name, cluster))
        elif destination in managed and states[destination] != "running":
            found.append("destination cluster %s of %s cannot be reached (state %s)" % (destination, name, states[destination]))
        if cluster in managed and states[cluster] != "running" and app["source"] != "backup":
            found.append("%s: its cluster %s cannot be reached (state %s) and a drill from a %s reads its data there; "
                         "drill from a backup instead" % (name, cluster, states[cluster], app["source"]))
        found += _source_app_problems(app, app_read(cluster), source_apps)
        clone = clone_checks.get(app["key"])
        if clone is not None and _failed(clone):
            found.append("clone %s of %s on %s: %s" % (app["clone_name"], name, destination, clone.get("msg", "")))
        elif clone is not None and (clone.get("app") or {}).get("id", "") != CHECK_MODE_PLACEHOLDER_ID:
            found.append("app %s already exists on %s (a clone kept by an earlier drill?); remove it first (the drill "
                         "role with tasks_from: cleanup)" % (app["clone_name"], destination))
        return found

    ids = {}
    for app in apps:
        if app["key"] in clone_checks:
            point = clone_checks[app["key"]].get("restore_point") or {}
            ids[app["key"]] = {"source_app_id": (source_apps.get(app["key"]) or {}).get("id"),
                               ("backup_id" if app["backup"] else "snapshot_id"): point.get("id")}
    return _per_app(apps, clusters, check), ids


# The variable that confirms an unplanned failover, and its value that confirms every app of the run.
CONFIRM_UNPLANNED = "failover_confirm_unplanned"
CONFIRM_ALL = "all"


def unplanned_confirmation(apps, confirm):
    """app key -> why its unplanned failover is not confirmed ([] when it is).

    An unplanned failover brings each app up on the DR cluster from the last replicated snapshot, losing what was
    written since, and stops its replication: it must be asked for by name. confirm: the value of
    failover_confirm_unplanned - the apps' names (or name@cluster keys), as a list or a comma-separated string, or
    'all' for every app of the run. A name that is no app of the run is a problem of every app (a mistyped name must
    not pass unnoticed).
    """
    names = app_names(confirm, CONFIRM_UNPLANNED)
    if CONFIRM_ALL in names:
        return dict((app["key"], []) for app in apps)
    known = set(app["name"] for app in apps) | set(app["key"] for app in apps)
    unknown = [name for name in names if name not in known]
    stray = ("%s names %s, which is no app of this failover (its apps: %s)"
             % (CONFIRM_UNPLANNED, ", ".join(unknown), ", ".join(sorted(set(app["name"] for app in apps)))))
    problems = {}
    for app in apps:
        found = []
        if app["name"] not in names and app["key"] not in names:
            found.append("%s: an unplanned failover brings it up on %s from its last replicated snapshot (what was "
                         "written since is lost) and stops its replication; confirm it by naming it in %s, or set %s: "
                         "%s" % (app["label"], app.get("destination_cluster"), CONFIRM_UNPLANNED, CONFIRM_UNPLANNED,
                                 CONFIRM_ALL))
        if unknown:
            found.append(stray)
        problems[app["key"]] = found
    return problems


def _failover_problems(apps, clusters, checks):
    states = clusters["states"]
    managed = managed_clusters(clusters)
    mirrors = checks.get("mirrors") or {}
    planned = bool(checks.get("planned"))
    # Refused whatever else is found, even when Astra Control cannot be read: nothing goes ahead unconfirmed.
    unconfirmed = {} if planned else unplanned_confirmation(apps, checks.get("confirm_unplanned"))
    duplicated = _duplicated_keys(apps)
    failures = _check_failures(checks.get("checks"))

    def check(app):
        name, cluster, destination = app["name"], app["cluster"], app["destination_cluster"]
        found = ["%s is listed more than once" % app["label"]] if app["key"] in duplicated else []
        found += _cluster_problems(app, clusters, "failover")
        if destination in managed and states[destination] != "running":
            found.append("destination cluster %s of %s cannot be reached (state %s); the app cannot come up there"
                         % (destination, name, states[destination]))
        if planned and cluster in managed and states[cluster] != "running":
            found.append("cluster %s of %s cannot be reached (state %s); a planned failover stops the app there first: "
                         "run an unplanned failover (failover_mode: unplanned)" % (cluster, name, states[cluster]))
        if app["key"] not in mirrors and cluster in managed and destination in managed:
            found.append("%s has no AppMirror between %s and %s: there is nothing to fail over (replicate it first: "
                         "the replicate runbook)" % (name, cluster, destination))
        return found + _prefixed(app["label"] + ": ", failures.get(app["key"]))
    problems = _per_app(apps, clusters, check)
    for key, found in unconfirmed.items():
        problems[key] = found + problems[key]
    return problems, _mirror_ids(mirrors)


def _mirror_ids(mirrors):
    return dict((key, {"mirror_id": mirror.get("id")}) for key, mirror in mirrors.items())


def _failback_phase(app, mirror):
    """resync, reverse or home for the app's mirror; None when the mirror is in no state a failback can start from."""
    from_home = mirror.get("sourceClusterName") == app["cluster"]
    state = mirror.get("state")
    if state == "failedOver" and from_home:
        return "resync"
    if state == "established" and not from_home:
        return "reverse"
    if state in ("established", "establishing") and from_home:
        return "home"
    return None


def failback_phases(apps, clusters, app_mirrors):
    """Where each app stands, from its AppMirror: {resync, reverse, home, mirrors, problems}.

    resync: failed over to the DR cluster (resync from there, then reverse); reverse: replicating from the DR cluster
    (reverse); home: replicating from home already (nothing to do but keep it so); mirrors: app key -> its mirror;
    problems: app key -> what stops its failback.
    """
    phases = {"resync": [], "reverse": [], "home": [], "mirrors": {}}
    mirrors = find_mirrors(apps, app_mirrors) if clusters["error"] is None else {}
    duplicated = _duplicated_keys(apps)

    def check(app):
        found = ["%s is listed more than once" % app["label"]] if app["key"] in duplicated else []
        found += _cluster_problems(app, clusters, "failback", running=True, why="; a failback needs both clusters")
        mirror = mirrors.get(app["key"])
        if mirror is None:
            return found or ["%s has no AppMirror between %s and %s: there is nothing to fail back"
                             % (app["name"], app["cluster"], app["destination_cluster"])]
        phases["mirrors"][app["key"]] = mirror
        phase = _failback_phase(app, mirror)
        if phase is None:
            return found + ["the AppMirror of %s is %s from %s to %s; wait until it is failedOver or established and "
                            "run again" % (app["name"], mirror.get("state"), mirror.get("sourceClusterName"),
                                           mirror.get("destinationClusterName"))]
        phases[phase].append(app["key"])
        return found

    phases["problems"] = _per_app(apps, clusters, check)
    return phases


def _failback_problems(apps, clusters, checks):
    phases = checks.get("phases") or {}
    failures = [_check_failures(checks.get("resync_checks")), _check_failures(checks.get("reverse_checks"))]
    problems = {}
    for app in apps:
        found = list((phases.get("problems") or {}).get(app["key"]) or [])
        for phase_failures in failures:
            found += _prefixed(app["label"] + ": ", phase_failures.get(app["key"]))
        problems[app["key"]] = found
    return problems, _mirror_ids(phases.get("mirrors") or {})


PREFLIGHT_CHECKS = {"protect": _protect_problems, "replicate": _replicate_problems, "drill": _drill_problems,
                    "failover": _failover_problems, "failback": _failback_problems}


def preflight_findings(apps, runbook, clusters, checks=None):
    """What the pre-flight found: {problems: app key -> everything that stops it, ids: app key -> Astra IDs found}.

    clusters: read_clusters(); checks: what the runbook read and predicted, registered with ignore_errors:
    protect {app_checks, policy_checks}; replicate {app_info, source_apps, mirror_checks}; drill {app_info,
    source_apps, clone_checks}; failover {planned, mirrors, checks, confirm_unplanned}; failback {phases,
    resync_checks, reverse_checks}.
    """
    if runbook not in PREFLIGHT_CHECKS:
        raise RunbookError("preflight_findings: runbook %r is not one of %s" % (runbook, ", ".join(RUNBOOKS)))
    problems, ids = PREFLIGHT_CHECKS[runbook](apps or [], clusters, checks or {})
    return {"problems": problems, "ids": ids}


def preflight_failure(findings, runbook, common=None):
    """The message of a refused run: a first line, then every pre-flight problem once, in the order found (common
    ones, like a task file that does not load, first); empty when the run may go ahead."""
    found = list(common or [])
    for problems in findings["problems"].values():
        found += [problem for problem in problems if problem not in found]
    if not found:
        return []
    return ["Pre-flight failed; nothing was %s. Problems:" % ("created" if runbook == "drill" else "changed")] + found


def preflight_summary(apps, runbook, mode=None, phases=None):
    """The line a runbook prints when every pre-flight check passed."""
    count, labels = len(apps), ", ".join(app["label"] for app in apps)
    wave_count = len(waves(apps))
    if runbook == "failback":
        phases = phases or {}
        return ("Failback of %d app(s): resync then reverse for %s; reverse for %s; already home: %s."
                % (count, ", ".join(phases.get("resync") or []) or "none", ", ".join(phases.get("reverse") or []) or "none",
                   ", ".join(phases.get("home") or []) or "none"))
    if runbook == "failover":
        return ("%s failover of %d app(s) in %d wave(s): every pre-flight check passed (%s)."
                % (str(mode).capitalize(), count, wave_count, labels))
    return "%d app(s) in %d wave(s) passed the pre-flight checks: %s." % (count, wave_count, labels)


# Readiness: the recovered apps read back where they now run, and what the recovery took (RTO) and lost (RPO).

def _last_transfer(mirror):
    """The additionalDetails of the mirror's last transfer that completed, or None."""
    details = [entry["additionalDetails"] for entry in mirror.get("transferStateDetails") or []
               if isinstance(entry, dict) and isinstance(entry.get("additionalDetails"), dict)]
    completed = [detail for detail in details if "completionTime" in detail]
    return completed[-1] if completed else None


def _failover_rpo(result, planned, notes):
    """Planned: 0 (the failover replicates a last snapshot first). Unplanned: from the start of the mirror's last
    completed transfer to the moment Astra Control accepted the failover (a transfer may complete while the module
    retries, so not the task's start); None, with a note, when no transfer completed."""
    if planned:
        return 0
    transfer = _last_transfer(result.get("app_mirror") or {})
    if transfer is None:
        notes.append("RPO unknown: the mirror reports no completed transfer")
        return None
    taken = transfer["startTime"] if "startTime" in transfer else transfer.get("completionTime")
    accepted = (result.get("timing") or {}).get("accepted") or (result.get("report_step") or {}).get("started")
    return seconds_between(taken, accepted)


def _recovered_on(app, runbook):
    return app["destination_cluster"] if runbook == "failover" else app["cluster"]


def recovery_clusters(results, runbook):
    """The clusters the moved apps now run on (failover: their destination clusters; failback: home), once each."""
    clusters = []
    for result in results or []:
        cluster = _recovered_on(result["item"], runbook)
        if cluster not in clusters:
            clusters.append(cluster)
    return clusters


def record_ready(record, runbook, results, app_info, clusters=None, planned=True, check_mode=False):
    """The record with a 'ready' step for each app the wave moved (results: the async_wait results that passed):
    its app read back where it now runs, with its RTO (from the start of the move to that read) and RPO; and ready:
    app key -> the app as Astra Control returns it, for the ready apps.

    app_info: what one astra_app_info task returned for the moved apps' names (the roles' read: one module run for
    every cluster; each app is matched on the cluster it now runs on), or, registered from a loop, astra_app_info
    run per cluster.

    runbook: failover (the app now runs on its destination cluster; RPO as _failover_rpo) or failback (the app is
    home; the reverse replicates a last snapshot: RPO 0). An app that was already there is not measured.
    """
    if runbook not in ("failover", "failback"):
        raise RunbookError("record_ready: runbook %r is not failover or failback" % (runbook,))
    failover = runbook == "failover"
    one_read = isinstance(app_info, dict) and "results" not in app_info
    by_cluster = {} if one_read else _results_by_item(app_info)
    record = plain_copy(record)
    apps_by_name = {}
    ready = {}
    for result in results or []:
        app = result["item"]
        where = _recovered_on(app, runbook)
        notes = []
        if failover and not planned and ((clusters or {}).get("states") or {}).get(app["cluster"]) == "running":
            notes.append("%s was reachable: Astra Control does not stop the app there on an unplanned failover; stop it "
                         "so that only one copy serves" % app["cluster"])
        if check_mode:
            _add_step(record, app["key"], {
                "name": "ready", "status": "skipped",
                "message": "check mode: nothing failed over to check" if failover else "check mode: nothing moved to check"},
                notes=notes)
            continue
        info = app_info if one_read else by_cluster.get(where)
        if info is None:
            raise RunbookError("record_ready: the apps of %s were not read" % where)
        if where not in apps_by_name:
            apps_by_name[where] = _by_name(info.get("apps"), where=None if not one_read else (
                lambda candidate, cluster=where: cluster in (candidate.get("clusterName"), candidate.get("clusterID"))))
        found = apps_by_name[where].get(app["name"])
        state = found.get("state") if found else "missing"
        is_ready = state == "ready"
        timing = info.get("timing") or {}
        step = {"name": "ready", "status": "passed" if is_ready else "failed", "started": timing.get("started"),
                "finished": timing.get("finished"),
                "message": None if is_ready else "%s on %s is %s" % (app["name"], where, state)}
        rpo = _failover_rpo(result, planned, notes) if failover else 0
        if is_ready:
            ready[app["key"]] = found
        if result.get("changed"):
            _add_step(record, app["key"], step, notes=notes,
                      rto_seconds=seconds_between(result["report_step"].get("started"), timing.get("finished"))
                      if is_ready else None,
                      rpo_seconds=rpo if is_ready else None)
        else:
            _add_step(record, app["key"], step, notes=notes, not_measured=(
                "already failed over to %s: nothing to measure" % app["destination_cluster"] if failover
                else "already at home and replicating to %s: nothing to measure" % app["destination_cluster"]))
    return {"record": record, "ready": ready}


def _is_true(value):
    return value is True or str(value).lower() == "true"


def app_hooks(hook_info, app_id, action, stage):
    """The enabled execution hooks of app `app_id` for `action` and `stage` (astra_execution_hook_info's
    execution_hooks), by name; [] when they were not read or hooks are disabled in the account."""
    if not isinstance(hook_info, dict) or not hook_info.get("execution_hooks_enabled"):
        return []
    return sorted(hook.get("name") for hook in hook_info.get("execution_hooks") or []
                  if hook.get("appID") == app_id and hook.get("action") == action and hook.get("stage") == stage
                  and _is_true(hook.get("enabled", "true")))


# Astra Control's read-only label saying what took a snapshot or backup (observed: backup); the simulator labels the
# snapshots a mirror takes "replication" (simulator/README.md, Where we chose 56).
TRIGGER_LABEL = "astra.netapp.io/labels/read-only/triggerType"


def is_replication_snapshot(point):
    """Whether a snapshot was taken by a mirror (its triggerType label says replication)."""
    labels = ((point or {}).get("metadata") or {}).get("labels") or []
    return any(isinstance(label, dict) and label.get("name") == TRIGGER_LABEL and label.get("value") == "replication"
               for label in labels)


def restore_point_consistency(point, kind, app_id, hook_info, replicated=False):
    """Whether a restore point is app-consistent, and the note that says why: (True/False/None, note).

    point: the snapshot or backup as the API returns it; kind: 'snapshot' or 'backup'; app_id: the app it was taken
    of; hook_info: what astra_execution_hook_info returned for the account (None: not read); replicated: the point is
    the snapshot a mirror replicated (replication snapshots run no hooks). Its hookState 'success' means every hook
    that applied succeeded, zero included, so the app must also have an enabled pre-<kind> hook; the hooks are the
    ones the app has now, which the API cannot date back to when the point was taken.
    """
    if not point:
        return None, None
    what = "restore point %s %s" % (kind, point.get("name") or point.get("id"))
    state = point.get("hookState")
    if replicated or is_replication_snapshot(point):
        return False, "%s is crash-consistent: replication snapshots run no execution hooks" % what
    if state == "failed":
        details = "; ".join(str(detail.get("detail") or detail.get("title") or detail)
                            for detail in point.get("hookStateDetails") or [] if isinstance(detail, dict))
        return False, "%s is not app-consistent: its execution hooks failed%s" % (what, (" (%s)" % details) if details else "")
    if hook_info is None:
        return None, ("%s: execution hooks %s (the app's hooks were not read)" % (what, state)) if state else None
    if not hook_info.get("execution_hooks_enabled"):
        return False, "%s is crash-consistent: execution hooks are disabled in the Astra Control account" % what
    hooks = app_hooks(hook_info, app_id, kind, "pre")
    if not hooks:
        return False, "%s is crash-consistent: the app has no enabled pre-%s execution hook" % (what, kind)
    if state == "success":
        return True, "%s is app-consistent: its execution hooks succeeded (pre-%s: %s)" % (what, kind, ", ".join(hooks))
    return None, "%s reports no execution hook state" % what


# What a recovery runs after it: (action, stage) of the hooks Astra Control runs on the recovered app, per runbook.
RECOVERY_HOOKS = {"drill": (("restore", "post"),), "failover": (("failover", "post"), ("restore", "post")),
                  "failback": (("failover", "post"), ("restore", "post"))}
RECOVERY_HOOK_STEP = {"drill": "post-restore hooks", "failover": "post-failover hooks", "failback": "post-failover hooks"}
FAILURE_SEVERITIES = ("warning", "critical")


def hook_event_reads(results, record, runbook, hook_info):
    """What to read from the activity log after a recovery: one entry per recovered app whose post-recovery hooks
    apply: the app entry with `target_app_id` (the app the hooks ran in), `hooks` (their names), `since` (when the
    recovery started) and `event_info_args` (the kubedr.astra.astra_event_info options of the read: the roles run
    them all in one kubedr.astra.astra_batch task).

    results: the async_wait results of the step that recovered the apps (those that passed count); record: the run
    record, whose Astra IDs name the recovered app (clone_app_id for a drill, recovered_app_id otherwise) and, for a
    drill, the clone's source app, whose hooks run on the clone; a failover's hooks are those of the mirror's apps.
    """
    if runbook not in RECOVERY_HOOKS:
        raise RunbookError("hook_event_reads: runbook %r is not one of %s" % (runbook, ", ".join(sorted(RECOVERY_HOOKS))))
    reads = []
    for result in passed_results(results):
        app = result["item"]
        ids = _entry(record, app["key"])["astra_ids"]
        if runbook == "drill":
            target, hooks_apps = ids.get("clone_app_id"), [ids.get("source_app_id")]
        else:
            mirror = result.get("app_mirror") or {}
            target, hooks_apps = ids.get("recovered_app_id"), [mirror.get("sourceAppID"), mirror.get("destinationAppID")]
        names = set()
        for hooks_app_id in hooks_apps:
            for action, stage in RECOVERY_HOOKS[runbook]:
                names.update(app_hooks(hook_info, hooks_app_id, action, stage) if hooks_app_id else [])
        if target and names:
            since = (result.get("report_step") or {}).get("started")
            read = dict(app, target_app_id=target, hooks=sorted(names), since=since,
                        event_info_args={"resource_id": target, "since": since})
            if runbook != "drill":
                read["restore_point"] = (_last_transfer(result.get("app_mirror") or {}) or {}).get("snapshotID")
            reads.append(read)
    return reads


def _about(event, hook):
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    return data.get("hookName") == hook or hook in str(event.get("description") or "")


def hook_outcomes(events, hooks):
    """hook name -> failed (a warning or critical event about it), succeeded (an event about it, none failing) or
    None (no event about it): how the activity log says each hook went. An event is about a hook when its data names
    the hook or its description does (NetApp does not document the data of hook events)."""
    outcomes = {}
    for hook in hooks:
        about = [event for event in events or [] if isinstance(event, dict) and _about(event, hook)]
        if any(event.get("severity") in FAILURE_SEVERITIES for event in about):
            outcomes[hook] = "failed"
        else:
            outcomes[hook] = "succeeded" if about else None
    return outcomes


def _batch_items(batch, reads):
    """Each read's result from what one kubedr.astra.astra_batch task returned for the reads' runs (in their order),
    with the read as its item; every read failed, with the batch's message, when the batch ran none of them."""
    results = batch.get("results") if isinstance(batch, dict) else None
    if not isinstance(results, list) or len(results) != len(reads) or not all(isinstance(result, dict) for result in results):
        failure = {"failed": True, "msg": (batch.get("msg") if isinstance(batch, dict) else None) or "the batch returned no results"}
        return [dict(failure, item=read) for read in reads]
    return [dict(result, item=read) for result, read in zip(results, reads)]


def record_hook_events(record, runbook, results, reads=None):
    """The record with a post-restore (drill) or post-failover (failover, failback) hooks step for each app read:
    failed when the activity log has a failure of one of its hooks, passed when it has every hook succeeding, skipped
    when some hook left no event (the API gives restores and failovers no hook state, and the events' shape is not
    documented, so nothing found is not a success).

    results: the astra_event_info results of hook_event_reads' entries, each with its entry as `item` (a loop's); or,
    with reads (hook_event_reads' entries), what one kubedr.astra.astra_batch task of astra_event_info returned for
    their event_info_args, in their order.
    """
    step_name = RECOVERY_HOOK_STEP.get(runbook)
    if step_name is None:
        raise RunbookError("record_hook_events: runbook %r is not one of %s" % (runbook, ", ".join(sorted(RECOVERY_HOOKS))))
    if reads is not None:
        results = _batch_items(results, reads)
    record = plain_copy(record)
    for result in results or []:
        app = result.get("item") or {}
        timing = result.get("timing") or {}
        step = {"name": step_name, "started": timing.get("started"), "finished": timing.get("finished")}
        if _failed(result):
            step.update(status="failed", message="the activity log could not be read: %s" % result.get("msg", ""))
        else:
            outcomes = hook_outcomes(result.get("events"), app.get("hooks") or [])
            described = ["%s %s" % (hook, outcome or "left no event in the activity log")
                         for hook, outcome in sorted(outcomes.items())]
            if "failed" in outcomes.values():
                status = "failed"
            elif outcomes and all(outcome == "succeeded" for outcome in outcomes.values()):
                status = "passed"
            else:
                status = "skipped"
            step.update(status=status, message="; ".join(described))
        # What a failover brings online is the snapshot the mirror transferred last (the drill notes its own point).
        note = ("recovered from replication snapshot %s, which is crash-consistent: replication snapshots run no "
                "execution hooks" % app["restore_point"]) if app.get("restore_point") else None
        _add_step(record, app["key"], step, notes=[note] if note else None)
    return record


def record_clones(record, results, check_mode=False, hook_info=None):
    """The record with each drill clone's step (async_wait results of astra_app_clone), its IDs, and for a clone that
    is ready its RTO (the clone step's duration), its RPO (from when its restore point was taken to the clone's
    creation: the data a recovery from it would lose) and whether its restore point was app-consistent, with a note
    on the restore point's hooks.

    hook_info: what astra_execution_hook_info returned for the account, or None when it was not read."""
    record = plain_copy(record)
    for result in results or []:
        app, step = result["item"], result["report_step"]
        clone = result.get("app") or {}
        point = result.get("restore_point") or {}
        if not point:
            taken = None
        elif "snapshotCreationTimestamp" in point:
            taken = point["snapshotCreationTimestamp"]
        else:
            taken = (point.get("metadata") or {}).get("creationTimestamp")
        cloned = step.get("status") == "passed" and not check_mode
        source_app_id = (record.get(app["key"]) or {}).get("astra_ids", {}).get("source_app_id")
        consistent, note = restore_point_consistency(point, "backup" if app.get("backup") else "snapshot",
                                                     source_app_id, hook_info, replicated=app.get("source") == "mirror")
        # Said only where hooks matter: the app has some, must be app-consistent, or its point's hooks failed.
        hooks_matter = (app.get("require_app_consistent") or point.get("hookState") == "failed"
                        or any(app_hooks(hook_info, source_app_id, action, stage)
                               for action in ("snapshot", "backup") for stage in ("pre", "post")))
        notes = [note] if note and cloned and hooks_matter else []
        _add_step(
            record, app["key"], step,
            ids={"clone_app_id": clone.get("id"), ("backup_id" if app.get("backup") else "snapshot_id"): point.get("id")},
            notes=notes,
            rto_seconds=seconds_between(step.get("started"), step.get("finished")) if cloned else None,
            rpo_seconds=seconds_between(taken, (clone.get("metadata") or {}).get("creationTimestamp")) if cloned else None,
            app_consistent=consistent if cloned else None)
    return record


def record_kept_clones(record, results):
    """The record with a note for each drill clone that exists and is kept."""
    record = plain_copy(record)
    for result in results or []:
        if (result.get("app") or {}).get("id") is not None:
            app = result["item"]
            _add_step(record, app["key"], None,
                      notes=["clone %s kept on %s" % (app["clone_name"], app["destination_cluster"])])
    return record


def record_waited(record, step, results, ids=None, check_mode=False, followed_by=None, keep_clones=False,
                  hook_info=None):
    """The record after a step's async jobs were waited on (kubedr.astra.async_wait results).

    step 'clone' records drill clones (record_clones, with hook_info; with keep_clones, a note for each kept clone); any other step
    its report_step and the Astra IDs at the paths of ids. followed_by: in check mode, the {name, message} of the step
    that would follow a predicted one, recorded as skipped for each app whose step passed.
    """
    if step == "clone":
        record = record_clones(record, results, check_mode, hook_info)
        if keep_clones:
            record = record_kept_clones(record, results)
    else:
        record = record_results(record, results, ids=ids)
    if check_mode and followed_by:
        record = record_skipped_steps(record, results, followed_by["name"], followed_by["message"])
    return record


def _step_runs(module, apps, arguments):
    """The runs of one step for kubedr.astra.wave_step, in the shape a looped kubedr.astra.step_arguments task
    registers them ({results: [{item, module, module_args}]}): arguments(app) -> that app's module options."""
    return {"results": [{"item": app, "module": module, "module_args": arguments(app), "changed": False}
                        for app in apps or []]}


def _waiting(arguments, wait_timeout):
    if wait_timeout is not None:
        arguments.update(wait=True, wait_timeout=wait_timeout)
    return arguments


def clone_runs(apps, namespace_mappings=None, wait_timeout=None, remove=False):
    """The drill's runs of kubedr.astra.astra_app_clone for its apps (normalised drill entries): each clone made from
    the app's newest restore point (backup, snapshot or replicated snapshot) with the namespace mapping of
    namespace_mappings (app key -> mapping), or with remove, the clone removed. wait_timeout: wait that long for each
    (None: no wait, the pre-flight's check mode).

    Built here, not by a task looped over the apps: Ansible's loop costs about 15 ms per app and step.
    """
    def arguments(app):
        found = {"name": app["clone_name"], "source_app": app["name"], "source_cluster": app["cluster"],
                 "destination_cluster": app["destination_cluster"]}
        if remove:
            found["state"] = "absent"
        else:
            if app["key"] not in (namespace_mappings or {}):
                raise RunbookError("clone_runs: no namespace mapping for app %r" % app["key"])
            found["namespace_mapping"] = namespace_mappings[app["key"]]
            for option in ("storage_class_mapping", "backup", "snapshot"):
                if app.get(option):
                    found[option] = app[option]
        return _waiting(found, wait_timeout)
    return _step_runs("kubedr.astra.astra_app_clone", apps, arguments)


def failover_runs(apps, planned, replication_interval, wait_timeout=None):
    """The failover's runs of kubedr.astra.astra_app_mirror for its apps (normalised failover entries).

    Unplanned: the mirror from the app's cluster to its destination cluster goes to failed_over. Planned: the mirror
    is reversed, established from the destination cluster back to the app's cluster. replication_interval: the
    runbook's option, for a mirror the module would make; wait_timeout as for clone_runs.
    """
    planned = _is_true(planned)

    def arguments(app):
        found = {"source_app": app["name"],
                 "source_cluster": app["destination_cluster"] if planned else app["cluster"],
                 "destination_cluster": app["cluster"] if planned else app["destination_cluster"],
                 "replication_interval": replication_interval,
                 "state": "established" if planned else "failed_over"}
        return _waiting(found, wait_timeout)
    return _step_runs("kubedr.astra.astra_app_mirror", apps, arguments)


def mirror_runs(apps, replication_interval, reverse=False, wait_timeout=None):
    """The runs of kubedr.astra.astra_app_mirror that establish each app's mirror: from the app's cluster to its
    destination cluster (replicate; the failback's reverse), with the entry's namespace_mapping and storage_class
    when it has them, or with reverse, from the destination cluster back to the app's cluster (the failback's resync).
    replication_interval: the runbook's option; wait_timeout as for clone_runs.
    """
    reverse = _is_true(reverse)

    def arguments(app):
        found = {"source_app": app["name"],
                 "source_cluster": app["destination_cluster"] if reverse else app["cluster"],
                 "destination_cluster": app["cluster"] if reverse else app["destination_cluster"],
                 "replication_interval": replication_interval, "state": "established"}
        if not reverse:
            for option in ("namespace_mapping", "storage_class"):
                if app.get(option):
                    found[option] = app[option]
        return _waiting(found, wait_timeout)
    return _step_runs("kubedr.astra.astra_app_mirror", apps, arguments)


def execution_hook_runs(apps, app_ids):
    """One loop item per execution hook of each app that has an Astra ID (the protect runbook's hooks step): the app
    entry with `app_id` and `execution_hook` (the hook's options) added, so each step is recorded against its app."""
    runs = []
    for app in apps or []:
        if app.get("key") not in (app_ids or {}):
            continue
        for hook in app.get("execution_hooks") or []:
            if not isinstance(hook, dict) or not hook.get("name"):
                raise RunbookError("the execution_hooks of app %s: every hook needs a name, got %r" % (app.get("key"), hook))
            runs.append(dict(app, app_id=app_ids[app["key"]], execution_hook=hook,
                             label="%s: execution hook %s" % (app.get("label") or app.get("key"), hook["name"])))
    return runs


def hook_runs(entries, apps):
    """The runs of a user's task file: [{entry, app}] for each normalised entry, with its app as Astra Control returns
    it (apps: app key -> app). The task file sees them as astra_runbook_entry and astra_runbook_app."""
    return [{"entry": entry, "app": apps.get(entry["key"])} for entry in entries or []]


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
    result = plain_copy(record)
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


def verdict_message(runbook, report, run_error=None, clones=None, copy_error=None):
    """The closing message of a run that did not pass, from its report (dr_report's result) and record.

    runbook: its name ('drill'); report: {'failed_apps', 'html', ...}; run_error: why the run stopped early, if
    it did; clones: clone_outcomes() for a drill; copy_error: why the report could not be copied to
    <runbook>_report_copy_dir (run_stats' report_copy_error).
    """
    failed = list(report.get("failed_apps") or [])
    parts = []
    if run_error:
        parts.append("The %s stopped before its end: %s." % (runbook, run_error))
    if failed and runbook == "posture":
        parts.append("Out of policy or unprotected: %s." % ", ".join(failed))
    elif failed:
        parts.append("The %s failed for %s." % (runbook, ", ".join(failed)))
    if not parts:
        parts.append("The %s %s." % (runbook, "passed" if copy_error and report.get("passed") else "failed"))
    if copy_error:
        parts.append(copy_error.rstrip(".") + ".")
    if clones is not None:
        parts.append("Clones: %s." % describe_clones(clones))
    parts.append("Report: %s" % (report.get("html") or "not written"))
    return " ".join(parts)


# Evidence that outlives the run: what a runbook publishes with set_stats (AWX keeps it as the job's artifacts and
# hands it to the next nodes of a workflow), and the copy of its report in a directory the user names.

STATS_KEY = "kubedr_astra_%s"
# The same stats under a key of the run's own (a run with a run ID, such as an AWX job): AWX hands a later workflow node
# the artifacts of every job before it merged key by key, the last finished job's winning (WorkflowJob.
# get_effective_artifacts in awx/main/models/workflow.py), so the slices of a sliced job keep theirs apart only so.
STATS_RUN_KEY = "kubedr_astra_%s_run_%s"
STATS_APP_FIELDS = ("name", "cluster", "destination_cluster", "wave", "status", "rto_seconds", "rto_target_seconds",
                    "rpo_seconds", "rpo_target_seconds", "message")
REPORT_FILES = ("json", "html", "junit")


def _report_paths(report):
    return dict((kind, report.get(kind)) for kind in ("directory",) + REPORT_FILES)


def report_copy(report, copy_dir, copy_result=None, check_mode=False):
    """Where the copy of a report is, or why there is none: (paths or None, error or None).

    report: dr_report's result; copy_dir: <runbook>_report_copy_dir ('' or None: no copy asked for); copy_result:
    what ansible.builtin.copy of the report directory into copy_dir returned (registered with ignore_errors). The
    paths are only given once the copy succeeded; in check mode nothing was written, so nothing was copied.
    """
    if not copy_dir or check_mode:
        return None, None
    copy_result = copy_result if isinstance(copy_result, dict) else {}
    if _failed(copy_result) or copy_result.get("skipped") or not copy_result:
        why = copy_result.get("msg") or ("the copy did not run" if not _failed(copy_result) else NO_MESSAGE)
        return None, "The report could not be copied to %s: %s" % (copy_dir, _text(why).strip())
    # ansible.builtin.copy of a directory (no trailing slash) into copy_dir makes copy_dir/<its name>/.
    directory = os.path.join(str(copy_dir), os.path.basename(str(report.get("directory") or "").rstrip("/")))
    paths = {"directory": directory}
    for kind in REPORT_FILES:
        paths[kind] = os.path.join(directory, os.path.basename(report[kind])) if report.get(kind) else None
    return paths, None


def run_stats(record, runbook, report, check_mode=False, run_error=None, copy_dir=None, copy_result=None,
              clones=None):
    """What a run publishes with set_stats: {runbook, run_id, verdict, check_mode, failed_apps, run_error, apps, report,
    report_copy, report_copy_error} (and for a drill, clones).

    record: the run record; report: dr_report's result (its verdict and paths); apps: each app's verdict with its RTO
    and RPO where they were measured (None otherwise) against its targets. verdict is 'passed' only when the report
    passed and, when a copy was asked for, the copy was made: a run whose evidence could not be kept has failed.
    In check mode no report was written: report and report_copy are None.
    """
    if runbook not in RUNBOOKS:
        raise RunbookError("run_stats: runbook %r is not one of %s" % (runbook, ", ".join(RUNBOOKS)))
    report = report if isinstance(report, dict) else {}
    copied, copy_error = report_copy(report, copy_dir, copy_result, check_mode)
    apps = [dict((field, app.get(field)) for field in STATS_APP_FIELDS)
            for app in report_apps(record, targets=not check_mode)]
    stats = {
        "runbook": runbook,
        "run_id": report.get("run_id") or None,
        "verdict": "passed" if report.get("passed") and not copy_error else "failed",
        "check_mode": bool(check_mode),
        "failed_apps": list(report.get("failed_apps") or []),
        "run_error": run_error or None,
        "apps": apps,
        "report": None if check_mode else _report_paths(report),
        "report_copy": copied,
        "report_copy_error": copy_error,
    }
    if clones is not None:
        stats["clones"] = describe_clones(clones)
    return stats


def stats_run_key(runbook, run_id):
    """kubedr_astra_<runbook>_run_<run_id>, every character of the run ID that cannot be in a variable name a '_'."""
    return STATS_RUN_KEY % (runbook, re.sub(r"[^A-Za-z0-9_]", "_", str(run_id)))


def stats_data(stats):
    """The data of the set_stats task: the run's stats under one key per runbook (kubedr_astra_<runbook>), so that
    the runbooks of one job or workflow do not overwrite each other's; with a run ID also under
    kubedr_astra_<runbook>_run_<run ID>, so that runs of one runbook in one workflow (the slices of an AWX sliced job)
    do not either."""
    if not isinstance(stats, dict) or stats.get("runbook") not in RUNBOOKS:
        raise RunbookError("stats_data: expected what run_stats returns, got %r" % (stats,))
    data = {STATS_KEY % stats["runbook"]: stats}
    if stats.get("run_id"):
        data[stats_run_key(stats["runbook"], stats["run_id"])] = stats
    return data


def published_reports(stats_list, runbook):
    """The report files to merge from the stats runs of runbook published (run_stats), and the runs left out:
    {reports: [path of report.json], left_out: ["<run id>: why"]}, in run ID order.

    A run's report is its copy (report_copy) when it made one - in AWX the only one another job can read - else the
    report it wrote when no copy was asked for. A run whose copy failed, or that ran in check mode (no report), is left
    out, and so missing from the merge (dr_report_merge's expected_reports).
    """
    if not isinstance(stats_list, (list, tuple)):
        raise RunbookError("published_reports: expected a list of what run_stats returns, got %r" % (stats_list,))
    reports, left_out = [], []
    for stats in sorted(stats_list, key=lambda item: str(item.get("run_id") if isinstance(item, dict) else "")):
        if not isinstance(stats, dict) or stats.get("runbook") not in RUNBOOKS:
            raise RunbookError("published_reports: expected what run_stats returns, got %r" % (stats,))
        if stats["runbook"] != runbook:
            raise RunbookError("published_reports: run %s is a %s run, not a %s run"
                               % (stats.get("run_id"), stats["runbook"], runbook))
        label = stats.get("run_id") or "a run without a run ID"
        if stats.get("check_mode") or not stats.get("report"):
            left_out.append("%s: ran in check mode and wrote no report" % label)
        elif stats.get("report_copy_error"):
            left_out.append("%s: %s" % (label, stats["report_copy_error"]))
        else:
            reports.append((stats.get("report_copy") or stats["report"])["json"])
    return {"reports": reports, "left_out": left_out}
