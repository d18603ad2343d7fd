# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """Options of modules that start long operations (argspec: astra_module.wait_argument_spec)."""

    DOCUMENTATION = r'''
options:
  wait:
    description:
      - Whether to wait until the operation has finished (for example until an app is V(ready) or is gone).
      - With V(false) the module returns as soon as the API accepted the request; a later run with O(wait=true)
        or the matching C(_info) module can follow up.
      - Check mode never waits.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait in total when O(wait=true) before failing with the last state of the resource and its state details.
    type: int
    default: 600
'''
