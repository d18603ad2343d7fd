# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Protection posture: is every app protected the way the estate says, and would a failover today meet its RPO?

The facts come from one read-only pass over Astra Control (read_posture: the inventory's reading of the estate, one
list per kind and per app only its snapshots, backups and schedules, plus one list each of buckets, namespaces and
execution hooks); here they are judged, app by app and check by check, against the estate's expectations
(estate_posture, app_posture, unprotected). Every check says what it measured; a check with nothing to judge by is
skipped and says why, never passed. record_posture turns the result into the runbooks' run record for the report.

Schedules are compared in the option shape of astra_protection_policy (schedules.schedule_definition for what Astra
Control has, ScheduleSpec.definition for what the estate wants), so that a posture run and the protect runbook agree
on what "the policy" is.
"""

import datetime

from ansible_collections.kubedr.astra.plugins.module_utils.app_mirrors import with_names
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraApiError
from ansible_collections.kubedr.astra.plugins.module_utils.inventory import (
    RESTORE_POINT_FIELDS,
    as_dicts,
    mirror_of,
    read_estate,
)
from ansible_collections.kubedr.astra.plugins.module_utils.ordering import newest_first
from ansible_collections.kubedr.astra.plugins.module_utils.runbook import (
    RunbookError,
    format_duration,
    is_replication_snapshot,
    new_record,
    parse_time,
    plain_copy,
    record_step,
    restore_point_consistency,
)
from ansible_collections.kubedr.astra.plugins.module_utils.schedules import is_replication_schedule, schedule_definition

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
# What a policy comparison looks at; the bucket is checked separately against the estate's bucket, by name.
POLICY_FIELDS = ("granularity", "minute", "hour", "day_of_week", "day_of_month", "recurrence_rule",
                 "snapshot_retention", "backup_retention", "enabled")


def _check(name, status, message, **measures):
    check = {"name": name, "status": status, "message": message}
    check.update((key, value) for key, value in measures.items() if value is not None)
    return check


def age_seconds(timestamp, now):
    """Seconds from `timestamp` (ISO 8601) to `now` (an aware datetime), rounded to the second; None without one."""
    if not timestamp:
        return None
    return round((now - parse_time(timestamp, "age")).total_seconds())


def _describe_schedule(definition):
    fields = ", ".join("%s=%s" % (field, definition[field]) for field in POLICY_FIELDS
                       if definition.get(field) is not None)
    return "%s (%s)" % (definition.get("name"), fields)


def policy_differences(expected, actual):
    """What separates the app's protection schedules (`actual`) from the estate's (`expected`), both lists of
    schedule definitions in option shape, matched by name: missing, different (field by field) and extra schedules."""
    found = dict((schedule["name"], schedule) for schedule in actual or [])
    wanted = dict((schedule["name"], schedule) for schedule in expected or [])
    differences = []
    for name, schedule in wanted.items():
        if name not in found:
            differences.append("schedule %s is missing" % _describe_schedule(schedule))
            continue
        changed = ["%s %s instead of %s" % (field, found[name].get(field), schedule.get(field)) for field in POLICY_FIELDS
                   if schedule.get(field) != found[name].get(field)]
        if changed:
            differences.append("schedule %s has %s" % (name, ", ".join(changed)))
    for name in found:
        if name not in wanted:
            differences.append("schedule %s is not in the policy" % _describe_schedule(found[name]))
    return differences


def _age_check(name, what, timestamp, target, now):
    """A restore point (or transfer) younger than the RPO target: the data a recovery from it would lose."""
    if not timestamp:
        return _check(name, FAILED, "no %s" % what)
    age = age_seconds(timestamp, now)
    if target is None:
        return _check(name, SKIPPED, "the newest %s is %s old; no rpo_target_seconds to judge it by"
                      % (what, format_duration(age)), age_seconds=age)
    if age > float(target):
        return _check(name, FAILED, "the newest %s is %s old, older than the RPO target of %s"
                      % (what, format_duration(age), format_duration(float(target))), age_seconds=age)
    return _check(name, PASSED, "the newest %s is %s old (RPO target %s)"
                  % (what, format_duration(age), format_duration(float(target))), age_seconds=age)


def _snapshot_time(snapshot):
    return snapshot.get("snapshotCreationTimestamp") or (snapshot.get("metadata") or {}).get("creationTimestamp")


def _backup_time(backup):
    return backup.get("backupCreationTimestamp") or (backup.get("metadata") or {}).get("creationTimestamp")


def _last_transfer_time(mirror):
    completed = [entry["additionalDetails"] for entry in mirror.get("transferStateDetails") or []
                 if isinstance(entry, dict) and isinstance(entry.get("additionalDetails"), dict)
                 and entry["additionalDetails"].get("completionTime")]
    return completed[-1]["completionTime"] if completed else None


def _mirror_checks(entry, app, mirror, target, now):
    if mirror is None:
        return [_check("mirror", FAILED, "no AppMirror replicates %s to %s" % (entry["name"], entry["destination_cluster"])),
                _check("mirror transfer", SKIPPED, "no mirror")]
    problems = []
    if mirror.get("state") != "established":
        problems.append("it is %s" % mirror.get("state"))
    if mirror.get("sourceAppID") != app.get("id"):
        source = mirror.get("sourceClusterName") or "the other cluster"
        problems.append("it replicates from %s, not from %s" % (source, entry["cluster"]))
    if mirror.get("destinationClusterName") not in (None, entry["destination_cluster"]) and not problems:
        problems.append("it replicates to %s, not to %s" % (mirror["destinationClusterName"], entry["destination_cluster"]))
    if mirror.get("healthState") not in (None, "normal"):
        problems.append("its health is %s" % mirror.get("healthState"))
    status = _check("mirror", FAILED if problems else PASSED,
                    "the AppMirror to %s: %s" % (entry["destination_cluster"], "; ".join(problems) or "established, healthy"))
    return [status, _age_check("mirror transfer", "completed transfer", _last_transfer_time(mirror), target, now)]


def _hook_check(snapshot, backup, hooks, app_id):
    """Whether the newest restore point is app-consistent, by the drill's rule (restore_point_consistency): its hooks
    succeeded and the app has an enabled pre-hook of its kind. hooks: the app's execution hooks, or None when the
    account's execution-hooks setting is off."""
    points = [(_snapshot_time(snapshot) or "", "snapshot", snapshot)] if snapshot else []
    if backup:
        points.append((_backup_time(backup) or "", "backup", backup))
    if not points:
        return _check("hooks", FAILED, "no restore point to look at")
    _taken, kind, newest = max(points, key=lambda point: point[0])
    consistent, note = restore_point_consistency(
        newest, kind, app_id, {"execution_hooks_enabled": hooks is not None, "execution_hooks": hooks or []})
    return _check("hooks", PASSED if consistent else FAILED, note)


def _bucket_check(backup, bucket_names, wanted):
    if backup is None:
        return _check("backup bucket", SKIPPED, "no completed backup")
    bucket = bucket_names.get(backup.get("bucketID"), backup.get("bucketID"))
    if bucket != wanted:
        return _check("backup bucket", FAILED, "the newest backup is in bucket %s, not in %s" % (bucket, wanted))
    return _check("backup bucket", PASSED, "the newest backup is in bucket %s" % bucket)


def app_posture(entry, facts, expected, now):
    """The checks of one app of the estate, in order.

    entry: the app's normalised entry (name, cluster, destination_cluster, rpo_target_seconds, expect_mirror: whether
    its mirror to destination_cluster is checked (default: when it has one), expect_hooks: whether its hooks are
    checked (default: expected's hooks)); facts: {app (None when not managed), schedules (its protection schedules in
    option shape), snapshot and backup (its newest completed ones, or None), mirror (its AppMirror with the names of
    its clusters, or None), bucket_names (ID -> name), hooks (its execution hooks, or None when the account's hooks
    setting is off)}; expected: {policy (schedule definitions, or None: not checked), bucket (a name, or None), hooks
    (bool)}; now: an aware datetime, read once for the whole run.
    """
    app = facts.get("app")
    if app is None:
        return [_check("managed", FAILED, "%s is not managed on %s (run the protect runbook)" % (entry["name"], entry["cluster"]))]
    target = entry.get("rpo_target_seconds")
    checks = [_check("managed", PASSED, "%s is managed on %s (state %s)" % (entry["name"], entry["cluster"], app.get("state")))]
    if expected.get("policy") is None:
        checks.append(_check("protection policy", SKIPPED, "no policy given to compare with"))
    else:
        differences = policy_differences(expected["policy"], facts.get("schedules"))
        checks.append(_check("protection policy", FAILED if differences else PASSED,
                             "; ".join(differences) or "the schedules are the policy's"))
    snapshot, backup = facts.get("snapshot"), facts.get("backup")
    checks.append(_age_check("snapshot", "completed snapshot", _snapshot_time(snapshot) if snapshot else None, target, now))
    checks.append(_age_check("backup", "completed backup", _backup_time(backup) if backup else None, target, now))
    if expected.get("bucket"):
        checks.append(_bucket_check(backup, facts.get("bucket_names") or {}, expected["bucket"]))
    if entry.get("expect_mirror", True) and entry.get("destination_cluster"):
        checks += _mirror_checks(entry, app, facts.get("mirror"), target, now)
    elif entry.get("expect_mirror"):
        checks.append(_check("mirror", FAILED, "a mirror is expected but the entry has no destination_cluster"))
    if entry.get("expect_hooks", expected.get("hooks")):
        checks.append(_hook_check(snapshot, backup, facts.get("hooks", []), app.get("id")))
    return checks


def unprotected(estate_keys, apps, namespaces_by_cluster, ignored=()):
    """What no estate entry covers: managed apps ('name@cluster') and the user namespaces of managed clusters that no
    managed app holds ('namespace@cluster'). namespaces_by_cluster: cluster name -> its namespaces as the API lists
    them; system namespaces (systemType set), removed ones and those named in `ignored` do not count."""
    apps_outside = sorted(app_key(app) for app in apps if app_key(app) not in estate_keys)
    held = set()
    for app in apps:
        for resource in app.get("namespaceScopedResources") or []:
            held.add((app.get("clusterName"), resource.get("namespace")))
    namespaces_outside = sorted("%s@%s" % (namespace.get("name"), cluster)
                                for cluster, namespaces in namespaces_by_cluster.items() for namespace in namespaces
                                if namespace.get("namespaceState") == "discovered" and not namespace.get("systemType")
                                and namespace.get("name") not in ignored and (cluster, namespace.get("name")) not in held)
    return {"apps": apps_outside, "namespaces": namespaces_outside}


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)


# ---------------------------------------------------------------------- reading the estate

NAMESPACES = "topology/v1/namespaces"
EXECUTION_HOOKS = "core/v1/executionHooks"
HOOKS_DISABLED = (403, 168)
# What is read of each kind, through the API's include parameter.
SNAPSHOT_FIELDS = RESTORE_POINT_FIELDS + ("snapshotCreationTimestamp", "hookState", "hookStateDetails")
BACKUP_FIELDS = RESTORE_POINT_FIELDS + ("bucketID", "backupCreationTimestamp", "hookState", "hookStateDetails")
NAMESPACE_FIELDS = ("name", "namespaceState", "clusterID", "systemType")
HOOK_FIELDS = ("id", "name", "appID", "action", "stage", "enabled")


def read_posture(lookups, keys=None):
    """Everything a posture run judges, read once: the estate as the inventory reads it (clusters, apps, app mirrors;
    per app its snapshots, backups and schedules), plus one list each of buckets, namespaces and execution hooks.

    keys: the 'name@cluster' of the apps that get per-app requests (None: every app). execution_hooks is None when
    the account's hooks setting is off (403 problem 168).
    """
    estate = read_estate(lookups, selected=None if keys is None else lambda app: app_key(app) in keys,
                         snapshot_fields=SNAPSHOT_FIELDS, backup_fields=BACKUP_FIELDS)
    client = lookups.client
    estate["buckets"] = lookups.buckets()
    estate["namespaces"] = as_dicts(client.list(NAMESPACES, params={"include": ",".join(NAMESPACE_FIELDS)},
                                                operation="List namespaces"), NAMESPACE_FIELDS)
    try:
        estate["execution_hooks"] = as_dicts(client.list(EXECUTION_HOOKS, params={"include": ",".join(HOOK_FIELDS)},
                                                         operation="List execution hooks"), HOOK_FIELDS)
    except AstraApiError as error:
        if (error.status, error.problem) != HOOKS_DISABLED:
            raise
        estate["execution_hooks"] = None
    return estate


def app_key(app):
    return "%s@%s" % (app.get("name"), app.get("clusterName"))


# ---------------------------------------------------------------------- judging it

ENTRY_FIELDS = ("name", "cluster", "destination_cluster", "rpo_target_seconds", "expect_mirror", "expect_hooks")


def entry_problems(entries):
    """[(option, rule)] for app entries the posture cannot judge: name and cluster required, the rest typed; other keys
    of the runbooks' shared app entries (namespaces, wave, ...) are ignored."""
    problems = []
    seen = set()
    for index, entry in enumerate(entries or []):
        where = "apps[%d]" % index
        if not isinstance(entry, dict):
            problems.append((where, "must be a dict with name and cluster, got %r" % (entry,)))
            continue
        for field in ("name", "cluster"):
            if not isinstance(entry.get(field), str) or not entry[field].strip():
                problems.append(("%s.%s" % (where, field), "a non-empty string is required"))
        if entry.get("destination_cluster") is not None and not isinstance(entry["destination_cluster"], str):
            problems.append(("%s.destination_cluster" % where, "must be a string"))
        target = entry.get("rpo_target_seconds")
        if target is not None and (isinstance(target, bool) or not isinstance(target, (int, float)) or target < 0):
            problems.append(("%s.rpo_target_seconds" % where, "must be a number of seconds, 0 or more; got %r" % (target,)))
        for field in ("expect_mirror", "expect_hooks"):
            if entry.get(field) is not None and not isinstance(entry[field], bool):
                problems.append(("%s.%s" % (where, field), "must be true or false, got %r" % (entry[field],)))
        key = "%s@%s" % (entry.get("name"), entry.get("cluster"))
        if key in seen:
            problems.append((where, "%s is listed more than once" % key))
        seen.add(key)
    return problems


def normalise_entries(entries, defaults, apps=None):
    """The entries with the defaults ({destination_cluster, rpo_target_seconds, expect_mirror, expect_hooks}) filled
    in, each with its key; without entries, one per managed app (apps as the API lists them), the whole estate.

    An entry that does not say whether it expects a mirror expects one when it has a destination cluster, unless the
    default expect_mirror is false."""
    if not entries:
        entries = [{"name": app.get("name"), "cluster": app.get("clusterName")} for app in apps or []]
    normalised = []
    for entry in entries:
        item = {"key": "%s@%s" % (entry["name"], entry["cluster"])}
        for field in ENTRY_FIELDS:
            item[field] = entry[field] if entry.get(field) is not None else defaults.get(field)
        if entry.get("expect_mirror") is None:
            item["expect_mirror"] = bool(item["destination_cluster"]) and defaults.get("expect_mirror") is not False
        normalised.append(item)
    return normalised


def _newest_completed(points):
    completed = [point for point in points or [] if point.get("state") == "completed"]
    return newest_first(completed)[0] if completed else None


def estate_facts(estate, app):
    """facts (see app_posture) of one managed app (None: not managed) from read_posture()."""
    if app is None:
        return {"app": None}
    cluster_names = dict((item.get("id"), item.get("name")) for item in estate.get("clusters") or [])
    app_names = dict((item.get("id"), item.get("name")) for item in estate.get("apps") or [])
    protection = (estate.get("protection") or {}).get(app.get("id")) or {}
    mirror = mirror_of(app, estate.get("app_mirrors") or [])
    hooks = estate.get("execution_hooks")
    return {
        "app": app,
        "schedules": [schedule_definition(item) for item in protection.get("schedules") or []
                      if not is_replication_schedule(item)],
        # A mirror's snapshots are judged by the mirror checks; these are the app's own.
        "snapshot": _newest_completed([point for point in protection.get("snapshots") or []
                                       if not is_replication_snapshot(point)]),
        "backup": _newest_completed(protection.get("backups")),
        "mirror": with_names(mirror, cluster_names, app_names) if mirror else None,
        "bucket_names": dict((item.get("id"), item.get("name")) for item in estate.get("buckets") or []),
        "hooks": None if hooks is None else [hook for hook in hooks if hook.get("appID") == app.get("id")],
    }


def _status(checks):
    statuses = [check["status"] for check in checks]
    if FAILED in statuses:
        return FAILED
    return SKIPPED if statuses and all(status == SKIPPED for status in statuses) else PASSED


def _covered(entries, apps, mirrors):
    """The keys of the entries and of the other ends of their apps' mirrors (a replica is covered by its source's
    entry)."""
    keys = set(entry["key"] for entry in entries)
    by_id = dict((app.get("id"), app) for app in apps)
    for app in apps:
        mirror = mirror_of(app, mirrors) if app_key(app) in keys else None
        for end in ("sourceAppID", "destinationAppID"):
            if mirror and mirror.get(end) in by_id:
                keys.add(app_key(by_id[mirror[end]]))
    return keys


def estate_posture(entries, estate, expected, now, list_unprotected=True, ignored_namespaces=()):
    """The posture of the estate: {apps: [{key, name, cluster, destination_cluster, status, checks, astra_ids}],
    unprotected: {apps, namespaces} (what no entry covers, on managed clusters; the mirror replicas of the entries'
    apps are covered by them), counts, passed, hooks_enabled}.

    entries: normalise_entries(); estate: read_posture(); expected: as app_posture's; ignored_namespaces: names of
    namespaces never listed as unprotected (default, for example).
    """
    managed = dict((item.get("id"), item.get("name")) for item in estate.get("clusters") or []
                   if item.get("managedState") == "managed")
    apps = [app for app in estate.get("apps") or [] if app.get("clusterID") in managed]
    by_key = dict((app_key(app), app) for app in apps)
    judged = []
    for entry in entries:
        checks = app_posture(entry, estate_facts(estate, by_key.get(entry["key"])), expected, now)
        app_id = (by_key.get(entry["key"]) or {}).get("id")
        judged.append({"key": entry["key"], "name": entry["name"], "cluster": entry["cluster"],
                       "destination_cluster": entry.get("destination_cluster"), "status": _status(checks),
                       "checks": checks, "astra_ids": {"app_id": app_id} if app_id else {}})
    outside = {"apps": [], "namespaces": []}
    if list_unprotected:
        namespaces = {}
        for namespace in estate.get("namespaces") or []:
            if namespace.get("clusterID") in managed:
                namespaces.setdefault(managed[namespace["clusterID"]], []).append(namespace)
        outside = unprotected(_covered(entries, apps, estate.get("app_mirrors") or []), apps, namespaces,
                              ignored_namespaces)
    counts = dict((status, sum(1 for app in judged if app["status"] == status)) for status in (PASSED, FAILED, SKIPPED))
    return {"apps": judged, "unprotected": outside, "counts": counts,
            "passed": not counts[FAILED] and not outside["apps"] and not outside["namespaces"],
            "hooks_enabled": estate.get("execution_hooks") is not None}


# ---------------------------------------------------------------------- the run record of the posture runbook

UNPROTECTED_CHECK = "estate entry"


def record_posture(record, posture):
    """The run record (runbook.new_record of the normalised posture entries) with one step per check of each app, and
    an entry with a failed 'estate entry' step for each managed app and namespace no entry covers (from
    astra_posture_info's posture). A check has no start or end: it judges one reading of the estate."""
    if not isinstance(posture, dict) or not isinstance(posture.get("apps"), list):
        raise RunbookError("record_posture: expected the posture astra_posture_info returns, got %r" % (posture,))
    # Plain dicts and lists first: what a role passes in are Ansible's lazy containers, which each of the many
    # deep copies below would otherwise template again.
    result, posture = plain_copy(record or {}), plain_copy(posture)
    for app in posture["apps"]:
        if app["key"] not in result:
            result.update(_new_entry(app["key"], app["name"], app["cluster"], app.get("destination_cluster")))
        # The RPO target is judged by the checks (each says how old its restore point is), not measured by a run.
        result[app["key"]]["app"].pop("rpo_target_seconds", None)
        for check in app["checks"]:
            result = record_step(result, app["key"], {"name": check["name"], "status": check["status"],
                                                      "message": check["message"]}, ids=app.get("astra_ids"))
    for kind, why in (("apps", "managed on %s but in no estate entry: no policy says how it must be protected"),
                      ("namespaces", "a namespace on %s that no managed app holds: Astra Control protects nothing of it")):
        for key in posture.get("unprotected", {}).get(kind) or []:
            name, cluster = key.rsplit("@", 1)
            label = name if kind == "apps" else "namespace %s" % name
            result.update(_new_entry(key if kind == "apps" else "namespace %s" % key, label, cluster, None))
            result = record_step(result, key if kind == "apps" else "namespace %s" % key,
                                 {"name": UNPROTECTED_CHECK, "status": FAILED, "message": why % cluster})
    return result


def _new_entry(key, name, cluster, destination):
    app = {"key": key, "name": name, "cluster": cluster}
    if destination:
        app["destination_cluster"] = destination
    return new_record([app])
