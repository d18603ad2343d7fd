"""RFC 7807 problem details as Astra returns them.

Status, title and detail of each problem type are the API specification's
(its `astra_problem_detail_N` schemas fix `title` and `detail` as single-value
enums); only the problems the simulator raises are listed. What is specific to
one occurrence goes into the extension member `reason` (RFC 7807 allows extra
members). The `status` member is a string, as real Astra sends it.
"""

import uuid
from http import HTTPStatus

PROBLEM_TYPE_URL = "https://astra.netapp.io/problems/%d"

# number: (HTTP status, title, detail), verbatim from the specification
CATALOGUE = {
    1: (404, "Resource not found", "The resource specified in the request URI wasn't found."),
    2: (404, "Collection not found", "The collection specified in the request URI wasn't found."),
    3: (401, "Missing bearer token", "The request is missing the required bearer token."),
    4: (401, "Invalid bearer token", "The bearer token provided is invalid, revoked, or doesn't exist."),
    5: (400, "Invalid query parameters", "The supplied query parameters are invalid."),
    6: (400, "Query parameters not supported", "The supplied query parameters aren't supported for this endpoint."),
    7: (400, "Invalid JSON payload", "The request body is not valid JSON."),
    8: (400, "Invalid JSON resource", "The request body JSON doesn't conform to the schema."),
    9: (400, "Invalid JSON resource", "The request body JSON didn't pass extended validation."),
    10: (409, "JSON resource conflict", "The request body JSON contains a field that conflicts with an idempotent value."),
    11: (403, "Operation not permitted", "The requested operation isn't permitted."),
    24: (503, "Service unavailable", "The service is unavailable."),
    32: (406, "Unsupported content type", "The response can't be returned in the requested format."),
    33: (400, "Invalid account ID", "The specified account ID isn't in the appropriate format."),
    34: (500, "Internal server error", "The server was unable to process this request."),
    38: (412, "Precondition not met", "The conditional headers aren't satisfied."),
    40: (502, "Communication failed", "Communication wasn't made with downstream services."),
    69: (405, "Method not supported", "The requested method isn't supported for the specified resource."),
    85: (413, "Request body too large", "The request body is too large."),
    46: (400, "Snapshot not found", "The specified snapshot wasn't found."),
    71: (403, "Preloaded hook sources read only",
         "The hook source resource wasn't created, edited, or deleted. Hook source resources with a preloaded value of true are read only."),
    72: (403, "Hook source referenced by execution hook",
         "The hook source resource wasn't deleted because it is referenced by an execution hook resource."),
    73: (403, "NetApp execution hooks read only",
         "The execution hook resource wasn't created, edited, or deleted. Execution hook resources with a hookType of NetApp are read only."),
    74: (400, "Backup not found", "The specified backup wasn't found."),
    75: (400, "Application not found", "The specified application wasn't found."),
    76: (403, "Application not valid", "The snapshot or backup doesn't belong to the specified application."),
    79: (403, "Missing request header", "The application wasn't updated because a request header is missing."),
    106: (400, "Cluster not found", "The cluster isn't found."),
    107: (409, "Backup in progress", "The operation didn't start because a backup is already in progress."),
    108: (400, "Bucket not found", "The bucket isn't found."),
    111: (409, "Snapshot not ready", "The snapshot is currently unavailable."),
    112: (409, "Application not ready", "The application is currently unavailable."),
    117: (400, "Source app ID invalid", "The AppMirror source app ID is invalid."),
    118: (400, "AppMirror storage class invalid", "The AppMirror storage class is invalid."),
    119: (409, "Application not unmanaged",
          "The application wasn't unmanaged because it has an active replication relationship."),
    120: (403, "Snapshot not deleted",
          "The specified snapshot wasn't deleted because it is currently in use by a replication relationship."),
    121: (409, "Application already exists", "The application already exists."),
    122: (400, "Namespace not found", "The specified namespace wasn't found."),
    123: (409, "Namespace unavailable", "The namespace is currently unavailable."),
    124: (400, "Namespace removed", "The namespace is in state Removed"),
    127: (400, "Bucket unavailable", "A bucket wasn't specified and a default bucket isn't configured."),
    128: (409, "Backup cancellation not allowed", "A pending backup can't be canceled."),
    129: (400, "Application not found in cluster", "Application not found in specified cluster."),
    132: (409, "Duplicate schedule", "This schedule already exists for the application."),
    140: (409, "Duplicate cloud name", "The cloud instance was not created because a cloud with the same name already exists."),
    142: (409, "Backup or snapshot not deleted",
          "The backup or snapshot of the application wasn't deleted because the application is restoring."),
    143: (409, "Backup with the same name exists",
          "The resource wasn't created because a backup with the same name already exists."),
    144: (409, "Backup in progress", "The snapshot wasn't deleted because it is currently being used by a backup."),
    147: (400, "Invalid GVKN specified",
          "An invalid GVKN object was specified in the request. GVKN objects cannot be empty and values must conform "
          "to the API schema specification."),
    148: (409, "A snapshot is already in progress",
          "The requested operation is not possible because a snapshot is already in progress."),
    150: (409, "Replication not supported", "The application isn't eligible for replication."),
    151: (409, "Clone operation not supported", "The application isn't eligible for a clone operation."),
    152: (409, "In-place restore not supported",
          "The requested operation is not possible because a backup is already in progress."),
    156: (400, "Target storage class not found",
          "The target storage class specified for the clone/restore operation doesn't exist on the target cluster."),
    162: (409, "Post-failover execution hooks not supported",
          "The application isn't eligible for post-failover execution hooks."),
    168: (403, "Execution hook action not permitted",
          "Execution hooks are not enabled in feature settings."),
    170: (400, "Default bucket not assigned",
          "The requested operation is not possible because there is no default bucket for this cluster."),
    176: (409, "Snapshot name already exists",
          "The resource wasn't created because a snapshot with the same name already exists."),
    177: (400, "Bucket assignment for snapshot not allowed",
          "This snapshot isn't eligible for bucket assignment because the associated cluster doesn't have the "
          "'neptuneV1' capability."),
}

# Members that carry lists of offending inputs, per problem number.
INVALID_PARAMS = {5, 6}
INVALID_FIELDS = {9, 10}
SCHEMA_FAILURE = {8}


class ApiProblem(Exception):
    """Raised anywhere while serving a request; turned into a problem response.

    `detail` is always the catalogue text of the problem type (the specification fixes it); what is
    specific to this occurrence (which app, which field, why) goes into the `reason` extension member.
    """

    def __init__(self, number, reason=None, *, invalid_params=None, invalid_fields=None, schema_failure=None, headers=None):
        status, title, detail = CATALOGUE[number]
        super().__init__("%d %s" % (number, reason or detail))
        self.number = number
        self.status = status
        self.title = title
        self.detail = detail
        self.reason = reason or None
        self.invalid_params = invalid_params
        self.invalid_fields = invalid_fields
        self.schema_failure = schema_failure
        self.headers = headers or {}

    def body(self):
        body = {
            "type": PROBLEM_TYPE_URL % self.number,
            "title": self.title,
            "detail": self.detail,
            "status": str(self.status),
            "correlationID": str(uuid.uuid4()),
        }
        if self.reason:
            body["reason"] = self.reason
        if self.number in INVALID_PARAMS:
            body["invalidParams"] = self.invalid_params or []
        if self.number in INVALID_FIELDS:
            body["invalidFields"] = self.invalid_fields or []
        if self.number in SCHEMA_FAILURE:
            body["schemaValidationFailure"] = self.schema_failure or self.reason or self.detail
        return body


def reason(name, why):
    """One entry of invalidParams / invalidFields."""
    return {"name": name, "reason": why}


# Problems used for injected HTTP faults; statuses without a catalogue entry
# get an RFC 7807 `about:blank` problem.
FAULT_PROBLEMS = {500: 34, 502: 40, 503: 24}


FAULT_REASON = "Simulated fault injected by the Astra simulator."


def fault_problem_body(status):
    """The body of an injected HTTP error: the catalogue problem for 500, 502 and 503, else `about:blank`.

    `reason` says the fault was injected; `detail` is the catalogue text, or for `about:blank` the same sentence.
    """
    number = FAULT_PROBLEMS.get(status)
    if number:
        _status, title, detail = CATALOGUE[number]
        kind = PROBLEM_TYPE_URL % number
    else:
        kind = "about:blank"
        detail = FAULT_REASON
        try:
            title = HTTPStatus(status).phrase
        except ValueError:
            title = "Simulated fault"
    return {"type": kind, "title": title, "detail": detail, "status": str(status), "correlationID": str(uuid.uuid4()),
            "reason": FAULT_REASON}
