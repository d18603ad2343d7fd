"""Start the Astra API simulator on a free local port, run a command against it, stop it.

    python scripts/with_simulator.py [--scenario demo|empty|scale [--apps N] [--clusters M]] [--page-size N]
                                     [--time-scale 0.05] [--no-tls] -- COMMAND...

The command runs with ASTRA_API_URL, ASTRA_ACCOUNT_ID, ASTRA_API_TOKEN and
ASTRA_CA_PATH set, exactly as an AWX credential injects them. The simulator's
own log goes to a file in its temporary directory, never to the terminal.
The same class starts the simulator for the integration tests.
"""
import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import requests
import urllib3

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Simulator:
    """One simulator process with its own state directory, account ID and token."""

    def __init__(self, scenario="demo", time_scale=0.05, tls=True, workdir=None, python=None, apps=None, clusters=None,
                 page_size=None):
        self.scenario = scenario
        # The scale scenario's size, and the server's own page size (None: whole collections, as Astra Control).
        sizing = (("--apps", apps), ("--clusters", clusters), ("--page-size", page_size))
        self.sizing = [(option, value) for option, value in sizing if value]
        self.time_scale = time_scale
        self.tls = tls
        self.workdir = workdir or tempfile.mkdtemp(prefix="astra-sim-")
        self.python = python or sys.executable
        self.account_id = str(uuid.uuid4())
        self.token = secrets.token_urlsafe(24)
        self.port = None
        self.process = None
        self.log_path = os.path.join(self.workdir, "simulator.log")

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self.port)

    @property
    def ca_path(self):
        return os.path.join(self.workdir, "ca.pem") if self.tls else None

    @property
    def verify(self):
        return self.ca_path if self.tls else True

    def start(self, timeout=30):
        """Start the process; a restart (after stop or kill) keeps the port, the state file and the CA."""
        self.port = self.port or free_port()
        command = [
            self.python, "-m", "astra_simulator",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--account-id", self.account_id, "--token", self.token,
            "--scenario", self.scenario,
            "--state", os.path.join(self.workdir, "state.sqlite"),
            "--time-scale", str(self.time_scale),
        ]
        for option, value in self.sizing:
            command += [option, str(value)]
        if self.tls:
            command += ["--tls", "--tls-dir", self.workdir]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("simulator exited with %s; log: %s" % (self.process.returncode, self.log_path))
            try:
                # A readiness probe only (no token): certificates are the tests' subject, not the probe's.
                if requests.get(self.url + "/_simulator/health", verify=False, timeout=2).ok:
                    return self
            except (requests.ConnectionError, requests.Timeout, OSError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("simulator did not become ready within %ss; log: %s" % (timeout, self.log_path))

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self):
        """SIGKILL, as a crash or an OOM kill would end it: no shutdown, whatever was in flight stays in the state file."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def env(self):
        env = {
            "ASTRA_API_URL": self.url,
            "ASTRA_ACCOUNT_ID": self.account_id,
            "ASTRA_API_TOKEN": self.token,
        }
        if self.ca_path:
            env["ASTRA_CA_PATH"] = self.ca_path
        return env

    def control(self, method, path, json=None, timeout=10):
        """Call a /_simulator/ control endpoint; returns the decoded JSON body or None."""
        response = requests.request(
            method, self.url + "/_simulator/" + path.lstrip("/"), json=json,
            headers={"Authorization": "Bearer " + self.token}, verify=self.verify, timeout=timeout)
        response.raise_for_status()
        return response.json() if response.content else None

    def api(self, method, path, **kwargs):
        """Call the simulated API directly (for test set-up and assertions)."""
        return requests.request(
            method, "%s/accounts/%s/%s" % (self.url, self.account_id, path.lstrip("/")),
            headers={"Authorization": "Bearer " + self.token}, verify=self.verify, timeout=10, **kwargs)

    def requests_log(self):
        return self.control("GET", "requests", timeout=60)["items"]

    def clear_requests_log(self):
        self.control("DELETE", "requests")

    def reset(self):
        # The scale scenario seeds its estate again on reset: seconds per hundred apps.
        self.control("POST", "reset", timeout=600)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="demo", choices=["demo", "empty", "scale"])
    parser.add_argument("--apps", type=int, help="scale scenario: how many apps")
    parser.add_argument("--clusters", type=int, help="scale scenario: how many production clusters (each with a DR peer)")
    parser.add_argument("--page-size", type=int, help="the simulator pages every list without limit")
    parser.add_argument("--time-scale", type=float, default=0.05)
    parser.add_argument("--no-tls", action="store_true")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    simulator = Simulator(scenario=args.scenario, time_scale=args.time_scale, tls=not args.no_tls, apps=args.apps,
                          clusters=args.clusters, page_size=args.page_size)
    try:
        simulator.start()
        print("Astra simulator: %s (scenario %s, time scale %s, CA %s)" % (
            simulator.url, args.scenario, args.time_scale, simulator.ca_path or "none"), flush=True)
        return subprocess.call(command, env=dict(os.environ, **simulator.env()))
    finally:
        simulator.cleanup()


if __name__ == "__main__":
    sys.exit(main())
