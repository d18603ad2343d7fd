"""What the reliability tests share: the fault profiles, the census of the simulated world, the figures they record.

`make test` runs the bounded core of every scenario; `make reliability` sets KUBEDR_RELIABILITY=full, which runs the
same tests over more of the estate and more repetitions, and then writes the figures into docs/reliability.md
(scripts/reliability_figures.py). Each test records its figures as JSON under tests/output/reliability/.
"""
import collections
import json
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIGURES = Path(os.environ.get("KUBEDR_RELIABILITY_FIGURES") or ROOT / "tests" / "output" / "reliability")

# What a bad day on the network looks like: 30% of API requests answered 503 or 429 with Retry-After, 5% of
# connections reset before the request reached the API, 200 ms of latency on every request. make reliability runs
# this; make test's core keeps the error and reset rates but not the waiting (Retry-After 0, 20 ms), which would
# cost minutes: the client honouring Retry-After to the millisecond is unit-tested.
FLAKY_NETWORK_FULL = {"http_error_rate": 0.3, "http_error_statuses": [503, 429], "retry_after": 1,
                      "connection_reset_rate": 0.05, "latency_ms": 200}
FLAKY_NETWORK_CORE = dict(FLAKY_NETWORK_FULL, retry_after=0, latency_ms=20)
# The ambiguous case: the API processed the create, but its answer was lost (a 502/503 or a reset after processing).
LOST_ANSWERS = {"http_error_rate": 0.35, "http_error_statuses": [502, 503], "connection_reset_rate": 0.15,
                "after_processing": True, "methods": ["POST"]}
INJECTED = {429, 502, 503, None}


def full():
    """Whether this is the full run (make reliability) rather than make test's bounded core."""
    return os.environ.get("KUBEDR_RELIABILITY") == "full"


def flaky_network():
    return FLAKY_NETWORK_FULL if full() else FLAKY_NETWORK_CORE


def record_figures(scenario, **figures):
    """Write one scenario's figures (merged with what an earlier test of the same scenario wrote)."""
    FIGURES.mkdir(parents=True, exist_ok=True)
    path = FIGURES / ("%s.json" % scenario)
    data = json.loads(path.read_text()) if path.exists() else {}
    data.update(figures, scope="full" if full() else "core", recorded=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return data


def request_counts(log):
    """Requests, retries made (one per injected fault: the client tried that request again) and writes, from the
    simulator's request log."""
    injected = [entry for entry in log if entry["status"] in INJECTED]
    return {"requests": len(log), "retries_made": len(injected),
            "writes": sum(1 for entry in log if entry["method"] in ("POST", "PUT", "DELETE"))}


def census(sim):
    """Everything the simulated account holds, by kind, as lists of names (read with the faults cleared)."""
    apps = sim.api("GET", "k8s/v2/apps").json()["items"]
    world = {"apps": ["%s@%s" % (app["name"], app["clusterName"]) for app in apps],
             "snapshots": [], "backups": [], "schedules": [],
             "mirrors": [mirror["sourceAppID"] for mirror in sim.api("GET", "k8s/v1/appMirrors").json()["items"]]}
    for app in apps:
        for kind, collection in (("snapshots", "appSnaps"), ("backups", "appBackups"), ("schedules", "schedules")):
            items = sim.api("GET", "k8s/v1/apps/%s/%s" % (app["id"], collection)).json()["items"]
            world[kind] += ["%s@%s/%s" % (app["name"], app["clusterName"], item["name"]) for item in items]
    return world


def duplicates(world):
    """Names that occur more than once within one kind: what a blindly repeated POST would leave behind."""
    found = {}
    for kind, names in world.items():
        repeated = [name for name, count in collections.Counter(names).items() if count > 1]
        if repeated:
            found[kind] = repeated
    return found


def adopted(output):
    """How many creates were adopted after a lost answer instead of being posted again (the modules' warnings)."""
    return output.count("adopted the ")
