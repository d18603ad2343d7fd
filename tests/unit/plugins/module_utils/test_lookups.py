# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.astra_client import AstraClient
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import Lookups, filter_expression
from ansible_collections.kubedr.astra.tests.unit.fakes import ACCOUNT_ID, API_URL, DR_WEST, LAB_NORTH, PROD_EAST, TOKEN


@pytest.fixture
def lookups(fake_api):
    return Lookups(AstraClient(API_URL, ACCOUNT_ID, TOKEN))


def test_filter_expression():
    assert filter_expression([("name", "wordpress"), ("clusterID", "c1"), ("x", None)]) == "name eq 'wordpress'"
    assert filter_expression([("name", None), ("clusterID", "c1")]) == "clusterID eq 'c1'"
    assert filter_expression([("name", None)]) is None
    assert filter_expression([("name", "o'brien")]) is None


def test_cluster_by_name_is_one_filtered_request(lookups, fake_api):
    cluster = lookups.cluster("prod-east")
    assert cluster["id"] == PROD_EAST
    assert fake_api.calls() == [("GET", "topology/v1/clusters", {"filter": "name eq 'prod-east'"})]


def test_cluster_by_id_is_one_get(lookups, fake_api):
    assert lookups.cluster(DR_WEST)["name"] == "dr-west"
    assert fake_api.calls() == [("GET", "topology/v1/clusters/" + DR_WEST, {})]


def test_unknown_cluster_names_the_option_and_the_known_clusters(lookups):
    with pytest.raises(AstraValidationError) as raised:
        lookups.cluster("moon-base", option="destination_cluster")
    assert raised.value.options == ["destination_cluster"]
    assert "'moon-base'" in str(raised.value) and "dr-west, lab-north, prod-east" in str(raised.value)


def test_unmanaged_cluster_is_refused_unless_allowed(lookups):
    with pytest.raises(AstraValidationError) as raised:
        lookups.cluster("lab-north")
    assert raised.value.options == ["cluster"] and "'lab-north' is not managed" in str(raised.value)
    assert lookups.cluster("lab-north", require_managed=False)["id"] == LAB_NORTH


def test_cluster_name_with_a_quote_is_filtered_client_side(lookups, fake_api):
    fake_api.clusters[0]["name"] = "o'brien"
    assert lookups.cluster("o'brien")["id"] == PROD_EAST
    assert fake_api.calls() == [("GET", "topology/v1/clusters", {})]


def test_all_missing_namespaces_are_reported_at_once_from_one_request(lookups, fake_api):
    cluster = lookups.cluster("prod-east")
    fake_api.requests.clear()
    with pytest.raises(AstraValidationError) as raised:
        lookups.require_namespaces(cluster, ["shop-frontend", "shop-cache", "wordpress", "shop-search"])
    error = raised.value
    assert error.options[:2] == ["namespaces[1].name", "namespaces[3].name"]
    assert "'shop-cache' does not exist on cluster 'prod-east'" in str(error)
    assert "'shop-search'" in str(error)
    assert "kube-system" not in str(error)
    assert fake_api.calls() == [("GET", "topology/v1/managedClusters/%s/namespaces" % PROD_EAST, {})]


def test_existing_namespaces_are_returned(lookups):
    cluster = lookups.cluster("prod-east")
    found = lookups.require_namespaces(cluster, ["wordpress", "jenkins"])
    assert sorted(found) == ["jenkins", "wordpress"]


def test_app_by_name_on_a_cluster_is_one_filtered_request(lookups, fake_api):
    fake_api.add_app("wordpress", PROD_EAST)
    fake_api.add_app("wordpress", DR_WEST)
    cluster = {"id": PROD_EAST, "name": "prod-east"}
    assert lookups.app("wordpress", cluster=cluster)["clusterID"] == PROD_EAST
    assert fake_api.calls() == [("GET", "k8s/v2/apps", {"filter": "name eq 'wordpress'"})]


def test_same_app_name_on_two_clusters_needs_the_cluster(lookups, fake_api):
    fake_api.add_app("wordpress", PROD_EAST)
    fake_api.add_app("wordpress", DR_WEST)
    with pytest.raises(AstraValidationError) as raised:
        lookups.app("wordpress", option="source_app", cluster_option="source_cluster")
    error = raised.value
    assert error.options == ["source_app"]
    assert "dr-west, prod-east" in str(error) and "set source_cluster to choose one" in str(error)


def test_unknown_app_is_none(lookups, fake_api):
    assert lookups.app("nothing") is None
    assert len(fake_api.calls()) == 1


def test_apps_by_namespace_use_the_server_filter(lookups, fake_api):
    fake_api.add_app("shop", namespaces=["shop-frontend", "shop-db"])
    fake_api.add_app("wordpress")
    apps = lookups.apps(namespace="shop-db")
    assert [app["name"] for app in apps] == ["shop"]
    assert fake_api.calls() == [("GET", "k8s/v2/apps", {"filter": "namespaceScopedResources[*].namespace eq 'shop-db'"})]


def test_storage_classes_of_managed_and_unmanaged_clusters(lookups, fake_api):
    managed = lookups.cluster("prod-east")
    unmanaged = lookups.cluster("lab-north", require_managed=False)
    fake_api.requests.clear()
    assert [item["name"] for item in lookups.storage_classes(managed)] == ["ontap-gold", "ontap-san", "ontap-nas-economy"]
    assert lookups.storage_classes(unmanaged)
    assert [path for _method, path, _params in fake_api.calls()] == [
        "topology/v1/managedClusters/%s/storageClasses" % PROD_EAST,
        "topology/v1/clusters/%s/storageClasses" % LAB_NORTH,
    ]


def test_unknown_storage_class_names_the_option(lookups):
    cluster = lookups.cluster("dr-west")
    assert lookups.storage_class(cluster, "ontap-gold")["name"] == "ontap-gold"
    with pytest.raises(AstraValidationError) as raised:
        lookups.storage_class(cluster, "ontap-platinum", option="storage_class_mapping[0].destination")
    assert raised.value.options == ["storage_class_mapping[0].destination"]
    assert "storage classes: ontap-gold, ontap-san" in str(raised.value)


def test_buckets_are_listed_without_query_parameters(lookups, fake_api):
    assert [bucket["name"] for bucket in lookups.buckets()] == ["dr-bucket"]
    assert lookups.buckets("nope") == []
    assert lookups.bucket("dr-bucket")["state"] == "available"
    with pytest.raises(AstraValidationError) as raised:
        lookups.bucket("nope")
    assert "known buckets: dr-bucket" in str(raised.value)
    assert all(params == {} for _method, _path, params in fake_api.calls())


def test_find_one_filters_client_side_for_collections_without_filter(lookups, fake_api):
    cluster = lookups.cluster("prod-east")
    fake_api.requests.clear()
    path = "topology/v1/managedClusters/%s/storageClasses" % PROD_EAST
    assert lookups.find_one(path, "ontap-san", "storage class", "storage_class", server_filter=False)["name"] == "ontap-san"
    assert lookups.find_one(path, "ontap-platinum", "storage class", "storage_class", server_filter=False) is None
    assert all(params == {} for _method, _path, params in fake_api.calls())
    assert cluster["name"] == "prod-east"


def test_find_one_refuses_duplicates(lookups, fake_api):
    fake_api.add_app("wordpress", PROD_EAST)
    fake_api.add_app("wordpress", PROD_EAST)
    with pytest.raises(AstraValidationError) as raised:
        lookups.find_one("k8s/v2/apps", "wordpress", "app", "source_app", conditions=[("clusterID", PROD_EAST)])
    assert raised.value.options == ["source_app"] and "2 apps are named 'wordpress'" in str(raised.value)


# ---------------------------------------------------------------------- apps and restore points (issue 3)

def test_require_app_by_id_checks_the_cluster(lookups, fake_api):
    app = fake_api.add_app("wordpress", DR_WEST)
    prod = lookups.cluster("prod-east")
    with pytest.raises(AstraValidationError) as raised:
        lookups.require_app(app["id"], cluster=prod)
    assert "runs on cluster 'dr-west', not on 'prod-east'" in str(raised.value)
    assert lookups.require_app(app["id"])["name"] == "wordpress"


def test_restore_point_by_id_name_and_latest_from_one_list(lookups, fake_api):
    app = fake_api.add_app("wordpress")
    first = fake_api.add_snapshot(app["id"], "first", created="2025-01-01T00:00:00Z")
    second = fake_api.add_snapshot(app["id"], "second", created="2025-01-02T00:00:00Z")
    fake_api.add_snapshot(app["id"], "third", state="failed", created="2025-01-03T00:00:00Z")
    fake_api.requests.clear()
    items = lookups.restore_points("snapshot", app)
    assert lookups.restore_point("snapshot", app, "latest", "snapshot", items=items)["id"] == second["id"]
    assert lookups.restore_point("snapshot", app, first["id"], "snapshot", items=items)["name"] == "first"
    assert lookups.restore_point("snapshot", app, "first", "snapshot", items=items)["id"] == first["id"]
    with pytest.raises(AstraValidationError) as raised:
        lookups.restore_point("snapshot", app, "third", "snapshot", items=items)
    assert "is failed, not completed" in str(raised.value)
    assert lookups.restore_point("snapshot", app, "third", "snapshot", require_completed=False, items=items)
    with pytest.raises(AstraValidationError) as raised:
        lookups.restore_point("snapshot", app, "fourth", "snapshot", items=items)
    assert "its snapshots: first (completed), second (completed), third (failed)" in str(raised.value)
    assert fake_api.calls() == [("GET", "k8s/v1/apps/%s/appSnaps" % app["id"], {})]


def test_latest_without_a_completed_backup(lookups, fake_api):
    app = fake_api.add_app("wordpress")
    fake_api.add_backup(app["id"], "b1", state="running")
    with pytest.raises(AstraValidationError) as raised:
        lookups.restore_point("backup", app, "latest", "backup")
    assert raised.value.options == ["backup"] and "has no completed backup" in str(raised.value)


def test_duplicate_restore_point_names_are_reported(lookups, fake_api):
    app = fake_api.add_app("wordpress")
    fake_api.add_snapshot(app["id"], "dup")
    fake_api.add_snapshot(app["id"], "dup")
    with pytest.raises(AstraValidationError) as raised:
        lookups.restore_point_named("snapshot", app, "dup")
    assert "2 snapshots of app 'wordpress' are named 'dup'" in str(raised.value)


def test_clusters_already_listed_are_resolved_without_a_request(fake_api):
    lookups = Lookups(AstraClient(API_URL, ACCOUNT_ID, TOKEN))
    clusters = lookups.clusters()
    fake_api.requests.clear()
    assert lookups.cluster("dr-west", items=clusters)["id"] == DR_WEST
    assert lookups.cluster(DR_WEST, items=clusters)["name"] == "dr-west"
    assert fake_api.requests == []
    with pytest.raises(AstraValidationError) as raised:
        lookups.cluster("moon-base", option="destination_cluster", items=clusters)
    assert raised.value.options == ["destination_cluster"] and fake_api.requests == []


def test_no_lookup_sends_more_than_one_filter_condition(lookups, fake_api):
    """Every lookup that combines conditions asks the server for one and checks the others itself."""
    cluster = lookups.cluster("prod-east")
    lookups.app("wordpress", cluster=cluster)
    lookups.apps(cluster_id=cluster["id"], namespace="wordpress")
    lookups.apps(name="wordpress", namespace="wordpress")
    filters = [params["filter"] for _method, _path, params in fake_api.calls() if params and "filter" in params]
    assert filters and all("," not in expression and expression.count(" eq ") == 1 for expression in filters), filters
