# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The code of the kubedr.astra.astra_app_mirror_info module; its documentation is in plugins/modules/astra_app_mirror_info.py.
Kept in module_utils so that kubedr.astra.astra_batch can run it (kubedr.astra.info_batch's reads do)."""

from ansible_collections.kubedr.astra.plugins.module_utils.api_resources import AppMirror
from ansible_collections.kubedr.astra.plugins.module_utils.app_mirrors import with_names
from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.mirror_states import MIRROR_STATES
from ansible_collections.kubedr.astra.plugins.module_utils.validators import name_list


def run(module):
    params = module.params
    lookups = module.lookups
    clusters = lookups.clusters()
    cluster = lookups.cluster(params["cluster"], option="cluster", require_managed=False, items=clusters) if params["cluster"] else None
    apps = lookups.apps()
    app_ids = None
    if params["app"]:
        app_ids = set(app["id"] for app in apps if params["app"] in (app.get("id"), app.get("name")))
        if not app_ids:
            raise AstraValidationError("app", "no managed app named or identified by %r; managed apps: %s"
                                       % (params["app"], name_list(app.get("name") for app in apps)))
    elif params["names"] is not None:
        names = set(params["names"])
        app_ids = set(app["id"] for app in apps if app.get("name") in names)
    selected = []
    for mirror in lookups.app_mirrors(state=params["state"]):
        # Only the mirrors of the apps asked for are parsed: on a large estate most are not.
        if app_ids is not None and isinstance(mirror, dict) and not app_ids & set((mirror.get("sourceAppID"),
                                                                                  mirror.get("destinationAppID"))):
            continue
        parsed = AppMirror.parse(mirror, "app mirror %s" % mirror.get("id"))
        if app_ids is not None and not parsed.app_ids & app_ids:
            continue
        if cluster is not None and cluster["id"] not in parsed.cluster_ids:
            continue
        selected.append(mirror)
    cluster_names = dict((item.get("id"), item.get("name")) for item in clusters)
    app_names = dict((item.get("id"), item.get("name")) for item in apps)
    return dict(changed=False, app_mirrors=[with_names(mirror, cluster_names, app_names) for mirror in selected])


def main():
    argument_spec = dict(
        app=dict(type="str"),
        names=dict(type="list", elements="str"),
        cluster=dict(type="str"),
        state=dict(type="str", choices=list(MIRROR_STATES)),
    )
    module = AstraModule(argument_spec=argument_spec, mutually_exclusive=[("app", "names")])
    module.run(run)
