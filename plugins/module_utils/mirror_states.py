# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The states of an app mirror (replication relationship) and the transitions the API allows in each."""

MIRROR_ESTABLISHING = "establishing"
MIRROR_ESTABLISHED = "established"
MIRROR_FAILING_OVER = "failingOver"
MIRROR_FAILED_OVER = "failedOver"
MIRROR_DELETING = "deleting"
MIRROR_STATES = (MIRROR_ESTABLISHING, MIRROR_ESTABLISHED, MIRROR_FAILING_OVER, MIRROR_FAILED_OVER, MIRROR_DELETING)
# What may be requested in each state (the API's stateAllowed table), for responses that lack stateAllowed.
MIRROR_STATE_ALLOWED = {
    MIRROR_ESTABLISHING: (MIRROR_ESTABLISHED, "deleted"),
    MIRROR_ESTABLISHED: (MIRROR_FAILED_OVER, "deleted"),
    MIRROR_FAILING_OVER: (MIRROR_FAILED_OVER, "deleted"),
    MIRROR_FAILED_OVER: (MIRROR_ESTABLISHED, "deleted"),
    MIRROR_DELETING: ("deleted",),
}
