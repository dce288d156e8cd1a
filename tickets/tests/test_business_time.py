"""Business-time arithmetic: hand-worked cases, then properties against a minute-by-minute
reference that reads a clock which never runs backwards (see tickets/business_time.py)."""

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tickets.business_time import (
    ALWAYS_OPEN,
    DAYS,
    Calendar,
    Segment,
    add_business_minutes,
    add_business_time,
    business_minutes_between,
    business_time_between,
    segments,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = DAYS[:5]


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def new_york(*args: int) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)  # type: ignore[misc]


def calendar(zone: str = "Europe/Berlin", days=WEEKDAYS, intervals=(("09:00", "17:30"),), holidays=()) -> Calendar:
    return Calendar.from_json(
        timezone=zone, hours={day: [list(i) for i in intervals] for day in days}, holidays=list(holidays)
    )


OFFICE = calendar(holidays=["2026-12-25"])  # Berlin, Mon-Fri 09:00-17:30; 2026-12-07 is a Monday


# --- Open hours, weekends and holidays ---


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (berlin(2026, 12, 7, 10, 0), 60, berlin(2026, 12, 7, 11, 0)),  # inside hours
        (berlin(2026, 12, 7, 7, 0), 30, berlin(2026, 12, 7, 9, 30)),  # before opening
        (berlin(2026, 12, 7, 18, 0), 30, berlin(2026, 12, 8, 9, 30)),  # after closing
        (berlin(2026, 12, 7, 16, 30), 60, berlin(2026, 12, 7, 17, 30)),  # runs out at closing
        (berlin(2026, 12, 7, 17, 30), 1, berlin(2026, 12, 8, 9, 1)),  # starts at closing
        (berlin(2026, 12, 7, 9, 0), 510, berlin(2026, 12, 7, 17, 30)),  # a whole day
        (berlin(2026, 12, 7, 9, 0), 511, berlin(2026, 12, 8, 9, 1)),
        (berlin(2026, 12, 11, 17, 0), 60, berlin(2026, 12, 14, 9, 30)),  # over the weekend
        (berlin(2026, 12, 12, 11, 0), 60, berlin(2026, 12, 14, 10, 0)),  # from a Saturday
        (berlin(2026, 12, 24, 16, 0), 120, berlin(2026, 12, 28, 9, 30)),  # over Christmas and a weekend
        (berlin(2026, 12, 7, 10, 0), 0.5, berlin(2026, 12, 7, 10, 0, 30)),  # a fraction of a minute
    ],
)
def test_adding_business_minutes_counts_only_open_hours(start, minutes, expected):
    assert add_business_minutes(OFFICE, start, minutes) == expected
    assert business_minutes_between(OFFICE, start, expected) == minutes


def test_zero_minutes_is_the_start_even_when_closed():
    saturday = berlin(2026, 12, 12, 11, 0)
    assert add_business_minutes(OFFICE, saturday, 0) == saturday


def test_business_minutes_between_counts_open_time_in_the_span():
    assert business_minutes_between(OFFICE, berlin(2026, 12, 7, 0, 0), berlin(2026, 12, 14, 0, 0)) == 5 * 510
    assert business_minutes_between(OFFICE, berlin(2026, 12, 21, 0, 0), berlin(2026, 12, 28, 0, 0)) == 4 * 510
    assert business_minutes_between(OFFICE, berlin(2026, 12, 7, 17, 0), berlin(2026, 12, 8, 9, 15)) == 45
    assert business_minutes_between(OFFICE, berlin(2026, 12, 7, 10, 0), berlin(2026, 12, 7, 10, 1, 30)) == 1.5
    assert business_minutes_between(OFFICE, berlin(2026, 12, 8), berlin(2026, 12, 7)) == 0


def test_several_intervals_a_day():
    lunch_break = calendar(intervals=[("13:00", "17:00"), ("09:00", "12:00")])
    assert add_business_minutes(lunch_break, berlin(2026, 12, 7, 11, 30), 60) == berlin(2026, 12, 7, 13, 30)
    assert add_business_minutes(lunch_break, berlin(2026, 12, 7, 12, 30), 30) == berlin(2026, 12, 7, 13, 30)
    assert add_business_minutes(lunch_break, berlin(2026, 12, 7, 11, 0), 60) == berlin(2026, 12, 7, 12, 0)
    assert business_minutes_between(lunch_break, berlin(2026, 12, 7), berlin(2026, 12, 8)) == 7 * 60


def test_results_are_utc_instants_whatever_the_zone_of_the_input():
    result = add_business_minutes(OFFICE, datetime(2026, 12, 7, 9, 0, tzinfo=UTC), 30)
    assert result == berlin(2026, 12, 7, 10, 30)
    assert result is not None and result.tzinfo is UTC


# --- Pauses ---


def test_a_pause_over_the_weekend_stops_the_clock_until_it_ends():
    pause = (berlin(2026, 12, 11, 16, 0), berlin(2026, 12, 14, 10, 0))
    start = berlin(2026, 12, 11, 15, 0)
    assert add_business_minutes(OFFICE, start, 120, pauses=[pause]) == berlin(2026, 12, 14, 11, 0)
    assert business_minutes_between(OFFICE, start, berlin(2026, 12, 14, 11, 0), pauses=[pause]) == 120
    assert segments(OFFICE, start, berlin(2026, 12, 14, 11, 0), pauses=[pause]) == [
        Segment("running", start, pause[0]),
        Segment("paused", pause[0], pause[1]),  # paused wins over the closed weekend
        Segment("running", pause[1], berlin(2026, 12, 14, 11, 0)),
    ]


def test_overlapping_pauses_count_once():
    pauses = [
        (berlin(2026, 12, 7, 10, 0), berlin(2026, 12, 7, 11, 0)),
        (berlin(2026, 12, 7, 10, 30), berlin(2026, 12, 7, 12, 0)),
    ]
    assert business_minutes_between(OFFICE, berlin(2026, 12, 7, 9, 0), berlin(2026, 12, 7, 13, 0), pauses=pauses) == 120


def test_an_open_ended_pause_stops_the_clock_for_good():
    pauses = [(berlin(2026, 12, 7, 10, 30), None)]
    start = berlin(2026, 12, 7, 10, 0)
    assert add_business_minutes(OFFICE, start, 30, pauses=pauses) == berlin(2026, 12, 7, 10, 30)
    assert add_business_minutes(OFFICE, start, 31, pauses=pauses) is None
    assert business_minutes_between(OFFICE, start, berlin(2027, 1, 1), pauses=pauses) == 30
    # Paused before the start, and closed then: nothing ever runs.
    assert add_business_minutes(OFFICE, start, 1, pauses=[(berlin(2026, 12, 5), None)]) is None
    assert segments(OFFICE, berlin(2026, 12, 7, 9, 0), berlin(2026, 12, 8), pauses=pauses) == [
        Segment("running", berlin(2026, 12, 7, 9, 0), berlin(2026, 12, 7, 10, 30)),
        Segment("paused", berlin(2026, 12, 7, 10, 30), berlin(2026, 12, 8)),
    ]


# --- Segments ---


def test_segments_show_closed_and_running_time_merged_across_days():
    around_the_clock_weekdays = calendar(intervals=[("00:00", "12:00"), ("12:00", "24:00")])
    assert segments(around_the_clock_weekdays, berlin(2026, 12, 10, 12, 0), berlin(2026, 12, 15, 1, 0)) == [
        Segment("running", berlin(2026, 12, 10, 12, 0), berlin(2026, 12, 12)),
        Segment("closed", berlin(2026, 12, 12), berlin(2026, 12, 14)),
        Segment("running", berlin(2026, 12, 14), berlin(2026, 12, 15, 1, 0)),
    ]
    assert segments(OFFICE, berlin(2026, 12, 8), berlin(2026, 12, 7)) == []


# --- Daylight saving ---


def test_berlin_office_hours_are_the_same_length_either_side_of_the_changes():
    # Spring forward on Sunday 2026-03-29, fall back on Sunday 2026-10-25.
    assert business_minutes_between(OFFICE, berlin(2026, 3, 27, 9, 0), berlin(2026, 3, 30, 17, 30)) == 2 * 510
    assert business_minutes_between(OFFICE, berlin(2026, 10, 23, 9, 0), berlin(2026, 10, 26, 17, 30)) == 2 * 510
    assert add_business_minutes(OFFICE, berlin(2026, 3, 27, 17, 0), 60) == datetime(2026, 3, 30, 7, 30, tzinfo=UTC)
    assert add_business_minutes(OFFICE, berlin(2026, 10, 23, 17, 0), 60) == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)


def test_berlin_night_interval_containing_the_change_is_shorter_or_longer():
    nights = calendar(days=DAYS, intervals=[("00:00", "06:00")])
    assert business_minutes_between(nights, berlin(2026, 3, 29), berlin(2026, 3, 30)) == 5 * 60
    assert business_minutes_between(nights, berlin(2026, 10, 25), berlin(2026, 10, 26)) == 7 * 60
    assert add_business_minutes(nights, berlin(2026, 3, 29), 300) == datetime(2026, 3, 29, 4, 0, tzinfo=UTC)
    assert add_business_minutes(nights, berlin(2026, 10, 25), 420) == datetime(2026, 10, 25, 5, 0, tzinfo=UTC)


def test_berlin_boundaries_inside_the_skipped_hour_take_effect_at_the_jump():
    # 02:00-03:00 does not exist on 2026-03-29: the clock jumps at 01:00 UTC.
    sunday = calendar(days=["sun"], intervals=[("02:30", "03:10")])
    assert segments(sunday, datetime(2026, 3, 29, 0, tzinfo=UTC), datetime(2026, 3, 29, 2, tzinfo=UTC)) == [
        Segment("closed", datetime(2026, 3, 29, 0, tzinfo=UTC), datetime(2026, 3, 29, 1, tzinfo=UTC)),
        Segment("running", datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 3, 29, 1, 10, tzinfo=UTC)),
        Segment("closed", datetime(2026, 3, 29, 1, 10, tzinfo=UTC), datetime(2026, 3, 29, 2, tzinfo=UTC)),
    ]
    until_the_gap = calendar(days=["sun"], intervals=[("01:00", "02:30")])
    assert business_minutes_between(until_the_gap, berlin(2026, 3, 29), berlin(2026, 3, 30)) == 60


def test_berlin_boundaries_inside_the_repeated_hour_are_their_first_occurrence():
    # 02:00-03:00 happens twice on 2026-10-25: 00:00-01:00 UTC, then 01:00-02:00 UTC.
    early = calendar(days=["sun"], intervals=[("00:00", "02:30")])
    late = calendar(days=["sun"], intervals=[("02:30", "06:00")])
    day = (berlin(2026, 10, 25), berlin(2026, 10, 26))
    assert add_business_minutes(early, day[0], 150) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert business_minutes_between(early, *day) == 150
    assert business_minutes_between(late, *day) == 270  # from the first 02:30 to 06:00 CET
    assert segments(late, *day)[1] == Segment(
        "running", datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 5, tzinfo=UTC)
    )


def test_new_york_days_of_23_and_25_hours():
    sundays = calendar(zone="America/New_York", days=["sun"], intervals=[("00:00", "24:00")])
    # Spring forward on 2026-03-08, fall back on 2026-11-01.
    assert business_minutes_between(sundays, new_york(2026, 3, 7), new_york(2026, 3, 10)) == 23 * 60
    assert business_minutes_between(sundays, new_york(2026, 10, 31), new_york(2026, 11, 3)) == 25 * 60
    assert add_business_minutes(sundays, new_york(2026, 3, 7, 12), 23 * 60) == datetime(2026, 3, 9, 4, tzinfo=UTC)
    assert add_business_minutes(sundays, new_york(2026, 10, 31, 12), 25 * 60) == datetime(2026, 11, 2, 5, tzinfo=UTC)
    office = calendar(zone="America/New_York", intervals=[("09:00", "17:00")])
    assert business_minutes_between(office, new_york(2026, 3, 6, 9), new_york(2026, 3, 9, 17)) == 16 * 60
    assert add_business_minutes(office, new_york(2026, 10, 30, 16), 120) == datetime(2026, 11, 2, 15, tzinfo=UTC)


# --- Always open ---


def test_always_open_is_plain_timedelta_arithmetic():
    start = datetime(2026, 3, 29, 0, 17, 3, 5, tzinfo=UTC)
    assert add_business_minutes(ALWAYS_OPEN, start, 10**6 + 0.25) == start + timedelta(minutes=10**6 + 0.25)
    assert business_minutes_between(ALWAYS_OPEN, start, start + timedelta(days=400, seconds=9)) == 400 * 1440 + 0.15
    pause = (start + timedelta(hours=1), start + timedelta(hours=3))
    assert add_business_minutes(ALWAYS_OPEN, start, 90, pauses=[pause]) == start + timedelta(minutes=210)


def test_a_calendar_far_from_its_target_gives_up():
    rare = calendar(days=["mon"], intervals=[("09:00", "09:01")])
    with pytest.raises(ValueError, match="not reached within 50 years"):
        add_business_minutes(rare, berlin(2026, 12, 7), 10**6)


def test_adding_a_month_to_a_few_hours_a_week_is_quick():
    few = calendar(days=["wed", "fri"], intervals=[("10:00", "12:00")])
    start = berlin(2026, 1, 1)
    target = add_business_minutes(few, start, 30 * 1440)
    assert target is not None and business_minutes_between(few, start, target) == 30 * 1440


# --- Validation ---


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
        ({"timezone": ""}, "time zone must be an IANA name"),
        ({"hours": {"monday": [["09:00", "17:00"]]}}, "unknown day 'monday'"),
        ({"hours": {"mon": [["09:00", "25:00"]]}}, "'25:00' is not a time of day"),
        ({"hours": {"mon": [["09:00", "24:30"]]}}, "'24:30' is not a time of day"),
        ({"hours": {"mon": [["9am", "17:00"]]}}, "'9am' is not a time"),
        ({"hours": {"mon": [["09:00", "09:00"]]}}, "09:00-09:00 ends before it starts"),
        ({"hours": {"mon": [["17:00", "09:00"]]}}, "ends before it starts"),
        ({"hours": {"mon": [["09:00", "12:00"], ["11:00", "14:00"]]}}, "mon: intervals overlap"),
        ({"hours": {"mon": [["09:00"]]}}, "must be a \\[start, end\\] pair"),
        ({"hours": {"mon": "09:00-17:00"}}, "must be a list"),
        ({"hours": {"mon": [], "sat": []}}, "a calendar needs at least one open interval"),
        ({"hours": {}}, "a calendar needs at least one open interval"),
        ({"holidays": ["2026-02-30"]}, "holiday '2026-02-30' is not a date"),
        ({"holidays": ["25.12.2026"]}, "holiday '25.12.2026' is not a date"),
    ],
)
def test_from_json_names_what_is_wrong(fields, message):
    valid = {"timezone": "Europe/Berlin", "hours": {"mon": [["09:00", "17:00"]]}, "holidays": []}
    with pytest.raises(ValueError, match=message):
        Calendar.from_json(**{**valid, **fields})


def test_from_json_keeps_hours_normalised():
    parsed = Calendar.from_json(
        timezone="Europe/Berlin",
        hours={"tue": [["13:00", "24:00"], ["9:00", "12:00"]], "mon": [], "sun": []},
        holidays=["2026-12-25"],
    )
    assert parsed == Calendar(
        timezone="Europe/Berlin",
        hours={"tue": [("09:00", "12:00"), ("13:00", "24:00")]},
        holidays=frozenset({date(2026, 12, 25)}),
    )
    assert dict(parsed.hours) == {"tue": (("09:00", "12:00"), ("13:00", "24:00"))}
    assert hash(parsed) == hash(
        Calendar(timezone="Europe/Berlin", hours={"wed": [("01:00", "02:00")]}, holidays=parsed.holidays)
    )


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="start must be a timezone-aware datetime"):
        add_business_minutes(OFFICE, datetime(2026, 12, 7, 9, 0), 10)
    with pytest.raises(ValueError, match="must not be negative"):
        add_business_minutes(OFFICE, berlin(2026, 12, 7), -1)
    with pytest.raises(ValueError, match="finite"):
        add_business_minutes(OFFICE, berlin(2026, 12, 7), float("nan"))
    with pytest.raises(ValueError, match="beyond any date"):
        add_business_minutes(ALWAYS_OPEN, berlin(2026, 12, 7), 1e20)
    with pytest.raises(ValueError, match="a pause ends"):
        business_minutes_between(
            OFFICE,
            berlin(2026, 12, 7),
            berlin(2026, 12, 8),
            pauses=[(berlin(2026, 12, 7, 12), berlin(2026, 12, 7, 11))],
        )


# --- Properties against a minute-by-minute reference ---

# Zones with the local days of their daylight-saving changes in 2026 (Lord Howe's shift is
# half an hour), and ones without.
ZONE_DAYS = [
    ("Europe/Berlin", date(2026, 3, 29)),
    ("Europe/Berlin", date(2026, 10, 25)),
    ("America/New_York", date(2026, 3, 8)),
    ("America/New_York", date(2026, 11, 1)),
    ("Australia/Lord_Howe", date(2026, 4, 5)),
    ("Australia/Lord_Howe", date(2026, 10, 4)),
    ("Europe/Berlin", date(2026, 6, 15)),
    ("UTC", date(2026, 3, 29)),
    ("Asia/Kolkata", date(2026, 12, 31)),
]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Interval boundaries, often in the small hours, where the clocks change.
boundaries = st.one_of(st.integers(0, 1440), st.sampled_from([0, 90, 120, 135, 150, 165, 180, 1440]))
day_hours = (
    st.lists(boundaries, max_size=4, unique=True).map(sorted).map(lambda b: list(zip(b[::2], b[1::2], strict=False)))
)


@st.composite
def scenarios(draw, max_days=10):
    """A calendar, a minute-aligned span of up to `max_days` days near a daylight-saving
    change, and minute-aligned pauses (perhaps one open-ended) around it."""
    zone, anchor = draw(st.sampled_from(ZONE_DAYS))
    week = draw(st.lists(day_hours, min_size=7, max_size=7).filter(any))
    holidays = sorted(anchor + timedelta(days=d) for d in draw(st.sets(st.integers(-6, 12), max_size=4)))
    cal = Calendar.from_json(
        timezone=zone,
        hours={day: [[_hhmm(a), _hhmm(b)] for a, b in intervals] for day, intervals in zip(DAYS, week, strict=True)},
        holidays=[day.isoformat() for day in holidays],
    )
    # Whole days drawn apart from minutes: Hypothesis favours small integers, and spans that
    # reach the change matter most.
    start = datetime.combine(anchor, datetime.min.time(), tzinfo=UTC) + timedelta(
        days=-draw(st.integers(0, 4)), minutes=draw(st.integers(-1440, 1440))
    )
    length = draw(st.integers(0, max_days)) * 1440 + draw(st.integers(0, 1439))
    pauses = [
        (start + timedelta(minutes=offset), start + timedelta(minutes=offset + duration))
        for offset, duration in draw(
            st.lists(st.tuples(st.integers(-1440, length), st.integers(0, 2 * 1440)), max_size=3)
        )
    ]
    open_ended = draw(st.none() | st.integers(-600, length + 600))
    all_pauses: list = [*pauses, *([] if open_ended is None else [(start + timedelta(minutes=open_ended), None)])]
    return cal, week, holidays, start, length, all_pauses


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def reference_kinds(cal, week, holidays, start, length, pauses) -> list[str]:
    """The clock's kind for each minute of [start, start + length): the local wall-clock
    minute, held at its latest reading while the clocks repeat an hour, opens the minute
    when its date is not a holiday and one of its weekday's intervals holds it."""
    zone = ZoneInfo(cal.timezone)
    first = (start - EPOCH) // timedelta(minutes=1)
    offsets: dict[int, int] = {}

    def wall(minute: int) -> int:  # offsets change on quarter hours of UTC in these zones
        block = minute // 15
        if block not in offsets:
            offset = datetime.fromtimestamp(block * 900, zone).utcoffset()
            offsets[block] = offset // timedelta(minutes=1)
        return minute + offsets[block]

    days: dict[int, bytearray] = {}

    def open_minutes(day_number: int) -> bytearray:
        if day_number not in days:
            day = date(1970, 1, 1) + timedelta(days=day_number)
            minutes = bytearray(1440)
            if day not in holidays:
                for a, b in week[day.weekday()]:
                    minutes[a:b] = b"\x01" * (b - a)
            days[day_number] = minutes
        return days[day_number]

    paused = [
        ((ps - EPOCH) // timedelta(minutes=1), None if pe is None else (pe - EPOCH) // timedelta(minutes=1))
        for ps, pe in pauses
    ]
    latest = max(wall(m) for m in range(first - 180, first))
    kinds = []
    for minute in range(first, first + length):
        latest = max(latest, wall(minute))
        if any(ps <= minute and (pe is None or minute < pe) for ps, pe in paused):
            kinds.append("paused")
        else:
            day_number, of_day = divmod(latest, 1440)
            kinds.append("running" if open_minutes(day_number)[of_day] else "closed")
    return kinds


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_segments_and_business_minutes_agree_with_the_reference(scenario):
    cal, week, holidays, start, length, pauses = scenario
    end = start + timedelta(minutes=length)
    expected = reference_kinds(cal, week, holidays, start, length, pauses)
    found = segments(cal, start, end, pauses=pauses)
    assert [seg.kind for seg in found for _ in range(seg.duration // timedelta(minutes=1))] == expected
    assert all(seg.duration % timedelta(minutes=1) == timedelta(0) for seg in found)
    # Covering [start, end) without gaps, adjacent ones of different kinds.
    assert (found[0].start, found[-1].end) == (start, end) if length else found == []
    assert all(a.end == b.start and a.kind != b.kind for a, b in itertools.pairwise(found))
    running = sum((seg.duration for seg in found if seg.kind == "running"), timedelta(0))
    assert business_time_between(cal, start, end, pauses=pauses) == running
    assert business_minutes_between(cal, start, end, pauses=pauses) == expected.count("running")


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.data())
def test_adding_business_minutes_agrees_with_the_reference_and_inverts_counting(scenario, data):
    cal, week, holidays, start, length, pauses = scenario
    kinds = reference_kinds(cal, week, holidays, start, length, pauses)
    running_minutes = [i for i, kind in enumerate(kinds) if kind == "running"]
    minutes = data.draw(st.integers(0, len(running_minutes) + 60))
    found = add_business_minutes(cal, start, minutes, pauses=pauses)
    if minutes == 0:
        assert found == start
    elif minutes <= len(running_minutes):
        assert found == start + timedelta(minutes=running_minutes[minutes - 1] + 1)
    elif any(pe is None and ps <= start + timedelta(minutes=length) for ps, pe in pauses):
        assert found is None  # stopped for good within the span, with too little time run
    if found is not None:
        assert business_minutes_between(cal, start, found, pauses=pauses) == minutes
        if minutes:  # the earliest such instant
            assert business_time_between(cal, start, found - timedelta(microseconds=1), pauses=pauses) < timedelta(
                minutes=minutes
            )
    # Counting, then adding what was counted, stops at the end or at the last running instant before it.
    end = start + timedelta(minutes=length)
    back = add_business_time(cal, start, business_time_between(cal, start, end, pauses=pauses), pauses=pauses)
    assert back is not None and back <= end
    assert business_time_between(cal, back, end, pauses=pauses) == timedelta(0)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from([UTC, BERLIN, NEW_YORK]),
    ),
    minutes=st.floats(min_value=0, max_value=10**7, allow_nan=False),
    span=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3000)),
)
def test_always_open_equals_plain_timedelta_arithmetic(start, minutes, span):
    start = start.astimezone(UTC)  # a local aware datetime plus a timedelta adds wall-clock time
    assert add_business_minutes(ALWAYS_OPEN, start, minutes) == start + timedelta(minutes=minutes)
    assert business_time_between(ALWAYS_OPEN, start, start + span) == span
    assert segments(ALWAYS_OPEN, start, start + span) == ([Segment("running", start, start + span)] if span else [])
