"""Per-app sub-collections: appSnaps, appBackups (also account-wide), schedules and appAssets."""

from .. import apps, assets, protection, schedules, world
from ..query import INCLUDE_LIMIT
from ..routing import Created

APP = "k8s/v1/apps/{app_id}"
SNAPS = APP + "/appSnaps"
SNAP = SNAPS + "/{appSnap_id}"
BACKUPS = APP + "/appBackups"
BACKUP = BACKUPS + "/{appBackup_id}"
ALL_BACKUPS = "topology/v1/appBackups"
ANY_BACKUP = ALL_BACKUPS + "/{appBackup_id}"
SCHEDULES = APP + "/schedules"
SCHEDULE = SCHEDULES + "/{schedule_id}"
CLUSTER_APP = "topology/v1/managedClusters/{managedCluster_id}/apps/{app_id}"
ASSETS = "/appAssets"
ASSET = ASSETS + "/{appAsset_id}"


# lookups: unknown IDs in the URI are problem 2 (GET, POST) or 1 (PUT, DELETE) --
def _app(call):
    cluster_id = call.params.get("managedCluster_id")
    if cluster_id is not None and not world.is_managed(world.cluster(call.store, cluster_id)):
        raise call.missing("Managed cluster %s" % cluster_id)
    app = apps.get(call.store, call.params["app_id"], cluster_id)
    if app is None:
        raise call.missing("App %s" % call.params["app_id"])
    return app


def _snapshot(call):
    app = _app(call)
    snap = call.store.get("appSnap", call.params["appSnap_id"])
    if snap is None or snap["_appID"] != app["id"]:
        raise call.missing("Snapshot %s of app %s" % (call.params["appSnap_id"], app["id"]))
    return snap


def _backup(call):
    backup = call.store.get("appBackup", call.params["appBackup_id"])
    if "app_id" in call.params:
        app = _app(call)
        if backup is not None and backup["_appID"] != app["id"]:
            backup = None
    if backup is None:
        raise call.missing("Backup %s" % call.params["appBackup_id"])
    return backup


def _schedule(call):
    app = _app(call)
    schedule = call.store.get("schedule", call.params["schedule_id"])
    if schedule is None or schedule["_appID"] != app["id"]:
        raise call.missing("Schedule %s of app %s" % (call.params["schedule_id"], app["id"]))
    return app, schedule


def _one_asset(call, items):
    found = assets.find_asset(items, call.params["appAsset_id"])
    if found is None:
        raise call.missing("App asset %s" % call.params["appAsset_id"])
    return found


def register(router):
    # snapshots ------------------------------------------------------------
    @router.list(SNAPS, "appSnap", INCLUDE_LIMIT)
    def list_snapshots(call):
        return [protection.render_snapshot(s) for s in protection.snapshots(call.store, _app(call)["id"])]

    @router.create(SNAPS, "appSnap")
    def create_snapshot(call):
        app = _app(call)
        snap = protection.create_snapshot(call, app)
        return Created(protection.render_snapshot(snap), "%s/%s" % (SNAPS.replace("{app_id}", app["id"]), snap["id"]))

    @router.get(SNAP, "appSnap")
    def get_snapshot(call):
        return protection.render_snapshot(_snapshot(call))

    @router.delete(SNAP, "appSnap")
    def delete_snapshot(call):
        protection.delete_snapshot(call, _snapshot(call))

    # backups --------------------------------------------------------------
    @router.list(BACKUPS, "appBackup", INCLUDE_LIMIT)
    def list_backups(call):
        return [protection.render_backup(b) for b in protection.backups(call.store, _app(call)["id"])]

    @router.list(ALL_BACKUPS, "appBackup", INCLUDE_LIMIT)
    def list_all_backups(call):
        return [protection.render_backup(b) for b in protection.backups(call.store)]

    @router.create(BACKUPS, "appBackup")
    def create_backup(call):
        app = _app(call)
        backup = protection.create_backup(call, app)
        return Created(protection.render_backup(backup), "%s/%s" % (BACKUPS.replace("{app_id}", app["id"]), backup["id"]))

    for path in (BACKUP, ANY_BACKUP):
        router.get(path, "appBackup")(lambda call: protection.render_backup(_backup(call)))
        router.delete(path, "appBackup")(lambda call: protection.delete_backup(call, _backup(call)))

    # schedules ------------------------------------------------------------
    @router.list(SCHEDULES, "schedule", INCLUDE_LIMIT)
    def list_schedules(call):
        return [schedules.render(s) for s in schedules.listed(call.store, _app(call)["id"])]

    @router.create(SCHEDULES, "schedule")
    def create_schedule(call):
        app = _app(call)
        schedule = schedules.create(call, app)
        return Created(schedules.render(schedule), "%s/%s" % (SCHEDULES.replace("{app_id}", app["id"]), schedule["id"]))

    @router.get(SCHEDULE, "schedule")
    def get_schedule(call):
        return schedules.render(_schedule(call)[1])

    @router.update(SCHEDULE, "schedule")
    def update_schedule(call):
        schedules.update(call, *_schedule(call))

    @router.delete(SCHEDULE, "schedule")
    def delete_schedule(call):
        schedules.delete(call, _schedule(call)[1])

    # app assets -----------------------------------------------------------
    def live_assets(call):
        app = _app(call)
        return assets.render_assets(app["id"], assets.app_resources(call.store, app))

    def snapshot_assets(call):
        snap = _snapshot(call)
        return assets.render_assets(snap["id"], snap["_assets"])

    def backup_assets(call):
        backup = _backup(call)
        return assets.render_assets(backup["id"], backup["_assets"])

    for base, source in ((APP, live_assets), (CLUSTER_APP, live_assets), (SNAP, snapshot_assets),
                         (BACKUP, backup_assets), (ANY_BACKUP, backup_assets)):
        router.list(base + ASSETS, "appAsset", INCLUDE_LIMIT)(source)
        router.get(base + ASSET, "appAsset")(lambda call, source=source: _one_asset(call, source(call)))
