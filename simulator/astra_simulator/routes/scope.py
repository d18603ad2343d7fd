"""What the path of a request names, for routes that exist both per app and account-wide."""

from .. import apps


def scoped_app(call):
    """The app of a per-app path (None on the account-wide paths); unknown: problem 2 (GET, POST) or 1 (PUT, DELETE)."""
    if "app_id" not in call.params:
        return None
    app = apps.get(call.store, call.params["app_id"])
    if app is None:
        raise call.missing("App %s" % call.params["app_id"])
    return app
