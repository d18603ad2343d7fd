# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""meta/runtime.yml's action group must list exactly the astra_* modules in plugins/modules.

The astra_* modules talk to the Astra Control API and all take the connection
options, so group module_defaults apply to them. Other modules (dr_report)
take no connection options and must stay out of the group, or group defaults
would fail them with "Unsupported parameters".
"""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_action_group_lists_every_astra_module_and_nothing_else():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    modules = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("astra_*.py"))
    group = runtime["action_groups"]["astra"]
    assert modules, "no modules found"
    assert sorted(group) == modules
    assert group == sorted(group), "keep the action group alphabetical"


def test_modules_without_connection_options_stay_out_of_the_group():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    others = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py")
                    if path.stem != "__init__" and not path.stem.startswith("astra_"))
    assert "dr_report" in others
    assert not set(others) & set(runtime["action_groups"]["astra"])
