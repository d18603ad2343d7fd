# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The runbook roles agree with each other and with themselves.

Every role takes app entries of one shape (so one list of the estate feeds them all), and each role's defaults are
exactly the options its argument spec documents, with the same values.
"""

from pathlib import Path

import sys

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import generate_argument_specs  # noqa: E402  (a script, not a package)
ROLES = sorted(path.name for path in (ROOT / "roles").iterdir()
               if (path / "meta" / "argument_specs.yml").exists() and path.name != "runbook_common")


def spec(role, entry="main"):
    return yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"][entry]


def test_all_six_runbooks_are_there():
    assert ROLES == ["drill", "failback", "failover", "posture", "protect", "replicate"]


def test_every_role_takes_the_same_app_entries_generated_from_one_source():
    entries = {role: spec(role)["options"]["%s_apps" % role]["options"] for role in ROLES}
    source = yaml.safe_load(generate_argument_specs.SOURCE.read_text())
    assert set(source) >= {"name", "cluster", "destination_cluster", "namespaces", "wave"}
    for role, options in entries.items():
        assert options == source, "the app entries of %s are not those of %s" % (role, generate_argument_specs.SOURCE)
    assert generate_argument_specs.stale_specs() == [], "run scripts/generate_argument_specs.py"


def test_the_generator_finds_a_stale_spec(tmp_path, monkeypatch):
    edited = tmp_path / "app_entry.yml"
    edited.write_text(generate_argument_specs.SOURCE.read_text().replace(
        "description: Name of the app in Astra Control.", "description: The app's name in Astra Control."))
    monkeypatch.setattr(generate_argument_specs, "SOURCE", edited)
    assert sorted(path.parent.parent.name for path in generate_argument_specs.stale_specs()) == ROLES
    spec_text = (ROOT / "roles" / "failover" / "meta" / "argument_specs.yml").read_text()
    regenerated = yaml.safe_load(generate_argument_specs.generated("failover", spec_text))
    options = regenerated["argument_specs"]["main"]["options"]
    assert options["failover_apps"]["options"]["name"]["description"] == "The app's name in Astra Control."
    assert options["failover_mode"] == spec("failover")["options"]["failover_mode"]


def test_the_internal_role_says_so():
    internal = yaml.safe_load((ROOT / "roles" / "runbook_common" / "meta" / "argument_specs.yml").read_text())
    assert all(entry["short_description"].startswith("Internal") for entry in internal["argument_specs"].values())
    assert "**Internal to kubedr.astra" in (ROOT / "roles" / "runbook_common" / "README.md").read_text()


@pytest.mark.parametrize("role", ROLES)
def test_defaults_are_the_documented_options(role):
    defaults = yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())
    options = spec(role)["options"]
    assert set(defaults) == set(options), "defaults/main.yml and meta/argument_specs.yml list different variables"
    for name, value in defaults.items():
        documented = options[name].get("default")
        if value in ("", None, []) and documented in ("", None, []):
            continue
        assert documented == value, "%s: the default %r is documented as %r" % (name, value, documented)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_has_its_readme_report_and_progress_options(role):
    options = spec(role)["options"]
    # The read-only posture runbook runs no steps: nothing to wait for or to report progress on.
    steps = () if role == "posture" else ("wait_timeout", "progress_interval")
    # Only the posture runbook judges the estate as a whole (what no entry covers): no subset of its apps.
    subset = () if role == "posture" else ("only_apps",)
    for suffix in ("apps",) + steps + ("report_path", "report_title", "report_copy_dir", "report_run_id") + subset:
        assert "%s_%s" % (role, suffix) in options
    # What every run publishes with set_stats is said in its spec.
    assert any("kubedr_astra_%s" % role in line for line in spec(role)["description"])
    readme = (ROOT / "roles" / role / "README.md").read_text()
    assert readme.startswith("# kubedr.astra.%s" % role)
    for name in options:
        assert "`%s`" % name in readme, "%s is not in the README of %s" % (name, role)
    # The steps no longer poll async jobs, so the option that paced the polls is gone.
    assert "%s_poll_interval" % role not in options
