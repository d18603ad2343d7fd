"""k8s/v2/apps and its cluster-scoped alias topology/v2/managedClusters/{id}/apps.

One POST serves manage, live clone and restore to a new app, one PUT update and
in-place restore: the request tells which (a source in the body, the
`ForceUpdate` header), and this is where it is read.
"""

from .. import apps, clones, world
from ..query import INCLUDE_LIMIT_FILTER, asked_value
from ..routing import Created

APPS = "k8s/v2/apps"
APP = APPS + "/{app_id}"
CLUSTER_APPS = "topology/v2/managedClusters/{managedCluster_id}/apps"
CLUSTER_APP = CLUSTER_APPS + "/{app_id}"


def _cluster_id(call):
    """The managed cluster of an alias path (None on k8s/v2/apps paths)."""
    cluster_id = call.params.get("managedCluster_id")
    if cluster_id is not None and not world.is_managed(world.cluster(call.store, cluster_id)):
        raise call.missing("Managed cluster %s" % cluster_id)
    return cluster_id


def _app(call):
    app = apps.get(call.store, call.params["app_id"], _cluster_id(call))
    if app is None:
        raise call.missing("App %s" % call.params["app_id"])
    return app


def _clone_or_restore(body):
    """A POST naming a source, or a field only clones and restores take. A body that isn't an object goes to
    manage, whose validation refuses it (problem 8) as it would refuse it for a clone."""
    return isinstance(body, dict) and any(field in body for field in clones.CLONE_OR_RESTORE_FIELDS)


def _force_update(call):
    return call.headers.get("forceupdate", "").strip().lower() == "true"


def list_apps(call):
    known = {}
    listed = apps.listed(call.store, _cluster_id(call), asked_value(call.options, "name"))
    return [apps.render(call.store, app, known) for app in listed]


def manage_app(call):
    cluster_id = _cluster_id(call)
    if _clone_or_restore(call.body):
        app = clones.create(call, cluster_id_in_path=cluster_id)
    else:
        app = apps.manage(call, cluster_id_in_path=cluster_id)
    return Created(apps.render(call.store, app), "%s/%s" % (APPS, app["id"]))


def get_app(call):
    return apps.render(call.store, _app(call))


def update_app(call):
    app = _app(call)
    if _force_update(call):
        clones.restore_in_place(call, app)
    else:
        apps.update(call, app)


def unmanage_app(call):
    apps.unmanage(call, _app(call))


def register(router):
    for collection, single in ((APPS, APP), (CLUSTER_APPS, CLUSTER_APP)):
        router.list(collection, "app", INCLUDE_LIMIT_FILTER)(list_apps)
        router.create(collection, "app")(manage_app)
        router.get(single, "app")(get_app)
        router.update(single, "app")(update_app)
        router.delete(single, "app")(unmanage_app)
