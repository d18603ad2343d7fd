# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The posture runbook's filter (plugins/module_utils/posture.py): its checks into the run record.

Posture reads the estate through the modules' input models and the module base, and ansible-core imports
every filter file of the collection again in the worker process of every task that uses any of its filters: imported
at the top, they cost every runbook task a quarter of a second (28 % of a drill's CPU, measured when the models were
pydantic models). They are imported on first use.
"""

from ansible_collections.kubedr.astra.plugins.filter.runbook import as_filter


def record_posture(record, *args, **kwargs):
    """module_utils.posture.record_posture, imported when a task uses it."""
    from ansible_collections.kubedr.astra.plugins.module_utils import posture
    return posture.record_posture(record, *args, **kwargs)


class FilterModule:
    def filters(self):
        return {"record_posture": as_filter(record_posture, returns_record=True)}
