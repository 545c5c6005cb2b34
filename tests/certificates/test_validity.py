"""Validity selection and Go durations, by example and by property."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from origin_ca_operator.certificates import (
    ALLOWED_VALIDITY_DAYS,
    DEFAULT_REQUEST_DURATION,
    DEFAULT_VALIDITY_DAYS,
    format_go_duration,
    parse_go_duration,
    select_validity,
)
from origin_ca_operator.errors import ValidityError

DAY = timedelta(days=1)
positive_durations = st.timedeltas(min_value=timedelta(microseconds=1))
# Go durations hold at most 2**63 - 1 nanoseconds, about 292 years.
go_durations = st.timedeltas(
    min_value=timedelta(days=-106_000), max_value=timedelta(days=106_000)
)


def distance(requested: timedelta, days: int) -> timedelta:
    return abs(requested - days * DAY)


def test_defaults_are_the_apis_and_cert_managers() -> None:
    assert DEFAULT_VALIDITY_DAYS == 5475
    assert timedelta(days=90) == DEFAULT_REQUEST_DURATION
    assert ALLOWED_VALIDITY_DAYS == (7, 30, 90, 365, 730, 1095, 5475)


@pytest.mark.parametrize(
    ("requested", "days"),
    [
        (None, 90),
        (timedelta(hours=2160), 90),
        (timedelta(hours=1), 7),
        (timedelta(days=7), 7),
        (timedelta(days=20), 30),
        (timedelta(days=60), 30),
        (timedelta(days=60, seconds=1), 90),
        (timedelta(days=365), 365),
        (timedelta(days=3 * 365), 1095),
        (timedelta(days=10 * 365), 5475),
        (timedelta(days=100 * 365), 5475),
    ],
)
def test_nearest_allowed_validity_is_chosen(
    requested: timedelta | None, days: int
) -> None:
    assert select_validity(requested).days == days


def test_no_request_means_cert_managers_90_days() -> None:
    choice = select_validity(None)
    assert choice.requested == timedelta(days=90)
    assert choice.exact


def test_description_names_both_durations() -> None:
    assert select_validity(timedelta(days=90)).description == (
        "requested 2160h0m0s (90 days); Origin CA validity 90 days"
    )


def test_description_says_when_the_validity_is_not_exact() -> None:
    choice = select_validity(timedelta(days=60))
    assert not choice.exact
    assert choice.description == (
        "requested 1440h0m0s (60 days); Origin CA validity 30 days, "
        "the nearest allowed value"
    )


@pytest.mark.parametrize("requested", [timedelta(0), timedelta(seconds=-1)])
def test_zero_or_negative_duration_is_refused(requested: timedelta) -> None:
    with pytest.raises(ValidityError, match="not positive"):
        select_validity(requested)


@given(positive_durations)
def test_choice_is_allowed_and_no_allowed_value_is_closer(
    requested: timedelta,
) -> None:
    choice = select_validity(requested)
    assert choice.days in ALLOWED_VALIDITY_DAYS
    assert choice.requested == requested
    best = distance(requested, choice.days)
    for days in ALLOWED_VALIDITY_DAYS:
        assert distance(requested, days) >= best
        if distance(requested, days) == best:
            assert choice.days <= days


@pytest.mark.parametrize(("shorter", "longer"), list(pairwise(ALLOWED_VALIDITY_DAYS)))
def test_tie_between_two_allowed_values_goes_to_the_shorter(
    shorter: int, longer: int
) -> None:
    midpoint = (shorter + longer) * DAY / 2
    assert select_validity(midpoint).days == shorter
    assert select_validity(midpoint + timedelta(microseconds=1)).days == longer


@given(positive_durations, positive_durations)
def test_choice_is_monotonic_in_the_requested_duration(
    first: timedelta, second: timedelta
) -> None:
    shorter, longer = sorted([first, second])
    assert select_validity(shorter).days <= select_validity(longer).days


@pytest.mark.parametrize("days", ALLOWED_VALIDITY_DAYS)
def test_allowed_value_requested_exactly_is_exact(days: int) -> None:
    choice = select_validity(days * DAY)
    assert choice.days == days
    assert choice.exact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2160h", timedelta(hours=2160)),
        ("2160h0m0s", timedelta(hours=2160)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("90m", timedelta(minutes=90)),
        ("1.5h", timedelta(hours=1, minutes=30)),
        (".5h", timedelta(minutes=30)),
        ("5.h", timedelta(hours=5)),
        ("300s", timedelta(seconds=300)),
        ("500ms", timedelta(milliseconds=500)),
        ("1500us", timedelta(microseconds=1500)),
        ("7\u00b5s", timedelta(microseconds=7)),
        ("7\u03bcs", timedelta(microseconds=7)),
        ("2000ns", timedelta(microseconds=2)),
        ("1h1m1s1ms1us", timedelta(hours=1, minutes=1, seconds=1, microseconds=1001)),
        ("+5h", timedelta(hours=5)),
        ("-5h", timedelta(hours=-5)),
        ("0", timedelta(0)),
        ("-0", timedelta(0)),
        (" 2160h\n", timedelta(hours=2160)),
    ],
)
def test_go_duration_is_parsed(text: str, expected: timedelta) -> None:
    assert parse_go_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "h", "1", "1d", "1 h", "1h 30m", "--1h", "1.h.", "1e3s", "٣h", "."]
)
def test_malformed_go_duration_is_refused(text: str) -> None:
    with pytest.raises(ValidityError, match="Go duration"):
        parse_go_duration(text)


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(0), "0s"),
        (timedelta(hours=2160), "2160h0m0s"),
        (timedelta(hours=1, minutes=30), "1h30m0s"),
        (timedelta(minutes=1, seconds=30), "1m30s"),
        (timedelta(seconds=1.5), "1.5s"),
        (timedelta(milliseconds=500), "500ms"),
        (timedelta(microseconds=1500), "1.5ms"),
        (timedelta(microseconds=7), "7\u00b5s"),
        (timedelta(hours=-1), "-1h0m0s"),
    ],
)
def test_duration_is_written_as_go_writes_it(duration: timedelta, text: str) -> None:
    assert format_go_duration(duration) == text


@given(go_durations)
def test_written_go_duration_parses_back(duration: timedelta) -> None:
    assert parse_go_duration(format_go_duration(duration)) == duration


@given(st.text(max_size=30))
def test_any_text_parses_or_raises_validity_error(text: str) -> None:
    try:
        parse_go_duration(text)
    except ValidityError as error:
        message = str(error)
    else:
        message = ""
    assert "\n" not in message
