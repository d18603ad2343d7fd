# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The code of the kubedr.astra.astra_execution_hook_info module; its documentation is in plugins/modules/astra_execution_hook_info.py.
Kept in module_utils so that kubedr.astra.astra_batch can run it (kubedr.astra.info_batch's reads do)."""

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraApiError
from ansible_collections.kubedr.astra.plugins.module_utils.hooks import (
    EXECUTION_HOOKS,
    app_hooks_path,
    hooks_setting,
    setting_enabled,
    translate_hook_errors,
)
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import is_check_mode_id


@translate_hook_errors
def run(module):
    params = module.params
    lookups = module.lookups
    app = None
    if params["app"]:
        cluster = lookups.cluster(params["cluster"], option="cluster", require_managed=False) if params["cluster"] else None
        app = lookups.require_app(params["app"], cluster=cluster, option="app")
    enabled = setting_enabled(hooks_setting(lookups))
    if not enabled or (app is not None and is_check_mode_id(app["id"])):
        return dict(changed=False, execution_hooks=[], execution_hooks_enabled=enabled)
    path = app_hooks_path(app["id"]) if app is not None else EXECUTION_HOOKS
    try:
        hooks = lookups.find_by_fields(path, [("name", params["name"])], what="execution hooks")
    except AstraApiError as exc:
        if (exc.status, exc.problem) != (403, 168):
            raise
        # Switched off between the two requests.
        return dict(changed=False, execution_hooks=[], execution_hooks_enabled=False)
    return dict(changed=False, execution_hooks=hooks, execution_hooks_enabled=True)


def main():
    module = AstraModule(argument_spec=dict(
        app=dict(type="str"),
        cluster=dict(type="str"),
        name=dict(type="str"),
    ))
    module.run(run)
