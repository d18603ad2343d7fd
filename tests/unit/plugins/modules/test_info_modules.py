# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.kubedr.astra.plugins.modules import astra_app_info, astra_bucket_info, astra_cluster_info
from ansible_collections.kubedr.astra.tests.unit.fakes import DR_WEST, LAB_NORTH, PROD_EAST

# ---------------------------------------------------------------------- astra_app_info


@pytest.fixture
def two_apps(fake_api):
    wordpress = fake_api.add_app("wordpress", PROD_EAST)
    shop = fake_api.add_app("shop", PROD_EAST, namespaces=["shop-frontend", "shop-db"])
    fake_api.add_app("wordpress", DR_WEST)
    return wordpress, shop


def test_app_info_lists_every_app(fake_api, run_module, two_apps):
    result, failed = run_module(astra_app_info, {})
    assert not failed and result["changed"] is False
    assert sorted(app["name"] for app in result["apps"]) == ["shop", "wordpress", "wordpress"]
    assert fake_api.calls() == [("GET", "k8s/v2/apps", {})]


def test_app_info_by_name_and_cluster(fake_api, run_module, two_apps):
    result, _failed = run_module(astra_app_info, {"name": "wordpress", "cluster": "prod-east"})
    assert [app["id"] for app in result["apps"]] == [two_apps[0]["id"]]
    assert fake_api.calls()[-1] == ("GET", "k8s/v2/apps", {"filter": "name eq 'wordpress'"})
    assert len(fake_api.calls()) == 2


def test_app_info_by_names_lists_once_and_matches_here(fake_api, run_module, two_apps):
    result, failed = run_module(astra_app_info, {"names": ["wordpress", "nothing-of-that-name"]})
    assert not failed
    assert sorted(app["clusterName"] for app in result["apps"]) == ["dr-west", "prod-east"]
    assert set(app["name"] for app in result["apps"]) == {"wordpress"}
    assert fake_api.calls() == [("GET", "k8s/v2/apps", {})]
    on_one_cluster, _failed = run_module(astra_app_info, {"names": ["wordpress", "shop"], "cluster": "prod-east"})
    assert sorted(app["name"] for app in on_one_cluster["apps"]) == ["shop", "wordpress"]
    both, failed = run_module(astra_app_info, {"names": ["shop"], "name": "shop"})
    assert failed and "mutually exclusive" in both["msg"]


def test_app_info_by_namespace_uses_the_server_filter(fake_api, run_module, two_apps):
    result, _failed = run_module(astra_app_info, {"namespace": "shop-db"})
    assert [app["name"] for app in result["apps"]] == ["shop"]
    assert fake_api.calls() == [("GET", "k8s/v2/apps", {"filter": "namespaceScopedResources[*].namespace eq 'shop-db'"})]


def test_app_info_by_id(fake_api, run_module, two_apps):
    result, _failed = run_module(astra_app_info, {"id": two_apps[1]["id"]})
    assert [app["name"] for app in result["apps"]] == ["shop"]
    assert fake_api.calls() == [("GET", "k8s/v2/apps/" + two_apps[1]["id"], {})]
    mismatch, _failed = run_module(astra_app_info, {"id": two_apps[1]["id"], "name": "wordpress"})
    assert mismatch["apps"] == []


@pytest.mark.parametrize("args", [{"name": "not-managed"}, {"id": "99999999-9999-4999-8999-999999999999"},
                                  {"namespace": "nowhere"}, {"cluster": "lab-north"}])
def test_app_info_returns_an_empty_list_when_nothing_matches(fake_api, run_module, two_apps, args):
    result, failed = run_module(astra_app_info, args)
    assert not failed and result["apps"] == []


def test_app_info_unknown_cluster_is_an_input_error(fake_api, run_module, two_apps):
    result, failed = run_module(astra_app_info, {"cluster": "moon-base"})
    assert failed and "cluster: no cluster named or identified by 'moon-base'" in result["msg"]


def test_app_info_runs_in_check_mode(fake_api, run_module, two_apps):
    result, failed = run_module(astra_app_info, {"name": "shop"}, check=True)
    assert not failed and len(result["apps"]) == 1


# ---------------------------------------------------------------------- astra_cluster_info

def test_cluster_info_adds_storage_classes_with_one_request_per_cluster(fake_api, run_module):
    result, failed = run_module(astra_cluster_info, {})
    assert not failed and result["changed"] is False
    clusters = {cluster["name"]: cluster for cluster in result["clusters"]}
    assert sorted(clusters) == ["dr-west", "lab-north", "prod-east"]
    assert [sc["name"] for sc in clusters["prod-east"]["storageClasses"]] == ["ontap-gold", "ontap-san", "ontap-nas-economy"]
    assert "wordpress" in clusters["prod-east"]["namespaces"]
    assert [path for _method, path, _params in fake_api.calls()] == [
        "topology/v1/clusters",
        "topology/v1/managedClusters/%s/storageClasses" % PROD_EAST,
        "topology/v1/managedClusters/%s/storageClasses" % DR_WEST,
        "topology/v1/clusters/%s/storageClasses" % LAB_NORTH,
    ]


def test_cluster_info_by_name_or_id(fake_api, run_module):
    by_name, _failed = run_module(astra_cluster_info, {"name": "dr-west"})
    assert [cluster["id"] for cluster in by_name["clusters"]] == [DR_WEST]
    assert len(fake_api.calls()) == 2
    by_id, _failed = run_module(astra_cluster_info, {"name": DR_WEST})
    assert [cluster["name"] for cluster in by_id["clusters"]] == ["dr-west"]


@pytest.mark.parametrize("managed, names", [(True, ["dr-west", "prod-east"]), (False, ["lab-north"])])
def test_cluster_info_managed_filter(fake_api, run_module, managed, names):
    result, _failed = run_module(astra_cluster_info, {"managed": managed})
    assert sorted(cluster["name"] for cluster in result["clusters"]) == names
    assert len(fake_api.calls()) == 1 + len(names)


def test_cluster_info_unknown_name_is_an_empty_list(fake_api, run_module):
    result, failed = run_module(astra_cluster_info, {"name": "moon-base"})
    assert not failed and result["clusters"] == []
    assert len(fake_api.calls()) == 1


# ---------------------------------------------------------------------- astra_bucket_info

def test_bucket_info_sends_no_query_parameters(fake_api, run_module):
    result, failed = run_module(astra_bucket_info, {"name": "dr-bucket"})
    assert not failed and [bucket["name"] for bucket in result["buckets"]] == ["dr-bucket"]
    assert fake_api.calls() == [("GET", "topology/v1/buckets", {})]


def test_bucket_info_lists_all_or_nothing(fake_api, run_module):
    everything, _failed = run_module(astra_bucket_info, {})
    assert len(everything["buckets"]) == 1
    nothing, failed = run_module(astra_bucket_info, {"name": "no-such-bucket"})
    assert not failed and nothing["buckets"] == []
