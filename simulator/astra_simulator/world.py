"""The simulated estate: clouds, clusters and the small Kubernetes world inside each.

Stored object kinds:

- ``cloud``, ``bucket``: API documents as served.
- ``cluster``: the API document without the fields derived from the world
  (`namespaces`, `defaultStorageClass`, `inUse`) and without outage effects;
  `render_cluster` adds them.
- ``namespace``: API document (has `clusterID`); `kubernetesLabels` are the
  namespace's Kubernetes labels.
- ``storageClass``: API document plus internal `_clusterID`, `_accessModes`
  (what the backend can provision) and `_backendType` (ontap-nas, ontap-san,
  ontap-nas-economy...). The real resource exposes neither.
- ``apiResource``: API document plus `_clusterID`, `_group`, `_version`,
  `_namespaced`.
- ``k8sResource``: internal only: one Kubernetes object (`clusterID`,
  `namespace` or None, `apiVersion`, `kind`, `name`, `labels` as a dict,
  `uid`, and for PVCs `storageClassName`, `accessModes`, `size`).
"""

from .resources import public, state_detail

CLUSTER_FIELDS = (
    "type", "version", "id", "name", "state", "stateUnready", "managedState", "managedStateUnready", "managedStateDetails",
    "protectionState", "protectionStateDetails", "restoreTargetSupported", "snapshotSupported", "managedTimestamp",
    "tridentVersion", "acpVersion", "tridentManagedState", "tridentManagedStateDetails", "inUse", "clusterType",
    "clusterVersion", "clusterVersionString", "clusterCreationTimestamp", "namespaces", "defaultStorageClass", "cloudID",
    "credentialID", "location", "isMultizonal", "connectorCapabilities", "apiServiceID", "metadata",
)
MANAGED_CLUSTER_FIELDS = (
    "type", "version", "id", "name", "state", "stateUnready", "managedState", "managedStateUnready", "managedStateDetails",
    "protectionState", "protectionStateDetails", "restoreTargetSupported", "snapshotSupported", "managedTimestamp",
    "tridentVersion", "acpVersion", "tridentManagedState", "tridentManagedStateDesired", "tridentManagedStateDetails",
    "inUse", "clusterType", "clusterVersion", "clusterVersionString", "clusterCreationTimestamp", "namespaces",
    "defaultStorageClass", "cloudID", "credentialID", "location", "isMultizonal", "apiServiceID", "defaultBucketID",
    "metadata",
)


def is_unreachable(store, cluster_id):
    return cluster_id in store.setting("outages", [])


def cluster(store, cluster_id):
    return store.get("cluster", cluster_id)


def cluster_by_name(store, name):
    return store.find("cluster", name=name)


def is_managed(cluster_doc):
    return cluster_doc is not None and cluster_doc.get("managedState") == "managed"


def namespaces(store, cluster_id=None):
    return store.all("namespace", clusterID=cluster_id) if cluster_id else store.all("namespace")


def namespace_by_name(store, cluster_id, name):
    return store.find("namespace", clusterID=cluster_id, name=name)


def storage_classes(store, cluster_id=None):
    return store.all("storageClass", _clusterID=cluster_id) if cluster_id else store.all("storageClass")


def api_resources(store, cluster_id):
    return store.all("apiResource", _clusterID=cluster_id)


def find_api_resource(store, cluster_id, group, version, kind):
    for resource in api_resources(store, cluster_id):
        if resource["_group"] == group and resource["_version"] == version and resource["kind"] == kind:
            return resource
    return None


def k8s_resources(store, cluster_id, namespace=None):
    found = store.all("k8sResource", clusterID=cluster_id)
    return [item for item in found if namespace is None or item["namespace"] == namespace]


def render_cluster(store, cluster_doc, managed_view=False):
    """The cluster as `topology/v1/clusters` (or, with managed_view, `managedClusters`) serves it."""
    doc = dict(cluster_doc)
    cluster_id = doc["id"]
    doc["namespaces"] = [ns["name"] for ns in namespaces(store, cluster_id) if ns["namespaceState"] == "discovered"]
    default_class = next((sc for sc in storage_classes(store, cluster_id) if sc.get("isDefault") == "true"), None)
    if default_class:
        doc["defaultStorageClass"] = default_class["id"]
    managed = doc.get("managedState") == "managed"
    doc["inUse"] = "true" if managed and store.find("app", clusterID=cluster_id) else "false"
    if is_unreachable(store, cluster_id):
        doc["state"] = "removed"
        doc["stateUnready"] = ["Cluster %s isn't reachable (simulated outage)." % doc["name"]]
    if managed_view:
        doc["type"] = "application/astra-managedCluster"
        fields = MANAGED_CLUSTER_FIELDS
    else:
        doc["type"] = "application/astra-cluster"
        fields = CLUSTER_FIELDS
    return {name: doc[name] for name in fields if name in doc}


def render(document):
    return public(document)


def outage_detail(cluster_name):
    return state_detail(
        "clusterUnreachable", "Cluster unreachable",
        "The cluster %s isn't reachable; the application's state can't be determined until it is." % cluster_name,
    )
