# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """Options astra_app_snapshot and astra_app_backup share (argspec: restore_points.restore_point_argument_spec)."""

    DOCUMENTATION = r'''
options:
  replace_failed:
    description:
      - When a snapshot or backup of this name exists in state V(failed) or V(removed), delete it (waiting until it is
        gone) and take a new one under the same name, with a warning that quotes the failed one's state details.
      - Without it, such a snapshot or backup fails the task with its state details, as it cannot be repaired.
      - Lets a rerun converge after a snapshot or backup failed, as the P(kubedr.astra.protect#role) runbook does.
    type: bool
    default: false
'''
