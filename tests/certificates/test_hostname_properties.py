"""Properties of the hostname rules, over generated names."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from origin_ca_operator.certificates import (
    MAX_HOSTNAMES,
    normalize_hostname,
    normalize_hostnames,
)
from origin_ca_operator.errors import HostnameError

LDH = "abcdefghijklmnopqrstuvwxyz0123456789-"

labels = st.text(LDH, min_size=1, max_size=63).filter(
    lambda label: not label.startswith(("-", "xn--")) and not label.endswith("-")
)
top_level_labels = labels.filter(lambda label: not label.isdigit())


@st.composite
def valid_hostnames(draw: st.DrawFn, wildcard: bool | None = None) -> str:
    """A hostname in normal form that follows every rule."""
    inner = draw(st.lists(labels, min_size=1, max_size=4))
    name = ".".join([*inner, draw(top_level_labels)])
    if wildcard is None:
        wildcard = draw(st.booleans())
    if wildcard:
        name = "*." + name
    assume(len(name) <= 253)
    return name


@given(valid_hostnames())
def test_valid_hostname_is_its_own_normal_form(name: str) -> None:
    assert normalize_hostname(name) == name


@given(valid_hostnames(), st.sampled_from(["", "."]), st.sampled_from(["", " \t"]))
def test_case_trailing_dot_and_space_do_not_change_the_normal_form(
    name: str, dot: str, space: str
) -> None:
    assert normalize_hostname(f"{space}{name.upper()}{dot}{space}") == name


@given(st.text(max_size=80))
def test_any_text_is_normalised_idempotently_or_refused(text: str) -> None:
    try:
        normalized = normalize_hostname(text)
    except HostnameError as error:
        message = str(error)
    else:
        message = ""
    if message:
        assert "\n" not in message
        return
    assert normalized.isascii()
    assert normalized == normalized.lower()
    assert normalize_hostname(normalized) == normalized


@given(valid_hostnames(), st.data())
def test_star_anywhere_but_a_leading_label_is_refused(
    name: str, data: st.DataObject
) -> None:
    start = 1 if name.startswith("*.") else 0
    position = data.draw(st.integers(min_value=start, max_value=len(name)))
    starred = name[:position] + "*" + name[position:]
    assume(not (starred.startswith("*.") and "*" not in starred[1:]))
    try:
        normalize_hostname(starred)
    except HostnameError:
        return
    raise AssertionError(f"{starred} was accepted")


@given(st.ip_addresses())
def test_ip_addresses_are_always_refused(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    for written in (str(address), f"{address}.", f"[{address}]"):
        with pytest.raises(HostnameError, match="is an IP address"):
            normalize_hostname(written)


@given(st.lists(st.integers(min_value=0, max_value=260), max_size=300))
def test_deduplication_keeps_first_order_and_never_exceeds_the_limit(
    numbers: list[int],
) -> None:
    names = [f"h{number}.Example.com" for number in numbers]
    expected = list(dict.fromkeys(name.lower() for name in names))
    try:
        result = normalize_hostnames(names)
    except HostnameError:
        assert len(expected) == 0 or len(expected) > MAX_HOSTNAMES
        return
    assert result == expected
    assert 1 <= len(result) <= MAX_HOSTNAMES


@given(st.lists(valid_hostnames(), min_size=1, max_size=20))
def test_normalised_list_is_its_own_normal_form(names: list[str]) -> None:
    once = normalize_hostnames(names)
    assert normalize_hostnames(once) == once
    assert set(once) == set(names)
