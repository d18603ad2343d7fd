"""The API's route table: path patterns under /accounts/{id}/, per-method operations.

Handlers are plain functions taking a `Call`. What they return depends on the
operation kind:

- ``list``: a list of resource dicts (the dispatcher filters, paginates, projects)
- ``get``: one resource dict
- ``create``: a `Created`
- ``update`` / ``delete``: None for 204, or a resource dict for 200
"""

from dataclasses import dataclass, field

from .problems import ApiProblem
from .query import NO_PARAMETERS

LIST, GET, CREATE, UPDATE, DELETE = "list", "get", "create", "update", "delete"
METHOD_OF = {LIST: "GET", GET: "GET", CREATE: "POST", UPDATE: "PUT", DELETE: "DELETE"}


@dataclass
class Operation:
    kind: str
    handler: object
    list_parameters: frozenset = NO_PARAMETERS


@dataclass
class Route:
    pattern: str
    resource_type: str
    segments: list
    operations: dict = field(default_factory=dict)   # HTTP method -> Operation

    def match(self, parts):
        if len(parts) != len(self.segments):
            return None
        params = {}
        for segment, part in zip(self.segments, parts):
            if segment.startswith("{"):
                if not part:
                    return None
                params[segment[1:-1]] = part
            elif segment != part:
                return None
        return params

    @property
    def literal_count(self):
        return sum(1 for segment in self.segments if not segment.startswith("{"))


@dataclass
class Created:
    resource: dict
    location: str      # path relative to /accounts/{id}/


@dataclass
class Call:
    """Everything a handler may need about the request it serves."""
    method: str
    store: object
    engine: object
    params: dict
    headers: dict
    body: object = None
    options: object = None
    account_id: str = ""
    base_url: str = ""

    def missing(self, what):
        """Unknown ID in the URI: problem 2 on GET (and POST into a sub-collection), problem 1 on PUT and DELETE."""
        if self.method in ("PUT", "DELETE"):
            return ApiProblem(1, "%s wasn't found." % what)
        return ApiProblem(2, "%s wasn't found." % what)

    def url(self, relative):
        return "%s/accounts/%s/%s" % (self.base_url, self.account_id, relative)

    @property
    def version(self):
        return self.body.get("version") if isinstance(self.body, dict) else None


class Router:
    def __init__(self):
        self.routes = {}

    def _add(self, kind, pattern, resource_type, handler, list_parameters=NO_PARAMETERS):
        route = self.routes.get(pattern)
        if route is None:
            route = self.routes[pattern] = Route(pattern, resource_type, pattern.split("/"))
        method = METHOD_OF[kind]
        if method in route.operations:
            raise ValueError("%s %s registered twice" % (method, pattern))
        route.operations[method] = Operation(kind, handler, list_parameters)
        return handler

    def list(self, pattern, resource_type, parameters):
        return lambda handler: self._add(LIST, pattern, resource_type, handler, parameters)

    def get(self, pattern, resource_type):
        return lambda handler: self._add(GET, pattern, resource_type, handler)

    def create(self, pattern, resource_type):
        return lambda handler: self._add(CREATE, pattern, resource_type, handler)

    def update(self, pattern, resource_type):
        return lambda handler: self._add(UPDATE, pattern, resource_type, handler)

    def delete(self, pattern, resource_type):
        return lambda handler: self._add(DELETE, pattern, resource_type, handler)

    def match(self, relative_path):
        parts = relative_path.split("/")
        best = None
        for route in self.routes.values():
            params = route.match(parts)
            if params is not None and (best is None or route.literal_count > best[0].literal_count):
                best = (route, params)
        return best
