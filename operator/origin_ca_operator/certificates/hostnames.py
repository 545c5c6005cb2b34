"""Hostname rules of the Origin CA: what may stand on a certificate, and its form.

A hostname is normalised before it is checked: surrounding space removed, lower
case, one trailing dot dropped, Unicode labels turned into punycode. The result is
the form the Origin CA API stores, so two spellings of one name compare equal.
The rules are those the API applies: DNS names of a zone, never IP addresses, a
wildcard only as one leading ``*.`` label over a suffix of two labels or more.
"""

from __future__ import annotations

import encodings.idna
import ipaddress
import re
from collections.abc import Iterable

from origin_ca_operator.errors import HostnameError

MAX_HOSTNAMES = 200
MAX_HOSTNAME_LENGTH = 253
MAX_LABEL_LENGTH = 63

# IDNA treats these as label separators, as well as the ASCII full stop.
_UNICODE_DOTS = ("\u3002", "\uff0e", "\uff61")
_LABEL_CHARACTERS = re.compile(r"[a-z0-9-]+")
_SHOWN_LENGTH = 80


def normalize_hostname(name: str) -> str:
    """Return the canonical form of one hostname, or raise HostnameError."""
    if not isinstance(name, str):
        raise HostnameError(
            f"hostname {name!r} is not text; give each hostname as a string"
        )
    text = name.strip()
    for dot in _UNICODE_DOTS:
        text = text.replace(dot, ".")
    if text.endswith("."):
        text = text[:-1]
    if not text:
        raise HostnameError(
            f"hostname {_shown(name)} is empty; give a DNS name such as www.example.com"
        )

    _refuse_ip_address(text)
    wildcard = text.startswith("*.")
    labels = text[2:].split(".") if wildcard else text.split(".")
    ascii_labels = [_ascii_label(label, text) for label in labels]
    normalized = ".".join((["*"] if wildcard else []) + ascii_labels)

    _check_wildcard_suffix(normalized, wildcard, len(ascii_labels))
    _check_last_label(normalized, ascii_labels[-1])
    if len(normalized) > MAX_HOSTNAME_LENGTH:
        raise HostnameError(
            f"hostname {_shown(normalized)} is {len(normalized)} characters long; "
            f"a DNS name holds at most {MAX_HOSTNAME_LENGTH}"
        )
    return normalized


def normalize_hostnames(names: Iterable[str]) -> list[str]:
    """Normalise every hostname, drop repeats (first one wins), check the count."""
    if isinstance(names, str | bytes):
        raise HostnameError(
            f"hostnames {_shown(str(names))} were given as one string; "
            "give a list of hostnames"
        )
    unique: dict[str, None] = {}
    for name in names:
        unique.setdefault(normalize_hostname(name), None)
    if not unique:
        raise HostnameError(
            "no hostname was given; at least one hostname is needed, "
            "such as www.example.com"
        )
    if len(unique) > MAX_HOSTNAMES:
        raise HostnameError(
            f"the request lists {len(unique)} hostnames; an Origin CA certificate "
            f"holds at most {MAX_HOSTNAMES}: split them over several certificates"
        )
    return list(unique)


def _refuse_ip_address(text: str) -> None:
    candidate = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return
    raise HostnameError(
        f"hostname {_shown(text)} is an IP address; "
        "Origin CA certificates cover DNS names only"
    )


def _ascii_label(label: str, hostname: str) -> str:
    """Check one label (not the wildcard) and return it in lower-case ASCII."""
    if "*" in label:
        raise HostnameError(_misplaced_wildcard(hostname))
    if not label:
        raise HostnameError(
            f"hostname {_shown(hostname)} has an empty label (two dots in a row, "
            "or a leading dot); remove the extra dot"
        )
    if not label.isascii():
        label = _punycode(label, hostname)
    label = label.lower()

    if len(label) > MAX_LABEL_LENGTH:
        raise HostnameError(
            f"hostname {_shown(hostname)} has a label of {len(label)} characters "
            f"({_shown(label)}); a DNS label holds at most {MAX_LABEL_LENGTH}"
        )
    if not _LABEL_CHARACTERS.fullmatch(label):
        bad = next(c for c in label if not _LABEL_CHARACTERS.fullmatch(c))
        raise HostnameError(
            f"hostname {_shown(hostname)} contains {bad!r}; a DNS label holds "
            "only letters, digits and hyphens"
        )
    if label.startswith("-") or label.endswith("-"):
        raise HostnameError(
            f"hostname {_shown(hostname)} has the label {label} that starts or ends "
            "with a hyphen; move or remove the hyphen"
        )
    if label.startswith("xn--"):
        _check_punycode(label, hostname)
    return label


def _punycode(label: str, hostname: str) -> str:
    # Limitation: Python's codec implements IDNA 2003, which maps a few
    # characters (such as ß to ss) where IDNA 2008 keeps them; an IDNA 2008
    # library as a declared dependency would lift it.
    try:
        return encodings.idna.ToASCII(label).decode("ascii")
    except UnicodeError as error:
        raise HostnameError(
            f"hostname {_shown(hostname)} has the label {_shown(label)} that cannot "
            f"be converted to punycode ({error}); check its characters"
        ) from None


def _check_punycode(label: str, hostname: str) -> None:
    # Only raw punycode is checked, not IDNA's mapping, so that names valid under
    # IDNA 2008 but mapped away by IDNA 2003 (xn--zca, for ß) are kept.
    encoded = label[4:].encode("ascii")
    try:
        decoded = encoded.decode("punycode")
    except UnicodeError:
        decoded = ""
    valid = (
        decoded.isprintable()
        and not decoded.isascii()
        and decoded.encode("punycode") == encoded
    )
    if not valid:
        raise HostnameError(
            f"hostname {_shown(hostname)} has the label {label} that starts with "
            "xn-- but is not valid punycode; write the name in Unicode instead"
        ) from None


def _misplaced_wildcard(hostname: str) -> str:
    if hostname.startswith("*.*"):
        return (
            f"hostname {_shown(hostname)} has more than one wildcard level; "
            "a wildcard covers one level only, as in *.example.com"
        )
    if hostname == "*":
        return (
            "hostname * is a bare wildcard; a wildcard needs a domain after it, "
            "as in *.example.com"
        )
    return (
        f"hostname {_shown(hostname)} has a * outside a leading *. label; "
        "a wildcard may only be the whole leftmost label, as in *.example.com"
    )


def _check_wildcard_suffix(hostname: str, wildcard: bool, label_count: int) -> None:
    if wildcard and label_count < 2:
        raise HostnameError(
            f"hostname {_shown(hostname)} is a wildcard over a top-level domain; "
            "the part after *. needs at least two labels, as in *.example.com"
        )
    if not wildcard and label_count < 2:
        raise HostnameError(
            f"hostname {_shown(hostname)} has a single label and is no name in a "
            "zone; give a full DNS name such as "
            f"{hostname}.example.com"
        )


def _check_last_label(hostname: str, last_label: str) -> None:
    if last_label.isdigit():
        raise HostnameError(
            f"hostname {_shown(hostname)} ends in the all-numeric label "
            f"{last_label} and reads as an IP address; Origin CA certificates "
            "cover DNS names only"
        )


def _shown(text: str) -> str:
    """The hostname as shown in a message: one line, bounded, quoted if unclear."""
    if len(text) > _SHOWN_LENGTH:
        text = text[: _SHOWN_LENGTH - 3] + "..."
    if not text or not text.isprintable() or " " in text:
        return repr(text)
    return text
