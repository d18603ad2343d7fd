"""Injected faults: HTTP errors, dropped connections, latency and failing operations.

The transport faults (errors, resets, latency) are decided per API request by
the gateway from an in-memory copy of the configuration, drawn from a random
generator that `seed` makes reproducible. `fail_next` counters live in the
store and are consumed inside the transaction of the operation they fail, so a
refused request doesn't use one up.
"""

import random
import threading
from dataclasses import dataclass

from .problems import ApiProblem, reason

HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
TRANSPORT_DEFAULTS = {
    "http_error_rate": 0.0,
    "http_error_statuses": [503],
    "connection_reset_rate": 0.0,
    "latency_ms": 0,
    "seed": None,
    "methods": None,
    "after_processing": False,
    "retry_after": None,
}
RETRY_AFTER_STATUSES = (429, 503)


@dataclass
class Decision:
    latency: float = 0.0          # seconds
    reset: bool = False
    error_status: int = None
    after_processing: bool = False
    retry_after: int = None       # seconds for a Retry-After header on an injected 429 or 503; None: no header

    @property
    def interrupts(self):
        return self.reset or self.error_status is not None


def _rate(body, name, invalid):
    value = body.get(name, 0.0)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        invalid.append(reason(name, "must be a number from 0 to 1"))
        return 0.0
    return float(value)


def parse_configuration(body):
    """Validate a PUT /_simulator/faults body; returns (transport config, fail_next)."""
    if not isinstance(body, dict):
        raise ApiProblem(8, schema_failure="the faults configuration must be a JSON object")
    unknown = sorted(set(body) - set(TRANSPORT_DEFAULTS) - {"fail_next"})
    if unknown:
        raise ApiProblem(8, schema_failure="unknown fault settings: %s" % ", ".join(unknown))
    invalid = []
    config = dict(TRANSPORT_DEFAULTS)
    config["http_error_rate"] = _rate(body, "http_error_rate", invalid)
    config["connection_reset_rate"] = _rate(body, "connection_reset_rate", invalid)
    statuses = body.get("http_error_statuses", [503])
    if (not isinstance(statuses, list) or not statuses
            or not all(isinstance(s, int) and not isinstance(s, bool) and 400 <= s <= 599 for s in statuses)):
        invalid.append(reason("http_error_statuses", "must be a non-empty list of HTTP status codes from 400 to 599"))
    else:
        config["http_error_statuses"] = statuses
    latency = body.get("latency_ms", 0)
    if isinstance(latency, bool) or not isinstance(latency, (int, float)) or latency < 0:
        invalid.append(reason("latency_ms", "must be a non-negative number of milliseconds"))
    else:
        config["latency_ms"] = latency
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        invalid.append(reason("seed", "must be an integer"))
    else:
        config["seed"] = seed
    methods = body.get("methods")
    if methods is not None:
        if not isinstance(methods, list) or not all(isinstance(m, str) and m.upper() in HTTP_METHODS for m in methods):
            invalid.append(reason("methods", "must be a list of HTTP methods"))
        else:
            config["methods"] = [m.upper() for m in methods]
    after = body.get("after_processing", False)
    if not isinstance(after, bool):
        invalid.append(reason("after_processing", "must be true or false"))
    else:
        config["after_processing"] = after
    retry_after = body.get("retry_after")
    if retry_after is not None and (isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0):
        invalid.append(reason("retry_after", "must be a non-negative integer number of seconds"))
    else:
        config["retry_after"] = retry_after
    fail_next = body.get("fail_next", {})
    if not isinstance(fail_next, dict) or not all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0 for k, v in fail_next.items()):
        invalid.append(reason("fail_next", "must map operation names to non-negative counts"))
        fail_next = {}
    if invalid:
        raise ApiProblem(9, invalid_fields=invalid)
    return config, {name: count for name, count in fail_next.items() if count}


def consume_failure(store, operation):
    """True when the next `operation` must fail (and uses up one count)."""
    counts = store.setting("fail_next", {})
    if counts.get(operation, 0) <= 0:
        return False
    counts[operation] -= 1
    if not counts[operation]:
        del counts[operation]
    store.set_setting("fail_next", counts)
    return True


class FaultInjector:
    def __init__(self, store):
        self.store = store
        self._lock = threading.Lock()
        self._load()

    def _load(self):
        with self._lock:
            self.config = {**TRANSPORT_DEFAULTS, **self.store.setting("faults", {})}
            self._random = random.Random(self.config["seed"])

    def configure(self, body):
        config, fail_next = parse_configuration(body)
        with self.store.transaction():
            self.store.set_setting("faults", config)
            self.store.set_setting("fail_next", fail_next)
        self._load()
        return self.describe()

    def clear(self):
        with self.store.transaction():
            self.store.delete_setting("faults")
            self.store.delete_setting("fail_next")
        self._load()

    def describe(self):
        return {**self.config, "fail_next": self.store.setting("fail_next", {})}

    def decide(self, method):
        with self._lock:
            config = self.config
            methods = config["methods"]
            if methods is not None and method.upper() not in methods:
                return Decision()
            # Always draw both numbers so a seed gives the same sequence whatever the rates.
            reset_draw, error_draw = self._random.random(), self._random.random()
            decision = Decision(latency=config["latency_ms"] / 1000.0, after_processing=config["after_processing"])
            if reset_draw < config["connection_reset_rate"]:
                decision.reset = True
            elif error_draw < config["http_error_rate"]:
                decision.error_status = self._random.choice(config["http_error_statuses"])
                if decision.error_status in RETRY_AFTER_STATUSES:
                    decision.retry_after = config["retry_after"]
            return decision
