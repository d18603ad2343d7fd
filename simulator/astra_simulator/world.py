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

from .resources import NIL_UUID, iso, new_id, public, state_detail

RWX = "ReadWriteMany"
PVC = "PersistentVolumeClaim"

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


def storage_class_by_name(store, cluster_id, name):
    return next((sc for sc in storage_classes(store, cluster_id) if sc["name"] == name), None)


def default_storage_class(store, cluster_id):
    return next((sc for sc in storage_classes(store, cluster_id) if sc.get("isDefault") == "true"), None)


def split_api_version(api_version):
    """`apps/v1` -> ("apps", "v1"); `v1` -> ("", "v1")."""
    group, version = api_version.rpartition("/")[::2]
    return group, version


def default_bucket_id(store, cluster_doc):
    """The bucket a backup goes to when none is named: the managed cluster's default, else its cloud's; or None."""
    if cluster_doc.get("defaultBucketID"):
        return cluster_doc["defaultBucketID"]
    cloud = store.get("cloud", cluster_doc.get("cloudID"))
    return (cloud or {}).get("defaultBucketID") or None


def create_namespace(store, cluster_id, name, labels=None):
    """A namespace created on a cluster (by a clone or restore): `discovered` at once.

    A `removed` namespace of the same name is replaced, with whatever objects it had left.
    """
    for stale in store.all("namespace", clusterID=cluster_id, name=name):
        store.delete(stale["id"])
    for obj in k8s_resources(store, cluster_id, name):
        store.delete(obj["id"])
    kubernetes_labels = {**(labels or {}), "kubernetes.io/metadata.name": name}
    now = iso()
    return store.put("namespace", {
        "type": "application/astra-namespace", "version": "1.2", "id": new_id(), "name": name,
        "namespaceState": "discovered", "namespaceStateDetails": [], "kubernetesUID": new_id(), "clusterID": cluster_id,
        "kubernetesLabels": [{"name": k, "value": v} for k, v in kubernetes_labels.items()], "links": [],
        "metadata": {"labels": [], "creationTimestamp": now, "modificationTimestamp": now, "createdBy": NIL_UUID},
    })


def create_k8s_resource(store, cluster_id, spec):
    """A new Kubernetes object from `spec` (apiVersion, kind, name, namespace, labels...): new UID and creationTimestamp."""
    obj = {key: value for key, value in spec.items() if key not in ("id", "clusterID", "creationTimestamp")}
    obj.update({"id": new_id(), "clusterID": cluster_id, "creationTimestamp": iso(), "labels": dict(spec.get("labels") or {})})
    if "accessModes" in obj:
        obj["accessModes"] = list(obj["accessModes"])
    return store.put("k8sResource", obj)


def namespace_labels(store, cluster_id, name):
    namespace = namespace_by_name(store, cluster_id, name)
    if namespace is None:
        return {}
    return {label["name"]: label["value"] for label in namespace["kubernetesLabels"]
            if label["name"] != "kubernetes.io/metadata.name"}


def render_cluster(store, cluster_doc, managed_view=False):
    """The cluster as `topology/v1/clusters` (or, with managed_view, `managedClusters`) serves it."""
    doc = dict(cluster_doc)
    cluster_id = doc["id"]
    doc["namespaces"] = [ns["name"] for ns in namespaces(store, cluster_id) if ns["namespaceState"] == "discovered"]
    default_class = default_storage_class(store, cluster_id)
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
