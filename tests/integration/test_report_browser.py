# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""report.html renders in a real browser: headless Chromium shows the table and the timeline chart.

Chromium is the Debian package `chromium`, which `make test` installs. Without
it this test fails (it never skips): the HTML report is audit evidence and
must be checked in a browser.
"""

import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

try:
    from ansible_collections.kubedr.astra.plugins.module_utils import dr_report
except ImportError:  # PYTHONPATH without the venv's collections directory
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".venv" / "collections"))
    from ansible_collections.kubedr.astra.plugins.module_utils import dr_report

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--hide-scrollbars"]


def step(name, start, end, status="passed", message=None):
    return {"name": name, "started": "2025-03-14T02:%s" % start, "finished": "2025-03-14T02:%s" % end,
            "status": status, "message": message}


APPS = [
    {"name": "wordpress", "cluster": "prod-east", "destination_cluster": "dr-west", "wave": 1, "status": "passed",
     "rto_seconds": 431, "rto_target_seconds": 900, "rpo_seconds": 1260, "rpo_target_seconds": 3600,
     "astra_ids": {"source_app_id": "6a1b9c4e-2f3d-4e5f-8a7b-9c0d1e2f3a4b", "snapshot_id": "c3d2e1f0-aaaa-4bbb-8ccc-000000000001",
                   "clone_app_id": "0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f"},
     "steps": [step("preflight", "00:01Z", "00:09Z"), step("snapshot", "00:10Z", "01:48Z"),
               step("clone", "01:49Z", "06:58Z"), step("verify", "06:59Z", "07:12Z"),
               step("cleanup", "07:13Z", "07:40Z")]},
    {"name": "shop <script>alert('x')</script>", "cluster": "prod-east", "destination_cluster": "dr-west", "wave": 2,
     "status": "failed", "message": "clone did not become ready within 600 s",
     "rto_seconds": 1005, "rto_target_seconds": 900, "rpo_seconds": 700, "rpo_target_seconds": 3600,
     "astra_ids": {"source_app_id": "7b2c0d5f-3e4f-4f60-9b8c-0d1e2f3a4b5c"},
     "steps": [step("preflight", "00:01Z", "00:08Z"), step("snapshot", "07:45Z", "08:30Z"),
               step("clone", "08:31Z", "18:31Z", "failed", "timed out waiting for state ready"),
               {"name": "verify", "status": "skipped"}]},
    {"name": "inventory-db", "cluster": "prod-east", "destination_cluster": "dr-west", "wave": 2, "status": "passed",
     "rto_seconds": 520, "rto_target_seconds": 900, "rpo_seconds": 2950, "rpo_target_seconds": 3600,
     "astra_ids": {"source_app_id": "8c3d1e6a-4f50-4a71-8c9d-1e2f3a4b5c6d", "backup_id": "d4e3f2a1-bbbb-4ccc-8ddd-000000000002"},
     "steps": [step("preflight", "00:01Z", "00:07Z"), step("snapshot", "07:45Z", "08:05Z"),
               step("restore", "08:06Z", "15:40Z"), step("verify", "15:41Z", "16:02Z")]},
]
STEP_BARS = sum(1 for app in APPS for item in app["steps"] if "started" in item)


class DomCounter(HTMLParser):
    """The app rows of the table and the step bars of the SVG in a serialized DOM."""

    def __init__(self):
        super().__init__()
        self.rows, self.bars, self.ticks, self._in_tick, self.tick_labels = [], [], 0, False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "tr" and "app-row" in classes:
            self.rows.append(attrs.get("data-app"))
        elif tag == "rect" and "bar" in classes:
            self.bars.append((attrs.get("data-app"), attrs.get("data-step"), attrs.get("data-status")))
        elif tag == "text" and "tick" in classes:
            self._in_tick = True

    def handle_endtag(self, tag):
        if tag == "text":
            self._in_tick = False

    def handle_data(self, data):
        if self._in_tick:
            self.tick_labels.append(data)


def read_png(path):
    """(width, height, rows of pixels as bytes) for an 8-bit RGB or RGBA PNG, decoded with zlib."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, colour, _compression, _filter, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, "unexpected PNG format %r" % (header,)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = previous[i], (previous[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, bpp, rows


def colours_in(rows, bpp):
    found = set()
    for row in rows[::3]:
        for x in range(0, len(row), bpp * 2):
            found.add(tuple(row[x:x + 3]))
    return found


def near(colour, found, tolerance=24):
    target = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return any(all(abs(a - b) <= tolerance for a, b in zip(target, seen)) for seen in found)


@pytest.fixture(scope="module")
def chromium():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail("headless Chromium is required at %s to check report.html in a browser, and it is missing; "
                    "install the Debian package: apt-get install -y chromium (make test does this)" % CHROMIUM)
    return CHROMIUM


@pytest.fixture(scope="module")
def report_html(tmp_path_factory):
    report = dr_report.build_report("drill", "2025-03-14T02:00:00Z", "2025-03-14T02:18:40Z", APPS,
                                    title="Quarterly DR drill \u2014 prod-east to dr-west",
                                    extra={"api_url": "sim-local", "api_token": "must-not-appear",
                                           "targets": {"rto_seconds": 900, "rpo_seconds": 3600}})
    directory = tmp_path_factory.mktemp("report")
    paths = dr_report.write_report(str(directory), dr_report.render_all(report))
    return Path(paths["html"])


def browse(chromium, tmp_path, *args):
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    command = [chromium] + FLAGS + ["--user-data-dir=%s" % profile] + list(args)
    env = dict(os.environ, HOME=str(tmp_path))
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False, env=env,
                              stdin=subprocess.DEVNULL)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_report_renders_the_table_and_the_chart_in_chromium(chromium, report_html, tmp_path):
    dumped = browse(chromium, tmp_path, "--dump-dom", report_html.as_uri())
    assert dumped.returncode == 0 and "</html>" in dumped.stdout, dumped.stderr[-3000:]
    dom = DomCounter()
    dom.feed(dumped.stdout)
    assert dom.rows == [app["name"] for app in APPS]
    assert len(dom.bars) == STEP_BARS
    assert ("shop <script>alert('x')</script>", "clone", "failed") in dom.bars
    assert dom.tick_labels[0] == "0:00" and len(dom.tick_labels) >= 4
    assert "<script" not in re.sub(r"&lt;script", "", dumped.stdout)
    assert "must-not-appear" not in dumped.stdout and "VALUE_REDACTED" in dumped.stdout


def test_report_screenshot_is_not_blank(chromium, report_html, tmp_path):
    png = tmp_path / "report.png"
    shot = browse(chromium, tmp_path, "--screenshot=%s" % png, "--window-size=1280,900", report_html.as_uri())
    assert shot.returncode == 0 and png.is_file() and png.stat().st_size > 10000, shot.stderr[-3000:]
    width, height, bpp, rows = read_png(png)
    assert (width, height) == (1280, 900)
    distinct_rows = set(rows)
    assert len(distinct_rows) > 100, "the screenshot is (nearly) blank"
    assert sum(1 for row in rows if row != rows[0]) > height // 2
    found = colours_in(rows, bpp)
    assert len(found) > 50
    # The FAILED verdict and failed-step outline (red), and the step colours of the timeline bars.
    for colour in ("#b3261e", "#4e79a7", "#f28e2b", "#59a14f"):
        assert near(colour, found), "colour %s is not on the screenshot" % colour


def test_report_prints_on_a4(chromium, report_html, tmp_path):
    pdf = tmp_path / "report.pdf"
    printed = browse(chromium, tmp_path, "--no-pdf-header-footer", "--print-to-pdf=%s" % pdf, report_html.as_uri())
    assert printed.returncode == 0 and pdf.is_file(), printed.stderr[-3000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert pages, "no page in the PDF"
    for width, height in pages:
        # A4 landscape is 842 x 595 points.
        assert abs(float(width) - 842) < 2 and abs(float(height) - 595) < 2, (width, height)
