# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Write the app-entry options of every runbook's argument spec from their one source.

Role argument specs cannot include each other, so the options of `<runbook>_apps` entries are kept once, in
roles/runbook_common/app_entry.yml, and copied here into each runbook's meta/argument_specs.yml (the way
theforeman.foreman generates its action groups). `--check` changes nothing and exits 1 when a file is stale.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "roles" / "runbook_common" / "app_entry.yml"
RUNBOOKS = ("protect", "replicate", "drill", "failover", "failback", "posture")
INDENT = " " * 10  # argument_specs > main > options > <runbook>_apps > options > here


def entry_options():
    """The source's option lines, without its header comments and document start."""
    lines = SOURCE.read_text().splitlines()
    return lines[lines.index("---") + 1:]


def generated(runbook, spec_text):
    """The spec with the options of its <runbook>_apps entries replaced by the source's."""
    lines = spec_text.splitlines()
    try:
        apps = lines.index("      %s_apps:" % runbook)
        start = next(number for number in range(apps + 1, len(lines)) if lines[number] == "        options:") + 1
    except (ValueError, StopIteration):
        raise SystemExit("%s: no %s_apps option with entry options in its argument spec" % (runbook, runbook)) from None
    end = start
    while end < len(lines) and (not lines[end].strip() or lines[end].startswith(INDENT)):
        end += 1
    options = [(INDENT + line) if line.strip() else "" for line in entry_options()]
    return "\n".join(lines[:start] + options + lines[end:]) + "\n"


def stale_specs(write=False):
    """The argument specs that differ from what the source generates (written first, with write)."""
    stale = []
    for runbook in RUNBOOKS:
        path = ROOT / "roles" / runbook / "meta" / "argument_specs.yml"
        current = path.read_text()
        wanted = generated(runbook, current)
        if wanted != current:
            stale.append(path)
            if write:
                path.write_text(wanted)
    return stale


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when a spec is stale")
    args = parser.parse_args()
    stale = stale_specs(write=not args.check)
    for path in stale:
        print("%s %s" % ("stale:" if args.check else "written:", path.relative_to(ROOT)))
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
