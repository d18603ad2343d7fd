"""Protection schedules (`k8s/v1/apps/{id}/schedules`) and when they fire.

Every field is a string. POST needs name, granularity, snapshotRetention and
backupRetention; `enabled` defaults to "true", `replicate` to "false".

| granularity | time fields used (validated numerically)                 |
|-------------|----------------------------------------------------------|
| hourly      | minute 0-59                                              |
| daily       | minute, hour 0-23                                        |
| weekly      | minute, hour, dayOfWeek 0-7                              |
| monthly     | minute, hour, dayOfMonth 1-31                            |
| custom      | recurrenceRule `DTSTART:<UTC>Z\\nRRULE:FREQ=MINUTELY|HOURLY;INTERVAL=n`; minute reads "0" |

Fields a granularity doesn't use may be absent, null or "*" (actoolkit sends
"*"), or a valid number; they are kept as sent (null ones are left out).

Firing times: timestamps are real wall-clock time, periods are scaled by
--time-scale (hourly every 3600 x scale s, daily 86400 x scale, weekly 7 days x
scale, monthly 30 days x scale, custom n minutes or hours x scale), counted
from the schedule's creation (or the last change of its timing). The minute,
hour and day fields don't shift that phase. `arm` sets the next firing;
`scheduler.py` carries it out.
"""

import re
import time
from datetime import datetime, timezone

from .engine import PERIODS
from .problems import ApiProblem, reason
from .resources import new_id, new_metadata, public, save_update
from .schema import IDENTIFIER, METADATA_UPDATE, Nullable, Obj, Str, envelope, validate

VERSIONS = ("1.0", "1.1", "1.2", "1.3")
GRANULARITIES = ("hourly", "daily", "weekly", "monthly", "custom")
TIME_FIELDS = ("minute", "hour", "dayOfWeek", "dayOfMonth")
USED = {"hourly": ("minute",), "daily": ("minute", "hour"), "weekly": ("minute", "hour", "dayOfWeek"),
        "monthly": ("minute", "hour", "dayOfMonth"), "custom": ()}
RANGES = {"minute": (0, 59), "hour": (0, 23), "dayOfWeek": (0, 7), "dayOfMonth": (1, 31)}
RULE = re.compile(r"^DTSTART:(?P<start>[0-9]{8}T[0-9]{6}Z)\r?\nRRULE:(?P<parts>[A-Z]+=[A-Z0-9]+(;[A-Z]+=[A-Z0-9]+)*)$")
FREQUENCIES = {"MINUTELY": 60.0, "HOURLY": 3600.0}

_COUNT = Str(pattern=r"^(0|([1-9][0-9]*))$", min_length=1, max_length=63)
_BOOL = Str(enum=["true", "false"])
_FIELDS = {
    **envelope("schedule", VERSIONS),
    "name": Str(min_length=1, max_length=63),
    "enabled": _BOOL,
    "granularity": Str(enum=list(GRANULARITIES)),
    "minute": Nullable(Str()), "hour": Nullable(Str()), "dayOfWeek": Nullable(Str()), "dayOfMonth": Nullable(Str()),
    "recurrenceRule": Nullable(Str()),
    "snapshotRetention": _COUNT,
    "backupRetention": _COUNT,
    "bucketID": IDENTIFIER,
    "replicate": _BOOL,
    "metadata": METADATA_UPDATE,
}
POST_SCHEMA = Obj(_FIELDS, required=("type", "version", "name", "granularity", "snapshotRetention", "backupRetention"))
PUT_SCHEMA = Obj({**_FIELDS, "id": IDENTIFIER}, required=("type", "version", "snapshotRetention", "backupRetention"))
PUBLIC_FIELDS = ("type", "version", "id", "name", "enabled", "granularity", "minute", "hour", "dayOfWeek", "dayOfMonth",
                 "recurrenceRule", "snapshotRetention", "backupRetention", "bucketID", "replicate", "metadata")
SETTABLE = ("name", "enabled", "granularity", "minute", "hour", "dayOfWeek", "dayOfMonth", "recurrenceRule",
            "snapshotRetention", "backupRetention", "bucketID", "replicate")


def listed(store, app_id):
    return store.all("schedule", _appID=app_id)


def render(schedule):
    doc = public(schedule)
    return {name: doc[name] for name in PUBLIC_FIELDS if name in doc}


# validation -------------------------------------------------------------------
def parse_rule(text):
    """`DTSTART:20220101T000500Z\\nRRULE:FREQ=MINUTELY;INTERVAL=10` -> (start, freq, interval); ValueError if not."""
    match = RULE.match(text)
    if not match:
        raise ValueError("must be 'DTSTART:<yyyymmddThhmmss>Z' and 'RRULE:FREQ=MINUTELY|HOURLY;INTERVAL=<n>' on two lines")
    try:
        start = datetime.strptime(match.group("start"), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise ValueError("DTSTART %s isn't a valid UTC time" % match.group("start"))
    if start.timestamp() > time.time() + 1:
        raise ValueError("DTSTART %s is in the future" % match.group("start"))
    parts = dict(part.split("=", 1) for part in match.group("parts").split(";"))
    unknown = sorted(set(parts) - {"FREQ", "INTERVAL"})
    if unknown:
        raise ValueError("only the FREQ and INTERVAL rule parts are supported, not %s" % ", ".join(unknown))
    if parts.get("FREQ") not in FREQUENCIES:
        raise ValueError("FREQ must be MINUTELY or HOURLY")
    if not re.match(r"^[1-9][0-9]{0,5}$", parts.get("INTERVAL", "")):
        raise ValueError("INTERVAL must be a positive integer")
    return match.group("start"), parts["FREQ"], int(parts["INTERVAL"])


def _number(value, field):
    low, high = RANGES[field]
    if not isinstance(value, str) or not re.match(r"^[0-9]{1,2}$", value) or not low <= int(value) <= high:
        return None
    return int(value)


def normalise(fields):
    """Extended validation (problem 9) of a complete schedule; returns the stored fields."""
    failures = []
    granularity = fields["granularity"]
    used = USED[granularity]
    for field in TIME_FIELDS:
        value = fields.get(field)
        low, high = RANGES[field]
        if field in used:
            if _number(value, field) is None:
                failures.append(reason(field, "a %s schedule needs %s as a number from %d to %d, as a string, not %r"
                                       % (granularity, field, low, high, value)))
        elif value not in (None, "*") and _number(value, field) is None:
            failures.append(reason(field, "must be a number from %d to %d as a string, \"*\" or null, not %r" % (low, high, value)))
    rule = fields.get("recurrenceRule")
    if granularity == "custom":
        if not rule:
            failures.append(reason("recurrenceRule", "a custom schedule needs a recurrenceRule"))
        else:
            try:
                parse_rule(rule)
            except ValueError as error:
                failures.append(reason("recurrenceRule", str(error)))
    elif rule is not None:
        failures.append(reason("recurrenceRule", "only custom schedules take a recurrenceRule"))
    if failures:
        raise ApiProblem(9, invalid_fields=failures)
    stored = {key: value for key, value in fields.items() if value is not None}
    if granularity == "custom":
        stored["minute"] = "0"
    return stored


def identity(schedule):
    """What makes two schedules of one app duplicates (problem 132): the granularity and its time fields."""
    if schedule["granularity"] == "custom":
        return ("custom",) + parse_rule(schedule["recurrenceRule"])
    return (schedule["granularity"],) + tuple(int(schedule[field]) for field in USED[schedule["granularity"]])


def _check_unique(store, app, schedule):
    mine = identity(schedule)
    for other in listed(store, app["id"]):
        if other["id"] != schedule.get("id") and identity(other) == mine:
            raise ApiProblem(132, "The app %s already has the schedule %s (%s) with the same timing."
                             % (app["name"], other["name"], other["granularity"]))


def _check_bucket(store, fields):
    if fields.get("bucketID") and store.get("bucket", fields["bucketID"]) is None:
        raise ApiProblem(108, "The bucket %s isn't found." % fields["bucketID"])


def period(schedule):
    """Seconds between firings at time scale 1."""
    if schedule["granularity"] == "custom":
        frequency, interval = parse_rule(schedule["recurrenceRule"])[1:]
        return FREQUENCIES[frequency] * interval
    return PERIODS[schedule["granularity"]]


# operations -------------------------------------------------------------------
def create(call, app):
    store, body = call.store, call.body
    failure = validate(POST_SCHEMA, body)
    if failure:
        raise ApiProblem(8, schema_failure=failure)
    fields = {"enabled": "true", "replicate": "false"}
    fields.update({key: body[key] for key in SETTABLE if key in body})
    fields = normalise(fields)
    _check_bucket(store, fields)
    _check_unique(store, app, fields)
    schedule = {"type": "application/astra-schedule", "version": body["version"], "id": new_id(), **fields,
                "metadata": new_metadata(store.setting("user_id"), (body.get("metadata") or {}).get("labels")),
                "_appID": app["id"]}
    store.put("schedule", schedule)
    arm(store, call.engine, schedule, app)
    return schedule


def update(call, app, schedule):
    store, body = call.store, call.body
    failure = validate(PUT_SCHEMA, body)
    if failure:
        raise ApiProblem(8, schema_failure=failure)
    if "id" in body and body["id"] != schedule["id"]:
        raise ApiProblem(10, invalid_fields=[reason("id", "can't be changed (stored value: %s)" % schedule["id"])])
    fields = {key: schedule[key] for key in SETTABLE if key in schedule}
    fields.update({key: body[key] for key in SETTABLE if key in body})
    fields = normalise(fields)
    _check_bucket(store, fields)
    _check_unique(store, app, dict(fields, id=schedule["id"]))
    timing = ("granularity", "recurrenceRule", "enabled", "replicate")
    retimed = any(fields.get(key) != schedule.get(key) for key in timing)
    for key in SETTABLE:
        schedule.pop(key, None)
    schedule.update(fields)
    save_update(store, "schedule", schedule, body)
    if retimed:
        call.engine.cancel(schedule["id"])
        arm(store, call.engine, schedule, app)


def delete(call, schedule):
    call.store.delete(schedule["id"])


# firing times -------------------------------------------------------------------
def arm(store, engine, schedule, app, after=None):
    """Set the next firing one scaled period after `after` (default: now); the `schedule.fire` timer is handled in
    scheduler.py, which the application imports."""
    due = (after if after is not None else time.time()) + period(schedule) * engine.time_scale
    # A protection schedule waits while its cluster is unreachable (one catch-up firing afterwards); a replication
    # schedule keeps firing, so a transfer attempted during an outage fails and the mirror reads critical.
    cluster_id = None if schedule.get("replicate") == "true" else app["clusterID"]
    engine.schedule_at("schedule.fire", due, schedule["id"], cluster_id=cluster_id, args={"due": due})


def copy_to(store, engine, schedule, app):
    """A copy of `schedule` on `app` (failover copies the source's protection schedules); None when `app` already
    has a schedule with the same timing."""
    fields = {key: schedule[key] for key in SETTABLE if key in schedule}
    if any(identity(other) == identity(fields) for other in listed(store, app["id"])):
        return None
    copy = {"type": "application/astra-schedule", "version": schedule["version"], "id": new_id(), **fields,
            "metadata": new_metadata(schedule["metadata"].get("createdBy"), schedule["metadata"].get("labels")),
            "_appID": app["id"]}
    store.put("schedule", copy)
    arm(store, engine, copy, app)
    return copy
