# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Install the collections the AWX configuration playbook and the drill cleanup use, from the `ansible` wheel.

docs/awx/configure.yml needs awx.awx (ansible-lint checks it), a drill cleanup task file kubernetes.core, and the
documented object-store copy of reports amazon.aws. Galaxy is not reachable where this project is built and tested,
but PyPI is, and the community package `ansible` carries every one of them under ansible_collections/ in its wheel.
This downloads that one pinned wheel with pip (no dependencies, nothing installed) and extracts only these collections
into <dest>/ansible_collections, replacing what an earlier run put there. A second run with the same pin does nothing.

    python scripts/install_collections.py --dest .venv/collections [--wheel /path/to/ansible-*.whl]
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

# The community package whose ansible-core is the project's (ansible 12 goes with ansible-core 2.19).
PACKAGE = "ansible==12.3.0"
COLLECTIONS = ("awx.awx", "kubernetes.core", "amazon.aws")
STAMP = ".kubedr-collections.json"


def collection_dir(dest, name):
    namespace, collection = name.split(".")
    return Path(dest) / "ansible_collections" / namespace / collection


def installed(dest):
    """What the stamp says an earlier run installed, if every collection it lists is still there."""
    stamp = Path(dest) / STAMP
    try:
        recorded = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return None
    if not all((collection_dir(dest, name) / "MANIFEST.json").is_file() for name in recorded.get("collections", {})):
        return None
    return recorded


def download(package, directory):
    """The wheel of `package`, downloaded with pip (its cache makes a second download cheap)."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet",
                    "--disable-pip-version-check", "--dest", str(directory), package], check=True)
    wheels = sorted(Path(directory).glob("ansible-*.whl"))
    if len(wheels) != 1:
        raise SystemExit("pip download %s gave %s, not one ansible wheel" % (package, [w.name for w in wheels] or "none"))
    return wheels[0]


def members_of(archive, name):
    """The archive's files of collection `name`, checked to stay inside ansible_collections/<namespace>/<name>/."""
    prefix = "ansible_collections/%s/" % name.replace(".", "/")
    members = []
    for info in archive.infolist():
        if not info.filename.startswith(prefix) or info.is_dir():
            continue
        path = PurePosixPath(info.filename)
        if path.is_absolute() or ".." in path.parts:
            raise SystemExit("refusing %s in the wheel: it would land outside %s" % (info.filename, prefix))
        members.append(info)
    return members


def extract(wheel, dest, names=COLLECTIONS):
    """Extract the collections `names` of the wheel into dest; returns {name: version}."""
    versions = {}
    with zipfile.ZipFile(wheel) as archive:
        found = dict((name, members_of(archive, name)) for name in names)
        missing = [name for name, members in found.items() if not members]
        if missing:
            raise SystemExit("%s carries no %s" % (Path(wheel).name, ", ".join(missing)))
        for name, members in found.items():
            target = collection_dir(dest, name)
            if target.is_symlink() or target.is_file():
                target.unlink()
            elif target.exists():
                shutil.rmtree(target)
            for info in members:
                archive.extract(info, str(dest))
            manifest = json.loads((target / "MANIFEST.json").read_text())
            versions[name] = manifest["collection_info"]["version"]
    return versions


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", required=True, help="the collections path (its ansible_collections/ gets them)")
    parser.add_argument("--wheel", help="an ansible wheel already on disk, instead of downloading %s" % PACKAGE)
    args = parser.parse_args(argv)
    dest = Path(args.dest)
    source = Path(args.wheel).name if args.wheel else PACKAGE
    recorded = installed(dest)
    if recorded and recorded.get("source") == source and sorted(recorded["collections"]) == sorted(COLLECTIONS):
        print("collections from %s already installed: %s" % (source, ", ".join(
            "%s %s" % item for item in sorted(recorded["collections"].items()))))
        return 0
    (dest / "ansible_collections").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        wheel = Path(args.wheel) if args.wheel else download(PACKAGE, directory)
        versions = extract(wheel, dest)
    (dest / STAMP).write_text(json.dumps({"source": source, "collections": versions}, indent=1, sort_keys=True) + "\n")
    print("installed from %s into %s: %s" % (source, dest / "ansible_collections", ", ".join(
        "%s %s" % item for item in sorted(versions.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
