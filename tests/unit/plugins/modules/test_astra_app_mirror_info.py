# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.kubedr.astra.plugins.modules import astra_app_mirror_info
from ansible_collections.kubedr.astra.tests.unit.fakes import DR_WEST, PROD_EAST


@pytest.fixture
def two_mirrors(fake_api):
    postgres = fake_api.add_app("postgres")
    wordpress = fake_api.add_app("wordpress")
    established = fake_api.add_mirror(postgres["id"], DR_WEST)
    failed_over = fake_api.add_mirror(wordpress["id"], DR_WEST, state="failedOver")
    fake_api.requests.clear()
    return established, failed_over


def test_every_mirror_with_the_names_of_its_apps_and_clusters(fake_api, run_module, two_mirrors):
    result, failed = run_module(astra_app_mirror_info, {})
    assert not failed and result["changed"] is False
    assert [item["id"] for item in result["app_mirrors"]] == [mirror["id"] for mirror in two_mirrors]
    first = result["app_mirrors"][0]
    assert (first["sourceAppName"], first["sourceClusterName"], first["destinationAppName"],
            first["destinationClusterName"]) == ("postgres", "prod-east", "postgres", "dr-west")
    assert [path for _method, path, _params in fake_api.calls()] == ["topology/v1/clusters", "k8s/v2/apps",
                                                                     "k8s/v1/appMirrors"]


@pytest.mark.parametrize("filters, expected", [
    ({"app": "postgres"}, [0]),
    ({"app": "wordpress", "cluster": "dr-west"}, [1]),
    ({"cluster": "prod-east"}, [0, 1]),
    ({"cluster": "lab-north"}, []),
    ({"state": "failedOver"}, [1]),
    ({"app": "postgres", "state": "failedOver"}, []),
    ({"names": ["postgres", "wordpress"]}, [0, 1]),
    ({"names": ["wordpress", "jenkins"]}, [1]),
    ({"names": ["jenkins"]}, []),
    ({"names": []}, []),
    ({"names": ["postgres"], "state": "failedOver"}, []),
])
def test_filters_combine(fake_api, run_module, two_mirrors, filters, expected):
    result, failed = run_module(astra_app_mirror_info, filters)
    assert not failed
    assert [item["id"] for item in result["app_mirrors"]] == [two_mirrors[index]["id"] for index in expected]


def test_the_state_filter_is_sent_to_the_api(fake_api, run_module, two_mirrors):
    run_module(astra_app_mirror_info, {"state": "established"})
    assert ("GET", "k8s/v1/appMirrors", {"filter": "state eq 'established'"}) in fake_api.calls()


def test_an_app_id_matches_the_destination_side_too(fake_api, run_module, two_mirrors):
    result, _failed = run_module(astra_app_mirror_info, {"app": two_mirrors[1]["destinationAppID"]})
    assert [item["id"] for item in result["app_mirrors"]] == [two_mirrors[1]["id"]]
    assert result["app_mirrors"][0]["destinationClusterID"] == DR_WEST
    assert result["app_mirrors"][0]["sourceClusterID"] == PROD_EAST


@pytest.mark.parametrize("filters, option", [({"app": "jenkins"}, "app"), ({"cluster": "moon-base"}, "cluster")])
def test_unknown_apps_and_clusters_are_input_errors(fake_api, run_module, two_mirrors, filters, option):
    result, failed = run_module(astra_app_mirror_info, filters)
    assert failed and result["invalid_options"][0]["option"] == option


def test_it_reads_nothing_of_a_cluster_in_outage(fake_api, run_module, two_mirrors):
    fake_api.unreachable.add(PROD_EAST)
    result, failed = run_module(astra_app_mirror_info, {"app": "postgres"})
    assert not failed and len(result["app_mirrors"]) == 1


def test_names_select_a_run_s_mirrors_and_no_name_is_an_error(fake_api, run_module, two_mirrors):
    """The runbooks read the mirrors of their apps by name: an app with no mirror (or not managed) is the pre-flight's
    to report for that app, not a failure of the read; app and names together are refused."""
    result, failed = run_module(astra_app_mirror_info, {"names": ["jenkins", "postgres"]})
    assert not failed and [item["sourceAppName"] for item in result["app_mirrors"]] == ["postgres"]
    result, failed = run_module(astra_app_mirror_info, {"names": ["postgres"], "app": "postgres"})
    assert failed and "mutually exclusive" in result["msg"]
