# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The posture runbook's filter (plugins/module_utils/posture.py): its checks into the run record.

A file of its own: posture reads the estate through the modules' input models, whose import takes half a second,
and Ansible imports a filter file again in every task's worker process; the other runbooks' filters stay light.
"""

from ansible_collections.kubedr.astra.plugins.filter.runbook import as_filter
from ansible_collections.kubedr.astra.plugins.module_utils import posture


class FilterModule:
    def filters(self):
        return {"record_posture": as_filter(posture.record_posture)}
