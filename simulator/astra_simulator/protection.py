"""Snapshots (`appSnaps`) and backups (`appBackups`) of managed apps.

snapshot  POST   -> pending --appSnap.start--> running --appSnap.complete--> completed | failed (fail_next appSnap)
          DELETE -> deleting --appSnap.delete--> gone
backup    POST   -> pending [until its own snapshot completes, when none was named] --appBackup.start--> running
                    (percentDone, bytesDone rise with the wall clock) --appBackup.transfer--> completed
                    | failed (fail_next appBackup, or its snapshot failed)
          DELETE -> deleting --appBackup.delete--> gone

A snapshot or backup captures the app's resources when it is created (see
`assets.capture`); restores and the appAssets endpoints read that capture.
Timers of snapshots are tied to the app's cluster (they wait during an
outage); backup transfers are too, deletions of backups are not (the data is
in the bucket).
"""

import time

from . import assets, hooks, world
from .engine import on_timer
from .faults import consume_failure
from .problems import ApiProblem
from .relations import mirror_using_snapshot, transferring
from .resources import NIL_UUID, iso, new_id, new_metadata, public, state_detail, touch
from .schema import DNS_1123, IDENTIFIER, METADATA_UPDATE, Obj, envelope, validate

SNAP_VERSIONS = ("1.0", "1.1", "1.2", "1.3")
BACKUP_VERSIONS = ("1.0", "1.1", "1.2")
IN_FLIGHT = ("pending", "running")
TRIGGER_LABEL = "astra.netapp.io/labels/read-only/triggerType"

SNAP_POST = Obj({**envelope("appSnap", SNAP_VERSIONS), "name": DNS_1123, "bucketID": IDENTIFIER, "metadata": METADATA_UPDATE},
                required=("type", "version"))
BACKUP_POST = Obj({**envelope("appBackup", BACKUP_VERSIONS), "name": DNS_1123, "bucketID": IDENTIFIER,
                   "snapshotID": IDENTIFIER, "metadata": METADATA_UPDATE}, required=("type", "version"))

SNAP_FIELDS = ("type", "version", "id", "name", "bucketID", "scheduleID", "snapshotAppAsset", "state", "stateUnready",
               "stateDetails", "hookState", "hookStateDetails", "snapshotCreationTimestamp", "metadata")
BACKUP_FIELDS = ("type", "version", "id", "name", "bucketID", "snapshotID", "scheduleID", "state", "stateUnready",
                 "stateDetails", "hookState", "hookStateDetails", "backupCreationTimestamp", "totalBytes", "bytesDone",
                 "percentDone", "metadata")


# reading ------------------------------------------------------------------
def snapshots(store, app_id):
    return store.all("appSnap", _appID=app_id)


def backups(store, app_id=None):
    return store.all("appBackup", _appID=app_id) if app_id else store.all("appBackup")


def snapshot_in_flight(store, app_id):
    return next((s for s in snapshots(store, app_id) if s["state"] in IN_FLIGHT), None)


def backup_in_flight(store, app_id):
    return next((b for b in backups(store, app_id) if b["state"] in IN_FLIGHT), None)


def render_snapshot(snap):
    doc = public(snap)
    return {name: doc[name] for name in SNAP_FIELDS if name in doc}


def render_backup(backup):
    doc = public(backup)
    if backup["state"] == "running":
        elapsed = time.time() - backup["_transferStarted"]
        percent = max(1, min(99, int(100 * elapsed / max(backup["_transferSeconds"], 1e-6))))
        doc["percentDone"] = percent
        doc["bytesDone"] = backup["totalBytes"] * percent // 100
    return {name: doc[name] for name in BACKUP_FIELDS if name in doc}


def _unique_name(taken, base):
    name, n = base, 1
    while name in taken:
        n += 1
        suffix = "-%d" % n
        name = base[:63 - len(suffix)] + suffix
    return name


def timestamp_suffix():
    return time.strftime("%Y%m%d%H%M%S", time.gmtime())


def _require_ready(app, what):
    if app["state"] != "ready":
        detail = "The app %s is %s; a %s can be taken only while it is ready." % (app["name"], app["state"], what)
        if app["state"] == "unavailable":
            detail = ("The app %s is unavailable: its cluster can't be reached, so no %s can be taken until it is back."
                      % (app["name"], what))
        raise ApiProblem(112, detail)


def resolve_bucket(store, app, bucket_id=None):
    """The bucket a backup goes to: the one named (400 108 if unknown), else the cluster's or cloud's default (else 127)."""
    if bucket_id:
        if store.get("bucket", bucket_id) is None:
            raise ApiProblem(108, "The bucket %s isn't found." % bucket_id)
        return bucket_id
    found = world.default_bucket_id(store, world.cluster(store, app["clusterID"]) or {})
    if not found:
        raise ApiProblem(127, "No bucketID was given, and neither the cluster of app %s nor its cloud has a default bucket."
                         % app["name"])
    return found


# creating -----------------------------------------------------------------
def new_snapshot(store, engine, app, name, version, created_by, labels=(), schedule_id=None, fail=False, for_backup=False):
    """A snapshot of the app; `for_backup`: taken by a backup, which runs its backup hooks instead of snapshot hooks."""
    snap = {
        "type": "application/astra-appSnap", "version": version, "id": new_id(), "name": name,
        "state": "pending", "stateUnready": [], "stateDetails": [], "hookStateDetails": [],
        "metadata": new_metadata(created_by, list(labels)),
        **assets.capture(store, app),
    }
    if schedule_id:
        snap["scheduleID"] = schedule_id
    if for_backup:
        snap["_forBackup"] = True
    store.put("appSnap", snap)
    engine.schedule("appSnap.start", "appSnap.start", snap["id"], cluster_id=app["clusterID"], args={"fail": fail})
    return snap


def new_backup(store, engine, app, name, version, created_by, bucket_id, snapshot, labels=(), schedule_id=None,
               fail=False, trigger="backup"):
    """A backup of `snapshot` (a stored appSnap document); it starts once that snapshot is completed."""
    user_labels = [label for label in labels if label["name"] != TRIGGER_LABEL]
    captured = {key: snapshot[key] for key in snapshot if key.startswith("_")}
    backup = {
        "type": "application/astra-appBackup", "version": version, "id": new_id(), "name": name,
        "bucketID": bucket_id, "snapshotID": snapshot["id"], "state": "pending", "stateUnready": [],
        "stateDetails": [], "hookStateDetails": [], "backupCreationTimestamp": iso(),
        "totalBytes": assets.used_bytes(captured["_assets"]), "bytesDone": 0, "percentDone": 0,
        "metadata": new_metadata(created_by, [{"name": TRIGGER_LABEL, "value": trigger}] + user_labels),
        **captured,
        "_fail": fail,
    }
    if schedule_id:
        backup["scheduleID"] = schedule_id
    store.put("appBackup", backup)
    if snapshot["state"] == "completed":
        engine.schedule("appBackup.start", "appBackup.start", backup["id"], cluster_id=app["clusterID"])
    return backup


def create_snapshot(call, app):
    store, body = call.store, call.body
    failure = validate(SNAP_POST, body)
    if failure:
        raise ApiProblem(8, schema_failure=failure)
    if "bucketID" in body:
        cluster = world.cluster(store, app["clusterID"]) or {}
        raise ApiProblem(177, "Cluster %s doesn't have the 'neptuneV1' capability, so a snapshot can't name a bucket."
                         % cluster.get("name"))
    _require_ready(app, "snapshot")
    taken = {s["name"] for s in snapshots(store, app["id"])}
    name = body.get("name") or _unique_name(taken, "%s-snapshot-%s" % (app["name"][:40], timestamp_suffix()))
    if name in taken:
        raise ApiProblem(176, "The app %s already has a snapshot named %s." % (app["name"], name))
    running = snapshot_in_flight(store, app["id"])
    if running:
        raise ApiProblem(148, "The snapshot %s of app %s is still %s." % (running["name"], app["name"], running["state"]))
    return new_snapshot(store, call.engine, app, name, body["version"], store.setting("user_id"),
                        labels=(body.get("metadata") or {}).get("labels", []), fail=consume_failure(store, "appSnap"))


def create_backup(call, app):
    store, body = call.store, call.body
    failure = validate(BACKUP_POST, body)
    if failure:
        raise ApiProblem(8, schema_failure=failure)
    _require_ready(app, "backup")
    taken = {b["name"] for b in backups(store, app["id"])}
    name = body.get("name") or _unique_name(taken, "%s-backup-%s" % (app["name"][:42], timestamp_suffix()))
    if name in taken:
        raise ApiProblem(143, "The app %s already has a backup named %s." % (app["name"], name))
    snapshot = None
    if "snapshotID" in body:
        snapshot = store.get("appSnap", body["snapshotID"])
        if snapshot is None:
            raise ApiProblem(46, "The snapshot %s wasn't found." % body["snapshotID"])
        if snapshot["_appID"] != app["id"]:
            raise ApiProblem(76, "The snapshot %s belongs to another app, not to %s." % (snapshot["name"], app["name"]))
        if snapshot["state"] != "completed":
            raise ApiProblem(111, "The snapshot %s is %s, not completed." % (snapshot["name"], snapshot["state"]))
    running = backup_in_flight(store, app["id"])
    if running:
        raise ApiProblem(107, "The backup %s of app %s is still %s." % (running["name"], app["name"], running["state"]))
    if snapshot is None:
        in_flight = snapshot_in_flight(store, app["id"])
        if in_flight:
            raise ApiProblem(148, "The snapshot %s of app %s is still %s." % (in_flight["name"], app["name"], in_flight["state"]))
    bucket_id = resolve_bucket(store, app, body.get("bucketID"))
    user = store.setting("user_id")
    if snapshot is None:
        snap_names = {s["name"] for s in snapshots(store, app["id"])}
        snapshot = new_snapshot(store, call.engine, app, _unique_name(snap_names, "%s-snapshot" % name[:54]),
                                SNAP_VERSIONS[-1], user, for_backup=True)
    return new_backup(store, call.engine, app, name, body["version"], user, bucket_id, snapshot,
                      labels=(body.get("metadata") or {}).get("labels", []), fail=consume_failure(store, "appBackup"))


# deleting -----------------------------------------------------------------
def _start_deleting(store, engine, doc, kind, cluster_id=None):
    engine.cancel(doc["id"])
    doc["state"] = "deleting"
    doc["stateDetails"] = []
    touch(doc)
    store.put(kind, doc)
    engine.schedule(kind + ".delete", kind + ".delete", doc["id"], cluster_id=cluster_id)


def _refuse_while_restoring(store, doc, what):
    app = store.get("app", doc["_appID"])
    if app is not None and app["state"] == "restoring":
        raise ApiProblem(142, "The %s %s wasn't deleted: the app %s is restoring." % (what, doc["name"], app["name"]))


def delete_snapshot(call, snap):
    if snap["state"] == "deleting":
        return
    mirror = mirror_using_snapshot(call.store, snap["id"])
    if mirror:
        raise ApiProblem(120, "The snapshot %s is the replication snapshot the AppMirror %s %s." % (
            snap["name"], mirror["id"], "is transferring" if transferring(mirror, snap["id"]) else "last transferred"))
    _refuse_while_restoring(call.store, snap, "snapshot")
    user = next((b for b in backups(call.store, snap["_appID"]) if b["state"] in IN_FLIGHT and b["snapshotID"] == snap["id"]), None)
    if user:
        raise ApiProblem(144, "The snapshot %s is used by the backup %s, which is %s." % (snap["name"], user["name"], user["state"]))
    _start_deleting(call.store, call.engine, snap, "appSnap", snap["_clusterID"])


def delete_backup(call, backup):
    if backup["state"] == "deleting":
        return
    if backup["state"] == "pending":
        raise ApiProblem(128, "The backup %s is pending; it can be deleted once it runs or ends." % backup["name"])
    _refuse_while_restoring(call.store, backup, "backup")
    _start_deleting(call.store, call.engine, backup, "appBackup")


# retention ----------------------------------------------------------------
def prune(store, engine, schedule_id):
    """Delete the oldest completed snapshots and backups of a schedule beyond its retention counts."""
    schedule = store.get("schedule", schedule_id)
    if schedule is None:
        return
    in_use = {b["snapshotID"] for b in store.all("appBackup", _appID=schedule["_appID"]) if b["state"] in IN_FLIGHT}
    done = [s for s in store.all("appSnap", scheduleID=schedule_id) if s["state"] == "completed"]
    for snap in done[:max(0, len(done) - int(schedule["snapshotRetention"]))]:
        if snap["id"] not in in_use:
            _start_deleting(store, engine, snap, "appSnap", snap["_clusterID"])
    done = [b for b in store.all("appBackup", scheduleID=schedule_id) if b["state"] == "completed"]
    for backup in done[:max(0, len(done) - int(schedule["backupRetention"]))]:
        _start_deleting(store, engine, backup, "appBackup")


# timed transitions --------------------------------------------------------
def _run_hooks(store, doc, kind, action, stage):
    """Run the app's `action`/`stage` hooks for the snapshot or backup `doc`; their failures accumulate on it."""
    failures = hooks.run(store, doc["_appID"], store.get("app", doc["_appID"]), action, stage, {"kind": kind, "id": doc["id"]},
                         scheduled=bool(doc.get("scheduleID")))
    doc["_hookFailures"] = doc.get("_hookFailures", []) + failures


def _set_hook_state(doc, completed):
    """`hookState` as the operation ends: success (zero or more applicable hooks, all successful) or failed, with the
    failures in `hookStateDetails`; a failed operation reports it only when a hook failed."""
    failures = doc.get("_hookFailures", [])
    if completed or failures:
        doc["hookState"] = "failed" if failures else "success"
        doc["hookStateDetails"] = failures


def _failed(doc, what, why):
    doc["state"] = "failed"
    doc["stateUnready"] = ["%s failed: %s" % (what, why)]
    doc["stateDetails"] = [state_detail("%sFailed" % what.lower(), "%s failed" % what, "%s failed: %s" % (what, why))]
    touch(doc)


@on_timer("appSnap.start")
def _snapshot_started(store, engine, timer):
    snap = store.get("appSnap", timer["object_id"])
    if snap is None or snap["state"] != "pending":
        return
    if snap.get("_forBackup"):
        for backup in store.all("appBackup", snapshotID=snap["id"]):
            if backup["state"] == "pending" and not backup.get("_preHooksRan"):
                _run_hooks(store, backup, "appBackup", "backup", "pre")
                backup["_preHooksRan"] = True
                store.put("appBackup", backup)
    elif not snap.get("_mirrorID"):
        _run_hooks(store, snap, "appSnap", "snapshot", "pre")
    snap["state"] = "running"
    touch(snap)
    store.put("appSnap", snap)
    engine.schedule("appSnap.complete", "appSnap.complete", snap["id"], cluster_id=snap["_clusterID"], args=timer["args"])


@on_timer("appSnap.complete")
def _snapshot_completed(store, engine, timer):
    snap = store.get("appSnap", timer["object_id"])
    if snap is None or snap["state"] != "running":
        return
    if timer["args"].get("fail"):
        _failed(snap, "Snapshot", "the volume snapshots couldn't be taken (failure injected with fail_next)")
        _set_hook_state(snap, completed=False)
    else:
        if not snap.get("_forBackup"):
            _run_hooks(store, snap, "appSnap", "snapshot", "post")
        snap["state"] = "completed"
        snap["stateUnready"] = []
        snap["snapshotAppAsset"] = new_id()
        _set_hook_state(snap, completed=True)
        snap["snapshotCreationTimestamp"] = iso()
        touch(snap)
    store.put("appSnap", snap)
    for backup in store.all("appBackup", snapshotID=snap["id"]):
        if backup["state"] != "pending":
            continue
        if snap["state"] == "completed":
            engine.schedule("appBackup.start", "appBackup.start", backup["id"], cluster_id=snap["_clusterID"])
        else:
            _failed(backup, "Backup", "its snapshot %s failed" % snap["name"])
            store.put("appBackup", backup)
            if backup.get("scheduleID"):
                prune(store, engine, backup["scheduleID"])
    if snap.get("scheduleID"):
        prune(store, engine, snap["scheduleID"])


@on_timer("appSnap.delete")
def _snapshot_deleted(store, engine, timer):
    store.delete(timer["object_id"])


@on_timer("appBackup.start")
def _backup_started(store, engine, timer):
    backup = store.get("appBackup", timer["object_id"])
    if backup is None or backup["state"] != "pending":
        return
    if not backup.get("_preHooksRan"):
        _run_hooks(store, backup, "appBackup", "backup", "pre")
        backup["_preHooksRan"] = True
    backup["state"] = "running"
    backup["_transferStarted"] = time.time()
    backup["_transferSeconds"] = engine.duration("appBackup.transfer")
    touch(backup)
    store.put("appBackup", backup)
    engine.schedule("appBackup.transfer", "appBackup.transfer", backup["id"], cluster_id=backup["_clusterID"])


@on_timer("appBackup.transfer")
def _backup_transferred(store, engine, timer):
    backup = store.get("appBackup", timer["object_id"])
    if backup is None or backup["state"] != "running":
        return
    if backup.get("_fail"):
        rendered = render_backup(backup)
        backup["percentDone"], backup["bytesDone"] = rendered["percentDone"], rendered["bytesDone"]
        _failed(backup, "Backup", "the copy to the bucket was interrupted (failure injected with fail_next)")
        _set_hook_state(backup, completed=False)
    else:
        _run_hooks(store, backup, "appBackup", "backup", "post")
        backup["state"] = "completed"
        backup["stateUnready"] = []
        backup["percentDone"] = 100
        backup["bytesDone"] = backup["totalBytes"]
        _set_hook_state(backup, completed=True)
        touch(backup)
    store.put("appBackup", backup)
    if backup.get("scheduleID"):
        prune(store, engine, backup["scheduleID"])


@on_timer("appBackup.delete")
def _backup_deleted(store, engine, timer):
    store.delete(timer["object_id"])


def scheduled_protection(store, engine, schedule, app):
    """One firing of a protection schedule: a snapshot, and a backup of it when backupRetention > 0.

    Skipped (returns None) when the app isn't ready or a snapshot is already running.
    """
    if app["state"] != "ready" or snapshot_in_flight(store, app["id"]):
        return None
    stamp = timestamp_suffix()
    base = "%s-%s-%s" % (schedule["granularity"], schedule["id"][:5], stamp)
    snap = new_snapshot(store, engine, app, _unique_name({s["name"] for s in snapshots(store, app["id"])}, base),
                        SNAP_VERSIONS[-1], NIL_UUID, schedule_id=schedule["id"], fail=consume_failure(store, "appSnap"))
    if int(schedule["backupRetention"]) > 0 and not backup_in_flight(store, app["id"]):
        bucket_id = schedule.get("bucketID") or world.default_bucket_id(store, world.cluster(store, app["clusterID"]) or {})
        if bucket_id and store.get("bucket", bucket_id):
            new_backup(store, engine, app, _unique_name({b["name"] for b in backups(store, app["id"])}, base),
                       BACKUP_VERSIONS[-1], NIL_UUID, bucket_id, snap, schedule_id=schedule["id"],
                       fail=consume_failure(store, "appBackup"), trigger="schedule")
    return snap
