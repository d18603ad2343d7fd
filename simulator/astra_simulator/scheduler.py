"""The scheduler: what each firing of a protection schedule does.

It sits above the schedules (`schedules.arm` sets each firing), the snapshots
and backups, and the mirrors, and calls down into them. A firing first sets the
next one (a simulator that was stopped fires once, not once per missed period).
Then, when the schedule is enabled: a non-replicating schedule takes a snapshot
and, with backupRetention > 0, a backup of it, and retention prunes per schedule
(protection.scheduled_protection, protection.prune); a replication schedule
(`replicate: "true"`) starts a transfer of the appMirror whose source is the
app (mirrors.scheduled_transfer).
"""

import time

from . import mirrors, protection, schedules
from .engine import on_timer


@on_timer("schedule.fire")
def _fire(store, engine, timer):
    schedule = store.get("schedule", timer["object_id"])
    if schedule is None:
        return
    app = store.get("app", schedule["_appID"])
    if app is None:
        return
    step = schedules.period(schedule) * engine.time_scale
    due = timer["args"].get("due", timer["due"])
    missed = max(0, int((time.time() - due) // step))      # a simulator that was stopped doesn't replay every firing
    schedules.arm(store, engine, schedule, app, after=due + missed * step)
    if schedule["enabled"] != "true":
        return
    if schedule["replicate"] == "true":
        mirrors.scheduled_transfer(store, engine, schedule, app)     # a transfer of the app's established mirror, if any
        return
    protection.scheduled_protection(store, engine, schedule, app)
