# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the runbooks decide for AWX: an unplanned failover only when confirmed by name, a subset of the apps, and the
stats every run publishes with set_stats (verdict, RTO/RPO, report paths and their durable copy) - the values
asserted."""

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.runbook import (
    RunbookError,
    new_record,
    normalise_apps,
    preflight_failure,
    preflight_findings,
    published_reports,
    read_clusters,
    record_step,
    report_copy,
    run_stats,
    select_apps,
    stats_data,
    unplanned_confirmation,
    verdict_message,
)

CLUSTERS = read_clusters({"clusters": [
    {"name": "prod-east", "state": "failed", "managedState": "managed"},
    {"name": "dr-west", "state": "running", "managedState": "managed"},
]})
MIRRORS = {"postgres@prod-east": {"id": "m1"}, "shop@prod-east": {"id": "m2"}}
T0, T1, T2 = "2025-01-31T09:30:00Z", "2025-01-31T09:31:00Z", "2025-01-31T09:34:05.500Z"
REPORT = {"directory": "/job/project/reports/drill-20250131T093000Z",
          "json": "/job/project/reports/drill-20250131T093000Z/report.json",
          "html": "/job/project/reports/drill-20250131T093000Z/report.html",
          "junit": "/job/project/reports/drill-20250131T093000Z/junit.xml", "passed": True, "failed_apps": []}
UNCONFIRMED = ("postgres (prod-east -> dr-west): an unplanned failover brings it up on dr-west from its last replicated "
               "snapshot (what was written since is lost) and stops its replication; confirm it by naming it in "
               "failover_confirm_unplanned, or set failover_confirm_unplanned: all")


def failover_apps(*names):
    return normalise_apps([{"name": name, "cluster": "prod-east", "destination_cluster": "dr-west"} for name in names],
                          "failover")


def failover_problems(normalised, planned=False, confirm=None, clusters=None):
    checks = {"planned": planned, "mirrors": MIRRORS, "checks": {}}
    if confirm is not None:
        checks["confirm_unplanned"] = confirm
    return preflight_findings(normalised, "failover", clusters or CLUSTERS, checks)["problems"]


# An unplanned failover is confirmed by name, or refused in the pre-flight

def test_an_unconfirmed_unplanned_failover_is_refused_for_every_app_naming_the_variable():
    problems = failover_problems(failover_apps("postgres", "shop"))
    assert problems["postgres@prod-east"] == [UNCONFIRMED]
    assert problems["shop@prod-east"] == [UNCONFIRMED.replace("postgres", "shop")]
    message = preflight_failure({"problems": problems}, "failover")
    assert message[0] == "Pre-flight failed; nothing was changed. Problems:"
    assert len(message) == 3 and all("failover_confirm_unplanned" in line for line in message[1:])


@pytest.mark.parametrize("confirm", [["postgres", "shop"], "postgres,shop", " shop , postgres ", ["all"], "all",
                                     ["postgres@prod-east", "shop"], ["postgres, shop"], ["all", "nonsense"]])
def test_a_confirmation_naming_every_app_or_all_lets_it_go_ahead(confirm):
    assert failover_problems(failover_apps("postgres", "shop"), confirm=confirm) == {
        "postgres@prod-east": [], "shop@prod-east": []}


def test_a_partial_or_mistyped_confirmation_refuses_the_apps_it_does_not_name():
    problems = failover_problems(failover_apps("postgres", "shop"), confirm=["postgres"])
    assert problems == {"postgres@prod-east": [], "shop@prod-east": [UNCONFIRMED.replace("postgres", "shop")]}
    stray = ("failover_confirm_unplanned names postgress, shop@dr-west, which is no app of this failover (its apps: "
             "postgres, shop)")
    typo = failover_problems(failover_apps("postgres", "shop"), confirm=["postgress", "shop", "shop@dr-west"])
    assert typo == {"postgres@prod-east": [UNCONFIRMED, stray], "shop@prod-east": [stray]}
    # the stray name is said once in the closing message
    assert preflight_failure({"problems": typo}, "failover")[1:] == [UNCONFIRMED, stray]


def test_a_planned_failover_needs_no_confirmation_and_ignores_one():
    assert failover_problems(failover_apps("postgres"), planned=True) == {"postgres@prod-east": [
        "cluster prod-east of postgres cannot be reached (state failed); a planned failover stops the app there first: "
        "run an unplanned failover (failover_mode: unplanned)"]}
    running = read_clusters({"clusters": [{"name": "prod-east", "state": "running", "managedState": "managed"},
                                          {"name": "dr-west", "state": "running", "managedState": "managed"}]})
    assert failover_problems(failover_apps("postgres"), planned=True, confirm="nonsense", clusters=running) == {
        "postgres@prod-east": []}


def test_the_confirmation_is_asked_for_even_when_astra_control_cannot_be_read():
    unreachable = read_clusters({"failed": True, "msg": "401 Unauthorized"})
    problems = failover_problems(failover_apps("postgres"), clusters=unreachable)
    assert problems["postgres@prod-east"] == [
        UNCONFIRMED, "Astra Control cannot be reached or refused the credentials: 401 Unauthorized"]


@pytest.mark.parametrize("confirm", [{"postgres": True}, [1], 5])
def test_a_confirmation_that_is_no_list_of_names_is_an_error(confirm):
    with pytest.raises(RunbookError, match="failover_confirm_unplanned must be a list of app names"):
        unplanned_confirmation(failover_apps("postgres"), confirm)


# A subset of the apps

def test_only_apps_selects_by_name_or_key_in_the_estate_order():
    estate = normalise_apps([{"name": "postgres", "cluster": "prod-east", "wave": 1},
                             {"name": "shop", "cluster": "prod-east", "wave": 3},
                             {"name": "shop", "cluster": "prod-west", "wave": 2}], "drill",
                            {"destination_cluster": "dr-west"})
    assert select_apps(estate, [], "drill") == estate
    assert select_apps(estate, None, "drill") == estate
    assert select_apps(estate, "", "drill") == estate
    assert [app["key"] for app in select_apps(estate, "shop", "drill")] == ["shop@prod-east", "shop@prod-west"]
    assert [app["key"] for app in select_apps(estate, ["shop@prod-west", "postgres"], "drill")] == [
        "postgres@prod-east", "shop@prod-west"]
    assert [app["key"] for app in select_apps(estate, "shop@prod-east, postgres", "drill")] == [
        "postgres@prod-east", "shop@prod-east"]


def test_a_name_that_is_no_app_stops_the_run_naming_the_option_and_the_apps():
    estate = normalise_apps([{"name": "postgres", "cluster": "prod-east"}], "protect")
    with pytest.raises(RunbookError) as raised:
        select_apps(estate, ["postgres", "wordpres"], "protect")
    assert str(raised.value) == ("protect_only_apps names wordpres, which no entry of protect_apps has (its apps: "
                                 "postgres@prod-east); nothing was done")


# What a run publishes with set_stats

def drill_record(clone_status="passed", rto=65.5, rpo=1800.0):
    record = new_record(normalise_apps(
        [{"name": "postgres", "cluster": "prod-east", "rto_target_seconds": 300},
         {"name": "shop", "cluster": "prod-east", "wave": 2}], "drill", {"destination_cluster": "dr-west"}))
    for key in record:
        record = record_step(record, key, {"name": "pre-flight", "status": "passed", "started": T0, "finished": T0})
    record = record_step(record, "postgres@prod-east", {"name": "clone", "status": clone_status, "started": T1,
                                                        "finished": T2}, rto_seconds=rto, rpo_seconds=rpo)
    record = record_step(record, "shop@prod-east", {"name": "clone", "status": "passed", "started": T1, "finished": T2})
    return record


def test_the_stats_of_a_passed_run_carry_the_verdict_rto_rpo_and_report_paths():
    stats = run_stats(drill_record(), "drill", REPORT, clones={"removed": [], "kept": [], "left": []})
    assert stats == {
        "runbook": "drill", "run_id": None, "verdict": "passed", "check_mode": False, "failed_apps": [], "run_error": None,
        "apps": [
            {"name": "postgres", "cluster": "prod-east", "destination_cluster": "dr-west", "wave": 1,
             "status": "passed", "rto_seconds": 65.5, "rto_target_seconds": 300, "rpo_seconds": 1800.0,
             "rpo_target_seconds": None, "message": None},
            {"name": "shop", "cluster": "prod-east", "destination_cluster": "dr-west", "wave": 2, "status": "passed",
             "rto_seconds": None, "rto_target_seconds": None, "rpo_seconds": None, "rpo_target_seconds": None,
             "message": None}],
        "report": {"directory": REPORT["directory"], "json": REPORT["json"], "html": REPORT["html"],
                   "junit": REPORT["junit"]},
        "report_copy": None, "report_copy_error": None, "clones": "none created"}
    assert stats_data(stats) == {"kubedr_astra_drill": stats}


def test_a_run_with_a_run_id_also_publishes_its_stats_under_a_key_of_its_own():
    # AWX merges the artifacts of a workflow node's parents key by key (WorkflowJob.get_effective_artifacts): the two
    # slices of a sliced drill both publish kubedr_astra_drill, and only their own keys keep both.
    stats = run_stats(drill_record(), "drill", dict(REPORT, run_id="awx-job-4711"))
    assert stats["run_id"] == "awx-job-4711"
    assert stats_data(stats) == {"kubedr_astra_drill": stats, "kubedr_astra_drill_run_awx_job_4711": stats}
    odd = run_stats(drill_record(), "protect", dict(REPORT, run_id="cluster.prod-01"))
    assert sorted(stats_data(odd)) == ["kubedr_astra_protect", "kubedr_astra_protect_run_cluster_prod_01"]


def test_the_stats_of_a_failed_run_say_failed_and_why():
    report = dict(REPORT, passed=False, failed_apps=["postgres"])
    stats = run_stats(drill_record(rto=400), "drill", report, run_error="Wave 2 | clone: HTTP 503")
    assert (stats["verdict"], stats["failed_apps"]) == ("failed", ["postgres"])
    assert stats["run_error"] == "Wave 2 | clone: HTTP 503"
    (postgres, _shop) = stats["apps"]
    assert (postgres["status"], postgres["rto_seconds"]) == ("failed", 400)
    assert postgres["message"] == "RTO 400 s exceeds the target of 300 s"
    assert "clones" not in stats


def test_in_check_mode_nothing_was_written_or_copied_and_targets_are_not_judged():
    stats = run_stats(drill_record(rto=400), "drill", REPORT, check_mode=True, copy_dir="/mnt/evidence",
                      copy_result={"skipped": True})
    assert (stats["check_mode"], stats["report"], stats["report_copy"], stats["report_copy_error"]) == (
        True, None, None, None)
    assert [app["status"] for app in stats["apps"]] == ["passed", "passed"]


def test_a_copied_report_is_named_where_it_is_now():
    paths, error = report_copy(REPORT, "/mnt/evidence/", {"changed": True, "dest": "/mnt/evidence/"})
    assert error is None
    assert paths == {"directory": "/mnt/evidence/drill-20250131T093000Z",
                     "json": "/mnt/evidence/drill-20250131T093000Z/report.json",
                     "html": "/mnt/evidence/drill-20250131T093000Z/report.html",
                     "junit": "/mnt/evidence/drill-20250131T093000Z/junit.xml"}
    stats = run_stats(drill_record(), "drill", REPORT, copy_dir="/mnt/evidence/", copy_result={"changed": False})
    assert (stats["verdict"], stats["report_copy"]) == ("passed", paths)


@pytest.mark.parametrize("copy_result, why", [
    ({"failed": True, "msg": "Destination /mnt/evidence not writable"}, "Destination /mnt/evidence not writable"),
    ({"failed": True}, "failed (no message)"),
    ({"skipped": True}, "the copy did not run"),
    (None, "the copy did not run"),
])
def test_a_report_that_could_not_be_copied_fails_the_run_and_says_why(copy_result, why):
    stats = run_stats(drill_record(), "drill", REPORT, copy_dir="/mnt/evidence", copy_result=copy_result)
    assert stats["verdict"] == "failed" and stats["report_copy"] is None
    assert stats["report_copy_error"] == "The report could not be copied to /mnt/evidence: %s" % why
    # the report itself passed and was written: the closing message says both
    expected = "The drill passed. The report could not be copied to /mnt/evidence: %s. Report: %s" % (
        why.rstrip("."), REPORT["html"])
    assert verdict_message("drill", REPORT, copy_error=stats["report_copy_error"]) == expected


def test_stats_need_a_runbook_and_stats():
    with pytest.raises(RunbookError, match="run_stats: runbook 'restore' is not one of"):
        run_stats({}, "restore", REPORT)
    with pytest.raises(RunbookError, match="stats_data: expected what run_stats returns"):
        stats_data({"verdict": "passed"})


def slice_stats(run_id, copy_dir="/mnt/evidence", copy_result=None, check_mode=False):
    directory = "/runner/project/reports/drill-20250131T093000Z-%s" % run_id
    report = dict(REPORT, run_id=run_id, directory=directory, json=directory + "/report.json",
                  html=directory + "/report.html", junit=directory + "/junit.xml")
    return run_stats(drill_record(), "drill", report, copy_dir=copy_dir, check_mode=check_mode,
                     copy_result={"changed": True} if copy_result is None else copy_result)


def test_the_reports_to_merge_are_the_copies_the_runs_made():
    published = published_reports([slice_stats("awx-job-102"), slice_stats("awx-job-101")], "drill")
    assert published == {
        "reports": ["/mnt/evidence/drill-20250131T093000Z-awx-job-101/report.json",
                    "/mnt/evidence/drill-20250131T093000Z-awx-job-102/report.json"],
        "left_out": []}
    # no copy asked for: the report where the run wrote it (a run on this machine)
    assert published_reports([slice_stats("local-1", copy_dir="")], "drill")["reports"] == [
        "/runner/project/reports/drill-20250131T093000Z-local-1/report.json"]


def test_a_run_whose_report_was_not_kept_is_left_out_saying_why():
    published = published_reports([
        slice_stats("awx-job-101"),
        slice_stats("awx-job-102", copy_result={"failed": True, "msg": "Destination /mnt/evidence not writable"}),
        slice_stats("awx-job-103", check_mode=True)], "drill")
    assert published == {
        "reports": ["/mnt/evidence/drill-20250131T093000Z-awx-job-101/report.json"],
        "left_out": ["awx-job-102: The report could not be copied to /mnt/evidence: Destination /mnt/evidence not "
                     "writable", "awx-job-103: ran in check mode and wrote no report"]}


def test_published_reports_need_the_stats_of_runs_of_the_runbook():
    with pytest.raises(RunbookError, match="published_reports: run awx-job-101 is a drill run, not a protect run"):
        published_reports([slice_stats("awx-job-101")], "protect")
    with pytest.raises(RunbookError, match="published_reports: expected what run_stats returns"):
        published_reports([{"verdict": "passed"}], "drill")
    with pytest.raises(RunbookError, match="published_reports: expected a list"):
        published_reports({"runbook": "drill"}, "drill")
