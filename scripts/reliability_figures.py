"""Write the figures of the last reliability run into docs/reliability.md.

    python scripts/reliability_figures.py [FIGURES_DIR] [DOC]

The reliability tests (tests/integration/test_reliability_*.py) record one JSON file per scenario in FIGURES_DIR
(default tests/output/reliability). This replaces the part of DOC (default docs/reliability.md) between the
`<!-- figures:start -->` and `<!-- figures:end -->` markers with one table row per scenario.
"""
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- figures:start -->", "<!-- figures:end -->"
SKIP = ("recorded", "scope", "profile")


def _value(value):
    if isinstance(value, dict):
        return ", ".join("%s %s" % (key, _value(item)) for key, item in sorted(value.items()))
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return str(value)


def render(figures_dir):
    files = sorted(Path(figures_dir).glob("*.json"))
    if not files:
        raise SystemExit("no figures in %s: run make reliability (or make test) first" % figures_dir)
    scopes = set()
    lines = ["Last run: %s on %s, %d CPU(s), Python %s." % (
        time.strftime("%Y-%m-%d", time.gmtime()), platform.machine(), os.cpu_count() or 0, platform.python_version()), "",
        "| scenario | scope | figures |", "|---|---|---|"]
    for path in files:
        data = json.loads(path.read_text())
        scopes.add(data.get("scope", "?"))
        figures = "; ".join("%s: %s" % (key.replace("_", " "), _value(value))
                            for key, value in sorted(data.items()) if key not in SKIP)
        lines.append("| %s | %s | %s |" % (path.stem, data.get("scope", "?"), figures))
    profiles = {path.stem: json.loads(path.read_text()).get("profile") for path in files}
    shown = {json.dumps(profile, sort_keys=True) for profile in profiles.values() if profile}
    for profile in sorted(shown):
        lines += ["", "Fault profile (`PUT /_simulator/faults`): `%s`" % profile]
    return "\n".join(lines)


def main(argv):
    figures_dir = Path(argv[1]) if len(argv) > 1 else ROOT / "tests" / "output" / "reliability"
    doc = Path(argv[2]) if len(argv) > 2 else ROOT / "docs" / "reliability.md"
    text = doc.read_text()
    if START not in text or END not in text:
        raise SystemExit("%s has no %s ... %s section" % (doc, START, END))
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    doc.write_text(head + START + "\n" + render(figures_dir) + "\n" + END + tail)
    print("figures written into %s" % doc)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
