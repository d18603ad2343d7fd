"""k8s/v2/apps and its cluster-scoped alias topology/v2/managedClusters/{id}/apps."""

from .. import apps, world
from ..query import INCLUDE_LIMIT_FILTER
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


def list_apps(call):
    return [apps.render(call.store, app) for app in apps.listed(call.store, _cluster_id(call))]


def manage_app(call):
    app = apps.manage(call, cluster_id_in_path=_cluster_id(call))
    return Created(apps.render(call.store, app), "%s/%s" % (APPS, app["id"]))


def get_app(call):
    return apps.render(call.store, _app(call))


def update_app(call):
    apps.update(call, _app(call))


def unmanage_app(call):
    apps.unmanage(call, _app(call))


def register(router):
    for collection, single in ((APPS, APP), (CLUSTER_APPS, CLUSTER_APP)):
        router.list(collection, "app", INCLUDE_LIMIT_FILTER)(list_apps)
        router.create(collection, "app")(manage_app)
        router.get(single, "app")(get_app)
        router.update(single, "app")(update_app)
        router.delete(single, "app")(unmanage_app)
