# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The code of the kubedr.astra.astra_cluster_info module; its documentation is in plugins/modules/astra_cluster_info.py.
Kept in module_utils so that kubedr.astra.astra_batch can run it (kubedr.astra.info_batch's reads do)."""

from ansible_collections.kubedr.astra.plugins.module_utils.api_resources import Cluster
from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule


def list_clusters(module):
    params = module.params
    clusters = module.lookups.clusters(params["name"])
    if params["managed"] is not None:
        clusters = [cluster for cluster in clusters if Cluster.parse(cluster, "cluster").is_managed == params["managed"]]
    result = []
    for cluster in clusters:
        cluster = dict(cluster)
        cluster["storageClasses"] = module.lookups.storage_classes(cluster)
        result.append(cluster)
    return dict(changed=False, clusters=result)


def main():
    argument_spec = dict(
        name=dict(type="str"),
        managed=dict(type="bool"),
    )
    module = AstraModule(argument_spec=argument_spec)
    module.run(list_clusters)
