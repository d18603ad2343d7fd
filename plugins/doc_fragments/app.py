# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """The application a module acts on (argspec: astra_module.app_argument_spec)."""

    DOCUMENTATION = r'''
options:
  app:
    description:
      - Name or ID of the managed application.
      - In check mode, the placeholder ID V(check-mode-placeholder-id) returned for an application an earlier task
        would create is accepted; the result is then predicted.
    type: str
    required: true
  cluster:
    description:
      - Name or ID of the cluster the application runs on.
      - Needed only when applications of this name exist on several clusters.
    type: str
'''

    # astra_app_snapshot_info and astra_app_backup_info (argspec: restore_points.restore_point_info_argument_spec).
    RESTORE_POINT_INFO = r'''
options:
  app:
    description:
      - Only the snapshots or backups (whichever the module lists) of this managed application, given by name or ID
        (one request for its list).
      - An unknown application is an error, so a typo does not look like an empty list.
    type: str
  cluster:
    description:
      - Name or ID of a cluster. With O(app), it chooses among applications of the same name on several clusters;
        without it, only the snapshots or backups of the applications on this cluster are listed.
      - An unknown cluster is an error.
    type: str
  name:
    description:
      - Only the snapshots or backups with this name.
    type: str
  state:
    description:
      - Only the snapshots or backups in this state.
    type: str
    choices: [pending, discovering, running, completed, failed, removed, deleting, unknown]
'''
