"""Permanent faults: an API that answers 500 to everything, an operation that ends failed, a cluster outage in the
middle of a wave. Tasks fail within their timeouts with the API's reason and the resource named; the runbook stops
where its rules say and its report says which app failed at which step and why; a rerun after the fault clears
converges without redoing what is done.
"""
import datetime
import json
import time
from pathlib import Path

from playbook_harness import ROOT, launch_playbook, make_run_playbook
from reliability import census, duplicates, record_figures

PLAYBOOKS = ROOT / "playbooks"


def seconds(timing):
    started, finished = (datetime.datetime.fromisoformat(timing[key].replace("Z", "+00:00")) for key in ("started", "finished"))
    return (finished - started).total_seconds()


def task_results(run_playbook, tmp_path, tasks, **kwargs):
    results_path = tmp_path / "results.json"
    playbook = tmp_path / "tasks.yml"
    steps = []
    for index, task in enumerate(tasks):
        steps += [dict(task, register="result", ignore_errors=True),
                  {"name": "Keep %d" % index, "ansible.builtin.set_fact": {"results": "{{ results + [result] }}"}}]
    steps.append({"name": "Save", "ansible.builtin.copy": {"content": "{{ results | to_json }}", "dest": str(results_path),
                                                           "mode": "0600"}})
    playbook.write_text(json.dumps([{"name": "Tasks", "hosts": "localhost", "connection": "local", "gather_facts": False,
                                     "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}", "results": []},
                                     "tasks": steps}]))
    run = run_playbook(str(playbook), **kwargs)
    assert run.rc == 0, run
    return json.loads(results_path.read_text())


def test_an_api_that_answers_500_fails_each_task_within_its_retry_timeout_naming_the_resource(
        sim, run_playbook, tmp_path):
    sim.control("PUT", "faults", json={"http_error_rate": 1.0, "http_error_statuses": [500]})
    reads = task_results(run_playbook, tmp_path, [
        {"name": "Read the apps", "kubedr.astra.astra_app_info": {"name": "postgres"}},
        {"name": "Snapshot postgres", "kubedr.astra.astra_app_snapshot": {"app": "postgres", "name": "s1"}},
    ], env={"ASTRA_RETRY_TIMEOUT": "3"})
    sim.control("PUT", "faults", json={"http_error_rate": 1.0, "http_error_statuses": [500], "methods": ["POST"]})
    creates = task_results(run_playbook, tmp_path, [
        {"name": "Manage postgres", "kubedr.astra.astra_app": {"name": "postgres", "cluster": "prod-east"}},
    ], env={"ASTRA_RETRY_TIMEOUT": "3"})
    sim.control("DELETE", "faults")

    for result in reads + creates:
        assert result["failed"], result
        assert "Internal server error - The server was unable to process this request." in result["msg"], result["msg"]
        assert "HTTP 500, problem 34" in result["msg"] and "within retry_timeout 3 s" in result["msg"], result["msg"]
        assert seconds(result["timing"]) < 3 + 2, result["timing"]
    assert reads[0]["msg"].startswith("Look up app postgres failed:")
    assert reads[1]["msg"].startswith("Look up app postgres failed:")
    assert creates[0]["msg"].startswith("Create app 'postgres' failed:") and "no app was created" in creates[0]["msg"]
    assert census(sim)["apps"] == [], "the refused creates left nothing behind"
    record_figures("permanent-500", tasks=3, failed_clearly=3,
                   slowest_failure_seconds=round(max(seconds(result["timing"]) for result in reads + creates), 2),
                   retry_timeout=3)


def newest_report(reports, runbook):
    directory = sorted(Path(reports).glob(runbook + "-*"))[-1]
    report = json.loads((directory / "report.json").read_text())
    return report, {app["name"]: app for app in report["apps"]}


def steps_of(app):
    return {step["name"]: (step["status"], step["message"]) for step in app["steps"]}


PROTECT_ONE = [{"name": "postgres", "cluster": "prod-east", "wave": 1}]


def test_a_backup_that_ends_failed_stops_the_wave_and_a_rerun_takes_only_that_backup_again(sim, run_playbook, tmp_path):
    reports = tmp_path / "reports"
    extra = {"protect_apps": PROTECT_ONE, "dr_report_path": str(reports)}
    sim.control("PUT", "faults", json={"fail_next": {"appBackup": 1}})
    failed = run_playbook(str(PLAYBOOKS / "protect.yml"), extra_vars=extra)
    assert failed.rc != 0, failed
    report, apps = newest_report(reports, "protect")
    broken = [name for name, app in apps.items() if app["status"] == "failed"]
    assert len(broken) == 1 and report["run"]["failed_apps"] == broken, report
    (name,) = broken
    status, message = steps_of(apps[name])["backup"]
    assert status == "failed" and "backup 'protect-%s-initial'" % name in message and "ended in state failed" in message
    assert "Wave 1 failed for %s" % name in report["run"]["error"]

    sim.clear_requests_log()
    rerun = run_playbook(str(PLAYBOOKS / "protect.yml"), extra_vars=extra)
    assert rerun.rc == 0, rerun
    report, apps = newest_report(reports, "protect")
    assert report["run"]["passed"]
    for app_name, app in apps.items():
        for step, (status, step_message) in steps_of(app).items():
            if step in ("pre-flight",) or (app_name == name and step == "backup"):
                continue
            assert status == "passed" and step_message == "already done: nothing changed", (app_name, step, step_message)
    assert steps_of(apps[name])["backup"][0] == "passed" and steps_of(apps[name])["backup"][1] is None
    writes = [(entry["method"], entry["path"].rsplit("/", 1)[-1]) for entry in sim.requests_log()
              if entry["method"] in ("POST", "PUT", "DELETE")]
    assert [method for method, _last in writes] == ["DELETE", "POST"], writes
    assert "replace_failed" in rerun.output
    world = census(sim)
    assert duplicates(world) == {} and world["backups"].count("%s@prod-east/protect-%s-initial" % (name, name)) == 1
    record_figures("permanent-failed-operation", operation="backup (fail_next)", failed_app=name, run="failed at backup",
                   rerun="converged", rerun_writes=len(writes), steps_redone=0)


def test_a_cluster_outage_in_the_middle_of_a_wave_stops_the_run_and_a_rerun_finishes_it(simulators, tmp_path):
    """prod-east goes down right after wave 2's apps were submitted: their discovery stalls until their wait times out."""
    sim = simulators(1.0)  # discovery takes 4 s: time enough to take the cluster down while it runs, even under load
    reports = tmp_path / "reports"
    apps = [{"name": "postgres", "cluster": "prod-east", "wave": 1},
            {"name": "wordpress", "cluster": "prod-east", "wave": 2}, {"name": "jenkins", "cluster": "prod-east", "wave": 2}]
    extra = {"protect_apps": apps, "protect_snapshot_now": False, "protect_backup_now": False,
             "protect_wait_timeout": 8, "dr_report_path": str(reports)}
    process = launch_playbook(sim, PLAYBOOKS / "protect.yml", extra_vars=extra)
    try:
        deadline = time.monotonic() + 180
        while True:
            posted = [entry for entry in sim.requests_log()
                      if entry["method"] == "POST" and entry["path"].endswith("/k8s/v2/apps") and entry["status"] == 201]
            if len(posted) >= 3:
                break
            assert time.monotonic() < deadline and process.poll() is None, process.communicate()[0]
            time.sleep(0.05)
        sim.control("POST", "clusters/prod-east/outage")
        output = process.communicate(timeout=300)[0]
    finally:
        if process.poll() is None:
            process.kill()
        sim.control("DELETE", "clusters/prod-east/outage")
    assert process.returncode != 0, output
    assert sim.token not in output
    report, by_name = newest_report(reports, "protect")
    assert by_name["postgres"]["status"] == "passed"
    for name in ("wordpress", "jenkins"):
        status, message = steps_of(by_name[name])["manage app"]
        assert status == "failed" and "app '%s'" % name in message and "wait_timeout 8" in message, message
    assert "Wave 2 failed for" in report["run"]["error"]

    again = make_run_playbook(sim)(str(PLAYBOOKS / "protect.yml"), extra_vars=dict(extra, protect_wait_timeout=120))
    assert again.rc == 0, again
    report, by_name = newest_report(reports, "protect")
    assert report["run"]["passed"]
    for step, (status, message) in steps_of(by_name["postgres"]).items():
        assert step == "pre-flight" or message == "already done: nothing changed", (step, message)
    assert duplicates(census(sim)) == {}
    record_figures("permanent-outage", outage="prod-east during wave 2", run="stopped after wave 2",
                   rerun="converged", wave1_steps_redone=0)
