"""The command line, TLS, and state that survives a restart."""

import re
import subprocess
import sys

import pytest
import requests

from simulator_harness import SimulatorProcess, free_port


def test_tls_verifies_with_the_printed_ca(tmp_path):
    simulator = SimulatorProcess(tmp_path, tls=True).start()
    try:
        output = simulator.output()
        assert "CA file:     %s" % simulator.ca_path in output
        assert "base URL:    https://127.0.0.1:%d" % simulator.port in output
        verified = requests.get(simulator.api + "topology/v1/clouds", headers=simulator.headers, verify=simulator.ca_path, timeout=5)
        assert verified.status_code == 200
        assert requests.get("https://localhost:%d/_simulator/health" % simulator.port, verify=simulator.ca_path, timeout=5).ok
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(simulator.api + "topology/v1/clouds", headers=simulator.headers, timeout=5)
        ca = open(simulator.ca_path).read()
    finally:
        simulator.stop()
    simulator.start()     # the CA is reused, so clients keep trusting it
    try:
        assert open(simulator.ca_path).read() == ca
        assert requests.get(simulator.url + "/_simulator/health", verify=simulator.ca_path, timeout=5).ok
    finally:
        simulator.stop()


def test_state_survives_a_restart(tmp_path):
    simulator = SimulatorProcess(tmp_path, time_scale=0.25)    # discovery takes 1 s: it spans the restart
    simulator.start()
    try:
        assert simulator.output().count(simulator.token) == 0        # a token given on the command line is never echoed
        done = simulator.manage("wp", "prod-east", ["wordpress"]).json()
        simulator.wait_for_app(done["id"], "ready", timeout=10)
        pending = simulator.manage("pg", "prod-east", ["postgres"]).json()
        assert pending["state"] == "discovering"
        cluster_ids = {c["name"]: c["id"] for c in simulator.items("topology/v1/clusters")}
    finally:
        simulator.stop()
    simulator.start(with_identity=False)      # no --account-id / --token: both come from the state file
    try:
        assert "(state file" in simulator.output()
        assert simulator.app(done["id"]).json()["namespaces"] == ["wordpress"]
        assert {c["name"]: c["id"] for c in simulator.items("topology/v1/clusters")} == cluster_ids
        assert simulator.wait_for_app(pending["id"], "ready", timeout=10)["namespaces"] == ["postgres"]
    finally:
        simulator.stop()


def test_snapshots_and_backups_survive_a_restart(tmp_path):
    simulator = SimulatorProcess(tmp_path, time_scale=0.25)     # a backup is in flight for about 3 s: it spans the restart
    simulator.start()
    try:
        app = simulator.manage("wp", "prod-east", ["wordpress"]).json()
        simulator.wait_for_app(app["id"], "ready", timeout=10)
        snap = simulator.completed_snapshot(app["id"], "s1", timeout=10)
        backup = simulator.backup(app["id"], "b1", snapshotID=snap["id"]).json()
        assert backup["state"] == "pending"
        snap_assets = simulator.items("k8s/v1/apps/%s/appSnaps/%s/appAssets" % (app["id"], snap["id"]))
    finally:
        simulator.stop()
    simulator.start()
    try:
        assert simulator.get("k8s/v1/apps/%s/appSnaps/%s" % (app["id"], snap["id"])).json() == snap
        assert simulator.items("k8s/v1/apps/%s/appSnaps/%s/appAssets" % (app["id"], snap["id"])) == snap_assets
        done = simulator.wait_for("k8s/v1/apps/%s/appBackups/%s" % (app["id"], backup["id"]), "completed", timeout=10)
        assert done["percentDone"] == 100 and done["snapshotID"] == snap["id"] and done["name"] == "b1"
        assert [b["id"] for b in simulator.items("topology/v1/appBackups")] == [backup["id"]]
    finally:
        simulator.stop()


def test_generated_identity_is_printed(tmp_path):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "astra_simulator", "--port", str(port), "--state", str(tmp_path / "s.sqlite"),
                                "--time-scale", "0.05"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = [process.stdout.readline() for _line in range(6)]
    finally:
        process.terminate()
        process.wait(timeout=10)
    text = "".join(lines)
    account = re.search(r"account ID:\s+(\S+) \(generated\)", text).group(1)
    token = re.search(r"API token:\s+(\S+)", text).group(1)
    assert re.match(r"^[0-9a-f-]{36}$", account) and len(token) >= 32
    assert str(tmp_path / "s.sqlite") in text


@pytest.mark.parametrize("scale", ["0", "-1", "nan"])
def test_time_scale_must_be_positive(tmp_path, scale):
    result = subprocess.run([sys.executable, "-m", "astra_simulator", "--time-scale", scale, "--state", str(tmp_path / "s.sqlite")],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert "--time-scale" in result.stderr and "greater than 0" in result.stderr


def test_token_starting_with_a_dash_is_accepted(tmp_path):
    simulator = SimulatorProcess(tmp_path, token="-starts-with-a-dash").start()
    try:
        assert simulator.get("topology/v1/clouds").status_code == 200
    finally:
        simulator.stop()
