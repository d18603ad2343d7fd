# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The code of the kubedr.astra.astra_app_info module; its documentation is in plugins/modules/astra_app_info.py.
Kept in module_utils so that kubedr.astra.astra_batch can run it (kubedr.astra.info_batch's reads do)."""

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import field_matches


def list_apps(module):
    params = module.params
    cluster_id = None
    if params["cluster"]:
        cluster_id = module.lookups.cluster(params["cluster"], option="cluster", require_managed=False)["id"]
    conditions = [("name", params["name"]), ("clusterID", cluster_id), ("namespaceScopedResources[*].namespace", params["namespace"])]
    names = set(params["names"]) if params["names"] is not None else None
    if params["id"]:
        app = module.lookups.app_by_id(params["id"])
        apps = [app] if app else []
        apps = [item for item in apps if all(field_matches(item, field, value) for field, value in conditions if value is not None)]
    else:
        apps = module.lookups.apps(name=params["name"], cluster_id=cluster_id, namespace=params["namespace"])
    if names is not None:
        apps = [app for app in apps if app.get("name") in names]
    return dict(changed=False, apps=apps)


def main():
    argument_spec = dict(
        name=dict(type="str"),
        names=dict(type="list", elements="str"),
        id=dict(type="str"),
        cluster=dict(type="str"),
        namespace=dict(type="str"),
    )
    module = AstraModule(argument_spec=argument_spec, mutually_exclusive=[("name", "names")])
    module.run(list_apps)
