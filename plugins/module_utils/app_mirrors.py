# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What astra_app_mirror and astra_app_mirror_info share: finding the replication relationship (app mirror) a task
names, waiting for it, owning the replication schedule of its source app, and describing it.

A relationship is named by an app name and two clusters: the mirror whose clusters are those two, in either order,
and whose source or destination app is the app of that name (the destination app carries the source app's name).
Finding it takes three requests whatever the state of the clusters: every cluster, the apps of that name, every
mirror. None of them needs a cluster to be reachable, so a failover works while the source cluster is down.
"""

from ansible_collections.kubedr.astra.plugins.module_utils.api_resources import AppMirror
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraError, AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.kinds import APP_MIRROR, schedule_kind
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import is_check_mode_id, looks_like_id
from ansible_collections.kubedr.astra.plugins.module_utils.mirror_states import MIRROR_ESTABLISHED
from ansible_collections.kubedr.astra.plugins.module_utils.schedules import (
    REPLICATION_SCHEDULE_NAME,
    is_replication_schedule,
    replication_schedule_definition,
    replication_schedule_fields,
)
from ansible_collections.kubedr.astra.plugins.module_utils.validators import name_list

# API states in the words of the astra_app_mirror option state (diffs use them).
STATE_WORDS = {"establishing": "establishing", "established": "established", "failingOver": "failing_over",
               "failedOver": "failed_over", "deleting": "deleting"}


def state_word(state):
    return STATE_WORDS.get(state, state)


class Relationship:
    """The clusters and apps one task names, and the app mirror between them (None when there is none).

    apps: the apps named like the task's source_app on either cluster, by ID; source_app and destination_app: the
    one on source_cluster and the one on destination_cluster (None when there is none or, on the destination
    cluster only, several); mirrors: every mirror of the account.
    """

    def __init__(self, app_name, source_cluster, destination_cluster, clusters, apps, mirrors):
        self.app_name = app_name
        self.source_cluster = source_cluster
        self.destination_cluster = destination_cluster
        self.cluster_names = dict((cluster.get("id"), cluster.get("name")) for cluster in clusters)
        self.apps = dict((app["id"], app) for app in apps)
        self.source_app = self._only(source_cluster)
        self.destination_app = self._only(destination_cluster)
        self.mirrors = mirrors
        self.mirror = self._find_mirror()

    def _only(self, cluster):
        found = [app for app in self.apps.values() if app.get("clusterID") == cluster["id"]]
        return found[0] if len(found) == 1 else None

    def apps_on(self, cluster):
        return [app for app in self.apps.values() if app.get("clusterID") == cluster["id"]]

    def _find_mirror(self):
        wanted = frozenset((self.source_cluster["id"], self.destination_cluster["id"]))
        matches = []
        for item in self._of_apps(self.apps):
            parsed = AppMirror.parse(item, "app mirror %s" % item.get("id"))
            if parsed.cluster_ids == wanted and parsed.app_ids & set(self.apps):
                matches.append((parsed, item))
        live = [item for parsed, item in matches if not parsed.is_deleting]
        if len(live) > 1:
            raise AstraError("%d app mirrors of %r between clusters %r and %r exist (IDs %s); Astra Control should not "
                             "allow this: remove all but one" % (len(live), self.app_name, self.source_cluster.get("name"),
                                                                 self.destination_cluster.get("name"),
                                                                 name_list(item.get("id") for item in live)))
        if live:
            return live[0]
        return matches[0][1] if matches else None

    def _of_apps(self, app_ids):
        """The mirrors whose source or destination app is one of app_ids: only those are parsed (every mirror of the
        account, parsed for each run of a wave, cost a 200-mirror estate 16 ms per run)."""
        app_ids = set(app_ids)
        return [item for item in self.mirrors
                if not isinstance(item, dict) or item.get("sourceAppID") in app_ids or item.get("destinationAppID") in app_ids]

    def app(self, app_id):
        """The app with this ID among those found, else a stand-in carrying its ID and the relationship's app name."""
        return self.apps.get(app_id) or {"id": app_id, "name": self.app_name}

    def cluster_name(self, cluster_id):
        return self.cluster_names.get(cluster_id) or cluster_id

    def describe(self, mirror=None):
        """'app mirror of 'postgres' (prod-east -> dr-west)' in the mirror's direction (the task's without one)."""
        if mirror is None:
            source, destination = self.source_cluster.get("name"), self.destination_cluster.get("name")
        else:
            parsed = AppMirror.parse(mirror, "app mirror")
            source, destination = self.cluster_name(parsed.source_cluster_id), self.cluster_name(parsed.destination_cluster_id)
        return "app mirror of %r (%s -> %s)" % (self.app_name, source, destination)

    def mirrors_of(self, app_id, exclude=None):
        """The mirrors, other than `exclude`, in which the app is source or destination (and not being deleted)."""
        found = []
        for item in self._of_apps((app_id,)):
            parsed = AppMirror.parse(item, "app mirror %s" % item.get("id"))
            if item is not exclude and not parsed.is_deleting and app_id in parsed.app_ids:
                found.append(item)
        return found

    def shape(self, mirror, state=None, interval=None):
        """The relationship as --diff shows it: direction, state (in option words) and replication interval."""
        parsed = AppMirror.parse(mirror, "app mirror")
        shape = {"source_app": self.app(parsed.source_app_id).get("name") or self.app_name,
                 "source_cluster": self.cluster_name(parsed.source_cluster_id),
                 "destination_cluster": self.cluster_name(parsed.destination_cluster_id),
                 "state": state_word(state or parsed.state)}
        if interval is not None:
            shape["replication_interval"] = interval
        return shape


def resolve_relationship(module, app_ref, source_ref, destination_ref):
    """The Relationship a task names: three requests (clusters, apps of the name, mirrors), four with an app ID.

    Unknown clusters are reported together; the two clusters must differ. Managed-ness is not required here:
    a failover must work whatever the API says about the source cluster.
    """
    lookups = module.lookups
    # Read before any change, as the runs of a step start: the runs of a batch may share these two lists.
    clusters = lookups.clusters(shared=True)
    resolved, violations = {}, []
    for option, ref in (("source_cluster", source_ref), ("destination_cluster", destination_ref)):
        try:
            resolved[option] = lookups.cluster(ref, option=option, require_managed=False, items=clusters)
        except AstraValidationError as exc:
            violations.extend(exc.violations)
    if violations:
        raise AstraValidationError(violations=violations)
    source_cluster, destination_cluster = resolved["source_cluster"], resolved["destination_cluster"]
    if source_cluster["id"] == destination_cluster["id"]:
        raise AstraValidationError("destination_cluster", "is cluster %r, like source_cluster; this module replicates "
                                   "between two clusters only" % source_cluster.get("name"))

    by_id = lookups.app_by_id(app_ref) if looks_like_id(app_ref) else None
    if is_check_mode_id(app_ref) and module.client.read_only:
        # An app an earlier check-mode task predicted: nothing of it exists yet.
        apps, name = [lookups.require_app(app_ref, cluster=source_cluster, option="source_app")], app_ref
    elif by_id is not None:
        app = by_id
        if app.get("clusterID") != source_cluster["id"]:
            raise AstraValidationError("source_app", "app %s (%s) runs on cluster %r, not on source_cluster %r"
                                       % (app_ref, app.get("name"), app.get("clusterName"), source_cluster.get("name")))
        name = app.get("name")
        apps = [app] + list(lookups.apps(name=name, cluster_id=destination_cluster["id"]))
    else:
        name = app_ref
        on_clusters = (source_cluster["id"], destination_cluster["id"])
        apps = [item for item in lookups.apps(name=name) if item.get("clusterID") in on_clusters]
        on_source = [item for item in apps if item.get("clusterID") == source_cluster["id"]]
        if len(on_source) > 1:
            raise AstraValidationError("source_app", "%d apps are named %r on cluster %r (IDs %s); give the app ID instead"
                                       % (len(on_source), name, source_cluster.get("name"),
                                          name_list(item.get("id") for item in on_source)))
    return Relationship(name, source_cluster, destination_cluster, clusters, apps, lookups.app_mirrors(shared=True))


# ---------------------------------------------------------------------- waiting

# The fields mirror_predicates read: a list of the mirrors with these (include=) is enough to tell a wait in progress.
MIRROR_WAIT_FIELDS = ("state", "stateDesired", "sourceAppID", "transferState", "healthState")


def mirror_predicates(target, source_app_id=None):
    """(done, failed) of a wait for the mirror to become `target` (an API state); see wait_for_mirror."""
    def done(mirror):
        if mirror.get("state") != target:
            return False
        if target != MIRROR_ESTABLISHED:
            return True
        return (mirror.get("sourceAppID") == source_app_id and mirror.get("transferState", "idle") == "idle"
                and mirror.get("healthState") != "critical")

    def failed(mirror):
        parsed = AppMirror.parse(mirror, "app mirror")
        if parsed.is_deleting:
            return "the relationship is being deleted"
        if parsed.state_desired not in (None, target):
            return "another request changed stateDesired to %s" % parsed.state_desired
        if target == MIRROR_ESTABLISHED and source_app_id and mirror.get("sourceAppID") not in (None, source_app_id):
            # Another operator resynced or reversed it the other way while this one waited: it will never get here.
            return ("another request changed its direction: it now replicates from app %s on cluster %s; run the task "
                    "again to act on the relationship as it is now" % (mirror.get("sourceAppID"), mirror.get("sourceClusterID")))
        if target == MIRROR_ESTABLISHED and parsed.health_state == "critical":
            return "its health is critical (a snapshot transfer or a reconcile failed)"
        return None

    return done, failed


def wait_for_mirror(module, relationship, mirror_id, target, source_app_id=None, current=None):
    """Poll the mirror until it is `target` (an API state). Returns (mirror, elapsed seconds).

    established: from source_app_id, with transferState idle and a health that is not critical; a critical
    health (a failed transfer or reconcile) ends the wait with the health and transfer details. failedOver: as
    soon as the state is reached; the health is not judged, because a failover usually happens when the
    source is down and transfers were failing. A mirror being deleted ends every wait.
    current: the mirror as just read; when it is already there, no request is sent.
    """
    done, failed = mirror_predicates(target, source_app_id)
    if current is not None and done(current):
        return current, 0.0
    description = relationship.describe()
    if target == MIRROR_ESTABLISHED:
        wanted = "established with transfers idle"
    else:
        wanted = target
    return module.waiter.until(APP_MIRROR.item_path(mirror_id), done, failed, timeout=module.params["wait_timeout"],
                               description=description, target=wanted, watch=MIRROR_WAIT_FIELDS)


def settle_mirror(module, relationship, mirror_id, target, source_app_id=None):
    """After a change: wait (wait=true) or read the mirror once (the PUT answer is partial). Returns (mirror, elapsed)."""
    if module.wants_wait:
        mirror, elapsed = wait_for_mirror(module, relationship, mirror_id, target, source_app_id)
        return mirror, round(elapsed, 1)
    return module.client.get(APP_MIRROR.item_path(mirror_id), operation="Read the %s" % relationship.describe()), 0.0


# ---------------------------------------------------------------------- the replication schedule

def replication_schedules(module, app):
    """The replication schedules (replicate "true") of an app: one request."""
    return [item for item in module.lookups.schedules(app) if is_replication_schedule(item)]


def own_replication_schedules(module, source_app, destination_app=None, interval=None):
    """Make the replication schedules right: exactly one on the source app, named kubedr-replication and firing
    every `interval` minutes (interval None: none), and none on the destination app (when given).

    Uses ensure_collection, so check mode predicts and a rerun changes nothing. Returns (source result,
    destination result or None), the ensure_collection results.
    """
    desired = [] if interval is None else [{"name": REPLICATION_SCHEDULE_NAME, "interval": interval, "enabled": True}]
    results = []
    for app, wanted in ((source_app, desired), (destination_app, [])):
        if app is None:
            results.append(None)
            continue
        results.append(module.ensure_collection(schedule_kind(app["id"]), lambda app=app: replication_schedules(module, app),
                                                wanted, replication_schedule_definition, replication_schedule_fields))
    return results[0], results[1]


def interval_of(result):
    """The interval of the replication schedule a collection result had before the change (None: there was none)."""
    shapes = (result or {}).get("before") or []
    named = [shape for shape in shapes if shape.get("name") == REPLICATION_SCHEDULE_NAME] or shapes
    return named[0].get("interval") if named else None


def changed_any(*results):
    return any(result["changed"] for result in results if result)


# ---------------------------------------------------------------------- listing (astra_app_mirror_info)

def with_names(mirror, cluster_names, app_names):
    """The mirror with sourceAppName, sourceClusterName, destinationAppName and destinationClusterName added."""
    item = dict(mirror)
    for side in ("source", "destination"):
        item.setdefault("%sAppName" % side, app_names.get(mirror.get("%sAppID" % side)))
        item.setdefault("%sClusterName" % side, cluster_names.get(mirror.get("%sClusterID" % side)))
    return item
