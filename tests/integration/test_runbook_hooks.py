"""Execution hooks through the runbooks, against the demo scenario: protect puts them in place (and refuses while the
account has them off), the drill reports whether each restore point was app-consistent and fails the apps that must
be and are not. The protect molecule scenario runs the same hooks for idempotence and check mode."""
from playbook_harness import ROOT, mutating_requests
from test_runbook_playbooks import apps_by_name, newest_report, runbook

POSTGRES_HOOKS = ROOT / "docs" / "hooks" / "postgresql" / "postgresql-hooks.sh"


def estate(hooks=True):
    postgres = {"name": "postgres", "cluster": "prod-east", "destination_cluster": "dr-west"}
    wordpress = {"name": "wordpress", "cluster": "prod-east", "destination_cluster": "dr-west"}
    if hooks:
        postgres["execution_hooks"] = [
            {"name": "pg-pre-backup", "action": "backup", "stage": "pre", "source": "postgresql-hooks",
             "arguments": ["pre"], "matching_criteria": [{"type": "container_image", "value": r"\bpostgresql\b"}]},
            {"name": "pg-post-restore", "action": "restore", "stage": "post", "source": "postgresql-hooks",
             "arguments": ["restore"]}]
        wordpress["execution_hooks"] = [
            {"name": "wp-pre-backup", "action": "backup", "stage": "pre", "source": "always-fails",
             "matching_criteria": [{"type": "container_name", "value": "^mysql$"}]}]
    return [postgres, wordpress]


SOURCES = [{"name": "postgresql-hooks", "src": str(POSTGRES_HOOKS)},
           {"name": "always-fails", "content": "#!/bin/sh\n# simulator: fail\nexit 1\n"}]


def test_protect_puts_hooks_in_place_and_the_drill_judges_app_consistency(sim, run_playbook, tmp_path):
    reports = tmp_path / "reports"
    # The demo account has hooks off: the pre-flight refuses the apps with hooks and changes nothing.
    sim.clear_requests_log()
    refused = runbook(run_playbook, "protect", reports, protect_apps=estate(), protect_hook_sources=SOURCES,
                      protect_snapshot_now=False, protect_backup_now=True)
    assert refused.rc != 0 and "execution hooks are disabled in the Astra Control account: set " \
        "protect_enable_execution_hooks: true" in refused.output, refused
    assert mutating_requests(sim) == []

    protected = runbook(run_playbook, "protect", reports, protect_apps=estate(), protect_hook_sources=SOURCES,
                        protect_enable_execution_hooks=True, protect_snapshot_now=False, protect_backup_now=True)
    assert protected.rc == 0, protected
    hooks = {hook["name"]: hook for hook in sim.api("GET", "core/v1/executionHooks").json()["items"]}
    assert sorted(hooks) == ["pg-post-restore", "pg-pre-backup", "wp-pre-backup"]
    assert [container["containerName"] for container in hooks["pg-pre-backup"]["matchingContainers"]] == ["postgresql"]
    report = apps_by_name(newest_report(reports, "protect"))
    assert [step["name"] for step in report["postgres"]["steps"]] == [
        "pre-flight", "manage app", "protection policy", "execution hook", "execution hook", "backup"]
    assert report["postgres"]["astra_ids"]["execution_hook_id"] in {hook["id"] for hook in hooks.values()}

    # The drill: postgres's backup ran its hook, which succeeded; wordpress's hook failed (the script's marker).
    drill = runbook(run_playbook, "drill", reports, drill_apps=estate(hooks=False), drill_require_app_consistent=True)
    assert drill.rc != 0, drill
    apps = apps_by_name(newest_report(reports, "drill"))
    assert apps["postgres"]["status"] == "passed", apps["postgres"]
    assert "is app-consistent: its execution hooks succeeded (pre-backup: pg-pre-backup)" in apps["postgres"]["message"]
    # the post-restore hook's outcome, from the activity log (restores and clones have no hook state)
    hooks_step = [step for step in apps["postgres"]["steps"] if step["name"] == "post-restore hooks"]
    assert [(step["status"], step["message"]) for step in hooks_step] == [("passed", "pg-post-restore succeeded")]
    assert apps["wordpress"]["status"] == "failed"
    assert apps["wordpress"]["message"].startswith(
        "the restore point is not app-consistent (require_app_consistent); restore point backup protect-wordpress-initial "
        "is not app-consistent: its execution hooks failed"), apps["wordpress"]
    # What the simulator ran: the pre-backup hooks on production, the post-restore hook on postgres's clone.
    runs = sim.control("GET", "executionHooks")["runs"]
    clone_id = apps["postgres"]["astra_ids"]["clone_app_id"]
    assert {(run["hookName"], run["result"]) for run in runs if run["stage"] == "pre"} == {
        ("pg-pre-backup", "success"), ("wp-pre-backup", "failed")}
    # (no matching criteria: it ran in both containers of the clone's pod)
    assert [(run["targetAppID"], run["containerName"]) for run in runs if run["hookName"] == "pg-post-restore"] == [
        (clone_id, "postgresql"), (clone_id, "metrics")]
