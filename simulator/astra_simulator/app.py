"""The ASGI application: control endpoints, the API catch-all, the gateway in front."""

from contextlib import asynccontextmanager
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

# Imported for their side effect: they register their timed transitions.
from . import apps, clones, mirrors, protection, scheduler  # noqa: F401  pylint: disable=unused-import
from .control import build_control_router
from .dispatcher import Dispatcher, RawRequest
from .engine import Engine
from .faults import FaultInjector
from .gateway import Gateway
from .routes import build_router

ALL_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]


def create_app(store, identity, time_scale, page_size=None):
    engine = Engine(store, time_scale)
    faults = FaultInjector(store)
    dispatcher = Dispatcher(store, engine, build_router(), identity, page_size)

    @asynccontextmanager
    async def lifespan(app):
        engine.start_ticker()
        try:
            yield
        finally:
            engine.stop_ticker()

    api = FastAPI(title="Astra Control API simulator", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    api.include_router(build_control_router(store, engine, faults, identity))
    api.state.api_router = dispatcher.router     # the API's route table, for introspection (tests walk every route)

    @api.api_route("/{path:path}", methods=ALL_METHODS, include_in_schema=False)
    async def serve_api(request: Request):
        raw = RawRequest(
            method=request.method,
            path=request.url.path,
            query_items=parse_qsl(request.url.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in request.headers.items()},
            body=await request.body(),
            base_url="%s://%s" % (request.url.scheme, request.url.netloc),
        )
        reply = await run_in_threadpool(dispatcher.dispatch, raw)
        return Response(reply.body, status_code=reply.status, media_type=reply.content_type, headers=reply.headers)

    return Gateway(api, store, faults)
