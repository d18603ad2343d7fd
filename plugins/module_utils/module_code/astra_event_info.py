# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The code of the kubedr.astra.astra_event_info module; its documentation is in plugins/modules/astra_event_info.py.
Kept in module_utils so that kubedr.astra.astra_batch can run it (kubedr.astra.info_batch's reads do)."""

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule
from ansible_collections.kubedr.astra.plugins.module_utils.events import SEVERITIES, check_options, read_events


def list_events(module):
    params = module.params
    check_options(params["resource_id"], params["since"])
    return dict(changed=False, events=read_events(module.lookups, params["resource_id"], params["since"],
                                                  params["severity"]))


def main():
    module = AstraModule(argument_spec=dict(
        resource_id=dict(type="str"),
        since=dict(type="str"),
        severity=dict(type="list", elements="str", choices=list(SEVERITIES)),
    ))
    module.run(list_events)
