"""k8s/v1/appMirrors and the per-app k8s/v1/apps/{id}/appMirrors (mirrors whose source or destination is the app)."""

from .. import mirrors
from ..query import INCLUDE_LIMIT_FILTER
from ..routing import Created
from .scope import scoped_app

MIRRORS = "k8s/v1/appMirrors"
MIRROR = MIRRORS + "/{appMirror_id}"
APP_MIRRORS = "k8s/v1/apps/{app_id}/appMirrors"
APP_MIRROR = APP_MIRRORS + "/{appMirror_id}"


def _mirror(call):
    app = scoped_app(call)
    mirror = call.store.get("appMirror", call.params["appMirror_id"])
    if mirror is None or (app is not None and app["id"] not in (mirror["sourceAppID"], mirror["destinationAppID"])):
        raise call.missing("AppMirror %s" % call.params["appMirror_id"])
    return mirror


def list_mirrors(call):
    app = scoped_app(call)
    return [mirrors.render(m) for m in mirrors.listed(call.store, app["id"] if app else None)]


def create_mirror(call):
    mirror = mirrors.create(call, scoped_app(call))
    return Created(mirrors.render(mirror), "%s/%s" % (MIRRORS, mirror["id"]))


def get_mirror(call):
    return mirrors.render(_mirror(call))


def update_mirror(call):
    return mirrors.render(mirrors.update(call, _mirror(call)))


def delete_mirror(call):
    mirrors.start_delete(call.store, call.engine, _mirror(call))


def register(router):
    for collection, single in ((MIRRORS, MIRROR), (APP_MIRRORS, APP_MIRROR)):
        router.list(collection, "appMirror", INCLUDE_LIMIT_FILTER)(list_mirrors)
        router.create(collection, "appMirror")(create_mirror)
        router.get(single, "appMirror")(get_mirror)
        router.update(single, "appMirror")(update_mirror)
        router.delete(single, "appMirror")(delete_mirror)
