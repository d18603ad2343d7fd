# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The code of the kubedr.astra.astra_app_snapshot module; its documentation is in
plugins/modules/astra_app_snapshot.py. Kept in module_utils so that kubedr.astra.astra_batch can run it for many apps in
one process."""

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule
from ansible_collections.kubedr.astra.plugins.module_utils.kinds import snapshot_kind
from ansible_collections.kubedr.astra.plugins.module_utils.restore_points import (
    ensure_restore_point,
    restore_point_argument_spec,
    restore_point_diff_shape,
)


def run(module):
    return ensure_restore_point(module, "snapshot", snapshot_kind)


def main():
    module = AstraModule(argument_spec=restore_point_argument_spec(), resource_key="snapshot",
                         diff_shape=restore_point_diff_shape)
    module.run(run)
