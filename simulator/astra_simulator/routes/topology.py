"""topology/v1: clouds, clusters, managed clusters, namespaces, storage classes, API resources, buckets.

Read-only except PUT on a cloud (name, credentialID, defaultBucketID) and on a
managed cluster (defaultBucketID); `""` clears a default bucket. The other
write operations the real API offers on these paths answer 405 (problem 69)
with a detail saying they aren't simulated.
"""

from .. import world
from ..problems import ApiProblem, reason
from ..query import INCLUDE_LIMIT, INCLUDE_LIMIT_FILTER, NO_PARAMETERS, asked_value
from ..resources import touch
from ..schema import IDENTIFIER, METADATA_UPDATE, Any, Obj, Str, envelope, validate

OPTIONAL_BUCKET_ID = Str(pattern="^(%s)?$" % IDENTIFIER.pattern.pattern.strip("^$"))     # "" clears a default bucket
# Managed-cluster PUT: only defaultBucketID (and metadata.labels) take effect; the other fields of the
# resource are accepted and ignored.
MANAGED_CLUSTER_PUT = Obj({
    **envelope("managedCluster", ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7")),
    "id": IDENTIFIER,
    "defaultBucketID": OPTIONAL_BUCKET_ID,
    "metadata": METADATA_UPDATE,
    **{name: Any() for name in (
        "name", "state", "restoreTargetSupported", "snapshotSupported", "stateUnready", "managedState",
        "managedStateDetails", "protectionState", "protectionStateDetails", "managedStateUnready", "managedTimestamp",
        "tridentVersion", "acpVersion", "tridentManagedState", "tridentManagedStateDesired", "tridentManagedStateDetails",
        "tridentManagedStateAllowed", "inUse", "accHost", "clusterType", "clusterVersion", "clusterVersionString",
        "clusterCreationTimestamp", "namespaces", "defaultStorageClass", "cloudID", "credentialID", "location",
        "isMultizonal", "privateRouteID", "apiServiceID")},
}, required=("type", "version"))
CLOUD_TYPES = ["gcp", "azure", "aws", "private"]
CLOUD_PUT = Obj({
    **envelope("cloud", ("1.0", "1.1")),
    "id": IDENTIFIER,
    "name": Str(min_length=1, max_length=63),
    "state": Str(enum=["pending", "discovering", "provisioning", "running", "failed", "removed", "unknown"]),
    "stateUnready": Any(),
    "cloudType": Str(enum=CLOUD_TYPES),
    "credentialID": IDENTIFIER,
    "defaultBucketID": OPTIONAL_BUCKET_ID,
    "metadata": METADATA_UPDATE,
}, required=("type", "version"))

CLOUDS = "topology/v1/clouds"
CLOUD = CLOUDS + "/{cloud_id}"
CLUSTERS = "topology/v1/clusters"
CLUSTER = CLUSTERS + "/{cluster_id}"
CLOUD_CLUSTERS = CLOUD + "/clusters"
CLOUD_CLUSTER = CLOUD_CLUSTERS + "/{cluster_id}"
MANAGED_CLUSTERS = "topology/v1/managedClusters"
MANAGED_CLUSTER = MANAGED_CLUSTERS + "/{managedCluster_id}"
BUCKETS = "topology/v1/buckets"
BUCKET = BUCKETS + "/{bucket_id}"


def not_simulated(operation):
    def handler(call):
        raise ApiProblem(69, "%s isn't simulated by this version of the Astra simulator." % operation)
    return handler


# lookups that turn unknown IDs into problem 2 (GET) or 1 (PUT, DELETE) -----
def _cloud(call):
    cloud = call.store.get("cloud", call.params["cloud_id"])
    if cloud is None:
        raise call.missing("Cloud %s" % call.params["cloud_id"])
    return cloud


def _cluster(call):
    """The cluster of a `clusters/{cluster_id}` or `clouds/{cloud_id}/clusters/{cluster_id}` path."""
    cluster = world.cluster(call.store, call.params["cluster_id"])
    if cluster is None or ("cloud_id" in call.params and cluster["cloudID"] != _cloud(call)["id"]):
        raise call.missing("Cluster %s" % call.params["cluster_id"])
    return cluster


def _managed_cluster(call):
    cluster = world.cluster(call.store, call.params["managedCluster_id"])
    if not world.is_managed(cluster):
        raise call.missing("Managed cluster %s" % call.params["managedCluster_id"])
    return cluster


def _one(items, key, call, what):
    for item in items:
        if item["id"] == call.params[key]:
            return item
    raise call.missing("%s %s" % (what, call.params[key]))


def register(router):
    # clouds ---------------------------------------------------------------
    @router.list(CLOUDS, "cloud", INCLUDE_LIMIT_FILTER)
    def list_clouds(call):
        return [world.render(cloud) for cloud in call.store.all("cloud")]

    @router.get(CLOUD, "cloud")
    def get_cloud(call):
        return world.render(_cloud(call))

    router.create(CLOUDS, "cloud")(not_simulated("Adding a cloud"))

    @router.update(CLOUD, "cloud")
    def update_cloud(call):
        cloud, body = _cloud(call), call.body
        failure = validate(CLOUD_PUT, body)
        if failure:
            raise ApiProblem(8, schema_failure=failure)
        conflicts = [reason(field, "can't be changed (stored value: %s)" % cloud.get(field))
                     for field in ("id", "cloudType") if field in body and body[field] != cloud.get(field)]
        if conflicts:
            raise ApiProblem(10, invalid_fields=conflicts)
        name = body.get("name", cloud["name"])
        if any(other["name"] == name and other["id"] != cloud["id"] for other in call.store.all("cloud")):
            raise ApiProblem(140, "Another cloud is already named %s." % name)
        bucket_id = body.get("defaultBucketID")
        if bucket_id and call.store.get("bucket", bucket_id) is None:
            raise ApiProblem(108, "The bucket %s isn't found." % bucket_id)
        cloud["name"] = name
        if "credentialID" in body:
            cloud["credentialID"] = body["credentialID"]
        if bucket_id:
            cloud["defaultBucketID"] = bucket_id
        elif bucket_id == "":
            cloud.pop("defaultBucketID", None)
        labels = (body.get("metadata") or {}).get("labels")
        if labels is not None:
            cloud["metadata"]["labels"] = labels
        touch(cloud, call.store.setting("user_id"))
        call.store.put("cloud", cloud)

    router.delete(CLOUD, "cloud")(not_simulated("Removing a cloud"))

    # clusters -------------------------------------------------------------
    @router.list(CLUSTERS, "cluster", INCLUDE_LIMIT_FILTER)
    def list_clusters(call):
        match = {"name": asked_value(call.options, "name")}
        return [world.render_cluster(call.store, cluster)
                for cluster in call.store.all("cluster", **dict((key, value) for key, value in match.items() if value))]

    @router.list(CLOUD_CLUSTERS, "cluster", INCLUDE_LIMIT_FILTER)
    def list_cloud_clusters(call):
        cloud = _cloud(call)
        return [world.render_cluster(call.store, cluster) for cluster in call.store.all("cluster", cloudID=cloud["id"])]

    for path in (CLUSTER, CLOUD_CLUSTER):
        router.get(path, "cluster")(lambda call: world.render_cluster(call.store, _cluster(call)))
        router.update(path, "cluster")(not_simulated("Updating a cluster"))
        router.delete(path, "cluster")(not_simulated("Removing a cluster"))
    router.create(CLOUD_CLUSTERS, "cluster")(not_simulated("Adding a cluster"))

    # managed clusters -----------------------------------------------------
    @router.list(MANAGED_CLUSTERS, "managedCluster", INCLUDE_LIMIT_FILTER)
    def list_managed_clusters(call):
        return [world.render_cluster(call.store, cluster, managed_view=True)
                for cluster in call.store.all("cluster") if world.is_managed(cluster)]

    @router.get(MANAGED_CLUSTER, "managedCluster")
    def get_managed_cluster(call):
        return world.render_cluster(call.store, _managed_cluster(call), managed_view=True)

    router.create(MANAGED_CLUSTERS, "managedCluster")(not_simulated("Managing a cluster"))

    @router.update(MANAGED_CLUSTER, "managedCluster")
    def update_managed_cluster(call):
        cluster, body = _managed_cluster(call), call.body
        failure = validate(MANAGED_CLUSTER_PUT, body)
        if failure:
            raise ApiProblem(8, schema_failure=failure)
        if "id" in body and body["id"] != cluster["id"]:
            raise ApiProblem(10, invalid_fields=[reason("id", "can't be changed (stored value: %s)" % cluster["id"])])
        bucket_id = body.get("defaultBucketID")
        if bucket_id and call.store.get("bucket", bucket_id) is None:
            raise ApiProblem(108, "The bucket %s isn't found." % bucket_id)
        if bucket_id:
            cluster["defaultBucketID"] = bucket_id
        elif bucket_id == "":
            cluster.pop("defaultBucketID", None)
        labels = (body.get("metadata") or {}).get("labels")
        if labels is not None:
            cluster["metadata"]["labels"] = labels
        touch(cluster, call.store.setting("user_id"))
        call.store.put("cluster", cluster)
    router.delete(MANAGED_CLUSTER, "managedCluster")(not_simulated("Unmanaging a cluster"))

    # namespaces -----------------------------------------------------------
    @router.list("topology/v1/namespaces", "namespace", INCLUDE_LIMIT_FILTER)
    def list_all_namespaces(call):
        return [world.render(ns) for ns in world.namespaces(call.store)]

    @router.get("topology/v1/namespaces/{namespace_id}", "namespace")
    def get_any_namespace(call):
        return world.render(_one(world.namespaces(call.store), "namespace_id", call, "Namespace"))

    cluster_scoped = ((CLUSTER, _cluster), (CLOUD_CLUSTER, _cluster), (MANAGED_CLUSTER, _managed_cluster))
    for base, lookup in cluster_scoped:
        def namespaces_of(call, lookup=lookup):
            return world.namespaces(call.store, lookup(call)["id"])

        def storage_classes_of(call, lookup=lookup):
            return world.storage_classes(call.store, lookup(call)["id"])

        router.list(base + "/namespaces", "namespace", INCLUDE_LIMIT_FILTER)(
            lambda call, of=namespaces_of: [world.render(ns) for ns in of(call)])
        router.get(base + "/namespaces/{namespace_id}", "namespace")(
            lambda call, of=namespaces_of: world.render(_one(of(call), "namespace_id", call, "Namespace")))
        router.list(base + "/storageClasses", "storageClass", INCLUDE_LIMIT)(
            lambda call, of=storage_classes_of: [world.render(sc) for sc in of(call)])
        router.get(base + "/storageClasses/{storageClass_id}", "storageClass")(
            lambda call, of=storage_classes_of: world.render(_one(of(call), "storageClass_id", call, "Storage class")))

    # API resources --------------------------------------------------------
    @router.list(MANAGED_CLUSTER + "/apiResources", "apiResource", INCLUDE_LIMIT)
    def list_api_resources(call):
        return [world.render(r) for r in world.api_resources(call.store, _managed_cluster(call)["id"])]

    @router.get(MANAGED_CLUSTER + "/apiResources/{apiResource_id}", "apiResource")
    def get_api_resource(call):
        resources = world.api_resources(call.store, _managed_cluster(call)["id"])
        return world.render(_one(resources, "apiResource_id", call, "API resource"))

    # buckets --------------------------------------------------------------
    @router.list(BUCKETS, "bucket", NO_PARAMETERS)
    def list_buckets(call):
        return [world.render(bucket) for bucket in call.store.all("bucket")]

    @router.get(BUCKET, "bucket")
    def get_bucket(call):
        return world.render(_one(call.store.all("bucket"), "bucket_id", call, "Bucket"))

    router.create(BUCKETS, "bucket")(not_simulated("Adding a bucket"))
    router.update(BUCKET, "bucket")(not_simulated("Updating a bucket"))
    router.delete(BUCKET, "bucket")(not_simulated("Removing a bucket"))
