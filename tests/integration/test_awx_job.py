"""A simulated AWX job: ansible-runner with a private data directory laid out as AWX lays it out for a job.

project/ is the project checkout (the collection's playbooks); env/envvars holds only what the credential type of
docs/awx/credential-type.yml injects, rendered from its injectors as the controller renders them (the CA field
written to a file, as its `file` injector does); env/extravars holds the estate. The process environment is what an
execution environment gives: the collections, no ASTRA_* variable. One drill job runs against the demo scenario;
its status, job events, artifacts (set_stats) and the report's durable copy are checked, and no event carries the
token. A blank CA field (an empty file: the image's trust store is used) is checked with one module task.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from playbook_harness import BIN, COLLECTIONS_PATH, ROOT, wait_for_state

CREDENTIAL_TYPE = yaml.safe_load((ROOT / "docs" / "awx" / "credential-type.yml").read_text())
SIMULATOR_CLEANUP = ROOT / "playbooks" / "tasks" / "simulator_delete_namespaces.yml"
APP = {"type": "application/astra-app", "version": "2.2"}


def postgres_with_a_backup(sim):
    """postgres managed on prod-east with a completed backup, straight through the API (no ansible run)."""
    clusters = {item["name"]: item["id"] for item in sim.api("GET", "topology/v1/clusters").json()["items"]}
    app = sim.api("POST", "k8s/v2/apps", json=dict(APP, name="postgres", clusterID=clusters["prod-east"],
                                                   namespaceScopedResources=[{"namespace": "postgres"}])).json()
    wait_for_state(sim, "k8s/v2/apps/%s" % app["id"], "ready")
    backup = sim.api("POST", "k8s/v1/apps/%s/appBackups" % app["id"],
                     json={"type": "application/astra-appBackup", "version": "1.1", "name": "nightly"}).json()
    wait_for_state(sim, "k8s/v1/apps/%s/appBackups/%s" % (app["id"], backup["id"]), "completed")


def private_data_dir(path, sim, ca_cert, extravars, project):
    """A job's private data directory, with the credential injected as the controller injects it: its `file`
    injector written into env/, its `env` injector rendered (with tower.filename.<name>) into env/envvars."""
    env = path / "env"
    env.mkdir(parents=True)
    inputs = {"astra_api_url": sim.url, "astra_account_id": sim.account_id, "astra_api_token": sim.token,
              "astra_validate_certs": True, "astra_ca_cert": ca_cert}
    jinja = ImmutableSandboxedEnvironment()
    files = {}
    for key, template in CREDENTIAL_TYPE["injectors"]["file"].items():
        name = key.split(".", 1)[1]
        files[name] = env / ("tmp_credential_" + name)
        files[name].write_text(jinja.from_string(template).render(**inputs))
        files[name].chmod(0o600)
    envvars = dict((variable, jinja.from_string(template).render(tower={"filename": files}, **inputs))
                   for variable, template in CREDENTIAL_TYPE["injectors"]["env"].items())
    (env / "envvars").write_text(json.dumps(envvars))
    (env / "extravars").write_text(json.dumps(extravars))
    shutil.copytree(project, path / "project")
    return envvars, files


def job_command(path, playbook, extra_env=None):
    """The ansible-runner command of a job and its environment, with no ASTRA_* variable: the credential comes from
    env/envvars only."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("ASTRA_", "ANSIBLE_", "SSL_CERT_", "REQUESTS_CA_BUNDLE"))}
    env.update({"ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS_PATH), "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_LOCALHOST_WARNING": "false", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
                "PATH": str(BIN) + os.pathsep + env.get("PATH", "")})
    env.update(extra_env or {})
    return [str(BIN / "ansible-runner"), "run", str(path), "-p", playbook, "--ident", "job"], env


def job_outcome(path):
    """The job's artifacts directory and its job events, in order."""
    artifacts = path / "artifacts" / "job"
    events = [json.loads(event.read_text()) for event in sorted((artifacts / "job_events").glob("*.json"),
                                                                key=lambda event: int(event.name.split("-", 1)[0]))]
    return artifacts, events


def run_job(path, playbook, extra_env=None):
    """ansible-runner run of the job in path; returns (the completed process, its artifacts directory, its events)."""
    command, env = job_command(path, playbook, extra_env)
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    return (completed,) + job_outcome(path)


def task_results(events, status="runner_on_ok"):
    return dict((event["event_data"].get("task"), event["event_data"]) for event in events if event["event"] == status)


def assert_no_token(sim, artifacts, events):
    for event in events:
        assert sim.token not in json.dumps(event), "the token is in job event %s" % event["uuid"]
    assert sim.token not in (artifacts / "stdout").read_text()


def test_a_drill_job_as_awx_runs_it_keeps_its_evidence_and_never_shows_the_token(sim, tmp_path):
    postgres_with_a_backup(sim)
    evidence = tmp_path / "evidence"
    job = tmp_path / "job"
    estate = [{"name": "postgres", "cluster": "prod-east", "destination_cluster": "dr-west",
               "namespaces": [{"name": "postgres"}], "wave": 1, "rto_target_seconds": 300}]
    envvars, files = private_data_dir(job, sim, Path(sim.ca_path).read_text(), {
        "dr_apps": estate, "drill_rpo_target_seconds": 86400, "drill_report_copy_dir": str(evidence),
        "drill_cleanup_tasks": str(SIMULATOR_CLEANUP)}, ROOT / "playbooks")
    assert sorted(envvars) == ["ASTRA_ACCOUNT_ID", "ASTRA_API_TOKEN", "ASTRA_API_URL", "ASTRA_CA_PATH",
                               "ASTRA_VALIDATE_CERTS"]
    assert envvars["ASTRA_CA_PATH"] == str(files["ca_cert"]) and envvars["ASTRA_VALIDATE_CERTS"] == "True"

    completed, artifacts, events = run_job(job, "drill.yml")
    assert (artifacts / "status").read_text() == "successful", completed.stdout[-6000:] + completed.stderr
    assert (artifacts / "rc").read_text() == "0"
    assert_no_token(sim, artifacts, events)

    # The runbook's tasks ran, as job events: pre-flight, the clone, the report, its copy, the stats.
    ran = [name for name in task_results(events) if name]
    for task in ("Pre-flight | all checks passed", "Report | write the run's report", "Report | copy the report into",
                 "Report | publish the verdict, RTO, RPO and report paths (set_stats)"):
        assert any(name.startswith(task) for name in ran), "no runner_on_ok event for %r: %s" % (task, sorted(ran))
    assert any(name.startswith("Wave") and "clone" in name.lower() for name in ran), sorted(ran)
    assert not task_results(events, "runner_on_failed")

    # The artifacts: what set_stats published, as AWX keeps it (the playbook_on_stats event's artifact_data).
    (stats_event,) = [event for event in events if event["event"] == "playbook_on_stats"]
    stats = stats_event["event_data"]["artifact_data"]["kubedr_astra_drill"]
    assert (stats["verdict"], stats["check_mode"], stats["failed_apps"], stats["run_error"]) == (
        "passed", False, [], None)
    (app,) = stats["apps"]
    assert (app["name"], app["status"], app["rto_target_seconds"], app["rpo_target_seconds"]) == (
        "postgres", "passed", 300, 86400)
    assert 0 < app["rto_seconds"] <= 300 and 0 < app["rpo_seconds"] <= 86400, app
    assert stats["clones"] == "removed: postgres-drill on dr-west"
    # The report was written inside the job's private data dir, and copied to the durable directory.
    report_dir = Path(stats["report"]["directory"])
    assert job in report_dir.parents
    copy = stats["report_copy"]
    assert stats["report_copy_error"] is None
    assert copy["directory"] == str(evidence / report_dir.name)
    copied = json.loads(Path(copy["json"]).read_text())
    assert copied == json.loads(Path(stats["report"]["json"]).read_text())
    assert copied["run"]["passed"] and copied["apps"][0]["rto_seconds"] == app["rto_seconds"]

    # The job's directory goes with its container; the evidence stays.
    shutil.rmtree(job)
    kept = sorted(path.name for path in Path(copy["directory"]).iterdir())
    assert kept == ["junit.xml", "report.html", "report.json"]
    for path in Path(copy["directory"]).iterdir():
        assert sim.token not in path.read_text()


def test_a_blank_ca_field_injects_an_empty_file_and_the_image_trust_store_is_used(sim, tmp_path):
    project = tmp_path / "source"
    project.mkdir()
    (project / "clusters.yml").write_text(json.dumps([{
        "name": "Read the clusters", "hosts": "localhost", "connection": "local", "gather_facts": False,
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "tasks": [{"name": "Read the clusters", "kubedr.astra.astra_cluster_info": {}}]}]))
    job = tmp_path / "job"
    _envvars, files = private_data_dir(job, sim, "", {}, project)
    assert files["ca_cert"].read_bytes() == b""
    # The simulator's CA stands for the corporate CA installed in the execution environment's trust store.
    completed, artifacts, events = run_job(job, "clusters.yml", {"SSL_CERT_FILE": sim.ca_path})
    assert (artifacts / "status").read_text() == "successful", completed.stdout[-6000:] + completed.stderr
    result = task_results(events)["Read the clusters"]["res"]
    assert {"prod-east", "dr-west"} <= set(cluster["name"] for cluster in result["clusters"])
    assert_no_token(sim, artifacts, events)
