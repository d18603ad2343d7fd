"""Small helpers shared by every resource: IDs, timestamps, metadata, envelopes."""

import re
import time
import uuid
from datetime import datetime, timezone

# The API's identifier rule: UUIDv4, UUIDv5 or the nil UUID, lower case.
IDENTIFIER = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|0{8}-0{4}-0{4}-0{4}-0{12})$"
)
DNS_1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
NIL_UUID = "00000000-0000-0000-0000-000000000000"


def is_identifier(value):
    return isinstance(value, str) and bool(IDENTIFIER.match(value))


def new_id():
    return str(uuid.uuid4())


def iso(timestamp=None):
    """UTC timestamp in the API's format, e.g. 2024-03-01T12:00:00Z."""
    moment = datetime.fromtimestamp(time.time() if timestamp is None else timestamp, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_millis(timestamp=None):
    moment = datetime.fromtimestamp(time.time() if timestamp is None else timestamp, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def new_metadata(created_by, labels=None):
    now = iso()
    return {"labels": list(labels or []), "creationTimestamp": now, "modificationTimestamp": now, "createdBy": created_by}


def touch(resource, modified_by=None):
    resource["metadata"]["modificationTimestamp"] = iso()
    if modified_by:
        resource["metadata"]["modifiedBy"] = modified_by


def apply_labels(resource, body):
    """A PUT's metadata.labels, when it sends them, replace the resource's."""
    labels = (body.get("metadata") or {}).get("labels")
    if labels is not None:
        resource["metadata"]["labels"] = labels


def save_update(store, kind, resource, body):
    """The end of a PUT: the body's labels, the modification stamp, the resource stored."""
    apply_labels(resource, body)
    touch(resource, store.setting("user_id"))
    store.put(kind, resource)


def public(document):
    """The API view of a stored document: internal facts live under keys starting with '_'."""
    return {key: value for key, value in document.items() if not key.startswith("_")}


def media_type(resource_type):
    """`app` -> `application/astra-app` (the `type` member of a resource body)."""
    return "application/astra-%s" % resource_type


def state_detail(kind, title, detail, **additional):
    entry = {"type": "https://astra.netapp.io/stateDetails/simulator/%s" % kind, "title": title[:40], "detail": detail}
    if additional:
        entry["additionalDetails"] = additional
    return entry
