"""The Cloudflare response envelope, its error codes and ray ids.

Every answer of the emulated API, success or failure, has the shape
``{"success", "errors", "messages", "result"}`` (plus ``result_info`` on a list).
Handlers raise :class:`ApiError`; the middleware in :mod:`.app` turns it into a
failure envelope with the HTTP status chosen here.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

JSON = dict[str, Any]

RAY_HEADER = "CF-Ray"

# The message the emulator gives with each code it produces, and its HTTP status.
ERRORS: dict[int, tuple[int, str]] = {
    971: (429, "Please wait and consider throttling your request speed"),
    1001: (401, "No Authorization header was given"),
    1002: (400, "Unsupported request_type: use origin-rsa or origin-ecc"),
    1003: (400, "Invalid or missing zone id"),
    1004: (400, "The request body could not be parsed as a JSON object"),
    1005: (400, "Too many hostnames: a certificate covers at most 200"),
    1007: (400, "The CSR was empty: send it as PEM text with real newlines"),
    1009: (400, "requested_validity must be one of 7, 30, 90, 365, 730, 1095, 5475"),
    1010: (400, "Failed to validate requested hostname"),
    1011: (400, "The CSR could not be parsed"),
    1014: (400, "The certificate was already revoked"),
    1016: (403, "Not authorized for this action"),
    1100: (500, "Failed to write certificate to database"),
    1101: (404, "Failed to read certificate from database"),
    1200: (502, "Failed to sign certificate"),
    1201: (502, "Failed to sign certificate: the signing service is unavailable"),
    7000: (404, "No route for that URI"),
    7001: (405, "Method not allowed for this route"),
    9106: (400, "Missing X-Auth-User-Service-Key or Authorization headers"),
    10000: (401, "Authentication error"),
}


class ApiError(Exception):
    """A failure to answer with a Cloudflare error envelope."""

    def __init__(
        self,
        code: int,
        message: str | None = None,
        *,
        http_status: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        default_status, default_message = ERRORS.get(code, (400, "Request failed"))
        self.code = code
        self.message = message or default_message
        self.http_status = http_status or default_status
        self.retry_after = retry_after
        super().__init__(f"{self.code}: {self.message}")


def new_ray_id() -> str:
    """A ray id like Cloudflare's: 16 hex digits, then where it was served."""
    return f"{secrets.token_hex(8)}-EMU"


def success(result: object, result_info: JSON | None = None) -> web.Response:
    """HTTP 200 with a success envelope."""
    body: JSON = {"success": True, "errors": [], "messages": [], "result": result}
    if result_info is not None:
        body["result_info"] = result_info
    return web.json_response(body)


def failure(error: ApiError) -> web.Response:
    """The failure envelope for ``error``, with ``Retry-After`` where it applies."""
    body: JSON = {
        "success": False,
        "errors": [{"code": error.code, "message": error.message}],
        "messages": [],
        "result": None,
    }
    response = web.json_response(body, status=error.http_status)
    if error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response
