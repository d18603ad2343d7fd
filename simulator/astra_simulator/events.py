"""The activity log (`core/v1/events`, event 1.4): what the simulator records there, and how it is listed.

Astra Control records an event for every execution hook failure and, for ad hoc data protection operations, for
every hook that ran (NetApp's "Manage app execution hooks" page: "when a hook fails, a warning event is recorded in
the Activity page event log"; "for adhoc data protection operations, all hook events are generated ..., for
scheduled data protection operations, only hook failure events are recorded"). It is the only place the API says
how the hooks of a restore, clone or failover went: those operations have no hookState.

NetApp documents that the events exist, not their names, summaries or data, so these are the simulator's own
(simulator/README.md, "Activity log"): name `execution.hook.failed` (severity warning) or `execution.hook.succeeded`
(informational), source `execution-hooks`, resourceID the app whose containers the hook ran in, additionalResourceIDs
the hook, its source, the app it belongs to and the operation, and `data` with the same facts by name.
"""

from .resources import iso, new_id, new_metadata, public

VERSION = "1.4"
FAILED = "execution.hook.failed"
SUCCEEDED = "execution.hook.succeeded"
SOURCE = "execution-hooks"


def record_hook_run(store, hook, hooks_app_id, target_app, action, stage, operation, containers, why, scheduled):
    """One event for one hook's run on its matching containers; none for a scheduled operation's successful hook."""
    if scheduled and not why:
        return None
    sequence = len(store.all("event")) + 1
    where = ["%s/%s/%s" % (c["namespaceName"], c["podName"], c["containerName"]) for c in containers]
    outcome = "failed: %s" % why if why else "succeeded"
    event = {
        "type": "application/astra-event",
        "version": VERSION,
        "id": new_id(),
        "name": FAILED if why else SUCCEEDED,
        "sequenceCount": sequence,
        "summary": "Execution hook failed" if why else "Execution hook succeeded",
        "eventTime": iso(),
        "source": SOURCE,
        "resourceID": target_app["id"],
        "additionalResourceIDs": [hook["id"], hook["hookSourceID"], hooks_app_id, operation["id"]],
        "resourceType": "application/astra-app",
        "correlationID": new_id(),
        "severity": "warning" if why else "informational",
        "class": "system" if scheduled else "user",
        "description": ("The %s-%s execution hook %s of app %s on %d container(s) of app %s (%s) %s."
                        % (stage, action, hook["name"], hooks_app_id, len(containers), target_app.get("name"),
                           ", ".join(where), outcome))[:1023],
        "accountID": store.setting("account_id"),
        "data": {"executionHookID": hook["id"], "hookName": hook["name"], "hookSourceID": hook["hookSourceID"],
                 "appID": hooks_app_id, "targetAppID": target_app["id"], "action": action, "stage": stage,
                 "operation": dict(operation), "containers": where, "result": "failed" if why else "success",
                 **({"reason": why} if why else {})},
        "metadata": new_metadata(store.setting("user_id")),
    }
    store.put("event", event)
    return event


def listed(store):
    """Every event, oldest first (the order they were recorded)."""
    return sorted((public(event) for event in store.all("event")), key=lambda event: event["sequenceCount"])
