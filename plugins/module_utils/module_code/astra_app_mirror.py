# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The code of the kubedr.astra.astra_app_mirror module; its documentation is in plugins/modules/astra_app_mirror.py.
Kept in module_utils so that kubedr.astra.astra_batch can run it for many apps in one process."""

from ansible_collections.kubedr.astra.plugins.module_utils.api_resources import AppMirror
from ansible_collections.kubedr.astra.plugins.module_utils.app_mirrors import (
    changed_any,
    interval_of,
    own_replication_schedules,
    resolve_relationship,
    settle_mirror,
    wait_for_mirror,
)
from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import CHECK_MODE_ID, AstraModule, wait_argument_spec
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraError, AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.input_specs import AppMirrorSpec, validate_input
from ansible_collections.kubedr.astra.plugins.module_utils.kinds import APP_MIRROR
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import is_check_mode_id
from ansible_collections.kubedr.astra.plugins.module_utils.mirror_rules import mirror_violations
from ansible_collections.kubedr.astra.plugins.module_utils.mirror_states import (
    MIRROR_ESTABLISHED,
    MIRROR_ESTABLISHING,
    MIRROR_FAILED_OVER,
    MIRROR_FAILING_OVER,
    MIRROR_STATE_ALLOWED,
)


def refuse(relationship, mirror, wanted, advice):
    """A transition the relationship's state does not allow: fail before any write, with the mirror."""
    parsed = AppMirror.parse(mirror, "app mirror")
    return AstraError("Cannot %s: the %s is %s (stateDesired %s, stateAllowed: %s); %s"
                      % (wanted, relationship.describe(mirror), parsed.state, parsed.state_desired,
                         ", ".join(parsed.allowed) or "none", advice), resource=mirror)


# ---------------------------------------------------------------------- state: established

def establish(module, spec, relationship):
    mirror = relationship.mirror
    if mirror is not None and AppMirror.parse(mirror, "app mirror").is_deleting:
        mirror = await_deletion(module, relationship, mirror)
    if mirror is None:
        return create(module, spec, relationship)
    parsed = AppMirror.parse(mirror, "app mirror")
    source, destination = relationship.source_cluster.get("name"), relationship.destination_cluster.get("name")
    forward = parsed.source_cluster_id == relationship.source_cluster["id"]
    if forward and parsed.state in (MIRROR_ESTABLISHING, MIRROR_ESTABLISHED):
        return keep(module, spec, relationship, mirror)
    if forward and parsed.state == MIRROR_FAILED_OVER:
        if not module.params["discard_failed_over_data"]:
            raise AstraError(
                "Refusing to resync the %s from %s: it has failed over to %s, where the app now runs and keeps what it "
                "writes. A resync from %s removes the app's resources on %s and overwrites its volumes with %s's data, so "
                "everything written on %s since the failover is lost. To keep it, fail back instead: run this task with "
                "source_cluster %s and destination_cluster %s (a resync from %s), then again as it is now (a reverse). "
                "To throw that data away, set discard_failed_over_data: true."
                % (relationship.describe(mirror), source, destination, source, destination, source, destination,
                   destination, source, destination), resource=mirror)
        return resync(module, spec, relationship, mirror, swap=False)
    if not forward and parsed.state in (MIRROR_FAILED_OVER, MIRROR_ESTABLISHED):
        return resync(module, spec, relationship, mirror, swap=True)
    if forward:
        raise refuse(relationship, mirror, "establish the replication from %s to %s" % (source, destination),
                     "wait until the failover has finished (state: failed_over) and run again")
    raise refuse(relationship, mirror, "make %s the source of the replication" % source,
                 "a reverse needs an established relationship and a resync a failed-over one; wait and run again")


def await_deletion(module, relationship, mirror):
    """A relationship still being deleted (by an earlier run with wait: false) must be gone before a new one."""
    if module.check_mode:
        return None
    if not module.wants_wait:
        raise AstraError("The %s is still being deleted; run again later, or with wait: true, to establish a new one"
                         % relationship.describe(mirror), resource=mirror)
    module.waiter.until_gone(APP_MIRROR.item_path(mirror["id"]), timeout=module.params["wait_timeout"],
                             description=relationship.describe(mirror))
    return None


def create(module, spec, relationship):
    app = relationship.source_app
    source, destination = relationship.source_cluster, relationship.destination_cluster
    mapping = precheck(module, spec, relationship)
    fields = {"sourceAppID": app["id"], "destinationClusterID": destination["id"], "stateDesired": MIRROR_ESTABLISHED}
    if mapping is not None:
        fields["namespaceMapping"] = [{"clusterID": source["id"], "namespaces": [entry["source"] for entry in mapping]},
                                      {"clusterID": destination["id"],
                                       "namespaces": [entry["destination"] for entry in mapping]}]
    if spec.storage_class:
        fields["storageClasses"] = [{"clusterID": destination["id"], "storageClassName": spec.storage_class}]
    body = APP_MIRROR.body(fields)
    after = {"source_app": app.get("name"), "source_cluster": source.get("name"),
             "destination_cluster": destination.get("name"), "state": "established",
             "replication_interval": spec.replication_interval}
    if module.check_mode:
        predicted = dict(body, id=CHECK_MODE_ID, sourceClusterID=source["id"], destinationAppID=CHECK_MODE_ID,
                         state=MIRROR_ESTABLISHING, stateAllowed=list(MIRROR_STATE_ALLOWED[MIRROR_ESTABLISHING]))
        return dict(changed=True, resource=predicted, before={}, after=after, elapsed=0.0)

    def find_existing():
        return next((item for item in module.lookups.app_mirrors()
                     if item.get("sourceAppID") == app["id"] and item.get("destinationClusterID") == destination["id"]
                     and not AppMirror.parse(item, "app mirror").is_deleting), None)

    created = module.client.post(APP_MIRROR.collection, body, APP_MIRROR.media_type, find_existing=find_existing,
                                 operation="Create the %s" % relationship.describe())
    own_replication_schedules(module, app, None, spec.replication_interval)
    mirror, elapsed = settle_mirror(module, relationship, created["id"], MIRROR_ESTABLISHED, app["id"])
    return dict(changed=True, resource=mirror, before={}, after=after, elapsed=elapsed)


def precheck(module, spec, relationship):
    """Everything Astra Control would refuse at create, all at once. Returns the namespace mapping (None: unknown)."""
    mapping, violations = mirror_violations(module.lookups, relationship, spec.namespace_mapping_api(), spec.storage_class)
    if violations:
        raise AstraValidationError(violations=violations)
    return mapping


def keep(module, spec, relationship, mirror):
    """Established (or establishing) in the asked direction: reconcile the replication schedules, maybe wait."""
    parsed = AppMirror.parse(mirror, "app mirror")
    source_result, destination_result = own_replication_schedules(
        module, relationship.app(parsed.source_app_id), relationship.app(parsed.destination_app_id), spec.replication_interval)
    resource, elapsed = mirror, 0.0
    if module.wants_wait:
        resource, elapsed = wait_for_mirror(module, relationship, mirror["id"], MIRROR_ESTABLISHED, parsed.source_app_id,
                                            current=mirror)
    if not changed_any(source_result, destination_result):
        return dict(changed=False, resource=resource, before={}, after={}, elapsed=round(elapsed, 1))
    before = relationship.shape(mirror, interval=interval_of(source_result))
    after = relationship.shape(mirror, state=MIRROR_ESTABLISHED, interval=spec.replication_interval)
    return dict(changed=True, resource=resource, before=before, after=after, elapsed=round(elapsed, 1))


def resync(module, spec, relationship, mirror, swap):
    """Resync (from failedOver) or reverse (from established, swap only): PUT established with the four IDs."""
    parsed = AppMirror.parse(mirror, "app mirror")
    ids = {"sourceAppID": parsed.source_app_id, "sourceClusterID": parsed.source_cluster_id,
           "destinationAppID": parsed.destination_app_id, "destinationClusterID": parsed.destination_cluster_id}
    if swap:
        ids = {"sourceAppID": parsed.destination_app_id, "sourceClusterID": parsed.destination_cluster_id,
               "destinationAppID": parsed.source_app_id, "destinationClusterID": parsed.source_cluster_id}
    reverse = parsed.state == MIRROR_ESTABLISHED
    if not reverse and MIRROR_ESTABLISHED not in parsed.allowed:
        raise refuse(relationship, mirror, "resync", "wait and run again")
    old_source = relationship.app(parsed.source_app_id)
    new_source, new_destination = relationship.app(ids["sourceAppID"]), relationship.app(ids["destinationAppID"])
    fields = dict(ids, stateDesired=MIRROR_ESTABLISHED)
    after = relationship.shape(dict(mirror, **ids), state=MIRROR_ESTABLISHED, interval=spec.replication_interval)
    what = "Reverse" if reverse else "Resync"
    if module.check_mode:
        source_result, destination_result = own_replication_schedules(module, new_source, new_destination,
                                                                      spec.replication_interval)
        old_result = source_result if old_source["id"] == new_source["id"] else destination_result
        predicted = dict(mirror, **fields)
        predicted.update(state=MIRROR_ESTABLISHING, stateAllowed=list(MIRROR_STATE_ALLOWED[MIRROR_ESTABLISHING]))
        return dict(changed=True, resource=predicted, before=relationship.shape(mirror, interval=interval_of(old_result)),
                    after=after, elapsed=0.0)
    module.client.put(APP_MIRROR.item_path(mirror["id"]), APP_MIRROR.body(fields), APP_MIRROR.media_type,
                      operation="%s the %s" % (what, relationship.describe(mirror)))
    source_result, destination_result = own_replication_schedules(module, new_source, new_destination,
                                                                  spec.replication_interval)
    old_result = source_result if old_source["id"] == new_source["id"] else destination_result
    resource, elapsed = settle_mirror(module, relationship, mirror["id"], MIRROR_ESTABLISHED, ids["sourceAppID"])
    return dict(changed=True, resource=resource, before=relationship.shape(mirror, interval=interval_of(old_result)),
                after=after, elapsed=elapsed)


# ---------------------------------------------------------------------- state: failed_over

def fail_over(module, _spec, relationship):
    """PUT failedOver. Reads nothing of the source cluster: clusters, apps by name and mirrors come from the API."""
    mirror = relationship.mirror
    source, destination = relationship.source_cluster.get("name"), relationship.destination_cluster.get("name")
    if mirror is None:
        raise AstraError("There is no app mirror of %r between clusters %r and %r to fail over; establish one first "
                         "(state: established)" % (relationship.app_name, source, destination))
    parsed = AppMirror.parse(mirror, "app mirror")
    if parsed.is_deleting:
        raise refuse(relationship, mirror, "fail over", "the relationship is being deleted")
    if parsed.source_cluster_id != relationship.source_cluster["id"]:
        raise AstraError("Cannot fail over to %s: the %s replicates from %s, so a failover would bring the app online on "
                         "%s, the source_cluster of this task. To fail over to %s, set source_cluster: %s and "
                         "destination_cluster: %s." % (destination, relationship.describe(mirror), destination, source,
                                                       source, destination, source), resource=mirror)
    if parsed.state in (MIRROR_FAILING_OVER, MIRROR_FAILED_OVER):
        resource, elapsed = mirror, 0.0
        if module.wants_wait:
            resource, elapsed = wait_for_mirror(module, relationship, mirror["id"], MIRROR_FAILED_OVER, current=mirror)
        return dict(changed=False, resource=resource, before={}, after={}, elapsed=round(elapsed, 1))
    if MIRROR_FAILED_OVER not in parsed.allowed:
        raise refuse(relationship, mirror, "fail over to %s" % destination,
                     "a failover needs an established relationship; wait until it is established and run again")
    before, after = relationship.shape(mirror), relationship.shape(mirror, state=MIRROR_FAILED_OVER)
    fields = {"stateDesired": MIRROR_FAILED_OVER}
    if module.check_mode:
        predicted = dict(mirror, stateDesired=MIRROR_FAILED_OVER, state=MIRROR_FAILING_OVER,
                         stateAllowed=list(MIRROR_STATE_ALLOWED[MIRROR_FAILING_OVER]))
        return dict(changed=True, resource=predicted, before=before, after=after, elapsed=0.0)
    module.client.put(APP_MIRROR.item_path(mirror["id"]), APP_MIRROR.body(fields), APP_MIRROR.media_type,
                      operation="Fail over the %s" % relationship.describe(mirror))
    resource, elapsed = settle_mirror(module, relationship, mirror["id"], MIRROR_FAILED_OVER)
    return dict(changed=True, resource=resource, before=before, after=after, elapsed=elapsed)


# ---------------------------------------------------------------------- state: absent

def remove(module, _spec, relationship):
    """DELETE the mirror, wait until it is gone, then delete the replication schedules of both apps."""
    mirror = relationship.mirror
    if mirror is not None:
        parsed = AppMirror.parse(mirror, "app mirror")
        apps = [relationship.app(parsed.source_app_id), relationship.app(parsed.destination_app_id)]
    else:
        apps = [app for app in (relationship.source_app, relationship.destination_app) if app is not None]
    # An app in another relationship keeps its replication schedule: that one drives the other relationship.
    apps = [app for app in apps if not is_check_mode_id(app["id"]) and not relationship.mirrors_of(app["id"], exclude=mirror)]
    changed, elapsed, before = False, 0.0, {}
    if mirror is not None:
        path = APP_MIRROR.item_path(mirror["id"])
        if not AppMirror.parse(mirror, "app mirror").is_deleting:
            changed = True
            if not module.check_mode:
                module.client.delete(path, operation="Delete the %s" % relationship.describe(mirror))
        if module.wants_wait:
            _gone, elapsed = module.waiter.until_gone(path, timeout=module.params["wait_timeout"],
                                                      description=relationship.describe(mirror))
    results = [own_replication_schedules(module, app)[0] for app in apps]
    if mirror is not None:
        source_id = AppMirror.parse(mirror, "app mirror").source_app_id
        source_result = next((result for app, result in zip(apps, results) if app["id"] == source_id), None)
        return dict(changed=changed or changed_any(*results), resource={},
                    before=relationship.shape(mirror, interval=interval_of(source_result)) if changed else {},
                    after={}, elapsed=round(elapsed, 1))
    if not changed_any(*results):
        return dict(changed=False, resource={}, before={}, after={}, elapsed=0.0)
    # No relationship, but replication schedules left behind (an earlier run stopped before it removed them).
    left = [dict(shape, app=app.get("name"), cluster=relationship.cluster_name(app.get("clusterID")))
            for app, result in zip(apps, results) for shape in result["before"]]
    return dict(changed=True, resource={}, before={"replication_schedules": left}, after={"replication_schedules": []},
                elapsed=0.0)


def run(module):
    params = module.params
    spec = validate_input(AppMirrorSpec, {"namespace_mapping": params["namespace_mapping"],
                                          "storage_class": params["storage_class"],
                                          "replication_interval": params["replication_interval"]})
    if params["source_cluster"] == params["destination_cluster"]:
        # The same name or ID twice needs no lookup; resolve_relationship() catches a name and an ID of one cluster.
        raise AstraValidationError("destination_cluster", "is cluster %r, like source_cluster; this module replicates "
                                   "between two clusters only" % params["source_cluster"])
    relationship = resolve_relationship(module, params["source_app"], params["source_cluster"], params["destination_cluster"])
    handler = {"established": establish, "failed_over": fail_over, "absent": remove}[params["state"]]
    return handler(module, spec, relationship)


def main():
    argument_spec = dict(
        source_app=dict(type="str", required=True),
        source_cluster=dict(type="str", required=True),
        destination_cluster=dict(type="str", required=True),
        namespace_mapping=dict(type="list", elements="dict", options=dict(
            source=dict(type="str", required=True),
            destination=dict(type="str", required=True),
        )),
        storage_class=dict(type="str"),
        replication_interval=dict(type="int", default=5),
        state=dict(type="str", default="established", choices=["established", "failed_over", "absent"]),
        discard_failed_over_data=dict(type="bool", default=False),
    )
    argument_spec.update(wait_argument_spec(wait_timeout=600))
    module = AstraModule(argument_spec=argument_spec, resource_key="app_mirror")
    module.run(run)
