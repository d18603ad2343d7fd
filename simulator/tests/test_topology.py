"""Clouds, clusters, namespaces, storage classes, API resources and buckets of the demo and empty scenarios."""

import uuid

from simulator_harness import SimulatorProcess, assert_problem


def test_demo_cloud_and_default_bucket(sim):
    clouds = sim.items("topology/v1/clouds")
    assert [c["name"] for c in clouds] == ["on-prem"]
    cloud = clouds[0]
    assert cloud["cloudType"] == "private" and cloud["type"] == "application/astra-cloud"
    bucket = sim.get("topology/v1/buckets/" + cloud["defaultBucketID"]).json()
    assert bucket["name"] == "dr-bucket" and bucket["provider"] == "ontap-s3" and bucket["state"] == "available"
    assert [b["name"] for b in sim.items("topology/v1/buckets")] == ["dr-bucket"]


def test_bucket_list_takes_no_query_parameters(sim):
    for query in ("include=name", "limit=1", "filter=name%20eq%20'dr-bucket'", "count=true"):
        problem = assert_problem(sim.get("topology/v1/buckets?" + query), 400, 6)
        assert problem["invalidParams"]


def test_demo_clusters(sim):
    clusters = {c["name"]: c for c in sim.items("topology/v1/clusters")}
    assert set(clusters) == {"prod-east", "dr-west", "lab-north"}
    for name in ("prod-east", "dr-west"):
        assert clusters[name]["managedState"] == "managed"
        assert clusters[name]["state"] == "running"
        assert clusters[name]["clusterType"] == "kubernetes"
    assert clusters["lab-north"]["managedState"] == "unmanaged"
    prod = clusters["prod-east"]
    assert {"default", "kube-system", "trident", "wordpress", "jenkins", "postgres", "shop-frontend", "shop-db",
            "billing"} == set(prod["namespaces"])
    assert clusters["dr-west"]["namespaces"] == ["default", "kube-system", "trident"]
    assert prod["inUse"] == "false"
    default_class = sim.get("topology/v1/clusters/%s/storageClasses/%s" % (prod["id"], prod["defaultStorageClass"])).json()
    assert default_class["name"] == "ontap-gold" and default_class["isDefault"] == "true"
    cloud = sim.items("topology/v1/clouds")[0]
    assert len(sim.items("topology/v1/clouds/%s/clusters" % cloud["id"])) == 3
    assert sim.get("topology/v1/clouds/%s/clusters/%s" % (cloud["id"], prod["id"])).json()["name"] == "prod-east"
    assert_problem(sim.get("topology/v1/clouds/%s/clusters" % uuid.uuid4()), 404, 2)


def test_managed_clusters_only_lists_managed_ones(sim):
    managed = sim.items("topology/v1/managedClusters")
    assert sorted(c["name"] for c in managed) == ["dr-west", "prod-east"]
    assert all(c["type"] == "application/astra-managedCluster" for c in managed)
    lab = sim.cluster_id("lab-north")
    assert_problem(sim.get("topology/v1/managedClusters/" + lab), 404, 2)
    assert_problem(sim.get("topology/v1/managedClusters/%s/namespaces" % lab), 404, 2)


def test_namespaces_on_every_path(sim):
    prod = sim.cluster_id("prod-east")
    cloud = sim.items("topology/v1/clouds")[0]["id"]
    everywhere = sim.items("topology/v1/namespaces")
    assert len(everywhere) == 3 + 3 + 9
    paths = ("topology/v1/clusters/%s/namespaces" % prod, "topology/v1/managedClusters/%s/namespaces" % prod,
             "topology/v1/clouds/%s/clusters/%s/namespaces" % (cloud, prod))
    for path in paths:
        names = [ns["name"] for ns in sim.items(path)]
        assert len(names) == 9 and "shop-db" in names and "billing" in names
    shop = sim.named(paths[0], "shop-db")
    assert shop["clusterID"] == prod and shop["namespaceState"] == "discovered"
    assert {"name": "app", "value": "shop"} in shop["kubernetesLabels"]
    assert "systemType" not in shop
    assert sim.named(paths[1], "kube-system")["systemType"] == "kubernetes"
    assert sim.named(paths[1], "trident")["systemType"] == "netapp"
    assert sim.get("%s/%s" % (paths[2], shop["id"])).json()["name"] == "shop-db"
    assert sim.get("topology/v1/namespaces/" + shop["id"]).json()["name"] == "shop-db"


def test_storage_classes_expose_only_api_fields(sim):
    prod = sim.cluster_id("prod-east")
    classes = {sc["name"]: sc for sc in sim.items("topology/v1/managedClusters/%s/storageClasses" % prod)}
    assert set(classes) == {"ontap-gold", "ontap-san", "ontap-nas-economy"}
    assert "isDefault" not in classes["ontap-san"]
    assert all(not key.startswith("_") for sc in classes.values() for key in sc)
    dr = sim.cluster_id("dr-west")
    assert {sc["name"] for sc in sim.items("topology/v1/clusters/%s/storageClasses" % dr)} == {"ontap-gold", "ontap-san"}
    lab = sim.cluster_id("lab-north")
    assert [sc["name"] for sc in sim.items("topology/v1/clusters/%s/storageClasses" % lab)] == ["standard"]
    world = sim.control("GET", "clusters/prod-east").json()
    capabilities = {sc["name"]: sc for sc in world["storageClasses"]}
    assert capabilities["ontap-san"]["accessModes"] == ["ReadWriteOnce"]
    assert "ReadWriteMany" in capabilities["ontap-gold"]["accessModes"]
    assert capabilities["ontap-nas-economy"]["backendType"] == "ontap-nas-economy"


def test_api_resources(sim):
    prod = sim.cluster_id("prod-east")
    resources = sim.items("topology/v1/managedClusters/%s/apiResources" % prod)
    gvks = {(r["apiVersion"], r["kind"]) for r in resources}
    for expected in (("v1", "Secret"), ("apps/v1", "StatefulSet"), ("networking.k8s.io/v1", "Ingress"),
                     ("storage.k8s.io/v1", "StorageClass"), ("rbac.authorization.k8s.io/v1", "ClusterRole"),
                     ("apiextensions.k8s.io/v1", "CustomResourceDefinition")):
        assert expected in gvks
    one = sim.get("topology/v1/managedClusters/%s/apiResources/%s" % (prod, resources[0]["id"])).json()
    assert one["type"] == "application/astra-apiResource"


def test_demo_world_workloads(sim):
    resources = sim.control("GET", "clusters/prod-east").json()["resources"]
    pvcs = {r["name"]: r for r in resources if r["kind"] == "PersistentVolumeClaim"}
    assert pvcs["jenkins-cache"]["storageClassName"] == "ontap-nas-economy"
    assert pvcs["jenkins-cache"]["accessModes"] == ["ReadWriteMany"]
    assert pvcs["frontend-assets"]["accessModes"] == ["ReadWriteMany"]
    assert pvcs["mysql-pv-claim"]["namespace"] == "wordpress"
    debug = next(r for r in resources if r["name"] == "debug-tools")
    assert debug["labels"] == {"tier": "debug"} and debug["namespace"] == "shop-frontend"


def test_empty_scenario(tmp_path):
    simulator = SimulatorProcess(tmp_path, scenario="empty").start()
    try:
        clouds = simulator.items("topology/v1/clouds")
        assert [c["name"] for c in clouds] == ["on-prem"] and clouds[0]["cloudType"] == "private"
        assert simulator.items("topology/v1/clusters") == []
        assert simulator.items("topology/v1/buckets") == []
    finally:
        simulator.stop()
