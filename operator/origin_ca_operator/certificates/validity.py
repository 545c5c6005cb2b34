"""Validity of Origin CA certificates: from a requested duration to allowed days.

The Origin CA signs for a fixed set of periods only. A request for any duration
gets the allowed period nearest to it, the shorter one on a tie. Durations arrive
as Go duration strings (cert-manager's ``spec.duration``) or as seconds
(``spec.expirationSeconds`` of a Kubernetes CSR); both become a ``timedelta``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from origin_ca_operator.errors import ValidityError

ALLOWED_VALIDITY_DAYS: tuple[int, ...] = (7, 30, 90, 365, 730, 1095, 5475)
DEFAULT_VALIDITY_DAYS = 5475
DEFAULT_REQUEST_DURATION = timedelta(days=90)

_MICROSECONDS_PER_DAY = 86_400 * 1_000_000
_NANOSECONDS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,
    "\u03bcs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3_600 * 1_000_000_000,
}
_COMPONENT = r"([0-9]+\.?[0-9]*|\.[0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)"
_GO_DURATION = re.compile(rf"([+-]?)((?:{_COMPONENT})+|0)")
_MAX_NANOSECONDS = 2**63 - 1


@dataclass(frozen=True)
class ValidityChoice:
    """The allowed validity chosen for a requested duration."""

    days: int
    requested: timedelta

    @property
    def exact(self) -> bool:
        """Whether the requested duration is exactly the chosen number of days."""
        return self.requested == timedelta(days=self.days)

    @property
    def description(self) -> str:
        """One sentence for conditions and events, naming both durations."""
        sentence = (
            f"requested {format_go_duration(self.requested)} "
            f"({_days_text(self.requested)}); Origin CA validity {self.days} days"
        )
        if self.exact:
            return sentence
        return f"{sentence}, the nearest allowed value"


def select_validity(requested: timedelta | None) -> ValidityChoice:
    """Choose the allowed validity nearest to ``requested`` (None: 90 days)."""
    if requested is None:
        requested = DEFAULT_REQUEST_DURATION
    if not isinstance(requested, timedelta):
        raise ValidityError(
            f"requested duration {requested!r} is not a duration; "
            "give a duration such as 2160h"
        )
    if requested <= timedelta(0):
        raise ValidityError(
            f"requested duration {format_go_duration(requested)} is not positive; "
            f"ask for a duration such as 2160h (90 days)"
        )

    microseconds = requested // timedelta(microseconds=1)

    def distance(days: int) -> int:
        return abs(microseconds - days * _MICROSECONDS_PER_DAY)

    # min() keeps the first of equal candidates: the tuple is sorted, so the shorter.
    days = min(ALLOWED_VALIDITY_DAYS, key=distance)
    return ValidityChoice(days=days, requested=requested)


def parse_go_duration(text: str) -> timedelta:
    """Parse a Go duration string such as ``2160h``, ``1h30m`` or ``1.5h``."""
    if not isinstance(text, str):
        raise ValidityError(
            f"duration {text!r} is not text; write it as a Go duration such as 2160h"
        )
    stripped = text.strip()
    match = _GO_DURATION.fullmatch(stripped)
    if match is None:
        raise ValidityError(
            f"duration {stripped[:40]!r} is not a Go duration; write it as a number "
            "and a unit (h, m, s, ms, us, ns), such as 2160h or 1h30m"
        )

    sign, body = match.groups()[:2]
    nanoseconds = Fraction(0)
    for number, unit in re.findall(_COMPONENT, body):
        nanoseconds += Fraction(number) * _NANOSECONDS[unit]
    if nanoseconds > _MAX_NANOSECONDS:
        raise ValidityError(
            f"duration {stripped[:40]!r} is too large; a Go duration holds at most "
            "about 292 years"
        )
    microseconds = round(nanoseconds / 1_000)
    return timedelta(microseconds=-microseconds if sign == "-" else microseconds)


def format_go_duration(duration: timedelta) -> str:
    """Write a duration as Go does (``2160h0m0s``, ``1m30s``, ``500ms``)."""
    microseconds = duration // timedelta(microseconds=1)
    sign = "-" if microseconds < 0 else ""
    microseconds = abs(microseconds)
    if microseconds == 0:
        return "0s"
    if microseconds < 1_000:
        return f"{sign}{microseconds}\u00b5s"
    if microseconds < 1_000_000:
        return f"{sign}{_decimal(microseconds, 1_000)}ms"

    total_seconds, fraction = divmod(microseconds, 1_000_000)
    hours, rest = divmod(total_seconds, 3_600)
    minutes, seconds = divmod(rest, 60)
    seconds_text = _decimal(seconds * 1_000_000 + fraction, 1_000_000)
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds_text}s"
    if minutes:
        return f"{sign}{minutes}m{seconds_text}s"
    return f"{sign}{seconds_text}s"


def _decimal(value: int, unit: int) -> str:
    """``value / unit`` in decimal, without trailing zeros (unit a power of ten)."""
    whole, fraction = divmod(value, unit)
    if not fraction:
        return str(whole)
    digits = str(fraction).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"


def _days_text(duration: timedelta) -> str:
    if duration % timedelta(days=1) == timedelta(0):
        days = duration.days
        return "1 day" if days == 1 else f"{days} days"
    if duration < timedelta(days=1):
        return "less than a day"
    days_hundredths = round(duration / timedelta(days=1) * 100)
    return f"about {_decimal(days_hundredths, 100)} days"
