"""Transport faults: every module and the runbooks converge on a flaky network, with no duplicate from a retried POST.

The simulator injects 30% 503/429 (with Retry-After), 5% connection resets and 200 ms latency; separately, it loses
the answers of processed creates (the ambiguous case). Afterwards it must hold exactly what was asked for: one of
each, nothing twice. The figures go to tests/output/reliability/ and, through make reliability, docs/reliability.md.
"""
import json
import re
import time

from playbook_harness import ROOT
from reliability import LOST_ANSWERS, adopted, census, duplicates, flaky_network, full, record_figures, request_counts

PLAYBOOKS = ROOT / "playbooks"
EXPECTED_APPS = ["postgres-rel@dr-west", "postgres@prod-east", "wordpress@dr-west", "wordpress@prod-east"]


def run_under(sim, run_playbook, faults, playbook, **kwargs):
    sim.clear_requests_log()
    sim.control("PUT", "faults", json=dict(faults, seed=kwargs.pop("seed", 7)))
    started = time.monotonic()
    try:
        run = run_playbook(playbook, **kwargs)
    finally:
        sim.control("DELETE", "faults")
    return run, time.monotonic() - started, sim.requests_log()


def assert_every_module_converged(sim):
    world = census(sim)
    assert duplicates(world) == {}, world
    assert sorted(world["apps"]) == EXPECTED_APPS, world
    assert world["backups"].count("postgres@prod-east/rel-backup") == 1 and "postgres@prod-east/rel-snap" in world["snapshots"]
    assert "wordpress@prod-east/rel-temp" not in world["snapshots"]
    assert len(world["mirrors"]) == 1
    (mirror,) = sim.api("GET", "k8s/v1/appMirrors").json()["items"]
    assert mirror["state"] == "failedOver", mirror
    return world


def test_every_module_converges_on_a_flaky_network_and_a_rerun_changes_nothing(sim, run_playbook):
    first, first_seconds, first_log = run_under(sim, run_playbook, flaky_network(), "reliability_modules.yml")
    assert first.rc == 0, first
    world = assert_every_module_converged(sim)

    again, again_seconds, again_log = run_under(sim, run_playbook, flaky_network(), "reliability_modules.yml", seed=8,
                                                extra_vars={"rerun": True})
    assert again.rc == 0, again
    assert again.recap()["changed"] == 0, again
    assert [entry for entry in again_log if entry["method"] in ("POST", "PUT", "DELETE")] == []
    assert census(sim) == world

    counts, rerun = request_counts(first_log), request_counts(again_log)
    assert counts["retries_made"] > 10, "the faults were not injected: %s" % counts
    record_figures("transport-modules", profile=flaky_network(), tasks=first.recap()["ok"] + again.recap()["ok"],
                   requests=counts["requests"] + rerun["requests"],
                   retries_made=counts["retries_made"] + rerun["retries_made"],
                   writes=counts["writes"], duplicates=0, failures=0,
                   seconds=round(first_seconds + again_seconds, 1))


def test_lost_answers_to_processed_creates_are_adopted_never_posted_twice(sim, run_playbook):
    run, seconds, log = run_under(sim, run_playbook, LOST_ANSWERS, "reliability_modules.yml", seed=3)
    assert run.rc == 0, run
    assert_every_module_converged(sim)
    posts = [entry for entry in log if entry["method"] == "POST"]
    lost = [entry for entry in posts if entry["status"] in (502, 503, None)]
    assert lost, "no answer was lost: %s" % posts
    adoptions = adopted(run.output)
    assert adoptions >= 1, run
    record_figures("transport-lost-answers", profile=LOST_ANSWERS, creates=len(posts), answers_lost=len(lost),
                   adopted=adoptions, posted_again=len(lost) - adoptions, duplicates=0, failures=0,
                   seconds=round(seconds, 1))


def is_clone_write(entry):
    """A drill clone's creation (POST k8s/v2/apps) or removal (DELETE k8s/v2/apps/<id>)."""
    if entry["method"] == "POST":
        return bool(re.search(r"/k8s/v2/apps$", entry["path"]))
    return entry["method"] == "DELETE" and bool(re.search(r"/k8s/v2/apps/[0-9a-f-]+$", entry["path"]))


def test_the_runbooks_converge_on_a_flaky_network(sim, run_playbook, tmp_path):
    """The core: protect of one app. Full: protect, replicate, an unplanned failover, the failback and the drill of
    three apps in two waves, each run twice: the second run changes nothing and writes nothing."""
    reports = tmp_path / "reports"
    estate = [{"name": "postgres", "cluster": "prod-east", "destination_cluster": "dr-west", "wave": 1,
               "namespaces": [{"name": "postgres"}]}]
    if full():
        estate += [{"name": "wordpress", "cluster": "prod-east", "destination_cluster": "dr-west", "wave": 2,
                    "namespaces": [{"name": "wordpress"}]},
                   {"name": "shop", "cluster": "prod-east", "destination_cluster": "dr-west", "wave": 2,
                    "namespaces": [{"name": "shop-frontend", "label_selectors": ["app=shop"]},
                                   {"name": "shop-db", "label_selectors": ["app=shop"]}]}]
    extra = {"dr_apps": estate, "dr_report_path": str(reports), "failover_mode": "unplanned",
             "failover_confirm_unplanned": "all"}
    figures = {"apps": len(estate), "runs": 0, "requests": 0, "retries_made": 0, "seconds": 0.0}
    # The core runs protect (async jobs, waits, a report under faults); the module sweep above already puts the
    # mirror establish and the failover under faults. Full runs every runbook.
    runbooks = ["protect"] + (["replicate", "failover", "failback", "drill"] if full() else [])
    for seed, name in enumerate(runbooks):
        for attempt in ("run", "rerun") if full() else ("run",):
            run, seconds, log = run_under(sim, run_playbook, flaky_network(), str(PLAYBOOKS / (name + ".yml")),
                                          extra_vars=extra, seed=100 + 2 * seed + (attempt == "rerun"))
            assert run.rc == 0, (name, attempt, run)
            if name == "protect" and attempt == "run":
                # The modules' retry warnings reach the output through async_wait, and the report, per app and step.
                report = json.loads(sorted(reports.glob("protect-*"))[-1].joinpath("report.json").read_text())
                warned = [warning for app in report["apps"] for step in app["steps"] for warning in step["warnings"]]
                assert any("retry" in warning for warning in warned), report
                assert "[WARNING]: postgres on prod-east: " in run.output, run
                figures["warnings_in_protect_report"] = len(warned)
            writes = [entry for entry in log if entry["method"] in ("POST", "PUT", "DELETE")]
            if attempt == "rerun" and name != "drill":
                assert run.recap()["changed"] == 0, (name, run)
                assert writes == [], name
            if name == "drill":
                # A drill writes only its clones: created (POST k8s/v2/apps) and removed again (DELETE of the clone).
                assert run.recap()["changed"] == 0, (name, attempt, run)
                assert all(is_clone_write(entry) for entry in writes), writes
            counts = request_counts(log)
            figures["runs"] += 1
            figures["requests"] += counts["requests"]
            figures["retries_made"] += counts["retries_made"]
            figures["seconds"] += round(seconds, 1)
    world = census(sim)
    assert duplicates(world) == {}, world
    mirrors = sim.api("GET", "k8s/v1/appMirrors").json()["items"]
    if full():
        assert len(mirrors) == len(estate) and {mirror["state"] for mirror in mirrors} == {"established"}, mirrors
    assert sorted(name for name in world["apps"] if name.endswith("@prod-east")) == sorted(
        "%s@prod-east" % app["name"] for app in estate)
    record_figures("transport-runbooks", profile=flaky_network(), runbooks=runbooks, duplicates=0, failures=0,
                   **{key: round(value, 1) if isinstance(value, float) else value for key, value in figures.items()})
