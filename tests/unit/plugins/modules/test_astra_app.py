# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import CHECK_MODE_ID
from ansible_collections.kubedr.astra.plugins.module_utils.module_code import astra_app as astra_app_code
from ansible_collections.kubedr.astra.plugins.modules import astra_app
from ansible_collections.kubedr.astra.tests.unit.fakes import DR_WEST, PROD_EAST, TOKEN

SHOP_NARROWED = [{"name": "shop-frontend", "label_selectors": ["app=shop"]}, {"name": "shop-db"}]


def app_args(**overrides):
    args = dict(name="wordpress", cluster="prod-east")
    args.update(overrides)
    return args


def posted_bodies(fake_api):
    return [json.loads(request.body) for method, _path, _params, request in fake_api.requests if method == "POST"]


def put_bodies(fake_api):
    return [json.loads(request.body) for method, _path, _params, request in fake_api.requests if method == "PUT"]


# ---------------------------------------------------------------------- present

def test_create_posts_once_and_waits_until_ready(fake_api, run_module):
    result, failed = run_module(astra_app, app_args())

    assert not failed, result
    assert result["changed"] is True
    app = result["app"]
    assert (app["name"], app["state"], app["clusterName"], app["namespaces"]) == ("wordpress", "ready", "prod-east", ["wordpress"])
    assert fake_api.writes() == [("POST", "k8s/v2/apps")]
    assert posted_bodies(fake_api) == [{
        "type": "application/astra-app", "version": "2.2", "name": "wordpress", "clusterID": PROD_EAST,
        "namespaceScopedResources": [{"namespace": "wordpress", "labelSelectors": []}],
    }]
    post = next(request for method, _path, _params, request in fake_api.requests if method == "POST")
    assert post.headers["Content-Type"] == "application/astra-app+json"
    assert "diff" not in result
    assert TOKEN not in json.dumps(result)


def test_second_run_sends_no_write(fake_api, run_module):
    run_module(astra_app, app_args())
    fake_api.requests.clear()

    result, failed = run_module(astra_app, app_args())

    assert not failed and result["changed"] is False
    assert fake_api.writes() == []
    assert result["app"]["state"] == "ready"


def test_request_count_of_an_unchanged_run(fake_api, run_module):
    fake_api.add_app("wordpress")
    run_module(astra_app, app_args())
    assert [path for _method, path, _params in fake_api.calls()] == [
        "topology/v1/clusters",
        "topology/v1/managedClusters/%s/namespaces" % PROD_EAST,
        "k8s/v2/apps",
    ]


def test_namespace_order_and_defaults_do_not_cause_changes(fake_api, run_module):
    fake_api.add_app("shop", namespaces=["shop-db", "shop-frontend"])
    result, failed = run_module(astra_app, app_args(name="shop", namespaces=[{"name": "shop-frontend"}, {"name": "shop-db"}]))
    assert not failed and result["changed"] is False
    assert fake_api.writes() == []


def test_update_in_place_puts_the_full_definition_and_waits(fake_api, run_module):
    existing = fake_api.add_app("shop", namespaces=["shop-frontend"])

    result, failed = run_module(astra_app, app_args(name="shop", namespaces=SHOP_NARROWED), diff=True)

    assert not failed and result["changed"] is True
    assert fake_api.writes() == [("PUT", "k8s/v2/apps/" + existing["id"])]
    assert put_bodies(fake_api) == [{
        "type": "application/astra-app", "version": "2.2", "name": "shop",
        "namespaceScopedResources": [{"namespace": "shop-frontend", "labelSelectors": ["app=shop"]},
                                     {"namespace": "shop-db", "labelSelectors": []}],
        "clusterScopedResources": [],
    }]
    assert result["app"]["state"] == "ready" and result["app"]["id"] == existing["id"]
    assert result["diff"] == {
        "before": {"namespaces": [{"name": "shop-frontend", "label_selectors": []}]},
        "after": {"namespaces": [{"name": "shop-frontend", "label_selectors": ["app=shop"]},
                                 {"name": "shop-db", "label_selectors": []}]},
    }

    fake_api.requests.clear()
    again, _failed = run_module(astra_app, app_args(name="shop", namespaces=SHOP_NARROWED))
    assert again["changed"] is False and fake_api.writes() == []


def test_update_keeps_cluster_scoped_resources_the_user_did_not_set(fake_api, run_module):
    role = [{"GVK": {"group": "rbac.authorization.k8s.io", "version": "v1", "kind": "ClusterRole"}, "labelSelectors": ["app=shop"]}]
    fake_api.add_app("shop", namespaces=["shop-frontend"], cluster_scoped=role)
    run_module(astra_app, app_args(name="shop", namespaces=SHOP_NARROWED))
    assert put_bodies(fake_api)[0]["clusterScopedResources"] == role


def test_cluster_scoped_resources_are_compared_and_sent(fake_api, run_module):
    fake_api.add_app("postgres")
    wanted = [{"group": "rbac.authorization.k8s.io", "version": "v1", "kind": "ClusterRole", "label_selectors": ["app=postgres"]}]
    result, _failed = run_module(astra_app, app_args(name="postgres", cluster_scoped_resources=wanted))
    assert result["changed"] is True
    assert put_bodies(fake_api)[0]["clusterScopedResources"] == [
        {"GVK": {"group": "rbac.authorization.k8s.io", "version": "v1", "kind": "ClusterRole"}, "labelSelectors": ["app=postgres"]}]
    fake_api.requests.clear()
    again, _failed = run_module(astra_app, app_args(name="postgres", cluster_scoped_resources=wanted))
    assert again["changed"] is False and fake_api.writes() == []


def test_wait_false_returns_at_once_and_a_later_run_waits_unchanged(fake_api, run_module):
    fake_api.polls_until_ready = 3
    result, _failed = run_module(astra_app, app_args(wait=False))
    assert result["changed"] is True and result["app"]["state"] == "discovering"
    assert [method for method, _path, _params in fake_api.calls()][-1] == "POST"

    fake_api.requests.clear()
    again, _failed = run_module(astra_app, app_args())
    assert again["changed"] is False and again["app"]["state"] == "ready"
    assert fake_api.writes() == []


def test_wait_timeout_fails_with_the_last_state(fake_api, run_module, fake_time):
    fake_api.polls_until_ready = 10 ** 6
    result, failed = run_module(astra_app, app_args(wait_timeout=20))
    assert failed
    assert "Timed out" in result["msg"] and "app 'wordpress'" in result["msg"] and "last state: discovering" in result["msg"]
    assert result["app"]["state"] == "discovering"
    assert sum(fake_time.sleeps) == pytest.approx(20)


# ---------------------------------------------------------------------- check mode and diff

def test_check_mode_predicts_a_create_without_writing_or_waiting(fake_api, run_module):
    result, failed = run_module(astra_app, app_args(), check=True, diff=True)

    assert not failed and result["changed"] is True
    assert fake_api.writes() == []
    assert all(method == "GET" for method, _path, _params in fake_api.calls())
    app = result["app"]
    assert app["id"] == CHECK_MODE_ID and app["name"] == "wordpress" and app["clusterName"] == "prod-east"
    assert app["namespaceScopedResources"] == [{"namespace": "wordpress", "labelSelectors": []}]
    assert result["diff"] == {"before": {}, "after": {
        "name": "wordpress", "cluster": "prod-east", "namespaces": [{"name": "wordpress", "label_selectors": []}]}}


def test_check_mode_predicts_an_update_without_writing(fake_api, run_module):
    existing = fake_api.add_app("shop", namespaces=["shop-frontend"])
    result, failed = run_module(astra_app, app_args(name="shop", namespaces=SHOP_NARROWED), check=True, diff=True)
    assert not failed and result["changed"] is True
    assert fake_api.writes() == []
    assert result["app"]["id"] == existing["id"]
    assert len(result["app"]["namespaceScopedResources"]) == 2
    assert set(result["diff"]) == {"before", "after"}
    assert list(result["diff"]["after"]) == ["namespaces"]


def test_check_mode_agrees_with_a_real_run(fake_api, run_module):
    predicted, _failed = run_module(astra_app, app_args(), check=True)
    real, _failed = run_module(astra_app, app_args())
    assert predicted["changed"] is True
    assert real["changed"] is True


# ---------------------------------------------------------------------- absent

def test_absent_deletes_waits_until_gone_and_then_is_unchanged(fake_api, run_module):
    existing = fake_api.add_app("postgres")

    result, failed = run_module(astra_app, app_args(name="postgres", state="absent"), diff=True)

    assert not failed and result["changed"] is True
    assert fake_api.writes() == [("DELETE", "k8s/v2/apps/" + existing["id"])]
    assert result["app"] == {}
    assert result["diff"] == {"before": {"name": "postgres", "cluster": "prod-east",
                                         "namespaces": [{"name": "postgres", "label_selectors": []}],
                                         "cluster_scoped_resources": []}, "after": {}}
    assert fake_api.apps == {}

    fake_api.requests.clear()
    again, failed = run_module(astra_app, app_args(name="postgres", state="absent"))
    assert not failed and again["changed"] is False and again["app"] == {}
    assert fake_api.writes() == []


def test_absent_in_check_mode_does_not_delete(fake_api, run_module):
    fake_api.add_app("postgres")
    result, _failed = run_module(astra_app, app_args(name="postgres", state="absent"), check=True)
    assert result["changed"] is True and fake_api.writes() == [] and len(fake_api.apps) == 1


def test_absent_without_cluster_needs_it_only_when_ambiguous(fake_api, run_module):
    fake_api.add_app("wordpress", PROD_EAST)
    fake_api.add_app("wordpress", DR_WEST)
    result, failed = run_module(astra_app, {"name": "wordpress", "state": "absent"})
    assert failed and "dr-west, prod-east" in result["msg"] and "set cluster" in result["msg"]
    assert fake_api.writes() == []

    result, failed = run_module(astra_app, {"name": "wordpress", "state": "absent", "cluster": "dr-west"})
    assert not failed and result["changed"] is True
    assert [app["clusterID"] for app in fake_api.apps.values()] == [PROD_EAST]


# ---------------------------------------------------------------------- input refused before any request

@pytest.mark.parametrize("args, option, rule", [
    (app_args(name="WordPress_01", namespaces=[{"name": "wordpress"}]), "name", "DNS-1123"),
    (app_args(name="WordPress_01"), "name", "DNS-1123"),
    (app_args(namespaces=[]), "namespaces", "at least one namespace"),
    (app_args(name="shop", namespaces=[{"name": "shop-frontend", "label_selectors": ["app in (shop"]}]),
     "namespaces[0].label_selectors[0]", "unbalanced parentheses"),
    (app_args(namespaces=[{"name": "Bad_NS"}]), "namespaces[0].name", "DNS-1123"),
    (app_args(cluster_scoped_resources=[{"version": "v1", "kind": " "}]), "cluster_scoped_resources[0].kind", "must not be empty"),
    (app_args(wait_timeout=0), "wait_timeout", "at least 1"),
    (app_args(name="Bad", state="absent"), "name", "DNS-1123"),
    ({"name": "wordpress"}, "cluster", "missing"),
])
def test_bad_input_fails_before_any_request(fake_api, run_module, args, option, rule):
    result, failed = run_module(astra_app, args)
    assert failed
    assert option in result["msg"] and rule in result["msg"]
    assert fake_api.requests == []


def test_every_input_problem_is_reported_at_once(fake_api, run_module):
    namespaces = [{"name": "a", "label_selectors": ["x=("]}, {"name": "b_"}]
    result, failed = run_module(astra_app, app_args(name="Shop", namespaces=namespaces))
    assert failed
    assert [entry["option"] for entry in result["invalid_options"]] == [
        "name", "namespaces[0].label_selectors[0]", "namespaces[1].name"]
    assert fake_api.requests == []


# ---------------------------------------------------------------------- names that do not resolve: only reads

def test_unknown_cluster_fails_naming_the_option(fake_api, run_module):
    result, failed = run_module(astra_app, app_args(cluster="moon-base"))
    assert failed and "cluster" in result["msg"] and "moon-base" in result["msg"]
    assert fake_api.writes() == []


def test_unmanaged_cluster_fails(fake_api, run_module):
    result, failed = run_module(astra_app, app_args(cluster="lab-north"))
    assert failed and "'lab-north' is not managed" in result["msg"]
    assert fake_api.writes() == []


def test_all_missing_namespaces_are_reported(fake_api, run_module):
    result, failed = run_module(astra_app, app_args(name="shop", namespaces=[
        {"name": "shop-frontend"}, {"name": "shop-cache"}, {"name": "shop-search"}]))
    assert failed
    assert "namespaces[1].name" in result["msg"] and "namespaces[2].name" in result["msg"]
    assert "'shop-cache'" in result["msg"] and "'shop-search'" in result["msg"]
    assert fake_api.writes() == []


def test_missing_default_namespace_explains_the_default(fake_api, run_module):
    result, failed = run_module(astra_app, app_args(name="shop"))
    assert failed and "namespaces (omitted: the app name is used)" in result["msg"]


def test_api_conflict_is_reported_with_the_problem(fake_api, run_module):
    def conflict(path, params, body):
        return fake_api._problem(409, 151, "Clone operation not supported", "The app is not eligible.")
    fake_api._post = conflict
    result, failed = run_module(astra_app, app_args())
    assert failed
    assert result["msg"].startswith("Create app 'wordpress' failed: Clone operation not supported - The app is not eligible. "
                                    "(HTTP 409, problem 151, correlationID corr-151; POST https://astra.example.com/accounts/")
    assert len(fake_api.writes()) == 1


def test_an_unavailable_app_is_reported_not_waited_for(fake_api, run_module, monkeypatch):
    fake_api.add_app("wordpress", state="unavailable")
    warnings = []
    monkeypatch.setattr(astra_app_code.AstraModule, "warn", lambda self, message: warnings.append(message))
    result, failed = run_module(astra_app, app_args())
    assert not failed and result["changed"] is False
    assert warnings == ["app 'wordpress' is in state unavailable (no state details)"]
    assert [path for _method, path, _params in fake_api.calls()][-1] == "k8s/v2/apps"
