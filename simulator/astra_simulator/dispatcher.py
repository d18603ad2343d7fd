"""Serve one API request: the checks every endpoint shares, then the handler.

Order of checks (the first failure answers):
token (401: 3, 4) -> account ID (400: 33, 403: 11) -> path (404: 2) -> method
(405: 69) -> Accept (406: 32) -> query parameters (400: 6, 5) -> body size
(413: 85) -> JSON body (400: 7) -> If-Match (412: 38) -> the handler.
"""

import hashlib
import json
import logging
from dataclasses import dataclass, field

from . import media
from .auth import authenticate, check_account
from .problems import ApiProblem, reason
from .query import parse_list_options, list_body
from .routing import Call, Created, LIST, GET, CREATE, UPDATE

log = logging.getLogger("astra_simulator.api")

MAX_BODY_BYTES = 1024 * 1024
API_ROOT = "/accounts/"


@dataclass
class RawRequest:
    method: str
    path: str
    query_items: list
    headers: dict            # lower-case names
    body: bytes = b""
    base_url: str = ""


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = None
    headers: dict = field(default_factory=dict)


def to_json(value):
    return json.dumps(value, separators=(",", ":")).encode()


def etag_of(resource):
    return '"%s"' % hashlib.md5(to_json(resource)).hexdigest()


def problem_reply(problem):
    return Reply(problem.status, to_json(problem.body()), media.PROBLEM_JSON, dict(problem.headers))


class Dispatcher:
    def __init__(self, store, engine, router, identity, page_size=None):
        self.page_size = page_size
        self.store = store
        self.engine = engine
        self.router = router
        self.identity = identity

    def dispatch(self, request):
        try:
            return self._serve(request)
        except ApiProblem as problem:
            return problem_reply(problem)
        except Exception:
            log.exception("unhandled error serving %s %s", request.method, request.path)
            return problem_reply(ApiProblem(34))

    def _serve(self, request):
        authenticate(self.identity, request.headers)
        relative = self._relative_path(request.path)
        self.engine.run_due()
        matched = self.router.match(relative)
        if matched is None:
            raise ApiProblem(2, "No collection or resource is served at %s." % request.path)
        route, params = matched
        operation = route.operations.get(request.method)
        if operation is None:
            allowed = ", ".join(sorted(route.operations))
            raise ApiProblem(69, "%s isn't supported on %s; allowed: %s." % (request.method, request.path, allowed),
                             headers={"Allow": allowed})
        negotiated = media.negotiate(request.headers.get("accept"), route.resource_type)
        if negotiated is None:
            raise ApiProblem(32, "The response can't be returned as %r; this endpoint serves application/json or %s."
                             % (request.headers.get("accept"), media.resource_media_type(route.resource_type)))
        call = Call(request.method, self.store, self.engine, params, request.headers,
                    account_id=self.identity.account_id, base_url=request.base_url)
        if operation.kind == LIST:
            call.options = parse_list_options(request.query_items, operation.list_parameters)
        elif request.query_items:
            names = sorted({name for name, _value in request.query_items})
            raise ApiProblem(6, invalid_params=[reason(name, "this operation takes no query parameters") for name in names])
        if operation.kind in (CREATE, UPDATE):
            call.body = self._json_body(request.body)
        if operation.kind == UPDATE and "if-match" in request.headers:
            self._check_if_match(route, call, request.headers["if-match"])
        with self.store.transaction():
            result = operation.handler(call)
        return self._reply(operation.kind, result, negotiated, call)

    def _relative_path(self, path):
        if not path.startswith(API_ROOT):
            raise ApiProblem(2, "No collection or resource is served at %s." % path)
        account_id, _separator, relative = path[len(API_ROOT):].partition("/")
        check_account(self.identity, account_id)
        return relative.rstrip("/")

    @staticmethod
    def _json_body(raw):
        if len(raw) > MAX_BODY_BYTES:
            raise ApiProblem(85)
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise ApiProblem(7, "The request body is not valid JSON: %s." % error)

    def _check_if_match(self, route, call, expected):
        reader = route.operations.get("GET")
        if reader is None:
            return
        current = reader.handler(Call("GET", call.store, call.engine, call.params, call.headers,
                                      account_id=call.account_id, base_url=call.base_url))
        candidates = {tag.strip() for tag in expected.split(",")}
        tag = etag_of(current)
        if "*" not in candidates and tag not in candidates and tag.strip('"') not in candidates:
            raise ApiProblem(38, "If-Match %s doesn't match the resource's current ETag." % expected)

    def _reply(self, kind, result, negotiated, call):
        if kind == LIST:
            return Reply(200, to_json(list_body(result, call.options, self.page_size)), media.JSON)
        if kind == CREATE:
            assert isinstance(result, Created)
            body = result.resource
            return Reply(201, to_json(body), negotiated, {"Location": call.url(result.location), "ETag": etag_of(body)})
        if result is None:
            return Reply(204)
        status = 200
        return Reply(status, to_json(result), negotiated, {"ETag": etag_of(result)} if kind in (GET, UPDATE) else {})
