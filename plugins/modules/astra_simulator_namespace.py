#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_simulator_namespace
short_description: Delete namespaces on a cluster of the kubedr.astra simulator (rehearsals only)
version_added: 0.1.0
description:
  - B(Simulator only.) The kubedr.astra Astra Control simulator's stand-in for C(kubectl delete namespace), for
    rehearsing runbooks against it, for example in the drill's C(drill_cleanup_tasks)
    (C(playbooks/tasks/simulator_delete_namespaces.yml)).
  - The Astra Control API cannot delete namespaces; against real clusters use Kubernetes tooling such as
    M(kubernetes.core.k8s) with C(kind=Namespace) and C(state=absent).
  - Reads the simulated cluster once and deletes only the namespaces that still exist, through the simulator's control
    API (C(<api_url>/_simulator/)), with the same connection, TLS and token handling as every module.
  - A real Astra Control has no such API; the module then fails, saying so.
author:
  - kubedr.astra developers (@kubedr)
options:
  cluster:
    description:
      - The name of the simulated cluster.
    type: str
    required: true
  names:
    description:
      - The namespaces to delete. A namespace that does not exist or was already deleted is left alone.
    type: list
    elements: str
    required: true
  state:
    description:
      - Only V(absent) (the namespaces deleted with everything in them).
    type: str
    choices: [absent]
    default: absent
extends_documentation_fragment:
  - kubedr.astra.connection
  - kubedr.astra.attributes
  - kubedr.astra.attributes.action_group
seealso:
  - module: kubernetes.core.k8s
'''

EXAMPLES = r'''
- name: Delete a drill clone's namespaces on the simulated DR cluster
  kubedr.astra.astra_simulator_namespace:
    cluster: dr-west
    names:
      - postgres-drill
'''

RETURN = r'''
removed:
  description:
    - The namespaces this task deleted (would delete, in check mode).
  returned: always
  type: list
  elements: str
  sample: ["postgres-drill"]
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
    - C(accepted), only when the module changed something, is when the API accepted its last write.
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from urllib.parse import quote

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraApiError, AstraError


def run(module):
    cluster = module.params["cluster"]
    path = "clusters/%s" % quote(cluster, safe="")
    try:
        described = module.client.simulator_request("GET", path, "Read simulated cluster %s" % cluster)
    except AstraApiError as error:
        if error.status == 404:
            raise AstraError("%s; either the simulator has no cluster named %s, or %s is not the kubedr.astra "
                             "simulator: this module only works against the simulator (delete namespaces on real "
                             "clusters with Kubernetes tooling such as kubernetes.core.k8s)"
                             % (error, cluster, module.client.simulator_url)) from None
        raise
    present = set(namespace["name"] for namespace in described.get("namespaces", [])
                  if namespace.get("namespaceState") != "removed")
    removed = [name for name in dict.fromkeys(module.params["names"]) if name in present]
    if removed and not module.check_mode:
        for name in removed:
            module.client.simulator_request("DELETE", "%s/namespaces/%s" % (path, quote(name, safe="")),
                                            "Delete namespace %s on simulated cluster %s" % (name, cluster))
    return dict(changed=bool(removed), removed=removed)


def main():
    module = AstraModule(argument_spec=dict(
        cluster=dict(type="str", required=True),
        names=dict(type="list", elements="str", required=True),
        state=dict(type="str", choices=["absent"], default="absent"),
    ))
    module.run(run)


if __name__ == "__main__":
    main()
