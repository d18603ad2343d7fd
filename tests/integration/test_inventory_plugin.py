"""The kubedr.astra.astra inventory plugin and the drill-from-inventory playbook against the simulator.

ansible-inventory runs a handful of times: the hosts, their variables and groups (built-in, keyed, composed), a
cluster filter, the cache (a second run sends no request), the errors (a bad selector, a refused token, an API that
does not answer) without the token; then one drill limited to a group touches only that group's apps.
"""
import json
import subprocess

from playbook_harness import BIN, ROOT, mutating_requests, playbook_env, wait_for_state
from with_simulator import free_port

APP = {"type": "application/astra-app", "version": "2.2"}


def cluster_ids(sim):
    return {item["name"]: item["id"] for item in sim.api("GET", "topology/v1/clusters").json()["items"]}


def manage(sim, name, cluster_id, namespaces, labels):
    body = dict(APP, name=name, clusterID=cluster_id,
                namespaceScopedResources=[{"namespace": namespace, "labelSelectors": []} for namespace in namespaces],
                metadata={"labels": [{"name": key, "value": value} for key, value in labels.items()]})
    app = sim.api("POST", "k8s/v2/apps", json=body).json()
    return wait_for_state(sim, "k8s/v2/apps/%s" % app["id"], "ready")


def backup(sim, app, name):
    created = sim.api("POST", "k8s/v1/apps/%s/appBackups" % app["id"],
                      json={"type": "application/astra-appBackup", "version": "1.1", "name": name}).json()
    return wait_for_state(sim, "k8s/v1/apps/%s/appBackups/%s" % (app["id"], created["id"]), "completed")


def build_estate(sim):
    """postgres (gold, an hourly policy, a backup) and wordpress (silver, mirrored to dr-west) on prod-east."""
    clusters = cluster_ids(sim)
    postgres = manage(sim, "postgres", clusters["prod-east"], ["postgres"], {"tier": "gold"})
    wordpress = manage(sim, "wordpress", clusters["prod-east"], ["wordpress"], {"tier": "silver"})
    sim.api("POST", "k8s/v1/apps/%s/schedules" % postgres["id"], json={
        "type": "application/astra-schedule", "version": "1.2", "name": "hourly", "granularity": "hourly",
        "minute": "0", "snapshotRetention": "2", "backupRetention": "1", "enabled": "true"}).raise_for_status()
    backup(sim, postgres, "nightly")
    backup(sim, wordpress, "nightly")
    mirror = sim.api("POST", "k8s/v1/appMirrors", json={
        "type": "application/astra-appMirror", "version": "1.1", "sourceAppID": wordpress["id"],
        "destinationClusterID": clusters["dr-west"], "stateDesired": "established"}).json()
    wait_for_state(sim, "k8s/v1/appMirrors/%s" % mirror["id"], "established")
    return clusters, postgres, wordpress


def write_source(tmp_path, name, **options):
    path = tmp_path / name
    path.write_text(json.dumps(dict({"plugin": "kubedr.astra.astra"}, **options)))
    return path


def plain(value):
    """The --list output without its markers of untrusted strings ({"__ansible_unsafe": ...}): API data is never a template."""
    if isinstance(value, dict):
        if list(value) == ["__ansible_unsafe"]:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def ansible_inventory(sim, source, *args, env=None):
    run_env = playbook_env(sim, dict({"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"}, **(env or {})))
    completed = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(source)] + list(args), env=run_env,
                               capture_output=True, text=True, timeout=300, check=False)
    output = completed.stdout + completed.stderr
    assert sim.token not in output, "the API token leaked into ansible-inventory output"
    return completed


def test_inventory_hosts_variables_groups_filter_and_cache(sim, tmp_path):
    clusters, postgres, wordpress = build_estate(sim)
    cache_dir = tmp_path / "cache"
    source = write_source(
        tmp_path, "estate.astra.yml",
        keyed_groups=[{"key": "astra_app.labels.tier | default('none')", "prefix": "tier"}],
        groups={"stale": "astra_protection.backup is none or astra_protection.backup.age_seconds > 3600"},
        compose={"drill_wave": "1 if astra_app.labels.tier | default('') == 'gold' else 2"},
        cache=True, cache_plugin="ansible.builtin.jsonfile", cache_connection=str(cache_dir), cache_timeout=600)

    sim.clear_requests_log()
    listed = ansible_inventory(sim, source, "--list")
    assert listed.returncode == 0, listed.stderr
    log = sim.requests_log()
    # One list each of clusters, apps and app mirrors; snapshots, backups and schedules of each of the three apps.
    assert len(log) == 3 + 3 * 3 and {entry["method"] for entry in log} == {"GET"}, log
    assert all("include=" in entry["query"] for entry in log if entry["path"].endswith(("appSnaps", "appBackups")))
    inventory = plain(json.loads(listed.stdout))
    assert '"__ansible_unsafe": "postgres"' in listed.stdout, "values from the API must not be trusted as templates"
    hostvars = inventory["_meta"]["hostvars"]
    assert sorted(hostvars) == ["postgres@prod-east", "wordpress@dr-west", "wordpress@prod-east"]

    pg = hostvars["postgres@prod-east"]
    assert pg["astra_app"] == {"id": postgres["id"], "name": "postgres", "cluster": "prod-east",
                               "cluster_id": clusters["prod-east"], "namespaces": ["postgres"], "labels": {"tier": "gold"},
                               "state": "ready", "created": postgres["metadata"]["creationTimestamp"]}
    protection = pg["astra_protection"]
    assert protection["state"] == "protected"
    assert [(item["name"], item["granularity"], item["enabled"]) for item in protection["schedules"]] == [
        ("hourly", "hourly", True)]
    assert protection["backup"]["name"] == "nightly" and 0 <= protection["backup"]["age_seconds"] < 120
    assert protection["snapshot"] is not None and protection["backup_count"] == 1
    assert pg["astra_replication"] == {"mirrored": False}
    assert pg["astra_app_entry"] == {"name": "postgres", "cluster": "prod-east",
                                     "namespaces": [{"name": "postgres", "label_selectors": []}]}
    assert pg["drill_wave"] == 1

    source_side = hostvars["wordpress@prod-east"]
    replication = source_side["astra_replication"]
    assert replication["state"] == "established" and replication["role"] == "source"
    assert (replication["peer_cluster"], replication["peer_app"], replication["direction"]) == (
        "dr-west", "wordpress", "prod-east -> dr-west")
    assert replication["last_transfer_time"] and 0 <= replication["last_transfer_age_seconds"] < 120
    assert source_side["astra_protection"]["state"] == "partial"
    assert source_side["astra_app_entry"]["destination_cluster"] == "dr-west"
    assert hostvars["wordpress@dr-west"]["astra_replication"]["role"] == "destination"
    assert "destination_cluster" not in hostvars["wordpress@dr-west"]["astra_app_entry"]

    def hosts(group):
        return sorted(inventory.get(group, {}).get("hosts", []))
    assert hosts("cluster_prod_east") == ["postgres@prod-east", "wordpress@prod-east"]
    assert hosts("cluster_dr_west") == ["wordpress@dr-west"]
    assert hosts("protected") == ["postgres@prod-east"] and hosts("unprotected") == ["wordpress@dr-west"]
    assert hosts("mirror_established") == ["wordpress@dr-west", "wordpress@prod-east"]
    assert hosts("mirror_source") == ["wordpress@prod-east"] and hosts("not_replicated") == ["postgres@prod-east"]
    assert hosts("tier_gold") == ["postgres@prod-east"] and hosts("tier_silver") == ["wordpress@prod-east"]
    assert hosts("stale") == ["wordpress@dr-west"]
    assert len(hosts("astra_apps")) == 3

    # The cache: the second run sends no request, and holds no token.
    sim.clear_requests_log()
    graph = ansible_inventory(sim, source, "--graph", "-vvvv")
    assert graph.returncode == 0, graph.stderr
    assert sim.requests_log() == []
    assert "@cluster_prod_east:" in graph.stdout and "|  |--postgres@prod-east" in graph.stdout, graph.stdout
    cache_files = list(cache_dir.iterdir())
    assert cache_files and all(sim.token not in path.read_text() for path in cache_files)

    # A cluster filter: only dr-west's app, and no per-app request for the others.
    sim.clear_requests_log()
    west = ansible_inventory(sim, write_source(tmp_path, "west.astra.yaml", clusters=["dr-west"],
                                               hostnames=["astra_app.name ~ '-dr'"]), "--list")
    assert west.returncode == 0, west.stderr
    assert sorted(json.loads(west.stdout)["_meta"]["hostvars"]) == ["wordpress-dr"]
    assert len(sim.requests_log()) == 3 + 3
    assert mutating_requests(sim) == []


def test_inventory_errors_are_clear_and_never_show_the_token(sim, tmp_path):
    # A bad selector and an unknown cluster: refused before any app is read, naming the option.
    sim.clear_requests_log()
    bad = ansible_inventory(sim, write_source(tmp_path, "bad.astra.yml", labels=["tier in gold"], clusters=["mars"]),
                            "--list")
    assert bad.returncode != 0
    assert "labels[0]" in bad.stderr and "'tier in gold' is not a Kubernetes label selector" in bad.stderr, bad.stderr
    assert sim.requests_log() == []

    # A refused token: the API's answer and where, at the highest verbosity, without the token.
    refused = ansible_inventory(sim, write_source(tmp_path, "refused.astra.yml"), "--list", "-vvvv",
                                env={"ASTRA_API_TOKEN": sim.token[::-1]})
    assert refused.returncode != 0
    assert "reading the estate from %s (account %s) failed" % (sim.url, sim.account_id) in refused.stderr
    assert "HTTP 401" in refused.stderr and sim.token[::-1] not in refused.stdout + refused.stderr, refused.stderr

    # The connection from actoolkit's config.yaml, named in the source (the environment's ASTRA_* blank, which counts as
    # unset): URL and account come from the file, and the token it holds, refused here, is not shown either.
    config = tmp_path / "config.yaml"
    config.write_text("headers:\n  Authorization: Bearer %s\nuid: %s\nastra_project: %s\n"
                      % (sim.token[::-1], sim.account_id, sim.url.split("://", 1)[1]))
    from_file = ansible_inventory(sim, write_source(tmp_path, "actoolkit.astra.yml", actoolkit_config=str(config)),
                                  "--list", "-vvvv", env={"ASTRA_API_URL": "", "ASTRA_ACCOUNT_ID": "", "ASTRA_API_TOKEN": ""})
    assert from_file.returncode != 0
    assert "reading the estate from %s (account %s) failed" % (sim.url, sim.account_id) in from_file.stderr
    assert "HTTP 401" in from_file.stderr and sim.token[::-1] not in from_file.stdout + from_file.stderr, from_file.stderr

    # An API that does not answer.
    down = ansible_inventory(sim, write_source(tmp_path, "down.astra.yml", retry_timeout=0, timeout=2), "--list",
                             env={"ASTRA_API_URL": "https://127.0.0.1:%d" % free_port()})
    assert down.returncode != 0
    assert "reading the estate from https://127.0.0.1:" in down.stderr and "List clusters" in down.stderr, down.stderr


def test_drill_from_inventory_touches_only_the_limited_group(sim, tmp_path):
    clusters, postgres, wordpress = build_estate(sim)
    source = write_source(tmp_path, "estate.astra.yml", keyed_groups=[{"key": "astra_app.labels.tier", "prefix": "tier"}])
    reports = tmp_path / "reports"
    sim.clear_requests_log()
    command = [str(BIN / "ansible-playbook"), "-i", str(source), str(ROOT / "playbooks" / "drill_from_inventory.yml"),
               "--limit", "tier_gold",
               "-e", json.dumps({"drill_destination_cluster": "dr-west", "dr_report_path": str(reports)})]
    run = subprocess.run(command, env=playbook_env(sim), capture_output=True, text=True, timeout=600, check=False)
    output = run.stdout + run.stderr
    assert sim.token not in output
    assert run.returncode == 0, output
    (report_dir,) = reports.glob("drill-*")
    report = json.loads((report_dir / "report.json").read_text())
    assert [app["name"] for app in report["apps"]] == ["postgres"] and report["run"]["passed"], report
    writes = mutating_requests(sim)
    posts = [entry for entry in writes if entry["method"] == "POST"]
    assert len(posts) == 1 and posts[0]["path"].endswith("/k8s/v2/apps"), writes
    # Nothing of wordpress was read for the drill beyond the inventory: its app ID appears in no request after it.
    assert not [entry for entry in sim.requests_log() if wordpress["id"] in entry["path"]
                and entry["path"].split(wordpress["id"])[1] not in ("/appSnaps", "/appBackups", "/schedules")]
