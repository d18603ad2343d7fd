"""Evidence that cannot lie: the user's hooks broken in every way, and each report compared with the simulator's state.

A report says passed only for a step that ran and succeeded; a failed run's report says failed, however it failed.
Hook files that do not exist or do not load are pre-flight problems (nothing is created); hooks that fail while they
run (a failing assert, an undefined variable, a nested include that is missing) are recorded against their app, and
the clones are still removed; the closing message says what became of them, from what was recorded.
"""
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from playbook_harness import ROOT, mutating_requests

PLAYBOOKS = ROOT / "playbooks"
SIMULATOR_CLEANUP = ROOT / "playbooks" / "tasks" / "simulator_delete_namespaces.yml"
THREE = ["postgres", "wordpress", "jenkins"]


def write(path, content):
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def setup(run_playbook, tmp_path, tasks):
    playbook = tmp_path / "setup.yml"
    write(playbook, [{"name": "Set up", "hosts": "localhost", "connection": "local", "gather_facts": False,
                      "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"}, "tasks": tasks}])
    run = run_playbook(str(playbook))
    assert run.rc == 0, run


def managed_with_backups(names):
    return [{"name": "Manage %s" % name, "kubedr.astra.astra_app": {"name": name, "cluster": "prod-east"}} for name in names] + [
        {"name": "Back up %s" % name, "kubedr.astra.astra_app_backup": {"app": name, "cluster": "prod-east", "name": "nightly"}}
        for name in names]


def estate(names):
    return [{"name": name, "cluster": "prod-east", "destination_cluster": "dr-west", "wave": 1} for name in names]


def report_of(reports, runbook_name):
    directory = sorted(Path(reports).glob(runbook_name + "-*"))[-1]
    report = json.loads((directory / "report.json").read_text())
    junit = ET.parse(directory / "junit.xml").getroot()
    return report, junit, {app["name"]: app for app in report["apps"]}


def apps_on(sim, cluster_name):
    return {app["name"]: app for app in sim.api("GET", "k8s/v2/apps").json()["items"] if app["clusterName"] == cluster_name}


def namespaces_on(sim, cluster_name):
    return {ns["name"]: ns["namespaceState"] for ns in sim.control("GET", "clusters/%s" % cluster_name)["namespaces"]}


def run_drill(run_playbook, reports, **extra_vars):
    extra_vars.setdefault("drill_apps", estate(THREE))
    return run_playbook(str(PLAYBOOKS / "drill.yml"), extra_vars=dict(extra_vars, dr_report_path=str(reports)))


def test_hook_files_that_do_not_exist_or_do_not_load_stop_the_drill_before_anything_is_created(
        sim, run_playbook, tmp_path):
    reports = tmp_path / "reports"
    setup(run_playbook, tmp_path, managed_with_backups(["postgres"]))
    syntax_error = write(tmp_path / "cleanup.yml", "- name: broken\n  ansible.builtin.debug:\n    msg: x\n  oops: [\n")
    sim.clear_requests_log()

    run = run_drill(run_playbook, reports, drill_apps=estate(["postgres"]),
                    drill_verify_tasks=str(tmp_path / "verfy.yml"), drill_cleanup_tasks=syntax_error)

    assert run.rc != 0 and "Pre-flight failed; nothing was created" in run.output
    assert "drill_verify_tasks: the task file %s does not exist" % (tmp_path / "verfy.yml") in run.output
    assert "drill_cleanup_tasks: the task file %s cannot be loaded" % syntax_error in run.output
    assert mutating_requests(sim) == []
    assert "postgres-drill" not in apps_on(sim, "dr-west")
    report, junit, apps = report_of(reports, "drill")
    assert report["run"]["passed"] is False and report["run"]["error"]
    assert apps["postgres"]["status"] == "failed" and "verfy.yml does not exist" in apps["postgres"]["message"]
    assert report["extra"]["clones"] == "none created"
    assert int(junit.get("failures")) == 1 and int(junit.get("errors")) == 1


def test_hooks_that_fail_while_they_run_are_recorded_and_the_report_matches_the_simulator(sim, run_playbook, tmp_path):
    """A failing assert, an undefined variable and a nested include that is missing, one per app; a cleanup that fails."""
    reports = tmp_path / "reports"
    setup(run_playbook, tmp_path, managed_with_backups(THREE))
    write(tmp_path / "per_app.yml", [
        {"name": "postgres answers", "ansible.builtin.assert": {"that": ["false"], "fail_msg": "postgres does not answer"},
         "when": "drill_app.name == 'postgres'"},
        {"name": "wordpress answers", "ansible.builtin.debug": {"msg": "{{ wordpress_probe_url.status }}"},
         "when": "drill_app.name == 'wordpress'"},
        {"name": "jenkins answers", "ansible.builtin.include_tasks": str(tmp_path / "no_such_probe.yml"),
         "when": "drill_app.name == 'jenkins'"}])
    verify = write(tmp_path / "verify.yml", [{"name": "Per-app checks", "ansible.builtin.include_tasks": "per_app.yml"}])
    cleanup = write(tmp_path / "cleanup.yml", [
        {"name": "The namespaces of wordpress stay (the cleanup breaks)", "ansible.builtin.fail": {"msg": "kubectl timed out"},
         "when": "drill_app.name == 'wordpress'"},
        {"name": "Delete the namespaces", "ansible.builtin.include_tasks": str(SIMULATOR_CLEANUP)}])

    run = run_drill(run_playbook, reports, drill_verify_tasks=verify, drill_cleanup_tasks=cleanup)

    assert run.rc != 0, run
    report, junit, apps = report_of(reports, "drill")
    assert report["run"]["passed"] is False and report["run"]["failed_apps"] == THREE
    assert apps["postgres"]["message"] == "verify: postgres answers: postgres does not answer"
    assert "verify: wordpress answers:" in apps["wordpress"]["message"] and "wordpress_probe_url" in apps["wordpress"]["message"]
    # Ansible passes a rescue nothing about a nested include it could not load; the message says so, and it is not
    # the previous app's failure (which Ansible leaves in ansible_failed_task unless the runbook resets it).
    assert apps["jenkins"]["message"] == ("verify: %s: a task file it includes could not be found or loaded (Ansible "
                                          "passes no details to the rescue; the error is in the output above)" % verify)
    for name in THREE:
        steps = {step["name"]: step["status"] for step in apps[name]["steps"]}
        assert steps["verify"] == "failed" and steps["remove clone"] == "passed", apps[name]
        assert steps["cleanup"] == ("failed" if name == "wordpress" else "passed"), apps[name]
    assert "cleanup: The namespaces of wordpress stay (the cleanup breaks): kubectl timed out" in apps["wordpress"]["message"]
    assert int(junit.get("failures")) == 3 and int(junit.get("errors")) == 0

    # What the report and the closing message say is what the simulator holds.
    assert report["extra"]["clones"] == "removed: %s" % ", ".join("%s-drill on dr-west" % name for name in THREE)
    assert "The drill failed for postgres, wordpress, jenkins. Clones: removed: postgres-drill on dr-west" in run.output
    assert not [name for name in apps_on(sim, "dr-west") if name.endswith("-drill")]
    namespaces = namespaces_on(sim, "dr-west")
    assert namespaces["wordpress-drill"] == "discovered", "its cleanup failed, so its namespace is still there"
    assert namespaces["postgres-drill"] == namespaces["jenkins-drill"] == "removed"


def test_a_clone_left_behind_is_named_in_the_closing_message_and_the_report(sim, run_playbook, tmp_path):
    """Astra starts refusing deletes while the clone is verified: its removal fails; nothing may claim it was removed."""
    reports = tmp_path / "reports"
    setup(run_playbook, tmp_path, managed_with_backups(["postgres"]))
    refuse_deletes = write(tmp_path / "verify.yml", [{"name": "Astra Control answers every DELETE with 500", "ansible.builtin.uri": {
        "url": sim.url + "/_simulator/faults", "method": "PUT", "ca_path": sim.ca_path, "body_format": "json",
        "body": {"http_error_rate": 1.0, "http_error_statuses": [500], "methods": ["DELETE"]},
        "headers": {"Authorization": "Bearer {{ lookup('ansible.builtin.env', 'ASTRA_API_TOKEN') }}"}},
        "no_log": True}])

    run = run_drill(run_playbook, reports, drill_apps=estate(["postgres"]), drill_verify_tasks=refuse_deletes)

    sim.control("DELETE", "faults")
    assert run.rc != 0, run
    report, _junit, apps = report_of(reports, "drill")
    steps = {step["name"]: step["status"] for step in apps["postgres"]["steps"]}
    assert steps["verify"] == "passed" and steps["remove clone"] == "failed", apps["postgres"]
    assert report["extra"]["clones"].startswith("LEFT BEHIND") and "postgres-drill on dr-west" in report["extra"]["clones"]
    assert "Clones: LEFT BEHIND" in run.output and "removed:" not in run.output.split("Clones:")[-1]
    assert "Internal server error" in apps["postgres"]["message"], apps["postgres"]
    assert "postgres-drill" in apps_on(sim, "dr-west"), "the report said it was left behind, and it is"


def mirrors_by_source_name(sim):
    names = {app["id"]: app["name"] for app in sim.api("GET", "k8s/v2/apps").json()["items"]}
    clusters = {cluster["id"]: cluster["name"] for cluster in sim.api("GET", "topology/v1/clusters").json()["items"]}
    return {names.get(mirror["sourceAppID"]): dict(mirror, sourceClusterName=clusters.get(mirror["sourceClusterID"]))
            for mirror in sim.api("GET", "k8s/v1/appMirrors").json()["items"]}


def test_failover_and_failback_verification_hooks_broken_in_two_ways(sim, run_playbook, tmp_path):
    reports = tmp_path / "reports"
    two = ["postgres", "wordpress"]
    setup(run_playbook, tmp_path, [
        {"name": "Manage %s" % name, "kubedr.astra.astra_app": {"name": name, "cluster": "prod-east"}} for name in two] + [
        {"name": "Replicate %s" % name, "kubedr.astra.astra_app_mirror": {
            "source_app": name, "source_cluster": "prod-east", "destination_cluster": "dr-west", "replication_interval": 5}}
        for name in two])
    # Both runbooks give a task file the same variables: the entry and the app as Astra Control returns it. The old
    # names (failback_app here) still work until 2.0.0.
    same_app = {"name": "the app is the entry's and ready", "ansible.builtin.assert": {"that": [
        "astra_runbook_app.name == astra_runbook_entry.name", "astra_runbook_app.state == 'ready'",
        "astra_runbook_app.id != ''"]}}
    undefined = write(tmp_path / "verify_failover.yml", [
        same_app,
        {"name": "postgres answers on dr-west", "ansible.builtin.debug": {"msg": "{{ postgres_endpoint.url }}"},
         "when": "astra_runbook_entry.name == 'postgres'"}])
    nested_missing = write(tmp_path / "verify_failback.yml", [
        same_app,
        {"name": "wordpress answers at home", "ansible.builtin.include_tasks": str(tmp_path / "gone.yml"),
         "when": "failback_app.name == 'wordpress'"}])
    apps = [dict(entry, wave=1) for entry in estate(two)]

    failover = run_playbook(str(PLAYBOOKS / "failover.yml"), extra_vars={
        "failover_apps": apps, "failover_mode": "unplanned", "failover_confirm_unplanned": "all",
        "failover_verify_tasks": undefined, "dr_report_path": str(reports)})
    assert failover.rc != 0, failover
    report, _junit, by_name = report_of(reports, "failover")
    assert report["run"]["passed"] is False and report["run"]["failed_apps"] == ["postgres"]
    assert "Wave 1 failed for postgres" in report["run"]["error"]
    assert by_name["postgres"]["message"].startswith("verify: postgres answers on dr-west:")
    assert "postgres_endpoint" in by_name["postgres"]["message"]
    assert by_name["wordpress"]["status"] == "passed"
    assert [step["status"] for step in by_name["wordpress"]["steps"] if step["name"] == "verify"] == ["passed"]
    # Both failed over, as the report's failover steps say: the verification judged postgres, it did not undo it.
    mirrors = mirrors_by_source_name(sim)
    assert {name: mirrors[name]["state"] for name in two} == {"postgres": "failedOver", "wordpress": "failedOver"}
    assert {app["state"] for name, app in apps_on(sim, "dr-west").items() if name in two} == {"ready"}

    failback = run_playbook(str(PLAYBOOKS / "failback.yml"), extra_vars={
        "failback_apps": apps, "failback_verify_tasks": nested_missing, "dr_report_path": str(reports)})
    assert failback.rc != 0, failback
    report, _junit, by_name = report_of(reports, "failback")
    assert report["run"]["failed_apps"] == ["wordpress"]
    assert by_name["wordpress"]["message"].startswith("verify: %s: a task file it includes could not be found" % nested_missing)
    assert by_name["postgres"]["status"] == "passed"
    assert [step["status"] for step in by_name["postgres"]["steps"] if step["name"] == "verify"] == ["passed"]
    mirrors = mirrors_by_source_name(sim)
    assert {name: (mirrors[name]["state"], mirrors[name]["sourceClusterName"]) for name in two} == {
        "postgres": ("established", "prod-east"), "wordpress": ("established", "prod-east")}
