# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The code of the kubedr.astra.astra_protection_policy module; its documentation is in
plugins/modules/astra_protection_policy.py. Kept in module_utils so that kubedr.astra.astra_batch can run it for many
apps in one process."""

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule, app_argument_spec
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.input_specs import validate_input
from ansible_collections.kubedr.astra.plugins.module_utils.kinds import schedule_kind
from ansible_collections.kubedr.astra.plugins.module_utils.schedules import (
    ProtectionPolicySpec,
    is_replication_schedule,
    schedule_definition,
    schedule_fields,
)


def run(module):
    params = module.params
    schedules = params["schedules"] or [] if params["state"] == "present" else []
    spec = validate_input(ProtectionPolicySpec, {"schedules": schedules})
    cluster = module.lookups.cluster(params["cluster"], option="cluster", require_managed=False) if params["cluster"] else None
    app = module.lookups.require_app(params["app"], cluster=cluster, option="app")

    bucket_ids, violations = {}, []
    if any(schedule.bucket for schedule in spec.schedules):
        buckets = module.lookups.buckets()
        for index, schedule in enumerate(spec.schedules):
            if schedule.bucket:
                try:
                    bucket_ids[index] = module.lookups.bucket(schedule.bucket, option="schedules[%d].bucket" % index,
                                                              items=buckets)["id"]
                except AstraValidationError as exc:
                    violations.extend(exc.violations)
    if violations:
        raise AstraValidationError(violations=violations)
    desired = [schedule.definition(bucket_ids.get(index)) for index, schedule in enumerate(spec.schedules)]

    def protection_schedules():
        return [schedule for schedule in module.lookups.schedules(app) if not is_replication_schedule(schedule)]

    result = module.ensure_collection(schedule_kind(app["id"]), protection_schedules, desired, schedule_definition,
                                      schedule_fields)
    policy = dict(app_id=app["id"], app_name=app.get("name"), schedules=result["items"])
    if not result["changed"]:
        return dict(changed=False, protection_policy=policy)
    return dict(changed=True, protection_policy=policy, before={"schedules": result["before"]},
                after={"schedules": result["after"]})


def main():
    argument_spec = app_argument_spec()
    argument_spec.update(
        schedules=dict(type="list", elements="dict", options=dict(
            name=dict(type="str"),
            granularity=dict(type="str", required=True, choices=["hourly", "daily", "weekly", "monthly", "custom"]),
            minute=dict(type="int"),
            hour=dict(type="int"),
            day_of_week=dict(type="int"),
            day_of_month=dict(type="int"),
            recurrence_rule=dict(type="str"),
            snapshot_retention=dict(type="int", required=True),
            backup_retention=dict(type="int", required=True),
            bucket=dict(type="str"),
            enabled=dict(type="bool", default=True),
        )),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AstraModule(argument_spec=argument_spec, required_if=[("state", "present", ["schedules"])])
    module.run(run)
