"""What an app is made of: its Kubernetes objects, served as appAssets, and the restore filter (GVKN).

An app's resources are the objects of its cluster that its definition selects,
in the namespaces discovery found (`namespaces`; empty until the first
discovery finishes): every object of a namespace entry without label
selectors, or those matching all of the entry's selectors; plus the
cluster-scoped objects of each `clusterScopedResources` GVK matching its
selectors.

appAssets: one per object, `assetID` the Kubernetes UID, `id` a UUIDv5 of the
owner (app, snapshot or backup) and the UID, so it is stable across reads and
differs between an app and its snapshots. `resource` is the Kubernetes object
(with `spec` and `status` for PersistentVolumeClaims); `GVK` has no `group` for
core-group kinds (apiVersion `v1`). Snapshots and backups
keep the objects as captured when they were created (`_assets`).
"""

import uuid

from . import world
from .labels import Selector, SelectorError, matches_all
from .problems import ApiProblem, reason
from .resources import NIL_UUID

ASSET_VERSION = "1.1"


# an app's resources ---------------------------------------------------------
def app_resources(store, app):
    """The Kubernetes objects the app selects on its cluster (dicts as stored in the world)."""
    cluster_id = app["clusterID"]
    discovered = set(app.get("namespaces") or [])
    selected, seen = [], set()

    def take(obj):
        if obj["id"] not in seen:
            seen.add(obj["id"])
            selected.append(obj)

    for entry in app["namespaceScopedResources"]:
        if entry["namespace"] not in discovered:
            continue
        namespace = world.namespace_by_name(store, cluster_id, entry["namespace"])
        if namespace is None or namespace["namespaceState"] != "discovered":
            continue
        selectors = [Selector(text) for text in entry["labelSelectors"]]
        for obj in world.k8s_resources(store, cluster_id, entry["namespace"]):
            if matches_all(selectors, obj["labels"]):
                take(obj)
    if discovered:
        for entry in app["clusterScopedResources"]:
            gvk = entry["GVK"]
            selectors = [Selector(text) for text in entry["labelSelectors"]]
            for obj in world.k8s_resources(store, cluster_id):
                group, version = world.split_api_version(obj["apiVersion"])
                if (obj["namespace"] is None and obj["kind"] == gvk["kind"] and group == gvk["group"]
                        and version == gvk["version"] and matches_all(selectors, obj["labels"])):
                    take(obj)
    return selected


def capture(store, app):
    """What a snapshot or backup keeps of the app at its creation (internal fields of the stored document)."""
    objects = [dict(obj, labels=dict(obj["labels"])) for obj in app_resources(store, app)]
    return {
        "_appID": app["id"],
        "_clusterID": app["clusterID"],
        "_appName": app["name"],
        "_namespaces": list(app.get("namespaces") or []),
        "_namespaceLabels": {name: world.namespace_labels(store, app["clusterID"], name) for name in app.get("namespaces") or []},
        "_definition": {"namespaceScopedResources": app["namespaceScopedResources"],
                        "clusterScopedResources": app["clusterScopedResources"]},
        "_assets": objects,
    }


def used_bytes(objects):
    """Bytes a backup moves: a quarter of each PVC's requested size (the volumes aren't full)."""
    return sum(parse_quantity(obj.get("size", "0")) // 4 for obj in objects if obj["kind"] == world.PVC)


_UNITS = {"Ki": 1024, "Mi": 1024 ** 2, "Gi": 1024 ** 3, "Ti": 1024 ** 4, "K": 1000, "M": 1000 ** 2, "G": 1000 ** 3,
          "T": 1000 ** 4}


def parse_quantity(text):
    for suffix in sorted(_UNITS, key=len, reverse=True):
        if text.endswith(suffix):
            return int(float(text[:-len(suffix)]) * _UNITS[suffix])
    return int(float(text or 0))


# rendering ------------------------------------------------------------------
def kubernetes_object(obj):
    """The object as the Kubernetes API would show it (the appAsset's `resource`)."""
    metadata = {"name": obj["name"], "uid": obj["id"], "creationTimestamp": obj["creationTimestamp"],
                "labels": dict(obj["labels"])}
    if obj["namespace"]:
        metadata["namespace"] = obj["namespace"]
    resource = {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "metadata": metadata}
    if obj["kind"] == world.PVC:
        resource["spec"] = {"accessModes": list(obj["accessModes"]), "storageClassName": obj["storageClassName"],
                            "resources": {"requests": {"storage": obj["size"]}}, "volumeMode": "Filesystem"}
        resource["status"] = {"phase": "Bound", "accessModes": list(obj["accessModes"]), "capacity": {"storage": obj["size"]}}
    return resource


def gvk(group, version, kind):
    """An appAsset's GVK object. The core group has no name: `group` is left out rather than sent as "" (the
    specification gives it a minimum length of 1)."""
    return {"group": group, "version": version, "kind": kind} if group else {"version": version, "kind": kind}


def render_asset(owner_id, obj):
    group, version = world.split_api_version(obj["apiVersion"])
    asset = {
        "type": "application/astra-appAsset",
        "version": ASSET_VERSION,
        "id": str(uuid.uuid5(uuid.UUID(owner_id), obj["id"])),
        "assetID": obj["id"],
        "assetName": obj["name"],
        "assetType": obj["kind"],
    }
    if obj["namespace"]:
        asset["namespace"] = obj["namespace"]
    asset["GVK"] = gvk(group, version, obj["kind"])
    asset["labels"] = [{"name": key, "value": value} for key, value in sorted(obj["labels"].items())]
    asset["creationTimestamp"] = obj["creationTimestamp"]
    asset["resource"] = kubernetes_object(obj)
    asset["metadata"] = {"labels": [], "creationTimestamp": obj["creationTimestamp"],
                         "modificationTimestamp": obj["creationTimestamp"], "createdBy": NIL_UUID}
    return asset


def render_assets(owner_id, objects):
    return [render_asset(owner_id, obj) for obj in objects]


def find_asset(assets, asset_id):
    """By the asset's `id`, or by `assetID` (the Kubernetes UID)."""
    return next((asset for asset in assets if asset_id in (asset["id"], asset["assetID"])), None)


# restore filter (GVKN) ----------------------------------------------------
class RestoreFilter:
    """`{resourceSelectionCriteria: include|exclude, GVKN: [...]}`, validated (problem 147) and ready to match.

    An object matches an element when every field the element gives matches (names and namespaces: any value;
    labelSelectors: all); it matches the filter's GVKN when it matches any element.
    """

    FIELDS = ("group", "version", "kind", "names", "namespaces", "labelSelectors")

    def __init__(self, spec, store=None, cluster_id=None):
        self.spec = spec
        self.include = spec["resourceSelectionCriteria"] == "include"
        failures = []
        if not spec["GVKN"]:
            failures.append(reason("restoreFilter.GVKN", "must list at least one GVKN object"))
        self.elements = []
        for i, element in enumerate(spec["GVKN"]):
            given = {key: value for key, value in element.items() if value not in (None, "", [])}
            where = "restoreFilter.GVKN[%d]" % i
            if not given:
                failures.append(reason(where, "a GVKN object can't be empty"))
                continue
            selectors = []
            for j, text in enumerate(given.get("labelSelectors", [])):
                try:
                    selectors.append(Selector(text))
                except SelectorError as error:
                    failures.append(reason("%s.labelSelectors[%d]" % (where, j), str(error)))
            if store is not None and any(key in given for key in ("group", "version", "kind")):
                if not self._served(store, cluster_id, element):
                    failures.append(reason(where, "no apiResource of the cluster has %s" % ", ".join(
                        "%s %r" % (key, element.get(key)) for key in ("group", "version", "kind") if key in element)))
            self.elements.append((given, selectors))
        if failures:
            raise ApiProblem(147, "; ".join("%s: %s" % (f["name"], f["reason"]) for f in failures))

    @staticmethod
    def _served(store, cluster_id, element):
        for resource in world.api_resources(store, cluster_id):
            if ("group" in element and element["group"] != resource["_group"]) or \
                    ("version" in element and element["version"] != resource["_version"]) or \
                    ("kind" in element and element["kind"] != resource["kind"]):
                continue
            return True
        return False

    @staticmethod
    def _matches(element, selectors, obj):
        group, version = world.split_api_version(obj["apiVersion"])
        if "group" in element and element["group"] != group:
            return False
        if "version" in element and element["version"] != version:
            return False
        if "kind" in element and element["kind"] != obj["kind"]:
            return False
        if "names" in element and obj["name"] not in element["names"]:
            return False
        if "namespaces" in element and obj["namespace"] not in element["namespaces"]:
            return False
        return all(selector.matches(obj["labels"]) for selector in selectors)

    def selects(self, obj):
        """True when the object is in the restore set."""
        matched = any(self._matches(element, selectors, obj) for element, selectors in self.elements)
        return matched if self.include else not matched


def restore_filter(spec, store=None, cluster_id=None):
    return RestoreFilter(spec, store, cluster_id) if spec is not None else None
