"""The runbook playbooks (playbooks/*.yml with playbooks/vars/demo.yml) against the demo scenario, end to end.

What a DR team runs: protect and replicate the demo apps, fail them over and back (planned, then unplanned while
prod-east is down), drill them; every run writes its report, refusals change nothing. Check mode and reruns of the
runbooks that change the estate are covered by the molecule scenarios (extensions/molecule); the drill's, which
changes nothing that outlasts it, here.
"""
import datetime
import json
import re
from pathlib import Path

from playbook_harness import ROOT, mutating_requests, results_callback_env, wait_for_state

PLAYBOOKS = ROOT / "playbooks"
DEMO_APPS = ["postgres", "wordpress", "jenkins", "shop"]
MIRRORED = ["postgres", "wordpress", "shop"]
DEMO_NAMESPACES = {"postgres": [{"name": "postgres"}], "wordpress": [{"name": "wordpress"}],
                   "shop": [{"name": "shop-frontend", "label_selectors": ["app=shop"]},
                            {"name": "shop-db", "label_selectors": ["app=shop"]}]}


def runbook(run_playbook, name, reports, check=False, **extra_vars):
    return run_playbook(str(PLAYBOOKS / (name + ".yml")), check=check, extra_vars=dict(extra_vars, dr_report_path=str(reports)))


def assert_no_secret_in_reports(sim, reports):
    files = list(Path(reports).glob("*/*"))
    assert files
    for path in files:
        assert sim.token not in path.read_text(), "the API token is in %s" % path


def newest_report(reports, runbook_name):
    directories = sorted(Path(reports).glob(runbook_name + "-*"))
    assert directories, "no %s report in %s" % (runbook_name, reports)
    directory = directories[-1]
    assert (directory / "report.html").is_file() and (directory / "junit.xml").is_file()
    return json.loads((directory / "report.json").read_text())


def moment(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def apps_by_name(report):
    return {app["name"]: app for app in report["apps"]}


def apps_on(sim, cluster_name):
    return {app["name"]: app for app in sim.api("GET", "k8s/v2/apps").json()["items"] if app["clusterName"] == cluster_name}


def mirrors_of(sim):
    names = {app["id"]: app["name"] for app in sim.api("GET", "k8s/v2/apps").json()["items"]}
    return {names.get(mirror["sourceAppID"]): mirror for mirror in sim.api("GET", "k8s/v1/appMirrors").json()["items"]}


def cluster_name(sim, cluster_id):
    return sim.api("GET", "topology/v1/clusters/%s" % cluster_id).json()["name"]


def manage_and_back_up(sim):
    """What a drill needs of the protect runbook, through the API: the demo apps managed, each with a completed backup.

    (The protect runbook itself is rehearsed by extensions/molecule/protect; a run of it here would cost the controller
    some 20 s of CPU for set-up alone.)"""
    cluster_id = next(item["id"] for item in sim.api("GET", "topology/v1/clusters").json()["items"]
                      if item["name"] == "prod-east")
    for name in DEMO_APPS:
        namespaces = DEMO_NAMESPACES.get(name, [{"name": name}])
        app = sim.api("POST", "k8s/v2/apps", json={
            "type": "application/astra-app", "version": "2.1", "name": name, "clusterID": cluster_id,
            "namespaceScopedResources": [{"namespace": entry["name"], "labelSelectors": entry.get("label_selectors", [])}
                                         for entry in namespaces]}).json()
        wait_for_state(sim, "k8s/v2/apps/%s" % app["id"], "ready")
        backup = sim.api("POST", "k8s/v1/apps/%s/appBackups" % app["id"], json={
            "type": "application/astra-appBackup", "version": "1.1", "name": "%s-nightly" % name}).json()
        wait_for_state(sim, "k8s/v1/apps/%s/appBackups/%s" % (app["id"], backup["id"]), "completed")


def assert_home_and_replicating(sim):
    """Every mirrored app ready on prod-east, its mirror established from prod-east to dr-west."""
    home = apps_on(sim, "prod-east")
    mirrors = mirrors_of(sim)
    for name in MIRRORED:
        assert home[name]["state"] == "ready", home[name]
        mirror = mirrors[name]
        assert mirror["state"] == "established" and mirror["sourceAppID"] == home[name]["id"], mirror
        assert cluster_name(sim, mirror["destinationClusterID"]) == "dr-west"
    assert len(mirrors) == len(MIRRORED)


def test_full_failover_and_failback_of_the_demo_apps_through_the_playbooks(sim, run_playbook, run_task, tmp_path):
    reports = tmp_path / "reports"
    # Nothing is replicated yet, and an unplanned failover is launched without its confirmation: the pre-flight refuses
    # every app at once, for both reasons, names the variable that confirms, and changes nothing.
    results = tmp_path / "refused.json"
    refused = run_playbook(str(PLAYBOOKS / "failover.yml"), env=results_callback_env(results),
                           extra_vars={"failover_mode": "unplanned", "dr_report_path": str(reports)})
    assert refused.rc != 0 and "Pre-flight failed; nothing was changed" in refused.output
    for name in MIRRORED:
        assert "%s has no AppMirror between prod-east and dr-west" % name in refused.output
        assert ("%s (prod-east -> dr-west): an unplanned failover brings it up on dr-west from its last replicated "
                "snapshot" % name) in refused.output
    assert "confirm it by naming it in failover_confirm_unplanned, or set failover_confirm_unplanned: all" \
        in refused.output
    assert mutating_requests(sim) == []
    refused_report = newest_report(reports, "failover")
    assert apps_by_name(refused_report)["postgres"]["status"] == "failed"
    assert "failover_confirm_unplanned" in apps_by_name(refused_report)["postgres"]["message"]
    # A failed run publishes its stats too (an AWX job's artifacts): failed, for every app, with its report.
    stats = json.loads(results.read_text())["_set_stats"]["kubedr_astra_failover"]
    assert (stats["verdict"], stats["check_mode"], stats["failed_apps"]) == ("failed", False, MIRRORED)
    assert [(app["name"], app["status"], app["rto_seconds"]) for app in stats["apps"]] == [
        (name, "failed", None) for name in MIRRORED]
    assert stats["report"]["json"] == str(sorted(Path(reports).glob("failover-*"))[-1] / "report.json")
    assert (stats["report_copy"], stats["report_copy_error"]) == (None, None)

    # The apps need only be managed to be replicated (molecule's protect scenario runs playbooks/protect.yml).
    for name in MIRRORED:
        assert run_task("astra_app", {"name": name, "cluster": "prod-east",
                                      "namespaces": DEMO_NAMESPACES[name]})["app"]["state"] == "ready"
    # postgres gets a post-failover hook, whose outcome the failover reads from the activity log.
    assert run_task("astra_execution_hooks_setting", {"enabled": True})["changed"]
    assert run_task("astra_hook_source", {"name": "warm-up", "content": "#!/bin/sh\necho warm\n"})["changed"]
    assert run_task("astra_execution_hook", {"app": "postgres", "cluster": "prod-east", "name": "pg-post-failover",
                                             "action": "failover", "stage": "post", "source": "warm-up",
                                             "matching_criteria": [{"type": "container_name", "value": "^postgresql$"}]}
                    )["changed"]
    replicated = runbook(run_playbook, "replicate", reports)
    assert replicated.rc == 0, replicated
    assert newest_report(reports, "replicate")["run"]["passed"]
    assert_home_and_replicating(sim)

    # The daily posture, read only, finds what is missing: no policy, no restore points, jenkins not managed (the demo
    # entry says it is not mirrored), postgres's hooks (only a post-failover one), the namespaces nobody protects.
    sim.clear_requests_log()
    posture = runbook(run_playbook, "posture", reports)
    assert posture.rc != 0 and ("Out of policy or unprotected: postgres, wordpress, jenkins, shop, namespace billing, "
                                "namespace jenkins.") in posture.output, posture
    assert {entry["method"] for entry in sim.requests_log()} == {"GET"} and len(sim.requests_log()) == 6 + 3 * 3
    apps = apps_by_name(newest_report(reports, "posture"))
    checks = dict((step["name"], step) for step in apps["postgres"]["steps"])
    assert [(name, check["status"]) for name, check in checks.items()] == [
        ("managed", "passed"), ("protection policy", "failed"), ("snapshot", "failed"), ("backup", "failed"),
        ("backup bucket", "skipped"), ("mirror", "passed"), ("mirror transfer", "passed"), ("hooks", "failed")]
    assert checks["backup"]["message"] == "no completed backup"
    assert apps["jenkins"]["message"] == "managed: jenkins is not managed on prod-east (run the protect runbook)"
    assert apps["namespace billing"]["steps"][0]["message"].startswith("a namespace on prod-east that no managed app")

    # Disaster: prod-east is down. A planned failover is refused before any change; the unplanned one brings every app
    # up on dr-west from its last replicated snapshot, and the RPO is that snapshot's age. (The planned failover, a
    # reverse, and the failback after it are rehearsed by the molecule scenarios failover and failback.)
    sim.control("POST", "clusters/prod-east/outage")
    sim.clear_requests_log()
    planned_while_down = runbook(run_playbook, "failover", reports)
    assert planned_while_down.rc != 0 and "run an unplanned failover (failover_mode: unplanned)" in planned_while_down.output
    assert mutating_requests(sim) == []
    unplanned = runbook(run_playbook, "failover", reports, failover_mode="unplanned",
                        failover_confirm_unplanned=",".join(MIRRORED))
    assert unplanned.rc == 0, unplanned
    report = newest_report(reports, "failover")
    assert report["extra"]["mode"] == "unplanned" and report["run"]["passed"]
    for app in report["apps"]:
        assert 0 < app["rpo_seconds"] <= app["rpo_target_seconds"] and app["rto_seconds"] > 0, app
        hooks = ["post-failover hooks"] if app["name"] == "postgres" else []
        assert [step["name"] for step in app["steps"]] == ["pre-flight", "failover", "ready"] + hooks
        assert app["astra_ids"]["mirror_id"] and app["astra_ids"]["recovered_app_id"]
    (hooks_step,) = [step for step in apps_by_name(report)["postgres"]["steps"] if step["name"] == "post-failover hooks"]
    assert (hooks_step["status"], hooks_step["message"]) == ("passed", "pg-post-failover succeeded")
    dr = apps_on(sim, "dr-west")
    for name, mirror in mirrors_of(sim).items():
        assert mirror["state"] == "failedOver" and dr[name]["state"] == "ready"

    # Failback needs both clusters: refused while prod-east is down, then resync (keeping what the apps wrote on
    # dr-west) and reverse once it is back.
    sim.clear_requests_log()
    too_early = runbook(run_playbook, "failback", reports)
    assert too_early.rc != 0 and "a failback needs both clusters" in too_early.output
    assert mutating_requests(sim) == []
    sim.control("DELETE", "clusters/prod-east/outage")
    back = runbook(run_playbook, "failback", reports)
    assert back.rc == 0, back
    report = newest_report(reports, "failback")
    assert report["run"]["passed"]
    for app in report["apps"]:
        hooks = ["post-failover hooks"] if app["name"] == "postgres" else []
        assert [step["name"] for step in app["steps"]] == ["pre-flight", "resync", "reverse", "ready"] + hooks, app
    # A reverse runs no hooks in the simulator: nothing in the log, so the step says so and claims nothing.
    (hooks_step,) = [step for step in apps_by_name(report)["postgres"]["steps"] if step["name"] == "post-failover hooks"]
    assert (hooks_step["status"], hooks_step["message"]) == (
        "skipped", "pg-post-failover left no event in the activity log")
    assert_home_and_replicating(sim)
    assert_no_secret_in_reports(sim, reports)


def test_drill_measures_every_app_and_touches_nothing_in_production(sim, run_playbook, tmp_path):
    reports = tmp_path / "reports"
    manage_and_back_up(sim)
    prod_ids = {app["id"] for app in apps_on(sim, "prod-east").values()}

    # Check mode: the pre-flight reads for real, the clones and their removal are predicted, nothing is written.
    sim.clear_requests_log()
    predicted = runbook(run_playbook, "drill", reports, check=True)
    assert predicted.rc == 0, predicted
    assert "check mode: predicted" in predicted.output, predicted
    assert sim.requests_log() and mutating_requests(sim) == []
    assert not list(Path(reports).glob("drill-*")), "a check run writes no report"

    sim.clear_requests_log()
    drill = runbook(run_playbook, "drill", reports)
    assert drill.rc == 0, drill
    assert drill.recap()["changed"] == 0, "a drill that removes its clones changes nothing that outlasts it"
    report = newest_report(reports, "drill")
    assert report["run"]["passed"] and sorted(apps_by_name(report)) == sorted(DEMO_APPS)
    # Waves in order: every app of a wave was cleaned up before the next wave's clones started.
    waves = sorted(set(app["wave"] for app in report["apps"]))
    assert waves == [1, 2, 3]
    for earlier, later in zip(waves, waves[1:]):
        done = max(moment(app["steps"][-1]["finished"]) for app in report["apps"] if app["wave"] == earlier)
        begun = min(moment(app["steps"][1]["started"]) for app in report["apps"] if app["wave"] == later)
        assert done < begun, (earlier, done, later, begun)
    for app in report["apps"]:
        assert 0 < app["rto_seconds"] <= app["rto_target_seconds"], app
        assert 0 < app["rpo_seconds"] <= app["rpo_target_seconds"], app
        assert [step["name"] for step in app["steps"]] == ["pre-flight", "clone", "verify", "remove clone", "cleanup"], app
        assert {"source_app_id", "backup_id", "clone_app_id"} <= set(app["astra_ids"])

    # Production is never touched: the only writes are the clones' creation and removal on dr-west.
    writes = mutating_requests(sim)
    clone_ids = {app["astra_ids"]["clone_app_id"] for app in report["apps"]}
    posts = [entry for entry in writes if entry["method"] == "POST"]
    deletes = [entry for entry in writes if entry["method"] == "DELETE"]
    assert len(posts) == 4 and all(re.search(r"/k8s/v2/apps$", entry["path"]) for entry in posts), writes
    assert {entry["path"].rsplit("/", 1)[1] for entry in deletes} == clone_ids and not clone_ids & prod_ids, writes
    assert len(writes) == 8, writes
    assert not apps_on(sim, "dr-west")
    namespaces = sim.control("GET", "clusters/dr-west")["namespaces"]
    assert {ns["name"]: ns["namespaceState"] for ns in namespaces if ns["name"].endswith("-drill")} == {
        "postgres-drill": "removed", "wordpress-drill": "removed", "jenkins-drill": "removed",
        "shop-frontend-drill": "removed", "shop-db-drill": "removed"}

    # A drill that goes wrong (it can run at all because the cleanup tasks deleted the first clones' namespaces): a
    # clone fails, a verification fails, every RPO target is missed. Every app is still cloned and cleaned up, the
    # report says what went wrong for each, and the run fails at the end.
    failing_check = tmp_path / "verify.yml"
    failing_check.write_text(json.dumps([{"name": "Wordpress answers", "ansible.builtin.assert": {
        "that": ["astra_runbook_entry.name != 'wordpress'"], "fail_msg": "wordpress does not answer"}}]))
    sim.control("PUT", "faults", json={"fail_next": {"clone": 1}})
    # postgres alone in the first wave, so the injected clone failure is its
    two_waves = [{"name": name, "cluster": "prod-east", "destination_cluster": "dr-west", "wave": wave}
                 for name, wave in (("postgres", 1), ("wordpress", 2), ("jenkins", 2))]
    failed = runbook(run_playbook, "drill", reports, drill_apps=two_waves, drill_verify_tasks=str(failing_check),
                     drill_rpo_target_seconds=0.001)
    assert failed.rc != 0 and ("The drill failed for postgres, wordpress, jenkins. Clones: removed: postgres-drill on "
                               "dr-west, wordpress-drill on dr-west, jenkins-drill on dr-west.") in failed.output, failed
    apps = apps_by_name(newest_report(reports, "drill"))
    assert apps["postgres"]["message"].startswith("clone: app 'postgres-drill' ended in state failed"), apps["postgres"]
    assert apps["wordpress"]["message"] == "verify: Wordpress answers: wordpress does not answer"
    assert apps["jenkins"]["message"].startswith("RPO ") and "exceeds the target of 0.001 s" in apps["jenkins"]["message"]
    assert all(app["status"] == "failed" for app in apps.values())
    assert [step["name"] for step in apps["postgres"]["steps"]][-1] == "cleanup"
    assert not apps_on(sim, "dr-west")
    assert_no_secret_in_reports(sim, reports)


def test_drill_preflight_reports_every_problem_before_anything_is_created(sim, run_playbook, run_task, tmp_path):
    reports = tmp_path / "reports"
    assert run_task("astra_app", {"name": "postgres", "cluster": "prod-east"})["changed"]
    sim.clear_requests_log()
    estate = [{"name": "postgres", "cluster": "prod-east", "destination_cluster": "dr-west"},
              {"name": "wordpress", "cluster": "prod-east", "destination_cluster": "mars-1"},
              {"name": "jenkins", "cluster": "prod-east", "destination_cluster": "lab-north"},
              {"name": "ghost", "cluster": "prod-east", "destination_cluster": "dr-west"}]
    run = runbook(run_playbook, "drill", reports, drill_apps=estate)
    assert run.rc != 0 and "Pre-flight failed; nothing was created" in run.output
    for problem in ("app 'postgres' has no completed backup",
                    "destination cluster mars-1 of wordpress is not known to Astra Control",
                    "destination cluster lab-north of jenkins is not managed by Astra Control",
                    "ghost is not managed on prod-east"):
        assert problem in run.output, problem
    assert mutating_requests(sim) == []
    report = newest_report(reports, "drill")
    assert report["run"]["failed_count"] == 4


def test_drill_can_keep_its_clones_until_the_cleanup_playbook_removes_them(sim, run_task, run_playbook, tmp_path):
    reports = tmp_path / "reports"
    assert run_task("astra_app", {"name": "postgres", "cluster": "prod-east"})["changed"]
    assert run_task("astra_app_backup", {"app": "postgres", "cluster": "prod-east", "name": "nightly"})["changed"]
    postgres_only = [{"name": "postgres", "cluster": "prod-east", "destination_cluster": "dr-west"}]

    kept = runbook(run_playbook, "drill", reports, drill_apps=postgres_only, drill_keep_clones=True)
    assert kept.rc == 0, kept
    assert kept.recap()["changed"] > 0, "a clone that stays is a change"
    (app,) = newest_report(reports, "drill")["apps"]
    assert app["status"] == "passed" and app["message"] == "clone postgres-drill kept on dr-west"
    assert [step["name"] for step in app["steps"]] == ["pre-flight", "clone", "verify"]
    assert apps_on(sim, "dr-west")["postgres-drill"]["state"] == "ready"

    # The next drill refuses to measure a clone that is already there.
    sim.clear_requests_log()
    refused = runbook(run_playbook, "drill", reports, drill_apps=postgres_only)
    assert refused.rc != 0 and "app postgres-drill already exists on dr-west" in refused.output
    assert mutating_requests(sim) == []

    cleanup = run_playbook(str(PLAYBOOKS / "drill_cleanup.yml"), extra_vars={"drill_apps": postgres_only})
    assert cleanup.rc == 0 and "Removed postgres-drill." in cleanup.output, cleanup
    assert "postgres-drill" not in apps_on(sim, "dr-west")
    namespaces = {ns["name"]: ns["namespaceState"] for ns in sim.control("GET", "clusters/dr-west")["namespaces"]}
    assert namespaces["postgres-drill"] == "removed"
    again = run_playbook(str(PLAYBOOKS / "drill_cleanup.yml"), extra_vars={"drill_apps": postgres_only})
    assert again.rc == 0 and again.recap()["changed"] == 0 and "No clone to remove." in again.output
