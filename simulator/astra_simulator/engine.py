"""Timed state transitions on a wall clock that survives restarts.

An operation that takes time (discovering an app, unmanaging it, later
snapshots, backups, clones, mirrors...) sets its first transitional state
inside the request and schedules a timer. A timer is a row in the store with
a wall-clock due time and the name of an action; the action's handler runs
when the timer is due. Due timers are applied before every request and by a
background ticker, so a client that polls sees progress even when nobody else
is talking to the simulator, and a restarted simulator carries on where it
stopped.

Timers tied to a cluster (`cluster_id`) wait while that cluster is in a
simulated outage and fire once it ends.
"""

import logging
import threading
import time

log = logging.getLogger("astra_simulator.engine")

# Seconds at --time-scale 1.0. Every duration the simulator uses lives here.
DURATIONS = {
    "app.discover": 4.0,        # manage (or redefine) an app: discovering -> ready
    "app.unmanage": 2.0,        # unmanage: deleting -> gone
    "appSnap.start": 1.0,       # snapshot: pending -> running
    "appSnap.complete": 3.0,    # snapshot: running -> completed
    "appSnap.delete": 1.0,      # snapshot delete: deleting -> gone
    "appBackup.start": 1.0,     # backup: pending -> running (after its snapshot completed)
    "appBackup.transfer": 6.0,  # backup: running -> completed (percentDone rises over this time)
    "appBackup.delete": 2.0,    # backup delete: deleting -> gone
    "clone.provision": 8.0,     # clone / restore to a new app: provisioning -> discovering
    "clone.discover": 3.0,      # clone / restore to a new app: discovering -> ready
    "restore.restoring": 6.0,   # in-place restore: restoring -> discovering
    "restore.discover": 3.0,    # in-place restore: discovering -> ready
    "appMirror.establish": 10.0,  # mirror create: establishing -> established (includes the baseline transfer)
    "appMirror.transfer": 3.0,    # one scheduled replication transfer: transferring -> idle
    "appMirror.failover": 6.0,    # failover: failingOver -> failedOver
    "appMirror.resync": 10.0,     # resync or reverse: establishing -> established (includes the baseline transfer)
    "appMirror.delete": 4.0,      # mirror delete: deleting -> gone
}

# Schedule periods in seconds at --time-scale 1.0 (also multiplied by the time scale).
PERIODS = {"hourly": 3600.0, "daily": 86400.0, "weekly": 7 * 86400.0, "monthly": 30 * 86400.0}

# action name -> handler(store, engine, timer)
_HANDLERS = {}


def on_timer(action):
    """Register the handler of a timed action."""
    def register(handler):
        _HANDLERS[action] = handler
        return handler
    return register


class Engine:
    def __init__(self, store, time_scale):
        if time_scale <= 0:
            raise ValueError("time_scale must be greater than 0")
        self.store = store
        self.time_scale = time_scale
        self._ticker = None
        self._stopping = threading.Event()

    def duration(self, key):
        return DURATIONS[key] * self.time_scale

    def schedule(self, action, duration_key, object_id, cluster_id=None, args=None):
        if action not in _HANDLERS:
            raise KeyError("no handler registered for timed action %r" % action)
        self.store.add_timer(time.time() + self.duration(duration_key), action, object_id, cluster_id, args)

    def schedule_at(self, action, due, object_id, cluster_id=None, args=None):
        """Schedule at a wall-clock time (already scaled), e.g. the next firing of a protection schedule."""
        if action not in _HANDLERS:
            raise KeyError("no handler registered for timed action %r" % action)
        self.store.add_timer(due, action, object_id, cluster_id, args)

    def cancel(self, object_id):
        self.store.delete_timers_for(object_id)

    def outages(self):
        return set(self.store.setting("outages", []))

    def run_due(self):
        """Apply every due transition, in due order; each in its own transaction."""
        with self.store.lock:
            unreachable = self.outages()
            for timer in self.store.due_timers(time.time()):
                if timer["cluster_id"] in unreachable:
                    continue
                handler = _HANDLERS.get(timer["action"])
                try:
                    with self.store.transaction():
                        self.store.delete_timer(timer["id"])
                        if handler is None:
                            raise LookupError("no handler for timed action %r" % timer["action"])
                        handler(self.store, self, timer)
                except Exception:
                    # A broken transition must not fail every later request: log it and drop the timer.
                    log.exception("dropping timer %s (%s of %s)", timer["id"], timer["action"], timer["object_id"])
                    self.store.delete_timer(timer["id"])

    # background ticker ------------------------------------------------------
    def start_ticker(self, interval=0.05):
        self._stopping.clear()
        self._ticker = threading.Thread(target=self._tick, args=(interval,), name="astra-simulator-ticker", daemon=True)
        self._ticker.start()

    def stop_ticker(self):
        self._stopping.set()
        if self._ticker:
            self._ticker.join(timeout=2)

    def _tick(self, interval):
        while not self._stopping.wait(interval):
            try:
                self.run_due()
            except Exception:  # keep ticking; the next request also retries
                log.exception("applying due transitions failed")
