# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.api_resources import App, Cluster
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraError, AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.input_specs import AppSpec, validate_input
from ansible_collections.kubedr.astra.plugins.module_utils.validators import (
    dns1123_label_problem,
    label_selector_problem,
    option_path,
)


@pytest.mark.parametrize("name", ["a", "wordpress", "shop-db", "a1", "1a", "x" * 63, "a-b-c-9"])
def test_dns1123_labels_accepted(name):
    assert dns1123_label_problem(name) is None


@pytest.mark.parametrize("name", ["", "WordPress", "word_press", "-a", "a-", "a.b", "x" * 64, "héllo", " a", None])
def test_dns1123_labels_refused(name):
    problem = dns1123_label_problem(name)
    assert problem and "DNS-1123" in problem


@pytest.mark.parametrize("selector", [
    "app=shop", "app==shop", "app!=shop", "app", "!app", "app=", "app = shop",
    "app in (shop,store)", "app notin (a, b)", "tier in (web)",
    "app.kubernetes.io/name=shop", "example.com/tier!=cache",
    "app=shop,tier in (web,api),!canary,env", "a_b.c-d=X_y.z-1",
])
def test_label_selectors_accepted(selector):
    assert label_selector_problem(selector) is None


@pytest.mark.parametrize("selector, hint", [
    ("", "must not be empty"),
    ("   ", "must not be empty"),
    ("app in (shop", "unbalanced parentheses"),
    ("app in shop)", "unbalanced parentheses"),
    ("app in ()", "at least one value"),
    ("app=shop,", "empty requirement"),
    ("app=sh op", "must be 'key'"),
    ("app>=1", "must be 'key'"),
    ("-app=shop", "key name"),
    ("Example.com/app=shop", "key prefix"),
    ("/app=shop", "key prefix"),
    ("app=-shop", "value '-shop'"),
    ("app=" + "v" * 64, "at most 63"),
    ("k" * 64 + "=v", "key name"),
    ("app in (a,-b)", "value '-b'"),
    ("app in (a,(b))", "unbalanced parentheses"),
])
def test_label_selectors_refused(selector, hint):
    problem = label_selector_problem(selector)
    assert problem and hint in problem


def test_option_path():
    assert option_path(("namespaces", 1, "label_selectors", 0)) == "namespaces[1].label_selectors[0]"
    assert option_path((0, "name"), prefix="cluster_scoped_resources") == "cluster_scoped_resources[0].name"


def test_app_spec_reports_every_violation_with_its_option_path():
    with pytest.raises(AstraValidationError) as raised:
        validate_input(AppSpec, {
            "name": "Shop_1",
            "namespaces": [{"name": "shop-frontend", "label_selectors": ["app=shop"]},
                           {"name": "shop-db", "label_selectors": ["app in (shop"]}],
            "cluster_scoped_resources": [{"group": "", "version": "", "kind": "ClusterRole", "label_selectors": []}],
        })
    error = raised.value
    assert error.options == ["name", "namespaces[1].label_selectors[0]", "cluster_scoped_resources[0].version"]
    assert "DNS-1123" in str(error) and "unbalanced parentheses" in str(error) and "must not be empty" in str(error)


def test_app_spec_refuses_an_empty_namespace_list():
    with pytest.raises(AstraValidationError) as raised:
        validate_input(AppSpec, {"name": "shop", "namespaces": []})
    assert raised.value.options == ["namespaces"]
    assert "at least one namespace" in str(raised.value)


def test_app_spec_refuses_a_namespace_listed_twice():
    with pytest.raises(AstraValidationError) as raised:
        validate_input(AppSpec, {"name": "shop", "namespaces": [{"name": "a"}, {"name": "b"}, {"name": "a"}]})
    assert "namespaces[0] and namespaces[2]" in str(raised.value)


def test_app_spec_definition_matches_the_api_shape():
    spec = validate_input(AppSpec, {
        "name": "shop",
        "namespaces": [{"name": "shop-frontend", "label_selectors": ["app=shop"]}, {"name": "shop-db"}],
        "cluster_scoped_resources": [{"group": "rbac.authorization.k8s.io", "version": "v1", "kind": "ClusterRole"}],
    })
    assert spec.definition() == {
        "namespaceScopedResources": [{"namespace": "shop-frontend", "labelSelectors": ["app=shop"]},
                                     {"namespace": "shop-db", "labelSelectors": []}],
        "clusterScopedResources": [{"GVK": {"group": "rbac.authorization.k8s.io", "version": "v1", "kind": "ClusterRole"},
                                    "labelSelectors": []}],
    }
    without_cluster_scope = validate_input(AppSpec, {"name": "shop", "namespaces": [{"name": "shop-db"}]})
    assert "clusterScopedResources" not in without_cluster_scope.definition()


def test_api_models_tolerate_unknown_fields_and_fill_defaults():
    app = App.parse({"id": "a1", "name": "wp", "state": "ready", "brandNewField": {"x": 1},
                     "namespaceScopedResources": [{"namespace": "wp"}]})
    assert app.definition() == {"namespaceScopedResources": [{"namespace": "wp", "labelSelectors": []}],
                                "clusterScopedResources": []}
    cluster = Cluster.parse({"id": "c1", "name": "prod-east", "managedState": "managed", "cloudType": "GCP"})
    assert cluster.is_managed and cluster.model_extra["cloudType"] == "GCP"


def test_malformed_api_response_is_a_clear_error():
    with pytest.raises(AstraError) as raised:
        Cluster.parse({"id": "c1"}, "cluster prod-east")
    assert "Unexpected API response for cluster prod-east" in str(raised.value) and "name" in str(raised.value)
