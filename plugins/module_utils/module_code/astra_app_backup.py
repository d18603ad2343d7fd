# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The code of the kubedr.astra.astra_app_backup module; its documentation is in plugins/modules/astra_app_backup.py.
Kept in module_utils so that kubedr.astra.astra_batch can run it for many apps in one process."""

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule
from ansible_collections.kubedr.astra.plugins.module_utils.kinds import backup_kind
from ansible_collections.kubedr.astra.plugins.module_utils.restore_points import (
    ensure_restore_point,
    restore_point_argument_spec,
    restore_point_diff_shape,
)


def run(module):
    params = module.params

    def create_fields(app, _backups):
        fields = {}
        if params["bucket"]:
            fields["bucketID"] = module.lookups.bucket(params["bucket"], option="bucket")["id"]
        if params["snapshot"]:
            snapshot = module.lookups.restore_point("snapshot", app, params["snapshot"], option="snapshot",
                                                    require_completed=False)
            fields["snapshotID"] = snapshot["id"]
        return fields

    return ensure_restore_point(module, "backup", backup_kind, create_fields=create_fields)


def main():
    argument_spec = restore_point_argument_spec()
    argument_spec.update(
        bucket=dict(type="str"),
        snapshot=dict(type="str"),
    )
    module = AstraModule(argument_spec=argument_spec, resource_key="backup", diff_shape=restore_point_diff_shape)
    module.run(run)
