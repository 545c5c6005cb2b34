"""The aiohttp application: middleware, API routes, and ``/_emulator/`` routes.

Two middlewares wrap every request. The outer one gives each response its
``CF-Ray`` header, turns :class:`ApiError` and routing failures into error
envelopes, counts requests to the API and logs one line per request. The inner
one applies, to ``/client/v4`` only, the injected faults and then the rate
limit. ``/_emulator/`` routes need no credential and answer plain JSON.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import struct
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from origin_ca_operator.emulator import api
from origin_ca_operator.emulator.auth import SERVICE_KEY_HEADER, digest
from origin_ca_operator.emulator.envelope import (
    RAY_HEADER,
    ApiError,
    failure,
    new_ray_id,
)
from origin_ca_operator.emulator.faults import FaultSpecError
from origin_ca_operator.emulator.state import RESET_STATUS, EmulatorState

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STATE_KEY = api.STATE_KEY
UNMATCHED = "unmatched"


class ConnectionReset(Exception):
    """A fault closed the connection; there is no response to send."""


def build_app(state: EmulatorState) -> web.Application:
    """The application serving ``state``."""
    app = web.Application(middlewares=[outer_middleware, api_middleware])
    app[STATE_KEY] = state
    api.add_routes(app)
    app.router.add_get("/_emulator/roots", emulator_roots)
    app.router.add_get("/_emulator/zones", emulator_zones)
    app.router.add_get("/_emulator/stats", emulator_stats)
    app.router.add_get("/_emulator/faults", emulator_faults)
    app.router.add_put("/_emulator/faults", put_emulator_faults)
    app.router.add_delete("/_emulator/faults", delete_emulator_faults)
    return app


def route_template(request: web.Request) -> str:
    """The route the request matched, such as ``/client/v4/certificates/{id}``."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED


@web.middleware
async def outer_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Ray id, error envelopes, stats and the request's log line."""
    ray_id = new_ray_id()
    started = time.monotonic()
    code: int | None = None
    try:
        response = await handler(request)
    except ApiError as error:
        code = error.code
        response = failure(error)
    except web.HTTPException as error:
        api_error = _routing_error(error)
        code = api_error.code
        response = failure(api_error)
    except ConnectionReset:
        _finish(request, RESET_STATUS, None, ray_id, started)
        # The transport is gone: aiohttp drops whatever is returned.
        return web.Response(status=500)
    except Exception:
        logger.exception(
            "%s %s failed inside the emulator", request.method, request.path
        )
        code = 1100
        response = failure(ApiError(1100, "Internal error", http_status=500))
    response.headers[RAY_HEADER] = ray_id
    _finish(request, response.status, code, ray_id, started)
    return response


@web.middleware
async def api_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Faults, then the rate limit, for requests to the emulated API."""
    if not request.path.startswith(api.PREFIX):
        return await handler(request)
    state = request.app[STATE_KEY]
    decision = state.faults.decide(
        request.method, route_template(request), request.path
    )
    if await state.pause(decision.latency_seconds):
        raise ConnectionReset
    rule = decision.rule
    if rule is not None and rule.action == "error":
        choice = state.faults.rng.choice(rule.errors)
        raise ApiError(
            choice.code,
            choice.message or "Injected fault",
            http_status=choice.http_status,
            retry_after=choice.retry_after,
        )
    if rule is not None and rule.action == "reset" and not rule.after_handling:
        reset_connection(request)
    if rule is not None and rule.action == "hang" and await state.pause(rule.seconds):
        reset_connection(request)

    retry_after = state.limiter.admit(_rate_limit_key(request))
    if retry_after is not None:
        raise ApiError(971, retry_after=retry_after)
    response = await handler(request)
    if rule is not None and rule.action == "reset":
        reset_connection(request)
    return response


def reset_connection(request: web.Request) -> None:
    """Abort the connection with a TCP reset, and stop handling the request."""
    transport = request.transport
    if transport is not None:
        raw_socket = transport.get_extra_info("socket")
        if raw_socket is not None:
            linger = struct.pack("ii", 1, 0)
            with contextlib.suppress(OSError):
                raw_socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        transport.abort()
    raise ConnectionReset


def _rate_limit_key(request: web.Request) -> str:
    """The caller as the rate limit sees it: its credential, else its address."""
    for header in ("Authorization", SERVICE_KEY_HEADER):
        if header in request.headers:
            return digest(request.headers[header])
    return f"address:{request.remote}"


def _routing_error(error: web.HTTPException) -> ApiError:
    if error.status == 404:
        return ApiError(7000)
    if error.status == 405:
        return ApiError(7001)
    return ApiError(1004, error.reason, http_status=error.status)


def _finish(
    request: web.Request, status: int, code: int | None, ray_id: str, started: float
) -> None:
    template = route_template(request)
    if request.path.startswith(api.PREFIX):
        request.app[STATE_KEY].stats.record(request.method, template, status)
    logger.info(
        "%s %s %d code=%s ray=%s %.1fms",
        request.method,
        request.path,
        status,
        code if code is not None else "-",
        ray_id,
        (time.monotonic() - started) * 1000,
    )


async def emulator_roots(request: web.Request) -> web.Response:
    """``GET /_emulator/roots``: both roots as PEM."""
    roots = request.app[STATE_KEY].authority.roots
    return web.json_response(
        {"rsa": roots["origin-rsa"].pem, "ecc": roots["origin-ecc"].pem}
    )


async def emulator_zones(request: web.Request) -> web.Response:
    """``GET /_emulator/zones``: the zones with their ids."""
    zones = request.app[STATE_KEY].zones
    return web.json_response([{"name": z.name, "id": z.id} for z in zones])


async def emulator_stats(request: web.Request) -> web.Response:
    """``GET /_emulator/stats``: request counts and certificate counts."""
    state = request.app[STATE_KEY]
    issued, revoked = state.store.counts()
    return web.json_response(
        {
            "requests": state.stats.describe(),
            "certificates": {"issued": issued, "revoked": revoked},
        }
    )


async def emulator_faults(request: web.Request) -> web.Response:
    """``GET /_emulator/faults``: the faults in force."""
    return web.json_response(request.app[STATE_KEY].faults.describe())


async def put_emulator_faults(request: web.Request) -> web.Response:
    """``PUT /_emulator/faults``: replace the faults (see :mod:`.faults`)."""
    faults = request.app[STATE_KEY].faults
    try:
        faults.configure(json.loads(await request.read()))
    except (ValueError, FaultSpecError) as error:
        return web.json_response({"error": str(error)}, status=400)
    logger.info("faults set: %s", json.dumps(faults.describe()))
    return web.json_response(faults.describe())


async def delete_emulator_faults(request: web.Request) -> web.Response:
    """``DELETE /_emulator/faults``: back to the start settings."""
    faults = request.app[STATE_KEY].faults
    faults.clear()
    logger.info("faults cleared")
    return web.json_response(faults.describe())
