"""Test harness: real simulator processes on free loopback ports, talked to with requests."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid

import requests

from astra_simulator.problems import CATALOGUE

TIME_SCALE = 0.02   # discovery 4 s -> 80 ms
SLOW_SCALE = 0.25   # snapshot 4 s -> 1 s, backup transfer 6 s -> 1.5 s, in-place restoring 6 s -> 1.5 s
FAST_SCALE = 0.0005  # an hourly schedule fires every 1.8 s


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout=5.0, interval=0.02, what="condition"):
    """Poll `predicate` on a monotonic deadline; return its first truthy value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for %s" % what)
        time.sleep(interval)


class SimulatorProcess:
    def __init__(self, workdir, tls=False, scenario="demo", time_scale=TIME_SCALE, account_id=None, token=None,
                 extra_args=(), host="127.0.0.1"):
        self.workdir = str(workdir)
        self.host = host            # None: no --host option (the simulator's default applies)
        self.tls = tls
        self.scenario = scenario
        self.time_scale = time_scale
        self.account_id = account_id or str(uuid.uuid4())
        self.token = token or secrets.token_urlsafe(24)
        self.extra_args = list(extra_args)
        self.state_path = os.path.join(self.workdir, "state.sqlite")
        self.log_path = os.path.join(self.workdir, "simulator.log")
        self.port = None
        self.process = None
        self.session = requests.Session()

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self.port)

    @property
    def api(self):
        return "%s/accounts/%s/" % (self.url, self.account_id)

    @property
    def ca_path(self):
        return os.path.join(self.workdir, "ca.pem")

    @property
    def headers(self):
        return {"Authorization": "Bearer %s" % self.token}

    def command(self, with_identity=True):
        command = [sys.executable, "-m", "astra_simulator", "--port", str(self.port),
                   "--state", self.state_path, "--time-scale", str(self.time_scale), "--scenario", self.scenario]
        if self.host is not None:
            command += ["--host", self.host]
        if with_identity:
            command += ["--account-id", self.account_id, "--token", self.token]
        if self.tls:
            command += ["--tls", "--tls-dir", self.workdir]
        return command + self.extra_args

    def start(self, with_identity=True, timeout=20):
        self.port = self.port or free_port()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command(with_identity), stdout=log, stderr=subprocess.STDOUT)
        verify = self.ca_path if self.tls else True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("simulator exited with %s:\n%s" % (self.process.returncode, self.output()))
            try:
                if requests.get(self.url + "/_simulator/health", verify=verify, timeout=2).ok:
                    return self
            except (requests.ConnectionError, OSError):
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("simulator didn't become ready:\n%s" % self.output())

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.session.close()
        self.session = requests.Session()

    def crash(self):
        """SIGKILL the process: no shutdown, no cleanup, as in a power cut of the simulator (not of the machine)."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.session.close()
        self.session = requests.Session()

    def output(self):
        with open(self.log_path, errors="replace") as log:
            return log.read()

    # request helpers ----------------------------------------------------------
    def request(self, method, relative, headers=None, **kwargs):
        merged = dict(self.headers)
        merged.update(headers or {})
        kwargs.setdefault("timeout", 10)
        if self.tls:
            kwargs.setdefault("verify", self.ca_path)
        return self.session.request(method, self.api + relative, headers=merged, **kwargs)

    def get(self, relative, **kwargs):
        return self.request("GET", relative, **kwargs)

    def control(self, method, relative, **kwargs):
        kwargs.setdefault("timeout", 10)
        response = self.session.request(method, self.url + "/_simulator/" + relative, headers=self.headers, **kwargs)
        return response

    def items(self, relative, **kwargs):
        response = self.get(relative, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def named(self, relative, name):
        return next(item for item in self.items(relative) if item["name"] == name)

    def cluster_id(self, name):
        return self.named("topology/v1/clusters", name)["id"]

    def manage(self, name, cluster, namespaces, version="2.1", **extra):
        body = {"type": "application/astra-app", "version": version, "name": name, "clusterID": self.cluster_id(cluster),
                "namespaceScopedResources": [ns if isinstance(ns, dict) else {"namespace": ns} for ns in namespaces]}
        body.update(extra)
        return self.request("POST", "k8s/v2/apps", json=body)

    def app(self, app_id):
        return self.get("k8s/v2/apps/" + app_id)

    def wait_for_app(self, app_id, state, timeout=5.0):
        def reached():
            response = self.app(app_id)
            return response.json() if response.status_code == 200 and response.json()["state"] == state else None
        return wait_until(reached, timeout, what="app %s to be %s" % (app_id, state))

    def wait_until_gone(self, app_id, timeout=5.0):
        wait_until(lambda: self.app(app_id).status_code == 404, timeout, what="app %s to disappear" % app_id)

    def post(self, relative, body, **kwargs):
        return self.request("POST", relative, json=body, **kwargs)

    def put(self, relative, body, **kwargs):
        return self.request("PUT", relative, json=body, **kwargs)

    def delete(self, relative, **kwargs):
        return self.request("DELETE", relative, **kwargs)

    def wait_for(self, relative, state, timeout=5.0):
        """Poll a resource until its `state` is `state`; return it."""
        def reached():
            response = self.get(relative)
            return response.json() if response.status_code == 200 and response.json()["state"] == state else None
        return wait_until(reached, timeout, what="%s to be %s" % (relative, state))

    def wait_gone(self, relative, timeout=5.0):
        wait_until(lambda: self.get(relative).status_code == 404, timeout, what="%s to disappear" % relative)

    def ready_app(self, name, cluster, namespaces, timeout=5.0):
        response = self.manage(name, cluster, namespaces)
        assert response.status_code == 201, response.text
        return self.wait_for_app(response.json()["id"], "ready", timeout)

    def snapshot(self, app_id, name=None, version="1.1", **extra):
        body = {"type": "application/astra-appSnap", "version": version, **extra}
        if name:
            body["name"] = name
        return self.post("k8s/v1/apps/%s/appSnaps" % app_id, body)

    def backup(self, app_id, name=None, version="1.1", **extra):
        body = {"type": "application/astra-appBackup", "version": version, **extra}
        if name:
            body["name"] = name
        return self.post("k8s/v1/apps/%s/appBackups" % app_id, body)

    def completed_snapshot(self, app_id, name, timeout=5.0):
        response = self.snapshot(app_id, name)
        assert response.status_code == 201, response.text
        return self.wait_for("k8s/v1/apps/%s/appSnaps/%s" % (app_id, response.json()["id"]), "completed", timeout)

    def completed_backup(self, app_id, name, timeout=5.0, **extra):
        response = self.backup(app_id, name, **extra)
        assert response.status_code == 201, response.text
        return self.wait_for("k8s/v1/apps/%s/appBackups/%s" % (app_id, response.json()["id"]), "completed", timeout)

    def world(self, cluster):
        """The cluster's internal world (control endpoint)."""
        response = self.control("GET", "clusters/" + cluster)
        assert response.status_code == 200, response.text
        return response.json()

    def objects(self, cluster, namespace):
        """{(kind, name): object} of one namespace of a cluster's world."""
        return {(obj["kind"], obj["name"]): obj for obj in self.world(cluster)["resources"] if obj["namespace"] == namespace}


def assert_problem(response, status, number):
    """The response is problem `number` with `status`: catalogue title and detail verbatim, specifics only in `reason`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == "https://astra.netapp.io/problems/%d" % number, body
    assert body["status"] == str(status)
    assert isinstance(body["status"], str)
    assert body["title"] and body["detail"] and body["correlationID"]
    catalogue_status, title, detail = CATALOGUE[number]
    assert (catalogue_status, body["title"], body["detail"]) == (status, title, detail), body
    assert "reason" not in body or (isinstance(body["reason"], str) and body["reason"]), body
    return body
