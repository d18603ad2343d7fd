# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""meta/runtime.yml's action group must list exactly the modules in plugins/modules."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_action_group_lists_every_module_and_nothing_else():
    runtime = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
    modules = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")
    group = runtime["action_groups"]["astra"]
    assert modules, "no modules found"
    assert sorted(group) == modules
    assert group == sorted(group), "keep the action group alphabetical"
