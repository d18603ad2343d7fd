"""uvicorn's h11 protocol, extended so the application can drop a connection.

ASGI gives an application no way to reset a TCP connection: returning without
a response makes uvicorn answer 500. This protocol hands each request's scope
the connection's transport (under `TRANSPORT_KEY` in `scope["state"]`), and
`drop_connection` aborts it with SO_LINGER 0, so the peer sees a reset and
`requests` raises ConnectionError.
"""

import asyncio
import socket
import struct

from uvicorn.protocols.http.h11_impl import H11Protocol

TRANSPORT_KEY = "astra_simulator.transport"


class DroppableH11Protocol(H11Protocol):
    def connection_made(self, transport):
        super().connection_made(transport)
        self.app_state = {**self.app_state, TRANSPORT_KEY: transport}


async def drop_connection(scope, receive, timeout=2.0):
    transport = scope.get("state", {}).get(TRANSPORT_KEY)
    if transport is None:
        raise RuntimeError("dropping a connection needs astra_simulator.protocol.DroppableH11Protocol")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()
    # Wait until uvicorn has seen the disconnect, so it doesn't try to answer on our behalf.
    try:
        async with asyncio.timeout(timeout):
            while (await receive())["type"] != "http.disconnect":
                pass
    except TimeoutError:
        pass
