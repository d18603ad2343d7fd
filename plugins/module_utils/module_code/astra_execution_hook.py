# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The code of the kubedr.astra.astra_execution_hook module; its documentation is in
plugins/modules/astra_execution_hook.py. Kept in module_utils so that kubedr.astra.astra_batch can run it for many apps
in one process."""

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import CHECK_MODE_ID, AstraModule, app_argument_spec
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraError
from ansible_collections.kubedr.astra.plugins.module_utils.hooks import (
    HOOK_PROBLEMS,
    ExecutionHookSpec,
    hook_definition,
    hook_diff_shape,
    hook_source,
    hook_sources,
    translate_hook_errors,
)
from ansible_collections.kubedr.astra.plugins.module_utils.input_specs import validate_input
from ansible_collections.kubedr.astra.plugins.module_utils.kinds import execution_hook_kind


@translate_hook_errors
def run(module):
    params = module.params
    spec = validate_input(ExecutionHookSpec, dict((option, params[option]) for option in (
        "name", "action", "stage", "arguments", "matching_criteria", "enabled", "description")))
    cluster = module.lookups.cluster(params["cluster"], option="cluster", require_managed=False) if params["cluster"] else None
    app = module.lookups.require_app(params["app"], cluster=cluster, option="app")
    kind = execution_hook_kind(app["id"])
    current = None
    if app["id"] != CHECK_MODE_ID:
        current = module.lookups.find_one(kind.collection, spec.name, "execution hook", "name")
    if current is not None and current.get("hookType") == "netapp":
        doing = "delete" if params["state"] == "absent" else "change"
        raise AstraError("cannot %s execution hook %r: %s" % (doing, spec.name, HOOK_PROBLEMS[(403, 73)]), resource=current)
    if params["state"] == "absent":
        module.diff_shape = hook_diff_shape({})
        result = module.ensure_absent(kind, current)
        result.pop("elapsed", None)
        return result

    sources = hook_sources(module.lookups)
    source = hook_source(sources, params["source"])
    module.diff_shape = hook_diff_shape(dict((item.get("id"), item.get("name")) for item in sources))
    desired = spec.definition(source["id"])
    create_fields = dict((key, value) for key, value in desired.items() if value is not None)
    create_fields.update(name=spec.name, hookType="custom", appID=app["id"])

    def update_fields(existing):
        fields = {"name": existing.get("name"), "hookType": "custom", "appID": app["id"]}
        fields.update(hook_definition(existing))
        fields.update((key, value) for key, value in desired.items() if value is not None)
        return fields

    def find_existing():
        return module.lookups.find_one(kind.collection, spec.name, "execution hook", "name")

    result = module.ensure_present(kind, current, desired, create_fields, find_existing=find_existing,
                                   update_fields=update_fields, predicted_fields={"matchingImages": [], "matchingContainers": []})
    result.pop("elapsed", None)
    return result


def main():
    argument_spec = app_argument_spec()
    argument_spec.update(
        name=dict(type="str", required=True),
        action=dict(type="str", choices=["snapshot", "backup", "restore", "failover"]),
        stage=dict(type="str", choices=["pre", "post"]),
        source=dict(type="str"),
        arguments=dict(type="list", elements="str", no_log=False),
        matching_criteria=dict(type="list", elements="dict", options=dict(
            type=dict(type="str", required=True,
                      choices=["container_image", "container_name", "pod_name", "pod_label", "namespace_name"]),
            value=dict(type="str", required=True),
        )),
        enabled=dict(type="bool", default=True),
        description=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AstraModule(argument_spec=argument_spec, resource_key="execution_hook",
                         required_if=[("state", "present", ("action", "stage", "source"))])
    module.run(run)
