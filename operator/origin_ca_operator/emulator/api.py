"""The emulated Origin CA API: routes under ``/client/v4``.

Listing needs ``zone_id``: without it the answer is 1003 (HTTP 400); a zone the
credential does not cover, or that does not exist, is 1016 (HTTP 403).
``page`` starts at 1 (smaller or unreadable values mean 1); ``per_page`` is
clamped into 5..50 (unreadable means 20), and ``result_info`` reports the value
used. Certificates are listed oldest first, revoked ones included.

A certificate belongs to the zones of its hostnames; a credential sees (gets,
lists, revokes) a certificate when it covers at least one of them, and answers
1101 for one it cannot see, as for one that does not exist.
"""

from __future__ import annotations

import datetime
import logging

from aiohttp import web
from cryptography.hazmat.primitives import serialization

from origin_ca_operator.emulator.auth import Credential
from origin_ca_operator.emulator.envelope import ApiError, success
from origin_ca_operator.emulator.state import EmulatorState
from origin_ca_operator.emulator.store import StoredCertificate
from origin_ca_operator.emulator.validation import CreateRequest, parse_create_request

logger = logging.getLogger(__name__)

PREFIX = "/client/v4"
STATE_KEY = web.AppKey("state", EmulatorState)
DEFAULT_PER_PAGE = 20
MIN_PER_PAGE = 5
MAX_PER_PAGE = 50


def format_expires_on(moment: datetime.datetime) -> str:
    """Go's default time format, as the API writes ``expires_on``."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S +0000 UTC")


def format_revoked_at(moment: datetime.datetime) -> str:
    """RFC 3339 in UTC with microseconds, as the API writes ``revoked_at``."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def add_routes(app: web.Application) -> None:
    """Register the API routes on ``app``."""
    app.router.add_get(f"{PREFIX}/certificates", list_certificates)
    app.router.add_post(f"{PREFIX}/certificates", create_certificate)
    app.router.add_get(f"{PREFIX}/certificates/{{id}}", get_certificate)
    app.router.add_delete(f"{PREFIX}/certificates/{{id}}", revoke_certificate)
    app.router.add_get(f"{PREFIX}/user/tokens/verify", verify_token)


async def list_certificates(request: web.Request) -> web.Response:
    """``GET /certificates?zone_id=Z&page=P&per_page=N``."""
    state = request.app[STATE_KEY]
    credential = state.authenticator.for_certificates(request.headers)
    zone_id = request.query.get("zone_id", "").strip()
    if not zone_id:
        raise ApiError(1003, "zone_id is required to list certificates")
    if not credential.covers(zone_id):
        raise ApiError(1016, f"Not authorized to list certificates of zone {zone_id}")

    page = max(1, _integer(request.query.get("page"), 1))
    per_page = _integer(request.query.get("per_page"), DEFAULT_PER_PAGE)
    per_page = min(MAX_PER_PAGE, max(MIN_PER_PAGE, per_page))
    certificates = state.store.in_zone(zone_id)
    shown = certificates[(page - 1) * per_page : page * per_page]
    result_info = {
        "page": page,
        "per_page": per_page,
        "count": len(shown),
        "total_count": len(certificates),
    }
    return success([c.to_api() for c in shown], result_info)


async def create_certificate(request: web.Request) -> web.Response:
    """``POST /certificates``: check the request, sign, store."""
    state = request.app[STATE_KEY]
    credential = state.authenticator.for_certificates(request.headers)
    create = parse_create_request(await request.read())
    zone_ids = _zones_of_hostnames(state, credential, create.hostnames)

    stored = await _issue(state, create, zone_ids)
    logger.info(
        "issued certificate %s for %s (%s, %d days)",
        stored.id,
        ", ".join(stored.hostnames),
        stored.request_type,
        stored.requested_validity,
    )
    return success(stored.to_api())


async def get_certificate(request: web.Request) -> web.Response:
    """``GET /certificates/{id}``; revoked certificates included."""
    state = request.app[STATE_KEY]
    credential = state.authenticator.for_certificates(request.headers)
    stored = _visible_certificate(state, credential, request.match_info["id"])
    return success(stored.to_api())


async def revoke_certificate(request: web.Request) -> web.Response:
    """``DELETE /certificates/{id}``: stamp ``revoked_at``; 1014 the second time."""
    state = request.app[STATE_KEY]
    credential = state.authenticator.for_certificates(request.headers)
    stored = _visible_certificate(state, credential, request.match_info["id"])
    if stored.revoked_at is not None:
        raise ApiError(1014, f"Certificate {stored.id} was already revoked")

    # Stamped before the write, so that a concurrent second revoke sees it.
    stored.revoked_at = format_revoked_at(datetime.datetime.now(datetime.UTC))
    try:
        await state.store.save(stored)
    except OSError as error:
        stored.revoked_at = None
        logger.error("could not store revocation of %s: %s", stored.id, error)
        raise ApiError(1100) from None
    logger.info("revoked certificate %s", stored.id)
    return success({"id": stored.id, "revoked_at": stored.revoked_at})


async def verify_token(request: web.Request) -> web.Response:
    """``GET /user/tokens/verify``: whether a bearer token is live."""
    state = request.app[STATE_KEY]
    credential = state.authenticator.for_token_verify(request.headers)
    return success(
        {"id": credential.id, "status": "active"},
    )


async def _issue(
    state: EmulatorState, create: CreateRequest, zone_ids: list[str]
) -> StoredCertificate:
    now = datetime.datetime.now(datetime.UTC)
    certificate = state.authority.sign(
        create.public_key,
        create.hostnames,
        create.request_type,
        create.requested_validity,
        now,
    )
    stored = StoredCertificate(
        id=str(certificate.serial_number),
        certificate=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        hostnames=create.hostnames,
        expires_on=format_expires_on(certificate.not_valid_after_utc),
        request_type=create.request_type,
        requested_validity=create.requested_validity,
        csr=create.csr,
        zone_ids=zone_ids,
        issued_at=now.isoformat(),
        sequence=state.store.next_sequence(),
    )
    try:
        await state.store.save(stored)
    except OSError as error:
        logger.error("could not store certificate %s: %s", stored.id, error)
        raise ApiError(1100) from None
    return stored


def _zones_of_hostnames(
    state: EmulatorState, credential: Credential, hostnames: list[str]
) -> list[str]:
    """The zone ids of the hostnames; 1010 for a name outside the caller's zones."""
    zone_ids: dict[str, None] = {}
    for hostname in hostnames:
        zone = state.zone_of(hostname)
        if zone is None or not credential.covers(zone.id):
            raise ApiError(
                1010,
                f"Failed to validate requested hostname {hostname}: "
                "it is not under a zone this credential may use",
            )
        zone_ids.setdefault(zone.id, None)
    return list(zone_ids)


def _visible_certificate(
    state: EmulatorState, credential: Credential, certificate_id: str
) -> StoredCertificate:
    stored = state.store.get(certificate_id)
    if stored is None or not any(credential.covers(z) for z in stored.zone_ids):
        raise ApiError(1101, f"Certificate {certificate_id} was not found")
    return stored


def _integer(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default
