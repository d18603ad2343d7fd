# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scripts/install_collections.py takes only the three collections out of an ansible wheel, safely, once."""

import json
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import install_collections  # noqa: E402  (a script, not a package)


def fake_wheel(path, collections=("awx.awx", "kubernetes.core", "amazon.aws", "community.general"), extra=()):
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr("ansible-12.3.0.dist-info/METADATA", "Name: ansible\n")
        for number, name in enumerate(collections):
            base = "ansible_collections/%s/" % name.replace(".", "/")
            wheel.writestr(base + "MANIFEST.json", json.dumps({"collection_info": {"version": "%d.0.0" % (number + 1)}}))
            wheel.writestr(base + "plugins/modules/thing.py", "# %s\n" % name)
        for member in extra:
            wheel.writestr(member, "x")
    return path


def test_only_the_three_collections_are_extracted_and_a_second_run_does_nothing(tmp_path, capsys):
    wheel = fake_wheel(tmp_path / "ansible-12.3.0-py3-none-any.whl")
    dest = tmp_path / "collections"
    # what an earlier version left behind is replaced, not merged
    stale = dest / "ansible_collections" / "awx" / "awx" / "plugins" / "modules" / "gone.py"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    assert install_collections.main(["--dest", str(dest), "--wheel", str(wheel)]) == 0
    root = dest / "ansible_collections"
    assert sorted(str(path.relative_to(root)) for path in root.glob("*/*")) == ["amazon/aws", "awx/awx", "kubernetes/core"]
    assert (root / "kubernetes" / "core" / "plugins" / "modules" / "thing.py").read_text() == "# kubernetes.core\n"
    assert not stale.exists()
    assert "awx.awx 1.0.0, kubernetes.core 2.0.0" in capsys.readouterr().out
    wheel.unlink()  # the stamp says they are there: no wheel is needed again
    assert install_collections.main(["--dest", str(dest), "--wheel", str(wheel)]) == 0
    assert "already installed" in capsys.readouterr().out


def test_a_wheel_without_one_of_them_or_with_a_path_outside_is_refused(tmp_path):
    with pytest.raises(SystemExit, match="carries no amazon.aws"):
        install_collections.extract(fake_wheel(tmp_path / "a.whl", ("awx.awx", "kubernetes.core")), tmp_path / "d")
    sneaky = fake_wheel(tmp_path / "b.whl", extra=("ansible_collections/awx/awx/../../../escaped.py",))
    with pytest.raises(SystemExit, match="would land outside"):
        install_collections.extract(sneaky, tmp_path / "d")
    assert not (tmp_path / "escaped.py").exists()
