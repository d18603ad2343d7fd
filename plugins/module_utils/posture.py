# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Protection posture: is every app protected the way the estate says, and would a failover today meet its RPO?

Standard library only. The facts come from one read-only pass over Astra Control (apps, schedules, the newest
completed snapshot and backup of each app, mirrors, buckets, namespaces); here they are judged, app by app and check
by check, against the estate's expectations. Every check says what it measured; a check with nothing to judge by is
skipped and says why, never passed.

Schedules are compared in the option shape of astra_protection_policy (schedules.schedule_definition for what Astra
Control has, ScheduleSpec.definition for what the estate wants), so that a posture run and the protect runbook agree
on what "the policy" is.
"""

import datetime

from ansible_collections.kubedr.astra.plugins.module_utils.runbook import format_duration, parse_time

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
    if mirror.get("healthState") not in (None, "normal"):
        problems.append("its health is %s" % mirror.get("healthState"))
    status = _check("mirror", FAILED if problems else PASSED,
                    "the AppMirror to %s: %s" % (entry["destination_cluster"], "; ".join(problems) or "established, healthy"))
    return [status, _age_check("mirror transfer", "completed transfer", _last_transfer_time(mirror), target, now)]


def _hook_check(snapshot, backup):
    points = [(_snapshot_time(snapshot) or "", "snapshot", snapshot)] if snapshot else []
    if backup:
        points.append((_backup_time(backup) or "", "backup", backup))
    if not points:
        return _check("hooks", FAILED, "no restore point to look at")
    _taken, kind, newest = max(points, key=lambda point: point[0])
    state = newest.get("hookState")
    if state == "success":
        return _check("hooks", PASSED, "the execution hooks of the newest %s %s succeeded" % (kind, newest.get("name")))
    if state is None:
        return _check("hooks", FAILED, "no execution hook ran for the newest %s %s: it is crash-consistent, not "
                      "app-consistent" % (kind, newest.get("name")))
    details = "; ".join(str((detail or {}).get("message") or detail) for detail in newest.get("hookStateDetails") or [])
    return _check("hooks", FAILED, "the execution hooks of the newest %s %s %s%s"
                  % (kind, newest.get("name"), state, (": " + details) if details else ""))


def _bucket_check(backup, bucket_names, wanted):
    if backup is None:
        return _check("backup bucket", SKIPPED, "no completed backup")
    bucket = bucket_names.get(backup.get("bucketID"), backup.get("bucketID"))
    if bucket != wanted:
        return _check("backup bucket", FAILED, "the newest backup is in bucket %s, not in %s" % (bucket, wanted))
    return _check("backup bucket", PASSED, "the newest backup is in bucket %s" % bucket)


def app_posture(entry, facts, expected, now):
    """The checks of one app of the estate, in order.

    entry: the app's normalised entry (name, cluster, destination_cluster when it should be mirrored,
    rpo_target_seconds); facts: {app (None when not managed), schedules (its protection schedules in option shape),
    snapshot and backup (its newest completed ones, or None), mirror (its AppMirror, or None), bucket_names (ID ->
    name)}; expected: {policy (schedule definitions, or None: not checked), bucket (a name, or None), hooks (bool)};
    now: an aware datetime, read once for the whole run.
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
    if entry.get("destination_cluster"):
        checks += _mirror_checks(entry, app, facts.get("mirror"), target, now)
    if expected.get("hooks"):
        checks.append(_hook_check(snapshot, backup))
    return checks


def unprotected(estate_keys, apps, namespaces_by_cluster):
    """What no estate entry covers: managed apps ('name@cluster') and the user namespaces of managed clusters that no
    managed app holds ('namespace@cluster'). namespaces_by_cluster: cluster name -> its namespaces as the API lists
    them; system namespaces (systemType set) and removed ones do not count."""
    apps_outside = sorted("%s@%s" % (app.get("name"), app.get("clusterName")) for app in apps
                          if "%s@%s" % (app.get("name"), app.get("clusterName")) not in estate_keys)
    held = set()
    for app in apps:
        for resource in app.get("namespaceScopedResources") or []:
            held.add((app.get("clusterName"), resource.get("namespace")))
    namespaces_outside = sorted("%s@%s" % (namespace.get("name"), cluster)
                                for cluster, namespaces in namespaces_by_cluster.items() for namespace in namespaces
                                if namespace.get("namespaceState") == "discovered" and not namespace.get("systemType")
                                and (cluster, namespace.get("name")) not in held)
    return {"apps": apps_outside, "namespaces": namespaces_outside}


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)
