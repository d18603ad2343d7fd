"""Relations between resources that a lower layer must respect without calling up into the module that owns them.

An app is the source or destination of at most one appMirror, and can't be unmanaged while it is; a mirror holds on
to its last transferred (and its in-transfer) replication snapshot, which can't be deleted; an unmanaged app takes
its snapshots, backups and schedules with it. The modules of those resources (apps, protection, schedules, mirrors)
all sit above this one.
"""


def mirrors_of(store, app_id):
    """The mirrors (any state until they are gone) whose source or destination is the app."""
    return [m for m in store.all("appMirror") if app_id in (m["sourceAppID"], m["destinationAppID"])]


def mirror_involving(store, app_id):
    """The mirror whose source or destination is the app, or None."""
    found = mirrors_of(store, app_id)
    return found[0] if found else None


def transferring(mirror, snapshot_id):
    return (mirror.get("_transfer") or {}).get("snapshotID") == snapshot_id


def mirror_using_snapshot(store, snapshot_id):
    """The mirror whose last transferred (or in-transfer) replication snapshot this is, or None."""
    for mirror in store.all("appMirror"):
        if mirror.get("_lastSnapshotID") == snapshot_id or transferring(mirror, snapshot_id):
            return mirror
    return None


def forget_app(store, app_id):
    """An unmanaged app takes its snapshots, backups, schedules and execution hooks with it."""
    for kind in ("appSnap", "appBackup", "schedule", "executionHook"):
        for doc in store.all(kind, _appID=app_id):
            store.delete(doc["id"])
