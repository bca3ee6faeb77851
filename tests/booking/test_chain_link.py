"""The chain rule's one body, on the planner's floats and on the rows' exact microseconds."""

from __future__ import annotations

from booking.rules.chain import chain_link

H_S = 3600.0
H_US = 3_600_000_000


def test_a_platform_link_departs_transit_plus_set_up_ahead_and_is_done_after_tear_down():
    # Window 10:00–12:00, 2.5 h of road, 6 h of set-up, 4 h of tear-down; the link before is
    # torn down at 01:30.
    depart, arrive, until, earliest = chain_link(
        prev_until=1.5 * H_S,
        window_start=10 * H_S,
        window_end=12 * H_S,
        transit=2.5 * H_S,
        setup=6 * H_S,
        teardown=4 * H_S,
    )
    assert (depart, arrive, until, earliest) == (1.5 * H_S, 4 * H_S, 16 * H_S, 10 * H_S)
    # It fits exactly: it departs when the link before is done; a minute earlier it would not.
    assert depart >= 1.5 * H_S and earliest <= 10 * H_S
    late = chain_link(
        prev_until=1.5 * H_S + 60,
        window_start=10 * H_S,
        window_end=12 * H_S,
        transit=2.5 * H_S,
        setup=6 * H_S,
        teardown=4 * H_S,
    )
    assert late[0] < 1.5 * H_S + 60 and late[3] == 10 * H_S + 60


def test_the_rows_microseconds_give_the_same_answer_exactly():
    floats = chain_link(
        prev_until=1.5 * H_S,
        window_start=10 * H_S,
        window_end=12 * H_S,
        transit=2.5 * H_S,
        setup=6 * H_S,
        teardown=4 * H_S,
    )
    ints = chain_link(
        prev_until=3 * H_US // 2,
        window_start=10 * H_US,
        window_end=12 * H_US,
        transit=5 * H_US // 2,
        setup=6 * H_US,
        teardown=4 * H_US,
    )
    assert all(isinstance(value, int) for value in ints)
    assert [value / 1_000_000 for value in ints] == list(floats)


def test_a_pad_link_is_its_window_plus_turnaround():
    depart, arrive, until, earliest = chain_link(
        prev_until=0, window_start=100, window_end=120, transit=0, setup=0, teardown=72
    )
    assert (depart, arrive, until, earliest) == (100, 100, 192, 0)
