"""Hook sources (`core/v1/hookSources`), execution hooks (`k8s/v1/apps/{id}/executionHooks`,
`core/v1/executionHooks`) and running hooks during protection operations.

Every call is refused with 403 problem 168 while the account setting `astra.account.executionHooks.enabled` is
off (`settings.py`). A hook source is a base64 shell script; an execution hook ties a source to an app, an
action (snapshot, backup, restore, failover) and a stage (snapshot and backup: pre or post; restore and failover:
post only), and runs on the app's containers that all its `matchingCriteria` match (regexes, ANDed).

Containers: a workload object of the world (Deployment, StatefulSet, DaemonSet...) with `containers`
[{name, image}] has `replicas` pods (default 1): `<name>-<i>` for a StatefulSet, `<name>-<10 hex>-<5 hex>` of its
UID for others; a pod carries its workload's labels. Pods aren't separate objects (nor appAssets).

When hooks run (only while the setting is on, only enabled hooks, only hooks with a matching container):

| action/stage | runs | on |
|---|---|---|
| snapshot pre / post | when a snapshot starts running / completes | the snapshot's app |
| backup pre | when the backup's own snapshot starts (or, for a backup of an existing snapshot, the backup) | the app |
| backup post | when the backup completes | the app |
| restore post | when an in-place restore, a restore to a new app or a clone is `ready` | that app (source's hooks) |
| restore post, failover post | when a failover completes | the destination app (hooks of the source app) |

A hook run fails when its script has the line `# simulator: fail`, or when `fail_next.executionHook` is set
(each count fails one hook run, on all its containers). Failures are soft: the operation goes on; snapshots and
backups record them in `hookState: failed` and `hookStateDetails`. Every run is logged (GET /_simulator/executionHooks).
"""

import base64
import binascii
import hashlib
import re

from . import assets, events, settings, world
from .faults import consume_failure
from .problems import ApiProblem, reason
from .resources import iso, new_id, new_metadata, public, save_update, state_detail
from .schema import IDENTIFIER, METADATA_UPDATE, Arr, Obj, Str, envelope, validate

SOURCE_VERSIONS = ("1.0",)
HOOK_VERSIONS = ("1.0", "1.1", "1.2", "1.3")
ACTIONS = ("snapshot", "backup", "restore", "failover")
STAGES = {"snapshot": ("pre", "post"), "backup": ("pre", "post"), "restore": ("post",), "failover": ("post",)}
CRITERIA_TYPES = ("containerImage", "containerName", "podName", "podLabel", "namespaceName")
MAX_SOURCE_CHARACTERS = 131072          # 128 KiB of base64
FAIL_MARKER = "# simulator: fail"
BASE64 = r"^([A-Za-z0-9+/]{4})*(([A-Za-z0-9+/]{2})==|([A-Za-z0-9+/]{3})=)?$"
# Python's re accepts what RE2 refuses: lookarounds, backreferences, atomic groups and possessive quantifiers.
NOT_RE2 = re.compile(r"\(\?<?[=!]|\\[1-9]|\(\?P=|\(\?>|(?<!\\)[*+?}]\+")
NAME = Str(min_length=1, max_length=63)
DESCRIPTION = Str(min_length=0, max_length=511)
ECONOMY_BACKEND = "ontap-nas-economy"

_SOURCE_FIELDS = {
    **envelope("hookSource", SOURCE_VERSIONS),
    "name": NAME,
    "sourceType": Str(enum=["script"]),
    "source": Str(pattern=BASE64, min_length=0, max_length=MAX_SOURCE_CHARACTERS),
    "description": DESCRIPTION,
    "metadata": METADATA_UPDATE,
}
SOURCE_POST = Obj(_SOURCE_FIELDS, required=("type", "version", "name", "sourceType", "source"))
SOURCE_PUT = Obj({**_SOURCE_FIELDS, "id": IDENTIFIER, "private": Str(enum=["true", "false"]),
                  "preloaded": Str(enum=["true", "false"]), "sourceMD5Checksum": Str(pattern=r"^([0-9a-fA-F]){32}$")},
                 required=("type", "version"))
SOURCE_FIELDS = ("type", "version", "id", "name", "private", "preloaded", "sourceType", "source", "sourceMD5Checksum",
                 "description", "metadata")
SOURCE_SETTABLE = ("name", "sourceType", "source", "description")

_CRITERION = Obj({"type": Str(enum=list(CRITERIA_TYPES)), "value": Str()})
_HOOK_FIELDS = {
    **envelope("executionHook", HOOK_VERSIONS),
    "name": NAME,
    "hookType": Str(enum=["netapp", "custom"]),
    "matchingCriteria": Arr(_CRITERION, unique=True, max_items=10),
    "action": Str(enum=list(ACTIONS)),
    "stage": Str(enum=["pre", "post"]),
    "hookSourceID": IDENTIFIER,
    "arguments": Arr(Str(min_length=0, max_length=127), unique=True, max_items=16),
    "appID": IDENTIFIER,
    "enabled": Str(enum=["true", "false"]),
    "description": DESCRIPTION,
    "metadata": METADATA_UPDATE,
}
HOOK_POST = Obj(_HOOK_FIELDS, required=("type", "version", "name", "hookType", "action", "stage", "hookSourceID", "appID"))
HOOK_PUT = Obj({**_HOOK_FIELDS, "id": IDENTIFIER}, required=("type", "version"))
HOOK_FIELDS = ("type", "version", "id", "name", "hookType", "matchingCriteria", "action", "stage", "hookSourceID",
               "arguments", "appID", "enabled", "description", "matchingImages", "matchingContainers", "metadata")
HOOK_SETTABLE = ("name", "hookType", "matchingCriteria", "action", "stage", "hookSourceID", "arguments", "appID",
                 "enabled", "description")


# hook sources -------------------------------------------------------------------
def checksum(source):
    """`sourceMD5Checksum`: the MD5 of the `source` value as sent (the base64 text), as the specification's example
    shows."""
    return hashlib.md5(source.encode("ascii")).hexdigest()


def script_of(source_doc):
    return base64.b64decode(source_doc["source"]).decode("utf-8")


def _script_failure(source):
    """Why the base64 `source` isn't an acceptable script (problem 9), or None."""
    try:
        text = base64.b64decode(source, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return "must be base64 of a UTF-8 text script, not binary data"
    if "\r" in text:
        return "the script must not contain carriage-return characters"
    if any(ord(character) < 32 and character not in "\n\t" for character in text):
        return "the script must not contain binary data (control characters)"
    return None


def source_document(source_id, name, script, created_by, preloaded=False, private=False, description=None):
    """A hook source as stored (the demo scenario preloads one with this)."""
    encoded = base64.b64encode(script.encode("utf-8")).decode("ascii")
    doc = {"type": "application/astra-hookSource", "version": "1.0", "id": source_id, "name": name,
           "private": "true" if private else "false", "preloaded": "true" if preloaded else "false",
           "sourceType": "script", "source": encoded, "sourceMD5Checksum": checksum(encoded),
           "metadata": new_metadata(created_by)}
    if description is not None:
        doc["description"] = description
    return doc


def sources(store):
    return store.all("hookSource")


def render_source(source):
    doc = public(source)
    if doc.get("private") == "true":
        doc["source"] = ""      # "intentionally left blank"
    return {name: doc[name] for name in SOURCE_FIELDS if name in doc}


def _check_source_name(store, name, except_id=None):
    taken = next((s for s in sources(store) if s["name"] == name and s["id"] != except_id), None)
    if taken:
        raise ApiProblem(10, "The hook source name %s is already used by the hook source %s." % (name, taken["id"]),
                         invalid_fields=[reason("name", "must be unique among hook sources")])


def create_source(call):
    store, body = call.store, call.body
    failure = validate(SOURCE_POST, body)
    if failure:
        raise ApiProblem(8, schema_failure=failure)
    why = _script_failure(body["source"])
    if why:
        raise ApiProblem(9, invalid_fields=[reason("source", why)])
    _check_source_name(store, body["name"])
    doc = {"type": "application/astra-hookSource", "version": body["version"], "id": new_id(), "name": body["name"],
           "private": "false", "preloaded": "false", "sourceType": body["sourceType"], "source": body["source"],
           "sourceMD5Checksum": checksum(body["source"]),
           "metadata": new_metadata(store.setting("user_id"), (body.get("metadata") or {}).get("labels"))}
    if "description" in body:
        doc["description"] = body["description"]
    store.put("hookSource", doc)
    return doc


def _refuse_preloaded(source):
    if source.get("preloaded") == "true":
        raise ApiProblem(71, "The hook source %s is preloaded, so it is read only." % source["name"])


def update_source(call, source):
    store, body = call.store, call.body
    _refuse_preloaded(source)
    failure = validate(SOURCE_PUT, body)
    if failure:
        raise ApiProblem(8, schema_failure=failure)
    conflicts = [reason(key, "can't be changed (stored value: %s)" % source[key])
                 for key in ("id", "private", "preloaded") if key in body and body[key] != source[key]]
    if "sourceMD5Checksum" in body and body["sourceMD5Checksum"].lower() != checksum(body.get("source", source["source"])):
        conflicts.append(reason("sourceMD5Checksum", "is computed by the server from source"))
    if conflicts:
        raise ApiProblem(10, invalid_fields=conflicts)
    if "source" in body:
        why = _script_failure(body["source"])
        if why:
            raise ApiProblem(9, invalid_fields=[reason("source", why)])
    if "name" in body:
        _check_source_name(store, body["name"], source["id"])
    for key in SOURCE_SETTABLE:
        if key in body:
            source[key] = body[key]
    source["sourceMD5Checksum"] = checksum(source["source"])
    save_update(store, "hookSource", source, body)


def delete_source(call, source):
    _refuse_preloaded(source)
    users = [hook["name"] for hook in store_hooks(call.store) if hook["hookSourceID"] == source["id"]]
    if users:
        raise ApiProblem(72, "The hook source %s is referenced by the execution hook(s) %s." % (source["name"], ", ".join(users)))
    call.store.delete(source["id"])


# containers and matching ----------------------------------------------------------
def _pod_names(obj):
    replicas = int(obj.get("replicas", 1))
    if obj["kind"] == "Pod":
        return [obj["name"]]
    if obj["kind"] == "StatefulSet":
        return ["%s-%d" % (obj["name"], index) for index in range(replicas)]
    uid = obj["id"].replace("-", "")
    return ["%s-%s-%s" % (obj["name"], uid[:10], uid[10 + 5 * index:15 + 5 * index]) for index in range(replicas)]


def containers(store, app):
    """The containers of the app's pods: [{podName, podLabels, containerImage, containerName, namespaceName}]."""
    found = []
    for obj in assets.app_resources(store, app):
        for pod in _pod_names(obj) if obj.get("containers") and obj["namespace"] else ():
            for container in obj["containers"]:
                found.append({"podName": pod,
                              "podLabels": [{"name": k, "value": v} for k, v in sorted(obj["labels"].items())],
                              "containerImage": container["image"], "containerName": container["name"],
                              "namespaceName": obj["namespace"]})
    return found


def _criterion_holds(criterion, container):
    pattern = re.compile(criterion["value"])
    if criterion["type"] == "podLabel":
        return any(pattern.search("%s=%s" % (label["name"], label["value"])) for label in container["podLabels"])
    return bool(pattern.search(container[criterion["type"]]))


def matching(hook, candidates):
    """The containers all of the hook's criteria match (every container when it has none)."""
    return [c for c in candidates if all(_criterion_holds(criterion, c) for criterion in hook.get("matchingCriteria", []))]


# execution hooks --------------------------------------------------------------------
def store_hooks(store, app_id=None):
    return store.all("executionHook", appID=app_id) if app_id else store.all("executionHook")


def render_hook(store, hook):
    doc = public(hook)
    app = store.get("app", hook["appID"])
    matched = matching(hook, containers(store, app)) if app is not None else []
    doc["matchingImages"] = sorted({c["containerImage"] for c in matched})
    doc["matchingContainers"] = matched
    return {name: doc[name] for name in HOOK_FIELDS if name in doc}


def _criteria_failures(criteria):
    failures = []
    for index, criterion in enumerate(criteria):
        field = "matchingCriteria[%d]" % index
        missing = [key for key in ("type", "value") if key not in criterion]
        if missing:
            failures.append(reason(field, "needs %s" % " and ".join(missing)))
            continue
        try:
            if NOT_RE2.search(criterion["value"]):
                raise re.error("lookarounds, backreferences, atomic groups and possessive quantifiers aren't RE2 syntax")
            re.compile(criterion["value"])
        except re.error as error:
            failures.append(reason(field + ".value", "isn't a valid RE2 regular expression: %s" % error))
    return failures


def failover_ineligibility(store, app):
    """Why the app can't have post-failover hooks (problem 162), or None: it is a replication destination (a
    standby, whose failover runs the source's hooks), or its PVCs can't be replicated (ontap-nas-economy)."""
    if app.get("replicationSourceAppID"):
        return ("The app %s is the destination of a replication relationship; define post-failover hooks on its "
                "source app %s." % (app["name"], app["replicationSourceAppID"]))
    for obj in assets.app_resources(store, app):
        if obj["kind"] == "PersistentVolumeClaim":
            klass = world.storage_class_by_name(store, app["clusterID"], obj.get("storageClassName"))
            if klass is not None and klass["_backendType"] == ECONOMY_BACKEND:
                return ("The app %s has the PVC %s on %s (an %s backend), which can't be replicated, so it never fails "
                        "over." % (app["name"], obj["name"], klass["name"], ECONOMY_BACKEND))
    return None


def _check_hook(store, fields, path_app, existing_id=None):
    """Extended validation (9), the name (10) and eligibility (162) of a complete hook."""
    failures = _criteria_failures(fields.get("matchingCriteria", []))
    if fields["stage"] not in STAGES[fields["action"]]:
        failures.append(reason("stage", "a %s hook runs only at stage %s, not %s"
                               % (fields["action"], " or ".join(STAGES[fields["action"]]), fields["stage"])))
    app = store.get("app", fields["appID"])
    if path_app is not None and fields["appID"] != path_app["id"]:
        failures.append(reason("appID", "must be the app of the path, %s" % path_app["id"]))
    elif app is None:
        failures.append(reason("appID", "%s isn't a managed app" % fields["appID"]))
    if store.get("hookSource", fields["hookSourceID"]) is None:
        failures.append(reason("hookSourceID", "%s isn't a hook source" % fields["hookSourceID"]))
    if failures:
        raise ApiProblem(9, invalid_fields=failures)
    taken = next((h for h in store_hooks(store) if h["name"] == fields["name"] and h["id"] != existing_id), None)
    if taken:
        raise ApiProblem(10, "The execution hook name %s is already used by the hook %s." % (fields["name"], taken["id"]),
                         invalid_fields=[reason("name", "must be unique among execution hooks")])
    if fields["action"] == "failover":
        why = failover_ineligibility(store, app)
        if why:
            raise ApiProblem(162, why)


def _refuse_netapp(hook_type, name=None):
    if hook_type == "netapp":
        raise ApiProblem(73, "Execution hooks of hookType netapp are provided by NetApp and read only%s."
                         % (" (%s)" % name if name else ""))


def create_hook(call, path_app=None):
    store, body = call.store, call.body
    failure = validate(HOOK_POST, body)
    if failure:
        raise ApiProblem(8, schema_failure=failure)
    _refuse_netapp(body["hookType"])
    fields = {"matchingCriteria": [], "arguments": [], "enabled": "true"}
    fields.update({key: body[key] for key in HOOK_SETTABLE if key in body})
    _check_hook(store, fields, path_app)
    hook = {"type": "application/astra-executionHook", "version": body["version"], "id": new_id(), **fields,
            "metadata": new_metadata(store.setting("user_id"), (body.get("metadata") or {}).get("labels")),
            "_appID": fields["appID"]}
    store.put("executionHook", hook)
    return hook


def update_hook(call, hook, path_app=None):
    store, body = call.store, call.body
    _refuse_netapp(hook["hookType"], hook["name"])
    failure = validate(HOOK_PUT, body)
    if failure:
        raise ApiProblem(8, schema_failure=failure)
    _refuse_netapp(body.get("hookType"))
    conflicts = [reason(key, "can't be changed (stored value: %s)" % hook[key])
                 for key in ("id", "appID") if key in body and body[key] != hook[key]]
    if conflicts:
        raise ApiProblem(10, invalid_fields=conflicts)
    fields = {key: hook[key] for key in HOOK_SETTABLE if key in hook}
    fields.update({key: body[key] for key in HOOK_SETTABLE if key in body})
    _check_hook(store, fields, path_app, hook["id"])
    hook.update(fields)
    save_update(store, "executionHook", hook, body)


def delete_hook(call, hook):
    _refuse_netapp(hook["hookType"], hook["name"])
    call.store.delete(hook["id"])


# running hooks ------------------------------------------------------------------------
def _hook_fails(store, source):
    if consume_failure(store, "executionHook"):
        return "failure injected with fail_next"
    try:
        lines = [line.strip() for line in script_of(source).split("\n")]
    except (binascii.Error, ValueError):
        return "the script couldn't be decoded"
    if FAIL_MARKER in lines:
        return "the script exited with status 1 (it has the line '%s')" % FAIL_MARKER
    return None


def run(store, hooks_app_id, target_app, action, stage, operation, scheduled=False):
    """Run the enabled `action`/`stage` hooks of app `hooks_app_id` on the matching containers of `target_app`.

    `operation` is {"kind", "id"} of what triggered them (for the run log); `scheduled`: a schedule started it, so
    only failures reach the activity log (events.record_hook_run). Returns the failures as state details
    (hookStateDetails entries); [] when every hook that ran succeeded or none applied.
    """
    if hooks_app_id is None or target_app is None or not settings.hooks_enabled(store):
        return []
    failures = []
    candidates = None
    for hook in store_hooks(store, hooks_app_id):
        if hook["enabled"] != "true" or hook["action"] != action or hook["stage"] != stage:
            continue
        if candidates is None:
            candidates = containers(store, target_app)
        matched = matching(hook, candidates)
        if not matched:
            continue
        source = store.get("hookSource", hook["hookSourceID"])
        why = _hook_fails(store, source) if source is not None else "its hook source is gone"
        for container in matched:
            store.put("hookRun", {
                "id": new_id(), "time": iso(), "executionHookID": hook["id"], "hookName": hook["name"],
                "hookSourceID": hook["hookSourceID"], "appID": hooks_app_id, "targetAppID": target_app["id"],
                "action": action, "stage": stage, "operation": dict(operation), "arguments": list(hook["arguments"]),
                "podName": container["podName"], "containerName": container["containerName"],
                "containerImage": container["containerImage"], "namespaceName": container["namespaceName"],
                "result": "failed" if why else "success", **({"reason": why} if why else {}),
            })
        events.record_hook_run(store, hook, hooks_app_id, target_app, action, stage, operation, matched, why, scheduled)
        if why:
            failures.append(state_detail(
                "executionHookFailed", "Execution hook failed",
                "The %s-%s execution hook %s failed on %d container(s): %s." % (stage, action, hook["name"], len(matched), why),
                executionHookID=hook["id"], hookSourceID=hook["hookSourceID"], action=action, stage=stage,
                containers=["%s/%s/%s" % (c["namespaceName"], c["podName"], c["containerName"]) for c in matched]))
    return failures


def runs(store):
    return [public(run_doc) for run_doc in store.all("hookRun")]


def clear_runs(store):
    for run_doc in store.all("hookRun"):
        store.delete(run_doc["id"])
