# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scripts/get_pip_standin.py installs what ansible-test's get-pip.py would, with uv when sanity.sh names it."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import get_pip_standin  # noqa: E402  (a script, not a package)


def test_uv_installs_the_requested_pip_compiled_and_nothing_ansible_test_said_not_to(tmp_path):
    uv = tmp_path / "uv"
    uv.write_text("#!/bin/sh\n")
    uv.chmod(0o755)
    argv = ["--disable-pip-version-check", "pip==25.2", "--no-setuptools", "--no-wheel"]
    assert get_pip_standin.uv_command(argv, str(uv), "/venv/bin/python") == [
        str(uv), "pip", "install", "-q", "--system-certs", "--compile-bytecode", "--python", "/venv/bin/python", "pip==25.2"]


def test_uv_also_installs_setuptools_and_wheel_unless_told_not_to(tmp_path):
    uv = tmp_path / "uv"
    uv.write_text("#!/bin/sh\n")
    uv.chmod(0o755)
    command = get_pip_standin.uv_command(["pip==24.2", "--no-wheel"], str(uv), "python")
    assert command[-2:] == ["pip==24.2", "setuptools"]


def test_without_uv_or_packages_it_falls_back_to_ensurepip(tmp_path):
    assert get_pip_standin.uv_command(["pip==25.2"], "", "python") is None
    assert get_pip_standin.uv_command(["pip==25.2"], str(tmp_path / "missing"), "python") is None
    not_executable = tmp_path / "uv"
    not_executable.write_text("")
    assert get_pip_standin.uv_command(["pip==25.2"], str(not_executable), "python") is None
    assert get_pip_standin.uv_command(["--no-setuptools"], sys.executable, "python") is None
