"""Execution hooks (app-scoped `k8s/v1/apps/{id}/executionHooks` and account-scoped `core/v1/executionHooks`), hook
sources (`core/v1/hookSources`), account settings (`core/v1/settings`) and the activity log of hook runs
(`core/v1/events`).

Every hooks and hook-sources call is refused (403 problem 168) while the account's execution-hooks setting is off.
"""

from .. import events, hooks, settings
from ..problems import ApiProblem
from ..query import INCLUDE_LIMIT_FILTER, INCLUDE_LIMIT_FILTER_COUNT_ORDER_SKIP
from ..resources import public
from ..routing import Created
from .scope import scoped_app

SOURCES = "core/v1/hookSources"
SOURCE = SOURCES + "/{hookSource_id}"
HOOKS = "core/v1/executionHooks"
HOOK = HOOKS + "/{executionHook_id}"
APP_HOOKS = "k8s/v1/apps/{app_id}/executionHooks"
APP_HOOK = APP_HOOKS + "/{executionHook_id}"
SETTINGS = "core/v1/settings"
EVENTS = "core/v1/events"
EVENT = EVENTS + "/{event_id}"
SETTING = SETTINGS + "/{setting_id}"


def _enabled(call):
    settings.require_hooks_enabled(call.store)


def _source(call):
    _enabled(call)
    source = call.store.get("hookSource", call.params["hookSource_id"])
    if source is None:
        raise call.missing("Hook source %s" % call.params["hookSource_id"])
    return source


def _hook(call):
    _enabled(call)
    app = scoped_app(call)
    hook = call.store.get("executionHook", call.params["executionHook_id"])
    if hook is None or (app is not None and hook["appID"] != app["id"]):
        raise call.missing("Execution hook %s" % call.params["executionHook_id"])
    return app, hook


def _setting(call):
    setting = call.store.get("setting", call.params["setting_id"])
    if setting is None:
        # The specification binds 404 problem 2 to PUT settings/{id} too (not 1 as elsewhere).
        raise ApiProblem(2, "Setting %s wasn't found." % call.params["setting_id"])
    return setting


def register(router):
    # hook sources -----------------------------------------------------------
    @router.list(SOURCES, "hookSource", INCLUDE_LIMIT_FILTER)
    def list_sources(call):
        _enabled(call)
        return [hooks.render_source(s) for s in hooks.sources(call.store)]

    @router.create(SOURCES, "hookSource")
    def create_source(call):
        _enabled(call)
        source = hooks.create_source(call)
        return Created(hooks.render_source(source), "%s/%s" % (SOURCES, source["id"]))

    router.get(SOURCE, "hookSource")(lambda call: hooks.render_source(_source(call)))
    router.update(SOURCE, "hookSource")(lambda call: hooks.update_source(call, _source(call)))
    router.delete(SOURCE, "hookSource")(lambda call: hooks.delete_source(call, _source(call)))

    # execution hooks ----------------------------------------------------------
    def list_hooks(call):
        _enabled(call)
        app = scoped_app(call)
        return [hooks.render_hook(call.store, h) for h in hooks.store_hooks(call.store, app["id"] if app else None)]

    def create_hook(call):
        _enabled(call)
        app = scoped_app(call)
        hook = hooks.create_hook(call, app)
        collection = APP_HOOKS.replace("{app_id}", app["id"]) if app else HOOKS
        return Created(hooks.render_hook(call.store, hook), "%s/%s" % (collection, hook["id"]))

    def get_hook(call):
        return hooks.render_hook(call.store, _hook(call)[1])

    def update_hook(call):
        app, hook = _hook(call)
        hooks.update_hook(call, hook, app)

    def delete_hook(call):
        hooks.delete_hook(call, _hook(call)[1])

    for collection, single in ((HOOKS, HOOK), (APP_HOOKS, APP_HOOK)):
        router.list(collection, "executionHook", INCLUDE_LIMIT_FILTER)(list_hooks)
        router.create(collection, "executionHook")(create_hook)
        router.get(single, "executionHook")(get_hook)
        router.update(single, "executionHook")(update_hook)
        router.delete(single, "executionHook")(delete_hook)

    # settings -------------------------------------------------------------------
    @router.list(SETTINGS, "setting", INCLUDE_LIMIT_FILTER_COUNT_ORDER_SKIP)
    def list_settings(call):
        return [settings.render(s) for s in settings.listed(call.store)]

    router.get(SETTING, "setting")(lambda call: settings.render(_setting(call)))
    router.update(SETTING, "setting")(lambda call: settings.update(call.store, _setting(call), call.body))

    # the activity log (execution hook runs; see events.py) -------------------------
    @router.list(EVENTS, "event", INCLUDE_LIMIT_FILTER_COUNT_ORDER_SKIP)
    def list_events(call):
        return events.listed(call.store)

    @router.get(EVENT, "event")
    def get_event(call):
        event = call.store.get("event", call.params["event_id"])
        if event is None:
            raise call.missing("Event %s" % call.params["event_id"])
        return public(event)
