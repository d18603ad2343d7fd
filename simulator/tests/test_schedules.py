"""Protection schedules: validation, CRUD, the scheduler and retention."""

import re
import time
import uuid

from simulator_harness import FAST_SCALE, assert_problem, wait_until

SCHEDULE = {"type": "application/astra-schedule", "version": "1.2"}
HOURLY_SECONDS = 3600 * FAST_SCALE


def schedules(app_id, schedule_id=""):
    return "k8s/v1/apps/%s/schedules%s" % (app_id, "/" + schedule_id if schedule_id else "")


def hourly(name="hourly", minute="15", snapshots="2", backups="1", **extra):
    return {**SCHEDULE, "name": name, "granularity": "hourly", "minute": minute, "snapshotRetention": snapshots,
            "backupRetention": backups, **extra}


def custom(rule="DTSTART:20220101T000500Z\nRRULE:FREQ=MINUTELY;INTERVAL=10", **extra):
    return {**SCHEDULE, "name": "custom schedule", "granularity": "custom", "recurrenceRule": rule,
            "snapshotRetention": "0", "backupRetention": "0", **extra}


def test_create_list_get_update_delete(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    response = sim.post(schedules(app["id"]), hourly(hour="*", dayOfWeek="*", dayOfMonth="*"))
    assert response.status_code == 201, response.text
    schedule = response.json()
    assert response.headers["location"] == sim.api + schedules(app["id"], schedule["id"])
    assert schedule["type"] == "application/astra-schedule" and schedule["version"] == "1.2"
    assert schedule["enabled"] == "true" and schedule["replicate"] == "false"
    assert schedule["minute"] == "15" and schedule["snapshotRetention"] == "2" and schedule["backupRetention"] == "1"
    assert [s["id"] for s in sim.items(schedules(app["id"]))] == [schedule["id"]]
    assert sim.items(schedules(app["id"]) + "?include=name,granularity") == [["hourly", "hourly"]]
    assert_problem(sim.get(schedules(app["id"]) + "?filter=name%20eq%20'hourly'"), 400, 6)
    assert sim.get(schedules(app["id"], schedule["id"])).json() == schedule
    update = {**SCHEDULE, "version": "1.3", "snapshotRetention": "5", "backupRetention": "0", "enabled": "false"}
    response = sim.put(schedules(app["id"], schedule["id"]), update)
    assert response.status_code == 204 and response.content == b""
    updated = sim.get(schedules(app["id"], schedule["id"])).json()
    assert updated["snapshotRetention"] == "5" and updated["enabled"] == "false" and updated["minute"] == "15"
    assert updated["name"] == "hourly"
    assert sim.delete(schedules(app["id"], schedule["id"])).status_code == 204
    assert_problem(sim.get(schedules(app["id"], schedule["id"])), 404, 2)
    assert_problem(sim.delete(schedules(app["id"], schedule["id"])), 404, 1)
    assert_problem(sim.put(schedules(app["id"], schedule["id"]), update), 404, 1)
    assert_problem(sim.post(schedules(str(uuid.uuid4())), hourly()), 404, 2)


def test_granularities_and_the_actoolkit_replication_body(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    for body in (hourly(), {**hourly(), "name": "daily", "granularity": "daily", "hour": "2"},
                 {**hourly(), "name": "weekly", "granularity": "weekly", "hour": "3", "dayOfWeek": "7"},
                 {**hourly(), "name": "monthly", "granularity": "monthly", "hour": "4", "dayOfMonth": "31"}):
        assert sim.post(schedules(app["id"]), body).status_code == 201, body
    # actoolkit's replication schedule: nulls in the time fields; stored, never taking protection snapshots
    body = custom(replicate="true", enabled="true", minute=None, hour=None, dayOfWeek=None, dayOfMonth=None)
    response = sim.post(schedules(app["id"]), body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["minute"] == "0" and created["replicate"] == "true" and "hour" not in created
    assert created["recurrenceRule"] == body["recurrenceRule"]


def test_validation(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])

    def post(body):
        return sim.post(schedules(app["id"]), body)
    for field in ("name", "granularity", "snapshotRetention", "backupRetention"):
        body = hourly()
        del body[field]
        assert_problem(post(body), 400, 8)
    assert_problem(post(hourly(minute=15)), 400, 8)                     # numbers are strings
    assert_problem(post(hourly(snapshots=2)), 400, 8)
    assert_problem(post(hourly(snapshots="-1")), 400, 8)
    assert_problem(post(hourly(enabled=True)), 400, 8)
    assert_problem(post(hourly(granularity="yearly")), 400, 8)
    assert_problem(post(hourly(links=[])), 400, 8)
    assert_problem(post(dict(hourly(), version="2.0")), 400, 8)
    for minute in ("60", "75", "-1", "5a", "*", None, ""):
        problem = assert_problem(post(hourly(minute=minute)), 400, 9)
        assert problem["invalidFields"][0]["name"] == "minute"
    assert_problem(post({**hourly(), "granularity": "daily", "hour": "24"}), 400, 9)
    assert_problem(post({**hourly(), "granularity": "daily"}), 400, 9)                  # hour missing
    assert_problem(post({**hourly(), "granularity": "weekly", "hour": "1", "dayOfWeek": "8"}), 400, 9)
    assert_problem(post({**hourly(), "granularity": "monthly", "hour": "1", "dayOfMonth": "0"}), 400, 9)
    assert_problem(post(hourly(hour="25")), 400, 9)                      # unused fields still hold sensible values
    assert_problem(post(hourly(recurrenceRule="DTSTART:20220101T000500Z\nRRULE:FREQ=HOURLY;INTERVAL=1")), 400, 9)
    for rule in (None, "", "FREQ=MINUTELY;INTERVAL=5", "DTSTART:20220101T000500Z\nRRULE:FREQ=DAILY;INTERVAL=1",
                 "DTSTART:20220101T000500Z\nRRULE:FREQ=MINUTELY", "DTSTART:20220101T000500Z\nRRULE:FREQ=MINUTELY;INTERVAL=0",
                 "DTSTART:20220101T000500Z\nRRULE:FREQ=MINUTELY;INTERVAL=5;COUNT=3",
                 "DTSTART:20991231T000000Z\nRRULE:FREQ=HOURLY;INTERVAL=1", "DTSTART:20221301T000000Z\nRRULE:FREQ=HOURLY;INTERVAL=1"):
        body = custom(rule=rule)
        assert assert_problem(post(body), 400, 9)["invalidFields"][0]["name"] == "recurrenceRule", rule
    assert_problem(post(hourly(bucketID=str(uuid.uuid4()))), 400, 108)
    assert post(hourly(bucketID=sim.items("topology/v1/buckets")[0]["id"])).status_code == 201


def test_duplicates_are_problem_132(sim):
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    first = sim.post(schedules(app["id"]), hourly(minute="5")).json()
    assert_problem(sim.post(schedules(app["id"]), hourly(name="again", minute="05", snapshots="9")), 409, 132)
    second = sim.post(schedules(app["id"]), hourly(name="other", minute="6")).json()
    assert sim.post(schedules(app["id"]), custom()).status_code == 201
    assert_problem(sim.post(schedules(app["id"]), custom(name="copy")), 409, 132)
    other_app = sim.ready_app("pg", "prod-east", ["postgres"])
    assert sim.post(schedules(other_app["id"]), hourly(minute="5")).status_code == 201      # per app
    put = {**SCHEDULE, "minute": "5", "snapshotRetention": "1", "backupRetention": "1"}
    assert_problem(sim.put(schedules(app["id"], second["id"]), put), 409, 132)
    assert sim.put(schedules(app["id"], first["id"]), put).status_code == 204                  # itself is fine
    assert_problem(sim.put(schedules(app["id"], first["id"]), dict(put, id=second["id"])), 409, 10)
    assert_problem(sim.put(schedules(app["id"], first["id"]), dict(put, minute="99")), 400, 9)
    assert_problem(sim.put(schedules(app["id"], first["id"]), {**SCHEDULE, "minute": "7"}), 400, 8)


def test_hourly_schedule_fires_within_the_scaled_period(fast_sim):
    sim = fast_sim
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    started = time.monotonic()
    schedule = sim.post(schedules(app["id"]), hourly(snapshots="1", backups="1")).json()

    def scheduled_snapshot():
        found = [s for s in sim.items("k8s/v1/apps/%s/appSnaps" % app["id"]) if s.get("scheduleID") == schedule["id"]]
        return found[0] if found else None
    snap = wait_until(scheduled_snapshot, timeout=HOURLY_SECONDS + 3, interval=0.05)
    elapsed = time.monotonic() - started
    assert HOURLY_SECONDS - 0.1 <= elapsed <= HOURLY_SECONDS + 1.0, elapsed
    assert re.match(r"^hourly-%s-[0-9]{14}$" % schedule["id"][:5], snap["name"]), snap["name"]
    assert snap["metadata"]["createdBy"] == "00000000-0000-0000-0000-000000000000"
    # its backup carries the scheduleID too, and the system label says it came from a schedule
    backup = wait_until(lambda: next((b for b in sim.items("k8s/v1/apps/%s/appBackups" % app["id"])
                                      if b.get("scheduleID") == schedule["id"] and b["state"] == "completed"), None))
    assert backup["snapshotID"] == snap["id"]
    assert {"name": "astra.netapp.io/labels/read-only/triggerType", "value": "schedule"} in backup["metadata"]["labels"]
    # timestamps stay real wall-clock time
    assert abs(time.mktime(time.strptime(snap["metadata"]["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ")) - time.mktime(time.gmtime())) < 60


def _settled(sim, app_id, schedule_id):
    """Disable the schedule, then wait until nothing of it is in flight; return (snapshots, backups) of it."""
    put = {**SCHEDULE, "enabled": "false", "snapshotRetention": sim.get(schedules(app_id, schedule_id)).json()["snapshotRetention"],
           "backupRetention": sim.get(schedules(app_id, schedule_id)).json()["backupRetention"]}
    assert sim.put(schedules(app_id, schedule_id), put).status_code == 204

    def quiet():
        snaps = [s for s in sim.items("k8s/v1/apps/%s/appSnaps" % app_id) if s.get("scheduleID") == schedule_id]
        backups = [b for b in sim.items("k8s/v1/apps/%s/appBackups" % app_id) if b.get("scheduleID") == schedule_id]
        busy = [item for item in snaps + backups if item["state"] not in ("completed", "failed")]
        return None if busy else (snaps, backups)
    return wait_until(quiet, timeout=5)


def test_retention_prunes_per_schedule(fast_sim):
    sim = fast_sim
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    manual = sim.completed_snapshot(app["id"], "manual")
    # every 5 minutes at scale 0.0005: every 0.15 s
    schedule = sim.post(schedules(app["id"]), custom(rule="DTSTART:20240101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=5",
                                                     snapshotRetention="2", backupRetention="1")).json()
    seen = set()

    def enough_firings():
        seen.update(s["name"] for s in sim.items("k8s/v1/apps/%s/appSnaps" % app["id"]) if s.get("scheduleID") == schedule["id"])
        return len(seen) >= 5
    wait_until(enough_firings, timeout=10, interval=0.05)
    snaps, backups = _settled(sim, app["id"], schedule["id"])
    assert [s["state"] for s in snaps] == ["completed", "completed"]
    assert [b["state"] for b in backups] == ["completed"]
    assert backups[0]["snapshotID"] == snaps[-1]["id"]              # the newest are kept
    assert sim.get("k8s/v1/apps/%s/appSnaps/%s" % (app["id"], manual["id"])).json()["state"] == "completed"


def test_snapshot_retention_zero_keeps_only_backups(fast_sim):
    sim = fast_sim
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    schedule = sim.post(schedules(app["id"]), custom(rule="DTSTART:20240101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=5",
                                                     snapshotRetention="0", backupRetention="2")).json()

    seen = set()

    def backed_up():
        seen.update(b["name"] for b in sim.items("k8s/v1/apps/%s/appBackups" % app["id"]) if b["state"] == "completed")
        return len(seen) >= 4
    wait_until(backed_up, timeout=10, interval=0.05)
    snaps, backups = _settled(sim, app["id"], schedule["id"])
    assert snaps == [] and len(backups) == 2


def test_disabled_and_replication_schedules_take_nothing(fast_sim):
    sim = fast_sim
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    rule = "DTSTART:20240101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=2"
    assert sim.post(schedules(app["id"]), custom(rule=rule, replicate="true")).status_code == 201
    other = "DTSTART:20240101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=3"
    assert sim.post(schedules(app["id"]), custom(rule=other, name="off", enabled="false", snapshotRetention="1")).status_code == 201
    time.sleep(0.5)            # several periods of both
    assert sim.items("k8s/v1/apps/%s/appSnaps" % app["id"]) == []
