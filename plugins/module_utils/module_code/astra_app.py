# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The code of the kubedr.astra.astra_app module; its documentation is in plugins/modules/astra_app.py. Kept in
module_utils so that kubedr.astra.astra_batch can run it for many apps in one process."""

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule, option_shape, wait_argument_spec
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.input_specs import AppSpec, validate_input
from ansible_collections.kubedr.astra.plugins.module_utils.kinds import APP
from ansible_collections.kubedr.astra.plugins.module_utils.validators import dns1123_label_problem


def namespaces_option(entries):
    """namespaceScopedResources in the shape of the option namespaces."""
    return [{"name": entry.get("namespace"), "label_selectors": list(entry.get("labelSelectors") or [])}
            for entry in entries or []]


def cluster_scoped_resources_option(entries):
    """clusterScopedResources in the shape of the option cluster_scoped_resources."""
    shapes = []
    for entry in entries or []:
        gvk = entry.get("GVK") or {}
        shapes.append({"group": gvk.get("group", ""), "version": gvk.get("version", ""), "kind": gvk.get("kind", ""),
                       "label_selectors": list(entry.get("labelSelectors") or [])})
    return shapes


# What --diff shows of an app, under the option names.
DIFF_OPTIONS = (("name", "name"), ("clusterName", "cluster"), ("namespaceScopedResources", "namespaces", namespaces_option),
                ("clusterScopedResources", "cluster_scoped_resources", cluster_scoped_resources_option))


def diff_shape(fields):
    return option_shape(fields, DIFF_OPTIONS)


def check_name(name):
    problem = dns1123_label_problem(name)
    if problem:
        raise AstraValidationError("name", problem)


def ensure_present(module):
    params = module.params
    namespaces = params["namespaces"]
    if namespaces is None:
        check_name(params["name"])
        namespaces = [{"name": params["name"], "label_selectors": []}]
    spec = validate_input(AppSpec, {
        "name": params["name"],
        "namespaces": namespaces,
        "cluster_scoped_resources": params["cluster_scoped_resources"],
    })
    cluster = module.lookups.cluster(params["cluster"], option="cluster")
    default_namespace_path = None if params["namespaces"] is not None else ["namespaces (omitted: the app name is used)"]
    module.lookups.require_namespaces(cluster, [selection.name for selection in spec.namespaces], paths=default_namespace_path)

    def find_app():
        return module.lookups.app(spec.name, cluster=cluster)

    desired = spec.definition()
    create_fields = dict(name=spec.name, clusterID=cluster["id"], **desired)
    return module.ensure_present(APP, find_app(), desired, create_fields, find_existing=find_app,
                                 predicted_fields={"clusterName": cluster.get("name")})


def ensure_absent(module):
    params = module.params
    check_name(params["name"])
    cluster = module.lookups.cluster(params["cluster"], require_managed=False) if params["cluster"] else None
    return module.ensure_absent(APP, module.lookups.app(params["name"], cluster=cluster))


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        cluster=dict(type="str"),
        namespaces=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            label_selectors=dict(type="list", elements="str", default=[]),
        )),
        cluster_scoped_resources=dict(type="list", elements="dict", options=dict(
            group=dict(type="str", default=""),
            version=dict(type="str", required=True),
            kind=dict(type="str", required=True),
            label_selectors=dict(type="list", elements="str", default=[]),
        )),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    argument_spec.update(wait_argument_spec(wait_timeout=600))
    module = AstraModule(argument_spec=argument_spec, resource_key="app", diff_shape=diff_shape,
                         required_if=[("state", "present", ["cluster"])])
    module.run(ensure_present if module.params["state"] == "present" else ensure_absent)
