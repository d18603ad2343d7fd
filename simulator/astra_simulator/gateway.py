"""ASGI middleware in front of the API: request log and injected transport faults.

Requests under /_simulator/ pass straight through: they are never logged and
never faulted. Every other request is logged (method, path, query, status,
arrival time) before its response starts, so a client that reads the log
right after a response always finds that request in it. A dropped connection
is logged with status null.
"""

import asyncio
import json
from urllib.parse import unquote

from starlette.concurrency import run_in_threadpool

from .problems import fault_problem_body
from .protocol import drop_connection
from .resources import iso_millis

CONTROL_PREFIX = "/_simulator/"


class Gateway:
    def __init__(self, app, store, faults):
        self.app = app
        self.store = store
        self.faults = faults

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        arrived = iso_millis()
        query = unquote(scope.get("query_string", b"").decode("latin-1"))

        async def log(status):
            await run_in_threadpool(self.store.log_request, scope["method"], scope["path"], query, status, arrived)

        async def send_logged(message):
            if message["type"] == "http.response.start":
                await log(message["status"])
            await send(message)

        async def discard(message):
            pass

        decision = self.faults.decide(scope["method"])
        if decision.latency:
            await asyncio.sleep(decision.latency)
        if not decision.interrupts:
            await self.app(scope, receive, send_logged)
            return
        if decision.after_processing:
            await self.app(scope, receive, discard)
        if decision.reset:
            await log(None)
            await drop_connection(scope, receive)
        else:
            await self._send_error(decision.error_status, decision.retry_after, send_logged)

    @staticmethod
    async def _send_error(status, retry_after, send):
        body = json.dumps(fault_problem_body(status)).encode()
        headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
        if retry_after is not None:
            headers.append((b"retry-after", str(retry_after).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
