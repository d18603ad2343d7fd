# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The DR report's rendering: JSON content and computed fields, HTML, JUnit XML, scrubbing, validation."""

import json
import os
import re
import stat
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils import dr_report
from ansible_collections.kubedr.astra.plugins.module_utils.dr_report import ReportError, build_report

STARTED = "2025-01-31T09:30:00Z"
FINISHED = "2025-01-31T09:41:12Z"


def step(name, started, finished, status="passed", message=None):
    return {"name": name, "started": started, "finished": finished, "status": status, "message": message}


def sample_apps():
    return [
        {"name": "wordpress", "cluster": "prod-east", "destination_cluster": "dr-west", "wave": 1, "status": "passed",
         "rto_seconds": 412, "rto_target_seconds": 900, "rpo_seconds": 1800.5, "rpo_target_seconds": 3600,
         "astra_ids": {"source_app_id": "6a1b", "clone_app_id": "0f9e"},
         "steps": [step("snapshot", "2025-01-31T09:30:02Z", "2025-01-31T09:31:40Z"),
                   step("clone", "2025-01-31T09:31:41Z", "2025-01-31T09:36:54Z"),
                   step("verify", "2025-01-31T09:36:55Z", "2025-01-31T09:37:14.500Z")]},
        {"name": "shop", "cluster": "prod-east", "destination_cluster": "dr-west", "wave": 2, "status": "failed",
         "message": "clone did not become ready", "rto_seconds": 1100, "rto_target_seconds": 900,
         "steps": [step("snapshot", "2025-01-31T09:37:20Z", "2025-01-31T09:38:01Z"),
                   step("clone", "2025-01-31T09:38:02Z", "2025-01-31T09:41:10Z", "failed", "timed out"),
                   {"name": "verify", "status": "skipped"}]},
        {"name": "inventory", "cluster": "prod-east", "wave": 2, "status": "skipped", "message": "excluded"},
    ]


@pytest.fixture
def report():
    return build_report("drill", STARTED, FINISHED, sample_apps(), title="Quarterly drill", extra={"change": "CHG-1"})


# ---------------------------------------------------------------------- JSON


def test_json_run_summary(report):
    data = json.loads(dr_report.render_json(report))
    assert data["schema_version"] == 1 and data["generator"] == "kubedr.astra.dr_report"
    assert data["run"] == {
        "runbook": "drill", "run_id": None, "title": "Quarterly drill", "started": STARTED, "finished": FINISHED,
        "duration_seconds": 672.0, "passed": False, "error": None, "app_count": 3, "failed_count": 1, "skipped_count": 1,
        "targets_missed": 1, "failed_apps": ["shop"],
    }
    assert data["extra"] == {"change": "CHG-1"}


def test_json_computed_app_and_step_fields(report):
    data = json.loads(dr_report.render_json(report))
    wordpress, shop, inventory = data["apps"]
    assert [s["duration_seconds"] for s in wordpress["steps"]] == [98.0, 313.0, 19.5]
    assert wordpress["steps"][2]["finished"] == "2025-01-31T09:37:14.500Z"
    assert (wordpress["started"], wordpress["duration_seconds"]) == ("2025-01-31T09:30:02Z", 432.5)
    assert (wordpress["rto_passed"], wordpress["rpo_passed"]) == (True, True)
    assert wordpress["rpo_seconds"] == 1800.5 and wordpress["rto_seconds"] == 412
    assert wordpress["astra_ids"] == {"source_app_id": "6a1b", "clone_app_id": "0f9e"}
    assert (shop["rto_passed"], shop["rpo_passed"]) == (False, None)
    assert shop["steps"][2] == {"name": "verify", "status": "skipped", "started": None, "finished": None,
                                "duration_seconds": None, "message": None, "warnings": []}
    assert shop["duration_seconds"] == 230.0
    assert inventory["steps"] == [] and inventory["duration_seconds"] is None and inventory["destination_cluster"] is None


def test_run_passes_without_failed_apps():
    apps = [{"name": "a", "status": "passed"}, {"name": "b", "status": "skipped"}]
    report = build_report("protect", STARTED, FINISHED, apps)
    assert report["run"]["passed"] is True and report["run"]["failed_apps"] == []
    assert report["run"]["title"] == "kubedr.astra protect report"


def test_offsets_and_naive_times_are_utc():
    report = build_report("failover", "2025-01-31T10:30:00+01:00", "2025-01-31T09:31:00", [])
    assert report["run"]["started"] == "2025-01-31T09:30:00Z"
    assert report["run"]["finished"] == "2025-01-31T09:31:00Z"
    assert report["run"]["duration_seconds"] == 60.0


# ---------------------------------------------------------------------- HTML


def test_html_has_one_table_row_per_app(report):
    page = dr_report.render_html(report)
    rows = re.findall(r'<tr class="app-row (\w+)" data-app="([^"]*)">', page)
    assert rows == [("passed", "wordpress"), ("failed", "shop"), ("skipped", "inventory")]
    assert "prod-east \u2192 dr-west" in page
    assert "6m 52s / 15m 00s" in page and "missed" in page
    assert "clone did not become ready" in page
    assert 'id="verdict">FAILED<' in page


def test_html_timeline_has_one_bar_per_timed_step(report):
    page = dr_report.render_html(report)
    svg = re.search(r"<svg .*?</svg>", page, re.DOTALL).group(0)
    bars = re.findall(r'<rect class="bar" data-app="([^"]*)" data-step="([^"]*)" data-status="(\w+)"', svg)
    assert bars == [("wordpress", "snapshot", "passed"), ("wordpress", "clone", "passed"),
                    ("wordpress", "verify", "passed"), ("shop", "snapshot", "passed"), ("shop", "clone", "failed")]
    ticks = re.findall(r'<text class="tick"[^>]*>([^<]*)</text>', svg)
    assert ticks[0] == "0:00" and "10:00" in ticks and 3 <= len(ticks) <= 11
    assert 'class="legend"' in svg and ">snapshot</text>" in svg and "failed step" in svg


def test_html_bar_positions_follow_time(report):
    svg = dr_report.render_html(report)
    xs = [float(x) for x in re.findall(r'<rect class="bar"[^>]* x="([\d.]+)"', svg)]
    assert xs == sorted(xs[:3]) + sorted(xs[3:]) and xs[3] > xs[2]
    assert xs[0] == pytest.approx(210 + 2 / 672 * 870, abs=0.1)


def test_html_is_self_contained(report):
    page = dr_report.render_html(report)
    for forbidden in ("http://", "https://", "src=", "href=", "<script", "<link", "@import", "url(http"):
        assert forbidden not in page.lower(), forbidden
    assert "<style>" in page and "@media print" in page and "size: A4" in page


def test_html_without_timings_has_no_chart():
    page = dr_report.render_html(build_report("drill", STARTED, FINISHED, [{"name": "a", "status": "passed"}]))
    assert "no-timeline" in page and '<rect class="bar"' not in page


def test_html_escapes_user_strings():
    apps = [{"name": "<script>alert(1)</script>", "status": "failed", "message": 'x" onload="y', "cluster": "a&b",
             "steps": [step("<b>s</b>", STARTED, FINISHED, "failed", "<img src=x>")]}]
    page = dr_report.render_html(build_report("drill", STARTED, FINISHED, apps, title="<i>t</i>",
                                              extra={"<k>": "<v>"}))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page and "<b>s</b>" not in page and "<i>t</i>" not in page and "<k>" not in page
    assert 'onload="y' not in page and "a&amp;b" in page


def test_long_timelines_use_hours():
    apps = [{"name": "a", "status": "passed", "steps": [step("restore", STARTED, "2025-01-31T12:30:00Z")]}]
    svg = dr_report.render_html(build_report("failback", STARTED, "2025-01-31T12:30:00Z", apps))
    ticks = re.findall(r'<text class="tick"[^>]*>([^<]*)</text>', svg)
    assert ticks[:2] == ["0:00:00", "0:30:00"] and ticks[-1] == "3:00:00"


# ---------------------------------------------------------------------- JUnit


def test_junit_is_valid_with_failure_and_skipped(report):
    root = ET.fromstring(dr_report.render_junit(report).encode("utf-8"))
    suite = root.find("testsuite")
    assert suite.get("name") == "kubedr.astra.drill"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped"), suite.get("errors")) == ("3", "1", "1", "0")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert list(cases) == ["wordpress", "shop", "inventory"]
    assert cases["wordpress"].get("time") == "432.500"
    assert cases["wordpress"].find("failure") is None and cases["wordpress"].find("skipped") is None
    failure = cases["shop"].find("failure")
    assert failure.get("message") == "clone did not become ready" and "FAILED clone 3m 08s: timed out" in failure.text
    assert cases["inventory"].find("skipped").get("message") == "excluded"


def test_junit_escapes_and_drops_control_characters():
    apps = [{"name": 'a<b>&"c"', "status": "failed", "message": "\x1b[31mred\x1b[0m <boom> & more"}]
    text = dr_report.render_junit(build_report("drill", STARTED, FINISHED, apps))
    case = ET.fromstring(text.encode("utf-8")).find("testsuite/testcase")
    assert case.get("name") == 'a<b>&"c"'
    assert case.find("failure").get("message") == "[31mred[0m <boom> & more"


def test_junit_failure_message_defaults_to_the_failed_step():
    apps = [{"name": "a", "status": "failed", "steps": [step("clone", STARTED, FINISHED, "failed")]}]
    case = ET.fromstring(dr_report.render_junit(build_report("drill", STARTED, FINISHED, apps))).find("testsuite/testcase")
    assert case.find("failure").get("message") == "failed at step clone"


# ---------------------------------------------------------------------- secrets


def test_secrets_are_scrubbed_everywhere():
    apps = [{"name": "a", "status": "failed", "message": "GET failed with Authorization: Bearer abc.def-123",
             "astra_ids": {"source_app_id": "1", "API_Token": "tok-123"}}]
    extra = {"api_url": "sim", "nested": {"Password": "pw-123", "list": [{"client_secret": "sec-123"}]},
             "authorization_header": "Bearer zzz-123", "token_ttl": 300}
    report = build_report("drill", STARTED, FINISHED, apps, extra=extra)
    contents = dr_report.render_all(report)
    for content in contents.values():
        for secret in ("tok-123", "pw-123", "sec-123", "zzz-123", "abc.def-123"):
            assert secret not in content
        assert dr_report.REDACTED in content
    assert report["extra"]["nested"] == {"Password": "VALUE_REDACTED", "list": [{"client_secret": "VALUE_REDACTED"}]}
    assert report["extra"]["token_ttl"] == "VALUE_REDACTED" and report["extra"]["api_url"] == "sim"
    assert report["apps"][0]["message"] == "GET failed with Authorization: Bearer VALUE_REDACTED"


def test_scrub_leaves_the_input_alone():
    data = {"token": "t", "keep": ["x"]}
    assert dr_report.scrub(data) == {"token": "VALUE_REDACTED", "keep": ["x"]}
    assert data == {"token": "t", "keep": ["x"]}


# ---------------------------------------------------------------------- validation


@pytest.mark.parametrize("started, finished, apps, expected", [
    ("yesterday", FINISHED, [], "started: 'yesterday' is not an ISO 8601 timestamp"),
    (STARTED, "", [], "finished: a timestamp is required"),
    (FINISHED, STARTED, [], "finished: 2025-01-31T09:30:00Z is before started 2025-01-31T09:41:12Z"),
    (STARTED, FINISHED, [{"name": "a", "status": "ok"}], "apps[0].status: 'ok' is not one of passed, failed, skipped"),
    (STARTED, FINISHED, [{"status": "passed"}], "apps[0].name: an app name is required"),
    (STARTED, FINISHED, [{"name": "a", "status": "passed"},
                         {"name": "b", "status": "passed", "steps": [step("s", FINISHED, STARTED)]}],
     "apps[1].steps[0].finished: 2025-01-31T09:30:00Z is before apps[1].steps[0].started 2025-01-31T09:41:12Z"),
    (STARTED, FINISHED, [{"name": "a", "status": "passed", "steps": [step("s", "noon", FINISHED)]}],
     "apps[0].steps[0].started: 'noon' is not an ISO 8601 timestamp"),
    (STARTED, FINISHED, [{"name": "a", "status": "passed", "steps": [step("s", STARTED, FINISHED, "done")]}],
     "apps[0].steps[0].status: 'done' is not one of passed, failed, skipped"),
    (STARTED, FINISHED, [{"name": "a", "status": "passed", "rto_seconds": -1}], "apps[0].rto_seconds: must not be negative"),
    (STARTED, FINISHED, [{"name": "a", "status": "passed", "rpo_target_seconds": "soon"}],
     "apps[0].rpo_target_seconds: expected a number of seconds"),
])
def test_validation_errors_name_the_option(started, finished, apps, expected):
    with pytest.raises(ReportError) as exc:
        build_report("drill", started, finished, apps)
    assert str(exc.value).startswith(expected)


def test_unknown_keys_are_errors():
    with pytest.raises(ReportError, match=r"^apps\[0\]\.steps\[1\]: unknown key\(s\) duration; the keys are name, started"):
        build_report("drill", STARTED, FINISHED, [{"name": "a", "status": "passed", "steps": [
            step("s", STARTED, FINISHED), dict(step("t", STARTED, FINISHED), duration=3)]}])


def test_unknown_runbook():
    with pytest.raises(ReportError, match="^runbook: 'test' is not one of"):
        build_report("test", STARTED, FINISHED, [])


# ---------------------------------------------------------------------- files


def test_report_directory_naming():
    assert dr_report.report_directory("/r", "drill", "2025-01-31T10:30:05.9+01:00") == "/r/drill-20250131T093005Z"
    assert dr_report.report_directory("/r", "drill", STARTED, timestamped=False) == "/r"


def test_write_report_atomically_with_mode_0644(tmp_path, report):
    contents = dr_report.render_all(report)
    target = tmp_path / "a" / "b"
    old_umask = os.umask(0o077)
    try:
        paths = dr_report.write_report(str(target), contents)
    finally:
        os.umask(old_umask)
    assert sorted(os.listdir(target)) == ["junit.xml", "report.html", "report.json"]
    for kind, path in paths.items():
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
        with open(path, encoding="utf-8") as handle:
            assert handle.read() == contents[kind]
    assert dr_report.planned_changes(str(target), contents) == []
    (target / "junit.xml").write_text("stale")
    assert dr_report.planned_changes(str(target), contents) == ["junit"]


# ---------------------------------------------------------------------- a run that stopped early, warnings

def test_a_run_that_stopped_early_never_passes_even_when_every_app_did():
    apps = [dict(sample_apps()[0])]
    stopped = build_report("drill", STARTED, FINISHED, apps, run_error="Verify | x: the task includes an undefined variable")
    assert stopped["run"]["passed"] is False and stopped["run"]["failed_apps"] == []
    assert stopped["run"]["error"] == "Verify | x: the task includes an undefined variable"
    html = dr_report.render_html(stopped)
    assert ">FAILED<" in html and 'id="run-error"' in html and "undefined variable" in html
    root = ET.fromstring(dr_report.render_junit(stopped).split("\n", 1)[1])
    assert root.get("errors") == "1" and root.get("tests") == "2"
    error = root.find("./testsuite/testcase[@name='run']/error")
    assert error is not None and "undefined variable" in error.get("message")


def test_a_run_error_is_scrubbed_of_bearer_tokens():
    stopped = build_report("drill", STARTED, FINISHED, [], run_error="curl -H 'Authorization: Bearer abc.def' failed")
    assert "abc.def" not in json.dumps(stopped)


def test_step_warnings_are_kept_shown_and_listed_in_junit():
    apps = [{"name": "wordpress", "status": "passed",
             "steps": [dict(step("clone", STARTED, FINISHED), warnings=["GET x failed (HTTP 503); retry 1 in 0.4 s"])]}]
    built = build_report("drill", STARTED, FINISHED, apps)
    assert built["apps"][0]["steps"][0]["warnings"] == ["GET x failed (HTTP 503); retry 1 in 0.4 s"]
    assert 'class="warning">warning: GET x failed (HTTP 503)' in dr_report.render_html(built)
    assert "WARNING clone: GET x failed (HTTP 503); retry 1 in 0.4 s" in dr_report.render_junit(built)
    with pytest.raises(ReportError, match=r"apps\[0\].steps\[0\].warnings: expected a list"):
        build_report("drill", STARTED, FINISHED, [{"name": "w", "status": "passed",
                                                   "steps": [dict(step("clone", STARTED, FINISHED), warnings="x")]}])


def test_a_posture_report_has_one_junit_case_per_app_and_check_and_no_timeline():
    checks = [{"name": "managed", "status": "passed", "message": "postgres is managed on prod-east (state ready)"},
              {"name": "backup", "status": "failed", "message": "no completed backup"},
              {"name": "mirror transfer", "status": "skipped", "message": "no mirror"}]
    apps = [{"name": "postgres", "cluster": "prod-east", "status": "failed", "message": "backup: no completed backup",
             "steps": checks},
            {"name": "namespace billing", "cluster": "prod-east", "status": "failed",
             "steps": [{"name": "estate entry", "status": "failed", "message": "no managed app holds it"}]}]
    report = build_report("posture", STARTED, STARTED, apps)
    root = ET.fromstring(dr_report.render_junit(report))
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "2", "1")
    cases = [(case.get("classname"), case.get("name"), [child.tag for child in case]) for case in suite.iter("testcase")]
    assert cases == [
        ("kubedr.astra.posture.prod-east.postgres", "managed", ["system-out"]),
        ("kubedr.astra.posture.prod-east.postgres", "backup", ["failure"]),
        ("kubedr.astra.posture.prod-east.postgres", "mirror transfer", ["skipped"]),
        ("kubedr.astra.posture.prod-east.namespace billing", "estate entry", ["failure"])]
    assert suite.find("testcase[@name='backup']/failure").get("message") == "no completed backup"
    html = dr_report.render_html(report)
    assert "<h2>Timeline</h2>" not in html and "<h2>Checks and Astra Control identifiers</h2>" in html
    assert "no completed backup" in html and json.loads(dr_report.render_json(report))["apps"][0]["steps"][1] == {
        "name": "backup", "status": "failed", "started": None, "finished": None, "duration_seconds": None,
        "message": "no completed backup", "warnings": []}
