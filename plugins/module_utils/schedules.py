# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Protection and replication schedules: the API shape, the option shape of the modules, and the input rules."""

import re

from ansible_collections.kubedr.astra.plugins.module_utils.input_specs import InputModel
from ansible_collections.kubedr.astra.plugins.module_utils.records import (
    Bool,
    Field,
    Int,
    ListOf,
    OneOf,
    Text,
    validates,
    validates_record,
)

GRANULARITY_FIELDS = {
    "hourly": ("minute",),
    "daily": ("minute", "hour"),
    "weekly": ("minute", "hour", "day_of_week"),
    "monthly": ("minute", "hour", "day_of_month"),
    "custom": (),
}
SCHEDULE_TIME_FIELDS = (("minute", "minute"), ("hour", "hour"), ("day_of_week", "dayOfWeek"), ("day_of_month", "dayOfMonth"))
RECURRENCE_RULE = re.compile(r"^DTSTART:\d{8}T\d{6}Z\r?\nRRULE:FREQ=(MINUTELY|HOURLY);INTERVAL=[1-9][0-9]*$")
RECURRENCE_RULE_FORM = "DTSTART:<yyyymmdd>T<hhmmss>Z\\nRRULE:FREQ=MINUTELY|HOURLY;INTERVAL=<n>"
SCHEDULE_NAME_MAX = 63


def _int_or_value(value):
    """'05' -> 5; None, '' and '*' -> None; anything else unchanged (it then compares unequal)."""
    if value is None or value in ("", "*"):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return value


def schedule_definition(schedule):
    """An API schedule in the option shape of astra_protection_policy (only the fields its granularity uses)."""
    granularity = schedule.get("granularity")
    shape = {"name": schedule.get("name"), "granularity": granularity}
    for option, field in SCHEDULE_TIME_FIELDS:
        if option in GRANULARITY_FIELDS.get(granularity, ()):
            shape[option] = _int_or_value(schedule.get(field))
    if granularity == "custom":
        shape["recurrence_rule"] = schedule.get("recurrenceRule")
    shape["snapshot_retention"] = _int_or_value(schedule.get("snapshotRetention"))
    shape["backup_retention"] = _int_or_value(schedule.get("backupRetention"))
    shape["bucket"] = schedule.get("bucketID") or None
    shape["enabled"] = str(schedule.get("enabled", "true")).strip().lower() != "false"
    return shape


def is_replication_schedule(schedule):
    return str(schedule.get("replicate", "false")).strip().lower() == "true"


class ScheduleSpec(InputModel):
    """One entry of the astra_protection_policy option schedules."""

    granularity = Field(OneOf(*GRANULARITY_FIELDS))
    name = Field(Text(), default=None)
    minute = Field(Int(ge=0, le=59), default=None)
    hour = Field(Int(ge=0, le=23), default=None)
    day_of_week = Field(Int(ge=0, le=7), default=None)
    day_of_month = Field(Int(ge=1, le=31), default=None)
    recurrence_rule = Field(Text(), default=None)
    snapshot_retention = Field(Int(ge=0))
    backup_retention = Field(Int(ge=0))
    bucket = Field(Text(), default=None)
    enabled = Field(Bool(), default=True)

    @validates_record
    def _fields_of_the_granularity(self):
        problems = []
        used = GRANULARITY_FIELDS[self.granularity]
        for option, _field in SCHEDULE_TIME_FIELDS:
            value = getattr(self, option)
            if option in used and value is None:
                problems.append("%s is required when granularity is %s" % (option, self.granularity))
            elif option not in used and value is not None:
                problems.append("%s is not used when granularity is %s; remove it" % (option, self.granularity))
        if self.granularity == "custom":
            if not self.name:
                problems.append("name is required when granularity is custom")
            if not self.recurrence_rule:
                problems.append("recurrence_rule is required when granularity is custom")
            elif not RECURRENCE_RULE.match(self.recurrence_rule):
                problems.append("recurrence_rule %r must have the form %s" % (self.recurrence_rule, RECURRENCE_RULE_FORM))
        elif self.recurrence_rule is not None:
            problems.append("recurrence_rule is used only when granularity is custom")
        if self.name is not None and not (1 <= len(self.name) <= SCHEDULE_NAME_MAX and self.name.strip()):
            problems.append("name must be 1-%d characters" % SCHEDULE_NAME_MAX)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def schedule_name(self):
        return self.name or self.granularity

    def definition(self, bucket_id=None):
        """The option shape schedule_definition() returns, with the bucket as its ID (None: not compared)."""
        shape = {"name": self.schedule_name, "granularity": self.granularity}
        for option in GRANULARITY_FIELDS[self.granularity]:
            shape[option] = getattr(self, option)
        if self.granularity == "custom":
            shape["recurrence_rule"] = self.recurrence_rule
        shape.update(snapshot_retention=self.snapshot_retention, backup_retention=self.backup_retention,
                     bucket=bucket_id, enabled=self.enabled)
        return shape

    def timing(self):
        """What makes two schedules duplicates for the API: granularity and time fields."""
        return (self.granularity,) + tuple(getattr(self, option) for option, _field in SCHEDULE_TIME_FIELDS) + (
            self.recurrence_rule,)


def schedule_fields(definition):
    """The API fields (all strings; unused time fields omitted) of a schedule in option shape."""
    fields = {"name": definition["name"], "granularity": definition["granularity"]}
    for option, field in SCHEDULE_TIME_FIELDS:
        if definition.get(option) is not None:
            fields[field] = str(definition[option])
    if definition.get("recurrence_rule"):
        fields["recurrenceRule"] = definition["recurrence_rule"]
    fields["snapshotRetention"] = str(definition["snapshot_retention"])
    fields["backupRetention"] = str(definition["backup_retention"])
    if definition.get("bucket"):
        fields["bucketID"] = definition["bucket"]
    fields["enabled"] = "true" if definition.get("enabled", True) else "false"
    fields["replicate"] = "false"
    return fields


class ProtectionPolicySpec(InputModel):
    """The astra_protection_policy option schedules: each name once, no two with the same timing."""

    schedules = Field(ListOf(ScheduleSpec))

    @validates("schedules")
    @classmethod
    def _distinct(cls, schedules):
        names, timings = {}, {}
        problems = []
        for index, schedule in enumerate(schedules):
            name = schedule.schedule_name
            if name in names:
                problems.append("entries %d and %d are both named %r (the name defaults to the granularity); give each "
                                "schedule its own name" % (names[name], index, name))
            names.setdefault(name, index)
            timing = schedule.timing()
            if timing in timings:
                problems.append("entries %d and %d have the same granularity and time; Astra Control refuses duplicate "
                                "schedules" % (timings[timing], index))
            timings.setdefault(timing, index)
        if problems:
            raise ValueError("; ".join(problems))
        return schedules


# ---------------------------------------------------------------------- replication schedules (app mirrors)

REPLICATION_SCHEDULE_NAME = "kubedr-replication"
# A fixed start in the past keeps the rule identical from run to run; only the interval is compared.
REPLICATION_RULE_START = "DTSTART:20200101T000000Z"
_RULE_INTERVAL = re.compile(r"RRULE:FREQ=(?P<freq>MINUTELY|HOURLY);INTERVAL=(?P<interval>[1-9][0-9]*)\s*$")


def replication_rule(interval):
    """The recurrence rule of a replication schedule firing every `interval` minutes."""
    return "%s\nRRULE:FREQ=MINUTELY;INTERVAL=%d" % (REPLICATION_RULE_START, interval)


def replication_interval(schedule):
    """Minutes between two firings of a custom schedule (HOURLY counts 60 per hour); None when not a custom rule."""
    match = _RULE_INTERVAL.search(schedule.get("recurrenceRule") or "")
    if schedule.get("granularity") != "custom" or not match:
        return None
    return int(match.group("interval")) * (60 if match.group("freq") == "HOURLY" else 1)


def replication_schedule_definition(schedule):
    """A replication schedule in the shape astra_app_mirror compares: name, interval (minutes) and enabled."""
    return {"name": schedule.get("name"), "interval": replication_interval(schedule),
            "enabled": str(schedule.get("enabled", "true")).strip().lower() != "false"}


def replication_schedule_fields(shape):
    """The API fields of a replication schedule (as actoolkit creates them) from its compared shape."""
    return {"name": shape["name"], "granularity": "custom", "recurrenceRule": replication_rule(shape["interval"]),
            "snapshotRetention": "0", "backupRetention": "0", "enabled": "true" if shape.get("enabled", True) else "false",
            "replicate": "true"}
