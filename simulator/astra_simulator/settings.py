"""Account settings (`core/v1/settings`): GET list and one, PUT with `desiredConfig`.

A setting has a `name` in dot notation, a `currentConfig` object, the `configSchema` (JSON Schema draft 7) that
config must conform to, `state` (valid, pending, error) and `stateUnready`. A client changes a setting by PUTting
`desiredConfig`; the simulator validates it against `configSchema`, applies it at once (`currentConfig` takes the
merged values, `state` stays `valid`) and keeps `desiredConfig` as sent.

The simulated account has the setting that switches execution hooks on (`astra.account.executionHooks.enabled`,
`currentConfig.isEnabled`); since ACC 23.10 a fresh account has it `"false"`, and every executionHooks and
hookSources call is refused (403 problem 168) until it is `"true"`.
"""

from .problems import ApiProblem, reason
from .resources import new_id, new_metadata, public, save_update, touch
from .schema import IDENTIFIER, METADATA_UPDATE, Any, Arr, Obj, Str, envelope, validate

VERSIONS = ("1.0", "1.1")
EXECUTION_HOOKS = "astra.account.executionHooks.enabled"
JSON_SCHEMA_DRAFT_7 = "http://json-schema.org/draft-07/schema#"
PUBLIC_FIELDS = ("type", "version", "id", "name", "currentConfig", "desiredConfig", "configSchema", "state",
                 "stateUnready", "metadata")

PUT_SCHEMA = Obj({
    **envelope("setting", VERSIONS),
    "id": IDENTIFIER,
    "name": Str(min_length=1, max_length=63),
    "currentConfig": Any(),
    "desiredConfig": Any(),
    "configSchema": Any(),
    "state": Str(enum=["valid", "pending", "error"]),
    "stateUnready": Arr(Str(min_length=1, max_length=127)),
    "metadata": METADATA_UPDATE,
}, required=("type", "version"))

# name -> (description of the isEnabled property, default currentConfig)
DEFINITIONS = {
    EXECUTION_HOOKS: ("Whether execution hooks are enabled for the account.", {"isEnabled": "false"}),
}


def document(setting_id, name, created_by):
    """A setting as a fresh account has it."""
    description, default = DEFINITIONS[name]
    return {
        "type": "application/astra-setting", "version": "1.1", "id": setting_id, "name": name,
        "currentConfig": dict(default),
        "configSchema": {
            "$schema": JSON_SCHEMA_DRAFT_7, "title": name, "type": "object",
            "properties": {"isEnabled": {"type": "string", "enum": ["true", "false"], "description": description}},
            "additionalProperties": False, "required": ["isEnabled"],
        },
        "state": "valid", "stateUnready": [],
        "metadata": new_metadata(created_by),
    }


def listed(store):
    return store.all("setting")


def render(setting):
    doc = public(setting)
    return {name: doc[name] for name in PUBLIC_FIELDS if name in doc}


def by_name(store, name):
    return store.find("setting", name=name)


def hooks_enabled(store):
    setting = by_name(store, EXECUTION_HOOKS)
    return setting is not None and setting["currentConfig"].get("isEnabled") == "true"


def require_hooks_enabled(store):
    if not hooks_enabled(store):
        raise ApiProblem(168, "Execution hooks are disabled for this account: PUT the setting %s with "
                              "desiredConfig.isEnabled \"true\" to enable them." % EXECUTION_HOOKS)


def _config_failures(schema, config):
    """What is wrong with `config` against the simple JSON Schema the settings use (object of enum strings)."""
    if not isinstance(config, dict):
        return [reason("desiredConfig", "must be a JSON object")]
    failures = []
    properties = schema.get("properties", {})
    for key, value in config.items():
        rule = properties.get(key)
        if rule is None:
            if schema.get("additionalProperties") is False:
                failures.append(reason("desiredConfig.%s" % key, "isn't a property of this setting's configSchema"))
            continue
        expected = {"string": str, "integer": int, "boolean": bool, "object": dict, "array": list}.get(rule.get("type"))
        if expected is not None and (not isinstance(value, expected) or (expected is int and isinstance(value, bool))):
            failures.append(reason("desiredConfig.%s" % key, "must be of type %s" % rule["type"]))
        elif "enum" in rule and value not in rule["enum"]:
            failures.append(reason("desiredConfig.%s" % key, "must be one of %s" % ", ".join(map(str, rule["enum"]))))
    return failures


def update(store, setting, body):
    """PUT: 204. `name`, `id`, `configSchema` and `currentConfig` can't be changed (409 problem 10); `desiredConfig`
    must conform to `configSchema` (400 problem 9, the merged config too)."""
    failure = validate(PUT_SCHEMA, body)
    if failure:
        raise ApiProblem(8, schema_failure=failure)
    conflicts = [reason(key, "can't be changed by the user (stored value kept); set desiredConfig instead"
                        if key == "currentConfig" else "can't be changed by the user")
                 for key in ("id", "name", "configSchema", "currentConfig") if key in body and body[key] != setting[key]]
    if conflicts:
        raise ApiProblem(10, invalid_fields=conflicts)
    if "desiredConfig" in body:
        desired = body["desiredConfig"]
        failures = _config_failures(setting["configSchema"], desired)
        if not failures:
            merged = {**setting["currentConfig"], **desired}
            failures = [reason("desiredConfig.%s" % key, "is required by this setting's configSchema")
                        for key in setting["configSchema"].get("required", []) if key not in merged]
        if failures:
            raise ApiProblem(9, "desiredConfig doesn't conform to the setting's configSchema.", invalid_fields=failures)
        setting["desiredConfig"] = desired
        setting["currentConfig"] = merged
        setting["state"] = "valid"
        setting["stateUnready"] = []
    save_update(store, "setting", setting, body)


def set_hooks_enabled(store, enabled):
    """What the control endpoint does: the setting as if a PUT had applied desiredConfig.isEnabled."""
    setting = by_name(store, EXECUTION_HOOKS) or document(new_id(), EXECUTION_HOOKS, store.setting("user_id"))
    value = "true" if enabled else "false"
    setting["desiredConfig"] = {"isEnabled": value}
    setting["currentConfig"] = {**setting["currentConfig"], "isEnabled": value}
    touch(setting)
    store.put("setting", setting)
    return setting
