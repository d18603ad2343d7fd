"""Initial worlds: `empty`, `demo` and `scale` (scale.py: many apps over several cluster pairs).

IDs come from a random generator seeded per state file, so `reset` brings back
the same IDs while two state files still get different ones.
"""

import random
import uuid

from . import hooks, scale, settings
from .resources import NIL_UUID, iso

SYSTEM_NAMESPACES = (("default", None), ("kube-system", "kubernetes"), ("trident", "netapp"))
TRIDENT = "csi.trident.netapp.io"
RWO, RWX = "ReadWriteOnce", "ReadWriteMany"

# (group, version, kind, namespaced): what every simulated cluster serves.
API_RESOURCES = (
    ("", "v1", "Pod", True), ("", "v1", "Service", True), ("", "v1", "Endpoints", True), ("", "v1", "ConfigMap", True),
    ("", "v1", "Secret", True), ("", "v1", "ServiceAccount", True), ("", "v1", "PersistentVolumeClaim", True),
    ("", "v1", "Event", True), ("", "v1", "LimitRange", True), ("", "v1", "ResourceQuota", True),
    ("", "v1", "Namespace", False), ("", "v1", "Node", False), ("", "v1", "PersistentVolume", False),
    ("apps", "v1", "Deployment", True), ("apps", "v1", "StatefulSet", True), ("apps", "v1", "DaemonSet", True),
    ("apps", "v1", "ReplicaSet", True), ("apps", "v1", "ControllerRevision", True),
    ("batch", "v1", "Job", True), ("batch", "v1", "CronJob", True),
    ("autoscaling", "v2", "HorizontalPodAutoscaler", True), ("policy", "v1", "PodDisruptionBudget", True),
    ("networking.k8s.io", "v1", "Ingress", True), ("networking.k8s.io", "v1", "NetworkPolicy", True),
    ("networking.k8s.io", "v1", "IngressClass", False),
    ("storage.k8s.io", "v1", "StorageClass", False), ("storage.k8s.io", "v1", "CSIDriver", False),
    ("storage.k8s.io", "v1", "CSINode", False), ("storage.k8s.io", "v1", "VolumeAttachment", False),
    ("rbac.authorization.k8s.io", "v1", "Role", True), ("rbac.authorization.k8s.io", "v1", "RoleBinding", True),
    ("rbac.authorization.k8s.io", "v1", "ClusterRole", False),
    ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", False),
    ("apiextensions.k8s.io", "v1", "CustomResourceDefinition", False),
    ("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", False),
    ("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", False),
    ("scheduling.k8s.io", "v1", "PriorityClass", False),
    ("snapshot.storage.k8s.io", "v1", "VolumeSnapshot", True),
    ("snapshot.storage.k8s.io", "v1", "VolumeSnapshotContent", False),
    ("snapshot.storage.k8s.io", "v1", "VolumeSnapshotClass", False),
    ("trident.netapp.io", "v1", "TridentBackendConfig", True), ("trident.netapp.io", "v1", "TridentBackend", True),
)

# Storage classes: name -> (access modes the backend can provision, Trident backend type)
ONTAP_GOLD = ("ontap-gold", (RWO, RWX), "ontap-nas")
ONTAP_SAN = ("ontap-san", (RWO,), "ontap-san")
ONTAP_NAS_ECONOMY = ("ontap-nas-economy", (RWO, RWX), "ontap-nas-economy")
STANDARD = ("standard", (RWO, RWX), "ontap-nas")


def _workload(namespace, *objects):
    return namespace, objects


def _obj(api_version, kind, name, labels=None, **extra):
    return dict(apiVersion=api_version, kind=kind, name=name, labels=dict(labels or {}), **extra)


def _containers(*pairs):
    """A workload's pod template containers: ((name, image), ...) -> [{name, image}]."""
    return [{"name": name, "image": image} for name, image in pairs]


def _pvc(name, storage_class, access_mode, size, labels=None):
    return _obj("v1", "PersistentVolumeClaim", name, labels, storageClassName=storage_class, accessModes=[access_mode], size=size)


WORDPRESS = {"app": "wordpress"}
UNPROTECTED_NAMESPACE = "billing"
SHOP = {"app": "shop"}

# prod-east's workloads: (namespace, namespace labels, objects)
PROD_EAST_WORKLOADS = (
    ("wordpress", {}, (
        _obj("apps/v1", "Deployment", "wordpress", {**WORDPRESS, "tier": "frontend"},
             containers=_containers(("wordpress", "docker.io/library/wordpress:6.4-apache"))),
        _obj("apps/v1", "Deployment", "wordpress-mysql", {**WORDPRESS, "tier": "mysql"},
             containers=_containers(("mysql", "docker.io/library/mysql:8.0.36"))),
        _obj("v1", "Service", "wordpress", WORDPRESS),
        _obj("v1", "Service", "wordpress-mysql", WORDPRESS),
        _obj("v1", "Secret", "mysql-pass", WORDPRESS),
        _obj("v1", "ConfigMap", "wordpress-config", WORDPRESS),
        _pvc("wp-pv-claim", "ontap-gold", RWO, "20Gi", WORDPRESS),
        _pvc("mysql-pv-claim", "ontap-gold", RWO, "20Gi", WORDPRESS),
    )),
    ("jenkins", {}, (
        _obj("apps/v1", "Deployment", "jenkins", {"app": "jenkins"},
             containers=_containers(("jenkins", "docker.io/jenkins/jenkins:2.440.1-lts"))),
        _obj("v1", "Service", "jenkins", {"app": "jenkins"}),
        _obj("v1", "ServiceAccount", "jenkins", {"app": "jenkins"}),
        _obj("v1", "Secret", "jenkins-admin", {"app": "jenkins"}),
        _pvc("jenkins-home", "ontap-gold", RWO, "50Gi", {"app": "jenkins"}),
        _pvc("jenkins-cache", "ontap-nas-economy", RWX, "10Gi", {"app": "jenkins"}),
    )),
    ("postgres", {}, (
        _obj("apps/v1", "StatefulSet", "postgres", {"app": "postgres"},
             containers=_containers(("postgresql", "docker.io/bitnami/postgresql:16.2.0"),
                                    ("metrics", "docker.io/bitnami/postgres-exporter:0.15.0"))),
        _obj("v1", "Service", "postgres", {"app": "postgres"}),
        _obj("v1", "Secret", "postgres-credentials", {"app": "postgres"}),
        _obj("v1", "ConfigMap", "postgres-config", {"app": "postgres"}),
        _pvc("data-postgres-0", "ontap-gold", RWO, "30Gi", {"app": "postgres"}),
    )),
    ("shop-frontend", SHOP, (
        _obj("apps/v1", "Deployment", "frontend", {**SHOP, "tier": "frontend"}, replicas=2,
             containers=_containers(("frontend", "registry.example.internal/shop/frontend:3.1.0"))),
        _obj("v1", "Service", "frontend", SHOP),
        _obj("v1", "Secret", "frontend-tls", SHOP),
        _pvc("frontend-assets", "ontap-gold", RWX, "5Gi", SHOP),
        _obj("v1", "ConfigMap", "debug-tools", {"tier": "debug"}),
    )),
    ("shop-db", SHOP, (
        _obj("apps/v1", "StatefulSet", "shop-db", {**SHOP, "tier": "db"},
             containers=_containers(("mariadb", "docker.io/library/mariadb:11.2.3"))),
        _obj("v1", "Service", "shop-db", SHOP),
        _obj("v1", "Secret", "shop-db-credentials", SHOP),
        _pvc("data-shop-db-0", "ontap-gold", RWO, "20Gi", SHOP),
    )),
)


def sample_workload(namespace, labels=None, storage_class=None):
    """A small application for a namespace created through the control endpoint: a Deployment, a Service, a Secret
    and (when the cluster has a storage class) a PersistentVolumeClaim, labelled `app=<namespace>` plus `labels`."""
    selector = {"app": namespace, **(labels or {})}
    objects = [
        _obj("apps/v1", "Deployment", namespace, selector, containers=_containers((namespace, "docker.io/library/nginx:1.25.4"))),
        _obj("v1", "Service", namespace, selector),
        _obj("v1", "Secret", "%s-credentials" % namespace, selector),
    ]
    if storage_class:
        objects.append(_pvc("%s-data" % namespace, storage_class, RWO, "10Gi", selector))
    return tuple(objects)


SYSTEM_WORKLOADS = {
    "default": (_obj("v1", "Service", "kubernetes", {"component": "apiserver", "provider": "kubernetes"}),),
    "kube-system": (
        _obj("apps/v1", "Deployment", "coredns", {"k8s-app": "kube-dns"}, replicas=2,
             containers=_containers(("coredns", "registry.k8s.io/coredns/coredns:v1.11.1"))),
        _obj("v1", "Service", "kube-dns", {"k8s-app": "kube-dns"}),
        _obj("v1", "ConfigMap", "coredns", {}),
    ),
    "trident": (
        _obj("apps/v1", "Deployment", "trident-controller", {"app": "controller.csi.trident.netapp.io"},
             containers=_containers(("trident-main", "docker.io/netapp/trident:24.02.0"))),
        _obj("apps/v1", "DaemonSet", "trident-node-linux", {"app": "node.csi.trident.netapp.io"},
             containers=_containers(("trident-main", "docker.io/netapp/trident:24.02.0"))),
        _obj("v1", "Service", "trident-csi", {"app": "controller.csi.trident.netapp.io"}),
    ),
}

# Cluster-scoped objects on prod-east, for clusterScopedResources selections.
PROD_EAST_CLUSTER_OBJECTS = (
    _obj("rbac.authorization.k8s.io/v1", "ClusterRole", "jenkins-agent", {"app": "jenkins"}),
    _obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "jenkins-agent", {"app": "jenkins"}),
    _obj("rbac.authorization.k8s.io/v1", "ClusterRole", "shop-reader", SHOP),
)


class Builder:
    def __init__(self, store, seed, user_id):
        self.store = store
        self.rng = random.Random(seed)
        self.user_id = user_id
        self.now = iso()

    def new_id(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def metadata(self, created_by=NIL_UUID):
        return {"labels": [], "creationTimestamp": self.now, "modificationTimestamp": self.now, "createdBy": created_by}

    def bucket(self, name, server_url):
        return self.store.put("bucket", {
            "type": "application/astra-bucket", "version": "1.1", "id": self.new_id(), "name": name,
            "credentialID": self.new_id(), "state": "available", "stateDetails": [], "provider": "ontap-s3",
            "bucketParameters": {"s3": {"serverURL": server_url, "bucketName": name}},
            "metadata": self.metadata(self.user_id),
        })

    def cloud(self, name, default_bucket=None):
        doc = {
            "type": "application/astra-cloud", "version": "1.1", "id": self.new_id(), "name": name, "state": "running",
            "stateUnready": [], "cloudType": "private", "metadata": self.metadata(),
        }
        if default_bucket:
            doc["defaultBucketID"] = default_bucket["id"]
        return self.store.put("cloud", doc)

    def cluster(self, name, cloud, managed, location):
        doc = {
            "type": "application/astra-cluster", "version": "1.7", "id": self.new_id(), "name": name, "state": "running",
            "stateUnready": [], "managedState": "managed" if managed else "unmanaged", "managedStateUnready": [],
            "managedStateDetails": [], "protectionState": "full", "protectionStateDetails": [],
            "restoreTargetSupported": "true", "snapshotSupported": "true", "tridentVersion": "24.02.0",
            "acpVersion": "24.02.0", "tridentManagedState": "unmanaged", "tridentManagedStateDesired": "unmanaged",
            "tridentManagedStateDetails": [], "clusterType": "kubernetes", "clusterVersion": "1.29.4",
            "clusterVersionString": "v1.29.4", "clusterCreationTimestamp": self.now, "cloudID": cloud["id"],
            "credentialID": self.new_id(), "location": location, "isMultizonal": "false", "apiServiceID": self.new_id(),
            # Real ACC reports createdBy "system" on managed clusters (observed), not a UUID.
            "metadata": self.metadata("system" if managed else NIL_UUID),
        }
        if managed:
            doc["managedTimestamp"] = self.now
        return self.store.put("cluster", doc)

    def namespace(self, cluster, name, labels=None, system_type=None):
        kubernetes_labels = {"kubernetes.io/metadata.name": name, **(labels or {})}
        doc = {
            "type": "application/astra-namespace", "version": "1.2", "id": self.new_id(), "name": name,
            "namespaceState": "discovered", "namespaceStateDetails": [], "kubernetesUID": self.new_id(),
            "clusterID": cluster["id"], "kubernetesLabels": [{"name": k, "value": v} for k, v in kubernetes_labels.items()],
            "links": [], "metadata": self.metadata(),
        }
        if system_type:
            doc["systemType"] = system_type
        return self.store.put("namespace", doc)

    def storage_class(self, cluster, spec, default=False, available="available"):
        name, access_modes, backend = spec
        doc = {
            "type": "application/astra-storageClass", "version": "1.1", "id": self.new_id(), "name": name,
            "provisioner": TRIDENT, "available": available, "allowVolumeExpansion": "true", "reclaimPolicy": "Delete",
            "volumeBindingMode": "Immediate", "metadata": self.metadata(),
            "_clusterID": cluster["id"], "_accessModes": list(access_modes), "_backendType": backend,
        }
        if default:
            doc["isDefault"] = "true"
        return self.store.put("storageClass", doc)

    def api_resources(self, cluster):
        for group, version, kind, namespaced in API_RESOURCES:
            self.store.put("apiResource", {
                "type": "application/astra-apiResource", "version": "1.0", "id": self.new_id(),
                "apiVersion": "%s/%s" % (group, version) if group else version, "kind": kind, "metadata": self.metadata(),
                "_clusterID": cluster["id"], "_group": group, "_version": version, "_namespaced": namespaced,
            })

    def k8s(self, cluster, namespace, spec):
        self.store.put("k8sResource", {
            "id": self.new_id(), "clusterID": cluster["id"], "namespace": namespace,
            "creationTimestamp": self.now, **spec, "labels": dict(spec["labels"]),
        })

    def kubernetes_cluster(self, name, cloud, managed, location, classes, default_class):
        cluster = self.cluster(name, cloud, managed, location)
        for spec in classes:
            self.storage_class(cluster, spec, default=spec[0] == default_class, available="available" if managed else "eligible")
        for ns_name, system_type in SYSTEM_NAMESPACES:
            self.namespace(cluster, ns_name, system_type=system_type)
            for spec in SYSTEM_WORKLOADS[ns_name]:
                self.k8s(cluster, ns_name, spec)
        self.api_resources(cluster)
        return cluster


PRELOADED_HOOK_SCRIPT = """#!/bin/sh
# Preloaded sample hook source (read only): quiesces MySQL around a snapshot.
case "$1" in
  pre) mysql -e 'FLUSH TABLES WITH READ LOCK' ;;
  post) mysql -e 'UNLOCK TABLES' ;;
esac
"""


def build_account(builder):
    """What every fresh account has: its settings (execution hooks disabled, as since ACC 23.10)."""
    builder.store.put("setting", settings.document(builder.new_id(), settings.EXECUTION_HOOKS, NIL_UUID))


def build_empty(builder):
    build_account(builder)
    builder.cloud("on-prem")


def build_demo(builder):
    build_account(builder)
    builder.store.put("hookSource", hooks.source_document(
        builder.new_id(), "netapp-mysql-quiesce", PRELOADED_HOOK_SCRIPT, NIL_UUID, preloaded=True, private=True,
        description="Preloaded MySQL quiesce script"))
    bucket = builder.bucket("dr-bucket", "s3.on-prem.example.internal")
    cloud = builder.cloud("on-prem", default_bucket=bucket)
    prod_east = builder.kubernetes_cluster(
        "prod-east", cloud, True, "dc-east", (ONTAP_GOLD, ONTAP_SAN, ONTAP_NAS_ECONOMY), "ontap-gold")
    for ns_name, labels, objects in PROD_EAST_WORKLOADS:
        builder.namespace(prod_east, ns_name, labels)
        for spec in objects:
            builder.k8s(prod_east, ns_name, spec)
    for spec in PROD_EAST_CLUSTER_OBJECTS:
        builder.k8s(prod_east, None, spec)
    # A team's new service that no app entry or managed app covers: the posture runbook lists it as unprotected.
    builder.namespace(prod_east, UNPROTECTED_NAMESPACE, {"team": "billing"})
    for spec in sample_workload(UNPROTECTED_NAMESPACE, storage_class=ONTAP_GOLD[0]):
        builder.k8s(prod_east, UNPROTECTED_NAMESPACE, spec)
    builder.kubernetes_cluster("dr-west", cloud, True, "dc-west", (ONTAP_GOLD, ONTAP_SAN), "ontap-gold")
    builder.kubernetes_cluster("lab-north", cloud, False, "dc-north", (STANDARD,), "standard")


def build_scale(builder):
    """The scale scenario's topology and workloads; its size is the state file's `scale` setting."""
    build_account(builder)
    size = builder.store.setting("scale") or {}
    scale.build_scale(builder, size.get("apps", scale.DEFAULT_APPS), size.get("clusters", scale.DEFAULT_CLUSTERS),
                      (ONTAP_GOLD, ONTAP_SAN), sample_workload)


SCENARIOS = {"demo": build_demo, "empty": build_empty, "scale": build_scale}


def apply_scenario(store, name, seed, user_id):
    """Replace the whole world with the scenario's initial state."""
    with store.transaction():
        store.wipe_world()
        SCENARIOS[name](Builder(store, seed, user_id))
