"""A large estate split across AWX execution capacity: a sliced drill job template, its two slice jobs at once against
one Astra Control account, then the merge job - as AWX runs them, with ansible-runner.

What AWX does, from its source (ansible/awx, awx/main):
- an inventory source is synced with `ansible-inventory --list --export` (tasks/jobs.py, RunInventoryUpdate);
- a job template with job_slice_count N > 1 launches a workflow of N slice jobs (models/jobs.py,
  JobTemplate.create_unified_job), which may run at the same time (models/workflow.py sets allow_simultaneous);
- slice k of N gets the inventory's enabled hosts ordered by name, from the (k-1)th, every Nth
  (models/inventory.py, Inventory.get_script_data and get_sliced_hosts: host_queryset[offset::slice_count]), written
  into the job's private data directory as inventory/hosts, a script that prints the JSON (tasks/jobs.py,
  write_inventory_file) with every group but only the slice's hosts;
- every job gets awx_job_id / tower_job_id and, in a workflow, awx_workflow_job_id as extra variables (awx_meta_vars in
  models/unified_jobs.py and models/jobs.py); no extra variable names the slice;
- a workflow node after the sliced job gets, as extra variables, the artifacts of the slice jobs merged key by key in
  the order they finished, the last one winning (WorkflowJob.get_effective_artifacts in models/workflow.py).

One simulator (scale scenario, 10 apps on prod-01 and prod-02, each with a DR peer); the inventory holds the production
apps and each slice drills its mirror sources (drill_hosts), the apps with a backup and a DR cluster. Checked: both slices
pass and ran at the same time; their reports together hold every selected app once; every app was cloned once (the
request log) and no clone name or namespace was used twice; each slice's report directory is its own; the merge job
merges the two reports into one that passes and spans both runs; without one slice's artifacts the merge fails, saying
a report is missing.
"""
import datetime
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from playbook_harness import BIN, ROOT, Simulator, playbook_env
from test_awx_job import assert_no_token, job_command, job_outcome, private_data_dir

APPS = 5           # 4 of them replicated, split over the slices (each app drilled costs the controller seconds of CPU)
SLICES = 2
SLICE_JOB_IDS = (101, 102)            # the slice jobs' awx_job_id; the sliced job's workflow is 100
MERGE_JOB_ID = 103
SIMULATOR_CLEANUP = ROOT / "playbooks" / "tasks" / "simulator_delete_namespaces.yml"


@pytest.fixture(scope="module")
def scale_sim():
    simulator = Simulator(scenario="scale", apps=APPS, clusters=2, tls=True, time_scale=0.02).start(timeout=90)
    yield simulator
    simulator.cleanup()


def plain(value):
    """ansible-inventory's JSON without its markers of untrusted strings: AWX stores the values themselves."""
    if isinstance(value, dict):
        if list(value) == ["__ansible_unsafe"]:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def synced_inventory(sim, tmp_path):
    """The kubedr.astra.astra inventory source of the production clusters, synced as AWX syncs it."""
    source = tmp_path / "estate.astra.yml"
    source.write_text(json.dumps({"plugin": "kubedr.astra.astra", "clusters": ["prod-01", "prod-02"]}))
    listed = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(source), "--list", "--export"],
                            env=playbook_env(sim), capture_output=True, text=True, timeout=300, check=False)
    assert listed.returncode == 0, listed.stderr
    assert sim.token not in listed.stdout + listed.stderr
    return plain(json.loads(listed.stdout))


def awx_slice(inventory, number, count):
    """The hosts of slice `number` (1-based) of `count`: Inventory.get_script_data orders the hosts by name and
    get_sliced_hosts takes host_queryset[number - 1::count]."""
    return sorted(inventory["_meta"]["hostvars"])[number - 1::count]


def slice_inventory_script(inventory, hosts):
    """inventory/hosts as AWX writes it for a slice job: a script printing every group with only the slice's hosts,
    all groups as children of all, and the slice's host variables with AWX's remote_* variables."""
    groups = [name for name in inventory if name not in ("_meta", "all", "ungrouped")]
    data = {"all": {"hosts": [host for host in hosts if not any(host in inventory[name].get("hosts", []) for name in groups)],
                    "children": groups}}
    for name in groups:
        members = [host for host in inventory[name].get("hosts", []) if host in hosts]
        if members:
            data[name] = {"hosts": members}
    data["_meta"] = {"hostvars": {}}
    for number, host in enumerate(hosts, 1):
        host_vars = dict(inventory["_meta"]["hostvars"][host])
        for prefix in ("host", "tower"):
            host_vars.update({"remote_%s_enabled" % prefix: "true", "remote_%s_id" % prefix: number})
        data["_meta"]["hostvars"][host] = host_vars
    return "#! /usr/bin/env python3\n# -*- coding: utf-8 -*-\nprint(%r)\n" % json.dumps(data)


def meta_vars(job_id, workflow_job_id, name):
    """Some of the extra variables AWX sets on a job of a workflow (awx_meta_vars), under both prefixes."""
    values = {"job_id": job_id, "job_launch_type": "workflow", "workflow_job_id": workflow_job_id,
              "workflow_job_name": name, "job_template_name": name}
    return dict(("%s_%s" % (prefix, key), value) for prefix in ("awx", "tower") for key, value in values.items())


def start(job, playbook):
    command, env = job_command(job, playbook)
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(process, job):
    output = process.communicate(timeout=600)[0]
    artifacts, events = job_outcome(job)
    (stats_event,) = [event for event in events if event["event"] == "playbook_on_stats"]
    return output, artifacts, events, stats_event["event_data"]["artifact_data"]


def moment(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_two_slices_at_once_cover_the_estate_once_and_their_reports_merge_into_one(scale_sim, tmp_path):
    sim = scale_sim
    inventory = synced_inventory(sim, tmp_path)
    hosts = sorted(inventory["_meta"]["hostvars"])
    assert len(hosts) == APPS
    selected = sorted(inventory["mirror_source"]["hosts"])
    assert len(selected) == APPS - APPS // 5      # every 5th app is not replicated: no DR cluster to drill into
    slices = [awx_slice(inventory, number, SLICES) for number in range(1, SLICES + 1)]
    assert sorted(slices[0] + slices[1]) == hosts and not set(slices[0]) & set(slices[1])

    evidence = tmp_path / "evidence"
    jobs = []
    for number, (job_id, slice_hosts) in enumerate(zip(SLICE_JOB_IDS, slices), 1):
        job = tmp_path / ("slice-%d" % number)
        private_data_dir(job, sim, Path(sim.ca_path).read_text(), dict(meta_vars(job_id, 100, "kubedr.astra drill, sliced"), **{
            "drill_hosts": "mirror_source", "drill_report_copy_dir": str(evidence), "drill_verify_tasks": "",
            "drill_cleanup_tasks": str(SIMULATOR_CLEANUP)}), ROOT / "playbooks")
        (job / "inventory").mkdir()
        (job / "inventory" / "hosts").write_text(slice_inventory_script(inventory, slice_hosts))
        (job / "inventory" / "hosts").chmod(0o700)
        jobs.append(job)

    sim.clear_requests_log()
    processes = [start(job, "drill_from_inventory.yml") for job in jobs]
    outcomes = [finish(process, job) for process, job in zip(processes, jobs)]
    reports, stats = [], []
    for job, job_id, (output, artifacts, events, artifact_data) in zip(jobs, SLICE_JOB_IDS, outcomes):
        assert (artifacts / "status").read_text() == "successful", output[-6000:]
        assert_no_token(sim, artifacts, events)
        # the run's stats, under the runbook's key and under the run's own
        published = artifact_data["kubedr_astra_drill_run_awx_job_%d" % job_id]
        assert published == artifact_data["kubedr_astra_drill"]
        assert (published["verdict"], published["run_id"], published["report_copy_error"]) == (
            "passed", "awx-job-%d" % job_id, None)
        copy = Path(published["report_copy"]["json"])
        assert copy.parent.parent == evidence and copy.parent.name.endswith("-awx-job-%d" % job_id)
        reports.append(json.loads(copy.read_text()))
        stats.append(published)

    # Each slice drilled the selected apps of its hosts, and together they drilled the selected estate once.
    for report, slice_hosts in zip(reports, slices):
        assert ["%s@%s" % (app["name"], app["cluster"]) for app in report["apps"]] == [
            host for host in slice_hosts if host in selected]
        assert report["run"]["passed"] and {app["status"] for app in report["apps"]} == {"passed"}
    drilled = ["%s@%s" % (app["name"], app["cluster"]) for report in reports for app in report["apps"]]
    assert sorted(drilled) == selected and len(set(drilled)) == len(drilled)
    # ... at the same time: each started before the other finished
    first, second = (report["run"] for report in reports)
    assert moment(first["started"]) < moment(second["finished"]) and moment(second["started"]) < moment(first["finished"])

    # Every app was cloned once: one POST of an app per selected app, and each clone, an app of its own, removed once.
    log = sim.requests_log()
    posts = [entry for entry in log if entry["method"] == "POST"]
    assert len(posts) == len(selected) and all(entry["path"].endswith("/k8s/v2/apps") for entry in posts), posts
    clones = [app["astra_ids"]["clone_app_id"] for report in reports for app in report["apps"]]
    assert len(set(clones)) == len(selected)
    deletes = [entry["path"].rsplit("/", 1)[1] for entry in log if entry["method"] == "DELETE"]
    assert sorted(deletes) == sorted(clones), deletes
    clone_names = [name for report in reports for name in report["extra"]["clones"].split(": ", 1)[1].split(", ")]
    assert sorted(clone_names) == sorted("%s-drill on %s" % (host.split("@")[0], host.split("@")[1].replace("prod", "dr"))
                                         for host in selected)

    # The merge job, after the sliced job in the workflow: AWX hands it the slices' artifacts, merged key by key in the
    # order the slices finished; kubedr_astra_drill is only the last one's, the per-run keys are both.
    finish_order = sorted(range(SLICES), key=lambda index: moment(reports[index]["run"]["finished"]))
    handed = {}
    for index in finish_order:
        handed.update(outcomes[index][3])
    assert handed["kubedr_astra_drill"]["run_id"] == stats[finish_order[-1]]["run_id"]
    merged_dir = evidence / "merged"
    merge = tmp_path / "merge"
    private_data_dir(merge, sim, Path(sim.ca_path).read_text(), dict(
        handed, merge_expected_reports=SLICES, merge_report_path=str(merged_dir),
        **meta_vars(MERGE_JOB_ID, 99, "kubedr.astra drill, sliced, merged")), ROOT / "playbooks")
    output, artifacts, events, artifact_data = finish(start(merge, "merge_reports.yml"), merge)
    assert (artifacts / "status").read_text() == "successful", output[-6000:]
    assert_no_token(sim, artifacts, events)
    result = artifact_data["kubedr_astra_drill_merged"]
    assert (result["passed"], result["app_count"], result["missing_reports"], result["failed_apps"]) == (
        True, len(selected), 0, [])
    merged = json.loads(Path(result["json"]).read_text())
    assert Path(result["directory"]).parent == merged_dir and Path(result["directory"]).name.endswith("-merged")
    assert sorted("%s@%s" % (app["name"], app["cluster"]) for app in merged["apps"]) == selected
    by_start = sorted(reports, key=lambda item: moment(item["run"]["started"]))
    assert merged["apps"] == [app for report in by_start for app in report["apps"]]
    run = merged["run"]
    assert (run["passed"], run["error"], run["run_id"], run["app_count"]) == (True, None, "merged", len(selected))
    assert run["started"] == by_start[0]["run"]["started"]
    assert moment(run["finished"]) == max(moment(first["finished"]), moment(second["finished"]))
    assert [(part["run_id"], part["app_count"], part["passed"]) for part in merged["merged"]["reports"]] == [
        (report["run"]["run_id"], len(report["apps"]), True) for report in by_start]
    assert merged["extra"]["source"] == "backup" and sorted(merged["extra"]["clones"]) == ["awx-job-101", "awx-job-102"]
    page = Path(result["html"]).read_text()
    assert 'id="verdict">PASSED' in page and "Merged from 2 of 2 reports" in page
    assert all("awx-job-%d" % job_id in page for job_id in SLICE_JOB_IDS)

    # A slice whose artifacts never came (its job did not get to publish them): the merge says a report is missing.
    shutil.rmtree(merge)
    only_first = dict(outcomes[0][3])
    only_first.pop("kubedr_astra_drill_run_awx_job_%d" % SLICE_JOB_IDS[1], None)
    private_data_dir(merge, sim, Path(sim.ca_path).read_text(), dict(
        only_first, merge_expected_reports=SLICES, merge_report_path=str(merged_dir),
        **meta_vars(MERGE_JOB_ID + 1, 99, "kubedr.astra drill, sliced, merged")), ROOT / "playbooks")
    output, artifacts, events, artifact_data = finish(start(merge, "merge_reports.yml"), merge)
    assert (artifacts / "status").read_text() == "failed", output[-6000:]
    incomplete = artifact_data["kubedr_astra_drill_merged"]
    assert (incomplete["passed"], incomplete["app_count"], incomplete["missing_reports"]) == (
        False, len(reports[0]["apps"]), 1)
    assert incomplete["run_error"] == "1 of the 2 expected reports is missing: the apps of that run are not in this report"
    assert incomplete["directory"] != result["directory"]
    assert "The merged drill report did not pass: 1 of the 2 expected reports is missing" in output
    assert json.loads(Path(result["json"]).read_text()) == merged       # the complete merge is still there, untouched
