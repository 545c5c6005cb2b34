"""Hostname normalisation and the Origin CA's hostname rules, by example."""

from __future__ import annotations

import pytest

from origin_ca_operator.certificates import (
    MAX_HOSTNAMES,
    normalize_hostname,
    normalize_hostnames,
)
from origin_ca_operator.errors import HostnameError


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("WWW.Example.COM", "www.example.com"),
        ("www.example.com.", "www.example.com"),
        ("  www.example.com \n", "www.example.com"),
        ("*.Example.com.", "*.example.com"),
        ("*.api.example.com", "*.api.example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("BÜCHER.example", "xn--bcher-kva.example"),
        ("*.münchen.de", "*.xn--mnchen-3ya.de"),
        ("例え.テスト", "xn--r8jz45g.xn--zckzah"),
        ("www。example。com", "www.example.com"),
        ("XN--BCHER-KVA.example", "xn--bcher-kva.example"),
        ("a-b.example.com", "a-b.example.com"),
        ("1-2-3.example.com", "1-2-3.example.com"),
        ("123.example.com", "123.example.com"),
        ("a" * 63 + ".example.com", "a" * 63 + ".example.com"),
    ],
)
def test_hostname_is_normalised(given: str, expected: str) -> None:
    assert normalize_hostname(given) == expected


def test_unicode_hostname_becomes_punycode() -> None:
    assert normalize_hostname("straßen-bahn.例え.jp").isascii()


def test_only_one_trailing_dot_is_dropped() -> None:
    with pytest.raises(HostnameError, match="empty label"):
        normalize_hostname("www.example.com..")


def test_name_of_253_characters_is_accepted_and_254_refused() -> None:
    labels = ["a" * 63, "b" * 63, "c" * 63]
    longest = ".".join([*labels, "d" * 61])
    assert len(longest) == 253
    assert normalize_hostname(longest) == longest
    with pytest.raises(HostnameError, match="254 characters"):
        normalize_hostname(longest + "d")


def test_single_label_name_is_refused_naming_a_fix() -> None:
    with pytest.raises(HostnameError) as raised:
        normalize_hostname("localhost")
    assert "localhost.example.com" in str(raised.value)


def test_ip_address_message_names_the_address() -> None:
    with pytest.raises(HostnameError) as raised:
        normalize_hostname("10.0.0.1")
    assert str(raised.value) == (
        "hostname 10.0.0.1 is an IP address; "
        "Origin CA certificates cover DNS names only"
    )


def test_wildcard_over_two_labels_is_accepted_and_over_one_refused() -> None:
    assert normalize_hostname("*.example.com") == "*.example.com"
    with pytest.raises(HostnameError, match=r"\*\.com"):
        normalize_hostname("*.com")


@pytest.mark.parametrize(
    "name", ["*.*.example.com", "a.*.example.com", "foo*.example.com", "*foo.com"]
)
def test_wildcard_outside_a_leading_label_is_refused(name: str) -> None:
    with pytest.raises(HostnameError, match="wildcard"):
        normalize_hostname(name)


def test_message_of_a_very_long_name_is_bounded() -> None:
    with pytest.raises(HostnameError) as raised:
        normalize_hostname("a_" * 500 + ".example.com")
    assert len(str(raised.value)) < 300


def test_several_wildcards_may_share_one_list() -> None:
    names = ["*.example.com", "*.api.example.com", "example.com"]
    assert normalize_hostnames(names) == names


def test_duplicates_are_dropped_after_normalisation_keeping_first_order() -> None:
    names = ["b.example.com", "A.example.com", "b.example.com.", "a.EXAMPLE.com"]
    assert normalize_hostnames(names) == ["b.example.com", "a.example.com"]


def test_hostnames_from_a_generator_are_accepted() -> None:
    assert normalize_hostnames(f"h{i}.example.com" for i in range(3)) == [
        "h0.example.com",
        "h1.example.com",
        "h2.example.com",
    ]


def test_exactly_200_hostnames_are_accepted() -> None:
    names = [f"host{i}.example.com" for i in range(MAX_HOSTNAMES)]
    assert normalize_hostnames(names) == names


def test_201_names_with_one_duplicate_are_accepted() -> None:
    names = [f"host{i}.example.com" for i in range(MAX_HOSTNAMES)]
    assert len(normalize_hostnames([*names, "HOST0.example.com"])) == MAX_HOSTNAMES


def test_201_distinct_hostnames_are_refused_with_the_count() -> None:
    names = [f"host{i}.example.com" for i in range(MAX_HOSTNAMES + 1)]
    with pytest.raises(HostnameError) as raised:
        normalize_hostnames(names)
    assert "201 hostnames; an Origin CA certificate holds at most 200" in str(
        raised.value
    )


def test_first_bad_hostname_in_a_list_is_named() -> None:
    with pytest.raises(HostnameError, match="bad_name"):
        normalize_hostnames(["ok.example.com", "bad_name.example.com"])
