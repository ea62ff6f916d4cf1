# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The exchange's rules (``outbox/decisions.py``), with no Odoo and no database: what a
claimed booking calls for (the claim ladder), and how every action (book, look up,
cancel, confirm) settles every outcome (an answer, a timeout, a 5xx, a 4xx, no driver, a
second order for our reference, a lease lost, a cancel requested meanwhile)."""

from datetime import datetime, timedelta

import pytest
from clients import CourierTimeout, OrderInfo, PermanentError, RetryableError
from outbox import decisions as d

NOW = datetime(2026, 12, 5, 8, 0, 0)
UNCLAIM = {"claimed_until": False, "claim_token": False}


def order(status="booked", courier_ref="C1", price=12000.0, failure_reason=None):
    return OrderInfo(
        our_ref="BK-1",
        courier_ref=courier_ref,
        status=status,
        courier_status=status,
        price=price,
        failure_reason=failure_reason,
    )


def timeout():
    return CourierTimeout("no answer in 10 s", code="read_timeout")


def server_error():
    return RetryableError("Service Unavailable", code="http_503", status_code=503)


def refused():
    return PermanentError("destination out of range", code="http_422", status_code=422)


# ----------------------------------------------------------------------
# The claim ladder
# ----------------------------------------------------------------------
LADDER = [
    # (claimed booking, action, lookup first)
    (d.Claimed("requested"), d.BOOK, False),
    (d.Claimed("requested", attempts=2), d.BOOK, True),
    (d.Claimed("requested", outcome_unknown=True), d.BOOK, True),
    (d.Claimed("requested", attempts=2, can_lookup=False), d.BOOK, False),
    (d.Claimed("requested", outcome_unknown=True, can_lookup=False), d.REVIEW, False),
    (d.Claimed("requested", outcome_unknown=True, attempts=6, max_attempts=5), d.LOOKUP, True),
    (d.Claimed("requested", attempts=6, max_attempts=5), d.BOOK, True),
    (d.Claimed("booked", courier_ref="C1", cancel_requested=True), d.CANCEL, False),
    (d.Claimed("requested", cancel_requested=True, outcome_unknown=True), d.LOOKUP_CANCEL, True),
    (
        d.Claimed("requested", cancel_requested=True, outcome_unknown=True, can_lookup=False),
        d.REVIEW,
        False,
    ),
    (d.Claimed("requested", cancel_requested=True, can_lookup=False), d.CANCEL_LOCAL, False),
    (d.Claimed("booked", courier_ref="C1"), d.NONE, False),  # only its stray orders
    # a courier that cancels by our reference (Grab's documented DELETE
    # /v1/merchant/deliveries/{merchantOrderID}): the way out of a create that timed out
    (
        d.Claimed("requested", outcome_unknown=True, can_lookup=False, cancels_by_reference=True),
        d.VOID,
        False,
    ),
    (
        d.Claimed(
            "requested",
            cancel_requested=True,
            outcome_unknown=True,
            can_lookup=False,
            cancels_by_reference=True,
        ),
        d.VOID,
        False,
    ),
    (
        d.Claimed("requested", attempts=2, can_lookup=False, cancels_by_reference=True),
        d.BOOK,
        False,
    ),
    # a courier that books once per reference (Biteship): asked again, it names the order
    (
        d.Claimed("requested", outcome_unknown=True, can_lookup=False, books_once=True),
        d.BOOK,
        False,
    ),
    (
        d.Claimed(
            "requested",
            outcome_unknown=True,
            can_lookup=False,
            books_once=True,
            attempts=6,
            max_attempts=5,
        ),
        d.BOOK,
        False,
    ),
    # ... but a cancellation still needs the order's number
    (
        d.Claimed(
            "requested",
            cancel_requested=True,
            outcome_unknown=True,
            can_lookup=False,
            books_once=True,
        ),
        d.REVIEW,
        False,
    ),
]


@pytest.mark.parametrize(("claimed", "action", "lookup_first"), LADDER)
def test_claim_ladder(claimed, action, lookup_first):
    assert d.claim_action(claimed) == (action, lookup_first)


# ----------------------------------------------------------------------
# Every action x every outcome
# ----------------------------------------------------------------------
# the booking as each action finds it when its answer comes (the row locked)
BOOKING = {
    d.BOOK: dict(state="requested"),
    d.LOOKUP: dict(state="requested", outcome_unknown=True, attempts=6, max_attempts=5),
    d.CANCEL: dict(state="booked", courier_ref="C1", cancel_requested=True),
    d.VOID: dict(
        state="requested", outcome_unknown=True, can_lookup=False, cancels_by_reference=True
    ),
}
OUTCOMES = (
    "answer",
    "timeout",
    "5xx",
    "4xx",
    "no driver",
    "second order",
    "lease lost",
    "cancel requested meanwhile",
)


def outbox_case(action, outcome):
    """(job, worker's answer, held booking) of one action and outcome."""
    job = {"action": action}
    held = dict(BOOKING[action])
    answer_kind = "found" if action == d.LOOKUP else "ok"
    answer = (answer_kind, order())
    if outcome == "timeout":
        answer = ("error", timeout())
        if action == d.BOOK:
            job["unknown"] = True  # the booking call was sent: the order may exist
    elif outcome == "5xx":
        answer = ("error", server_error())
    elif outcome == "4xx":
        answer = ("error", refused())
    elif outcome == "no driver":
        answer = (answer_kind, order(status="failed", failure_reason="no_driver"))
    elif outcome == "second order":
        held["courier_ref"] = "C1"  # the courier's news named the booking's order
        answer = (answer_kind, order(courier_ref="C2"))
    elif outcome == "lease lost":
        held["holds_claim"] = False
    elif outcome == "cancel requested meanwhile":
        held["cancel_requested"] = True
    return job, answer, d.Held(**held)


# (action, outcome) -> verdict, columns expected among those written, new state, next
EXPECTED = {
    (d.BOOK, "answer"): (
        d.BOOKED,
        dict(UNCLAIM, next_attempt_at=False, last_error=False, quoted_price=12000.0),
        None,
        d.NEXT_NONE,
    ),
    (d.BOOK, "timeout"): (
        d.RETRY,
        dict(
            UNCLAIM,
            outcome_unknown=True,
            next_attempt_at=NOW + timedelta(seconds=30),
            last_error="read_timeout: no answer in 10 s",
        ),
        None,
        d.NEXT_SEND_AT,
    ),
    (d.BOOK, "5xx"): (
        d.RETRY,
        dict(UNCLAIM, next_attempt_at=NOW + timedelta(seconds=30)),
        None,
        d.NEXT_SEND_AT,
    ),
    (d.BOOK, "4xx"): (d.FAIL, dict(UNCLAIM, failure_reason="error"), "failed", d.NEXT_NONE),
    (d.BOOK, "no driver"): (d.BOOKED, UNCLAIM, None, d.NEXT_NONE),
    (d.BOOK, "second order"): (d.SECOND_ORDER, UNCLAIM, None, d.NEXT_SEND),
    (d.BOOK, "lease lost"): (d.LATE, {}, None, d.NEXT_NONE),
    (d.BOOK, "cancel requested meanwhile"): (d.BOOKED, UNCLAIM, None, d.NEXT_SEND),
    (d.LOOKUP, "answer"): (
        d.FOUND,
        dict(UNCLAIM, outcome_unknown=False, next_attempt_at=False),
        None,
        d.NEXT_NONE,
    ),
    # spent, but the last call may have made the order: looked up again, never failed
    (d.LOOKUP, "timeout"): (
        d.RETRY,
        dict(UNCLAIM, next_attempt_at=NOW + timedelta(seconds=960)),
        None,
        d.NEXT_SEND_AT,
    ),
    (d.LOOKUP, "5xx"): (d.RETRY, UNCLAIM, None, d.NEXT_SEND_AT),
    (d.LOOKUP, "4xx"): (d.FAIL, UNCLAIM, "failed", d.NEXT_NONE),
    (d.LOOKUP, "no driver"): (d.FOUND, dict(UNCLAIM, outcome_unknown=False), None, d.NEXT_NONE),
    (d.LOOKUP, "second order"): (d.SECOND_ORDER, UNCLAIM, None, d.NEXT_SEND),
    (d.LOOKUP, "lease lost"): (d.LATE, {}, None, d.NEXT_NONE),
    (d.LOOKUP, "cancel requested meanwhile"): (d.FOUND, UNCLAIM, None, d.NEXT_SEND),
    (d.CANCEL, "answer"): (
        d.CANCELLED,
        dict(UNCLAIM, cancel_requested=False, next_attempt_at=False, outcome_unknown=False),
        "cancelled",
        d.NEXT_NONE,
    ),
    (d.CANCEL, "timeout"): (d.RETRY, UNCLAIM, None, d.NEXT_SEND_AT),
    (d.CANCEL, "5xx"): (d.RETRY, UNCLAIM, None, d.NEXT_SEND_AT),
    (d.CANCEL, "4xx"): (
        d.CANCEL_REFUSED,
        dict(UNCLAIM, cancel_requested=False),
        None,
        d.NEXT_NONE,
    ),
    (d.CANCEL, "no driver"): (d.CANCELLED, UNCLAIM, "cancelled", d.NEXT_NONE),
    (d.CANCEL, "second order"): (d.CANCELLED, UNCLAIM, "cancelled", d.NEXT_NONE),
    (d.CANCEL, "lease lost"): (d.LATE, {}, None, d.NEXT_NONE),
    (d.CANCEL, "cancel requested meanwhile"): (d.CANCELLED, UNCLAIM, "cancelled", d.NEXT_NONE),
    # every order of our reference cancelled: booked again at once, never blindly
    (d.VOID, "answer"): (
        d.VOIDED,
        dict(UNCLAIM, outcome_unknown=False, next_attempt_at=NOW, last_error=False),
        None,
        d.NEXT_SEND,
    ),
    (d.VOID, "timeout"): (d.RETRY, UNCLAIM, None, d.NEXT_SEND_AT),
    (d.VOID, "5xx"): (d.RETRY, UNCLAIM, None, d.NEXT_SEND_AT),
    # refused (409: one of them is past pickup): a person enters its number
    (d.VOID, "4xx"): (
        d.REVIEW_NEEDED,
        dict(UNCLAIM, review_needed=True, next_attempt_at=False),
        None,
        d.NEXT_PERSON,
    ),
    (d.VOID, "no driver"): (d.VOIDED, dict(UNCLAIM, outcome_unknown=False), None, d.NEXT_SEND),
    # the courier's news named an order meanwhile: cancelled too, its news follows
    (d.VOID, "second order"): (
        d.VOIDED,
        dict(UNCLAIM, outcome_unknown=False, next_attempt_at=False),
        None,
        d.NEXT_NONE,
    ),
    (d.VOID, "lease lost"): (d.LATE, {}, None, d.NEXT_NONE),
    (d.VOID, "cancel requested meanwhile"): (
        d.CANCELLED,
        dict(UNCLAIM, cancel_requested=False, outcome_unknown=False),
        "cancelled",
        d.NEXT_NONE,
    ),
}


@pytest.mark.parametrize("outcome", OUTCOMES)
@pytest.mark.parametrize("action", [d.BOOK, d.LOOKUP, d.CANCEL, d.VOID])
def test_outbox_action_settles_outcome(action, outcome):
    verdict, vals, state, next_action = EXPECTED[action, outcome]
    job, answer, held = outbox_case(action, outcome)
    settlement = d.settle(job, answer, held, NOW)
    assert settlement.verdict == verdict
    assert settlement.vals.items() >= vals.items(), settlement.vals
    assert settlement.state == state
    assert settlement.next_action == next_action
    if verdict == d.LATE:
        assert settlement.vals == {}, "a run that lost its claim writes nothing"
    if next_action == d.NEXT_SEND_AT:
        assert settlement.retry_at == settlement.vals["next_attempt_at"] > NOW


def test_every_action_and_outcome_has_a_rule():
    actions = {action for action, _outcome in EXPECTED} | {d.CONFIRM}
    assert actions == {d.BOOK, d.LOOKUP, d.CANCEL, d.VOID, d.CONFIRM}
    assert {outcome for _action, outcome in EXPECTED} == set(OUTCOMES)
    assert set(CONFIRM_EXPECTED) == set(OUTCOMES)


def test_answer_details():
    """What the answers carry: the price, the courier's order, the stray to cancel."""
    booked = d.settle(
        {"action": d.BOOK}, ("ok", order(status="requested")), d.Held("requested"), NOW
    )
    assert booked.info.status == "booked", "an order the courier accepted is booked"
    assert booked.info.courier_ref == "C1"
    no_driver = d.settle(*outbox_case(d.BOOK, "no driver"), NOW)
    assert (no_driver.info.status, no_driver.info.failure_reason) == ("failed", "no_driver")
    second = d.settle(*outbox_case(d.BOOK, "second order"), NOW)
    assert second.stray_refs == ("C2",), "the second order is cancelled"
    assert second.info.courier_ref == "C2"
    late = d.settle(*outbox_case(d.BOOK, "lease lost"), NOW)
    assert late.stray_refs == ("C1",), "the order a late answer made is cancelled"
    late_lookup = d.settle(*outbox_case(d.LOOKUP, "lease lost"), NOW)
    assert late_lookup.stray_refs == (), "a lookup made no order"
    final_second = d.settle(
        {"action": d.BOOK},
        ("ok", order(status="delivered", courier_ref="C2")),
        d.Held("booked", courier_ref="C1"),
        NOW,
    )
    assert final_second.stray_refs == (), "a final order is not cancelled"
    assert final_second.next_action == d.NEXT_NONE
    priced = d.settle(
        {"action": d.BOOK}, ("ok", order()), d.Held("requested", quoted_price=9.0), NOW
    )
    assert "quoted_price" not in priced.vals, "the first price told stays the quoted one"


# ----------------------------------------------------------------------
# The unknown outcome, the last attempt, the person, the closed shelter
# ----------------------------------------------------------------------
def test_timeout_where_the_courier_cannot_be_asked_waits_for_a_person():
    job, answer, _held = outbox_case(d.BOOK, "timeout")
    settlement = d.settle(job, answer, d.Held("requested", can_lookup=False), NOW)
    assert settlement.verdict == d.REVIEW_NEEDED
    assert settlement.next_action == d.NEXT_PERSON
    assert settlement.vals["review_needed"] is True
    assert settlement.vals["next_attempt_at"] is False
    assert settlement.vals["outcome_unknown"] is True
    assert settlement.state is None, "never failed nor booked blindly"


def test_timeout_where_the_courier_cancels_by_reference_is_tried_again():
    """Grab: a create that timed out is not a person's job: the next claim cancels every
    order of our reference (``void``), then books again."""
    job, answer, _held = outbox_case(d.BOOK, "timeout")
    held = d.Held("requested", can_lookup=False, cancels_by_reference=True)
    settlement = d.settle(job, answer, held, NOW)
    assert settlement.verdict == d.RETRY
    assert settlement.vals["outcome_unknown"] is True
    assert "review_needed" not in settlement.vals
    claimed = d.Claimed(
        "requested", outcome_unknown=True, can_lookup=False, cancels_by_reference=True
    )
    assert d.claim_action(claimed) == (d.VOID, False)
    voided = d.settle({"action": d.VOID}, ("not_found", None), d.Held(**BOOKING[d.VOID]), NOW)
    assert (voided.verdict, voided.next_action) == (d.VOIDED, d.NEXT_SEND)
    assert voided.vals["outcome_unknown"] is False


def test_timeout_after_the_courier_news_named_the_order():
    job, answer, _held = outbox_case(d.BOOK, "timeout")
    settlement = d.settle(job, answer, d.Held("driver_assigned", courier_ref="C1"), NOW)
    assert settlement.verdict == d.KNOWN_BY_NEWS
    assert settlement.vals == dict(
        UNCLAIM, outcome_unknown=False, next_attempt_at=False, last_error=False
    )


@pytest.mark.parametrize(
    ("error", "unknown", "verdict", "state"),
    [
        (server_error(), False, d.FAIL, "failed"),  # the last attempt: failed
        (server_error(), True, d.RETRY, None),  # may have an order: looked up first
    ],
)
def test_last_attempt(error, unknown, verdict, state):
    held = d.Held("requested", attempts=5, max_attempts=5, outcome_unknown=unknown)
    settlement = d.settle({"action": d.BOOK}, ("error", error), held, NOW)
    assert (settlement.verdict, settlement.state) == (verdict, state)
    if verdict == d.FAIL:
        assert settlement.reason == d.FAIL_SPENT
        assert settlement.params == {"error": "Service Unavailable", "count": 5}
    else:
        assert settlement.params["spent"] is True


def test_lookup_finds_no_order_after_the_last_attempt():
    held = d.Held("requested", outcome_unknown=True, attempts=6, max_attempts=5, last_error="x: y")
    settlement = d.settle({"action": d.LOOKUP, "absent": True}, ("not_found", None), held, NOW)
    assert (settlement.verdict, settlement.state, settlement.reason) == (
        d.FAIL,
        "failed",
        d.FAIL_NO_ORDER,
    )
    assert settlement.params == {"count": 5, "error": "x: y"}
    assert settlement.vals["outcome_unknown"] is False


@pytest.mark.parametrize("action", [d.LOOKUP_CANCEL, d.CANCEL_LOCAL])
def test_cancel_without_a_courier_order(action):
    held = d.Held("requested", cancel_requested=True)
    settlement = d.settle({"action": action}, ("not_found", None), held, NOW)
    assert (settlement.verdict, settlement.state) == (d.CANCELLED, "cancelled")
    assert settlement.info is None


def test_cancel_that_cannot_be_done_leaves_the_booking():
    held = d.Held("booked", courier_ref="C1", cancel_requested=True, attempts=5, max_attempts=5)
    settlement = d.settle({"action": d.CANCEL}, ("error", server_error()), held, NOW)
    assert settlement.verdict == d.CANCEL_FAILED
    assert settlement.state is None
    assert settlement.vals["cancel_requested"] is False


def test_booked_while_cancelled_is_cancelled_with_the_courier():
    settlement = d.settle({"action": d.BOOK}, ("ok", order()), d.Held("cancelled"), NOW)
    assert settlement.verdict == d.BOOKED_WHILE_CANCELLED
    assert settlement.vals["courier_order_ref"] == "C1"
    assert settlement.vals["cancel_requested"] is True
    assert settlement.next_action == d.NEXT_SEND


def test_jobs_that_call_nobody():
    opens = NOW + timedelta(hours=3)
    hold = d.settle({"action": d.BOOK, "closed_until": opens}, None, d.Held("requested"), NOW)
    assert (hold.verdict, hold.retry_at, hold.vals["attempt_count"]) == (d.HOLD, opens, 0)
    review = d.settle({"action": d.REVIEW}, None, d.Held("requested"), NOW)
    assert review.verdict == d.REVIEW_NEEDED
    assert review.params["code"] == "interrupted"
    setup = d.settle(
        {"action": d.BOOK, "setup_error": "no client_id"}, None, d.Held("requested"), NOW
    )
    assert (setup.verdict, setup.reason, setup.params["message"]) == (
        d.FAIL,
        d.FAIL_SETUP,
        "no client_id",
    )
    idle = d.settle({"action": d.NONE}, None, d.Held("booked", courier_ref="C1"), NOW)
    assert (idle.verdict, idle.vals) == (d.IDLE, UNCLAIM)


def test_backoff_doubles_up_to_half_an_hour():
    assert [d.backoff_seconds(n) for n in (1, 2, 3, 4, 7, 20)] == [30, 60, 120, 240, 1800, 1800]


def test_stray_orders():
    cancelled, refused_refs, left = d.settle_strays(
        "C2,C3,C4,C1",
        "C1",
        {"C2": "cancelled", "C3": refused(), "C4": server_error()},
    )
    assert cancelled == ["C2"]
    assert [ref for ref, _error in refused_refs] == ["C3"]
    assert left == ["C4"], "retried; the booking's own order is never a stray"


def test_poll():
    news = d.settle_poll(("ok", order(status="picked_up")), NOW)
    assert news.info.status == "picked_up"
    failed = d.settle_poll(("error", server_error()), NOW)
    assert failed.verdict == d.POLL_FAILED
    assert failed.vals == {"last_news_at": NOW}


# ----------------------------------------------------------------------
# Confirm: a token-borne final state, looked up before it is applied
# ----------------------------------------------------------------------
CONFIRM_EXPECTED = {
    "answer": (d.CONFIRMED, True),
    "timeout": (d.RETRY, None),
    "5xx": (d.RETRY, None),
    "4xx": (d.RETRY, None),  # e.g. the courier's 404: not confirmed now, asked again later
    "no driver": (d.CONFIRMED, False),  # the courier's answer, not the webhook's claim
    "second order": (d.CONFIRMED, True),  # the news rules keep the booking's own order
    "lease lost": (d.LATE, None),
    "cancel requested meanwhile": (d.CONFIRMED, True),
}


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_confirm_settles_outcome(outcome):
    verdict, keep_key = CONFIRM_EXPECTED[outcome]
    answer = {
        "answer": ("ok", order(status="delivered")),
        "timeout": ("error", timeout()),
        "5xx": ("error", server_error()),
        "4xx": ("error", refused()),
        "no driver": ("ok", order(status="failed", failure_reason="no_driver")),
        "second order": ("ok", order(status="delivered", courier_ref="C2")),
        "lease lost": ("ok", order(status="delivered")),
        "cancel requested meanwhile": ("ok", order(status="delivered")),
    }[outcome]
    settlement = d.settle_confirm("delivered", answer, 0, outcome != "lease lost", NOW)
    assert settlement.verdict == verdict
    if verdict == d.CONFIRMED:
        assert settlement.keep_event_key is keep_key
        assert settlement.info is answer[1]
    elif verdict == d.RETRY:
        assert settlement.vals == {
            "attempt_count": 1,
            "next_attempt_at": NOW + timedelta(seconds=60),
            "claim_token": False,
        }
        assert settlement.next_action == d.NEXT_APPLY_AT
    else:
        assert settlement.vals == {} and settlement.info is None


def test_confirm_gives_up_after_its_tries():
    delays = [
        d.settle_confirm("delivered", ("error", timeout()), n, True, NOW).retry_at - NOW
        for n in range(d.CONFIRM_TRIES - 1)
    ]
    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    last = d.settle_confirm("delivered", ("error", timeout()), d.CONFIRM_TRIES - 1, True, NOW)
    assert last.verdict == d.UNCONFIRMED


# ----------------------------------------------------------------------
# A courier that books once per reference (Biteship's reference_id)
# ----------------------------------------------------------------------
def test_timeout_where_the_courier_books_once_is_tried_again_not_left_to_a_person():
    held = d.Held("requested", can_lookup=False, books_once=True)
    settlement = d.settle({"action": d.BOOK, "unknown": True}, ("error", timeout()), held, NOW)
    assert settlement.verdict == d.RETRY
    assert settlement.vals["outcome_unknown"] is True
    assert not settlement.vals.get("review_needed")


def test_the_repeated_booking_call_answers_with_the_order_and_the_doubt_ends():
    held = d.Held("requested", can_lookup=False, books_once=True, outcome_unknown=True, attempts=2)
    settlement = d.settle({"action": d.BOOK}, ("ok", order()), held, NOW)
    assert settlement.verdict == d.BOOKED
    assert settlement.vals["outcome_unknown"] is False


# ----------------------------------------------------------------------
# The agency's fallback order of accounts
# ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "message", "failure"),
    [
        ("distance_exceeded", "Distance exceeds 40 km", "out_of_range"),
        ("40001010", "No courier available for requested location.", "out_of_range"),
        ("not_serviceable", "GoSend Instant not serviceable for this route", "out_of_range"),
        ("invalid_argument", "Distance SLA Exceeded", "out_of_range"),
        ("http_422", "destination out of range", "error"),
        ("40002018", "Please make sure destination contact phone is filled", "error"),
        (None, None, "error"),
    ],
)
def test_refusal_failure(code, message, failure):
    assert d.refusal_failure(code, message) == failure


def test_a_refusal_of_the_route_fails_the_booking_as_out_of_range():
    error = PermanentError("Distance exceeds 40 km", code="distance_exceeded", status_code=400)
    settlement = d.settle({"action": d.BOOK}, ("error", error), d.Held("requested"), NOW)
    assert (settlement.verdict, settlement.state) == (d.FAIL, "failed")
    assert settlement.vals["failure_reason"] == "out_of_range"


ORDER = (11, 12, 13)
FALLBACKS = [
    # (failure, current account, tried accounts, an order may live) -> (next, why)
    (("no_driver", 11, {11}, False), (12, d.FALLBACK_NEXT)),
    (("out_of_range", 11, {11}, False), (12, d.FALLBACK_NEXT)),
    (("no_driver", 12, {11, 12}, False), (13, d.FALLBACK_NEXT)),
    (("no_driver", 13, {11, 12, 13}, False), (None, d.FALLBACK_EXHAUSTED)),
    # an account outside the order (a trigger's): the order from its start
    (("no_driver", 99, {99}, False), (11, d.FALLBACK_NEXT)),
    # each account once, whatever the order says
    (("no_driver", 11, {11, 12}, False), (13, d.FALLBACK_NEXT)),
    (("no_driver", 99, {99, 11, 12, 13}, False), (None, d.FALLBACK_EXHAUSTED)),
    # another courier would fail the same way
    (("rejected", 11, {11}, False), (None, d.FALLBACK_NOT_FOR_THIS)),
    (("error", 11, {11}, False), (None, d.FALLBACK_NOT_FOR_THIS)),
    (("returned", 11, {11}, False), (None, d.FALLBACK_NOT_FOR_THIS)),
    (("cancelled_by_courier", 11, {11}, False), (None, d.FALLBACK_NOT_FOR_THIS)),
    # never a second live order: an unknown outcome or a stray order stops it
    (("no_driver", 11, {11}, True), (None, d.FALLBACK_ORDER_MAY_LIVE)),
]


@pytest.mark.parametrize(("case", "expected"), FALLBACKS)
def test_fallback(case, expected):
    failure, current, tried, may_live = case
    assert d.fallback(failure, current, ORDER, tried, order_may_live=may_live) == expected


def test_no_fallback_order_no_fallback():
    assert d.fallback("no_driver", 11, (), {11}) == (None, d.FALLBACK_NO_ORDER)


ROUTE_FALLBACKS = [
    # (current account, tried accounts, accounts refusing the route) -> (account, why)
    # the booking's own account takes it: it stays there
    ((11, set(), set()), (11, d.FALLBACK_NOT_FOR_THIS)),
    ((11, set(), {12}), (11, d.FALLBACK_NOT_FOR_THIS)),
    # a far village: GoSend (11) and Grab (12) refuse, Biteship (13) takes it
    ((11, set(), {11, 12}), (13, d.FALLBACK_NEXT)),
    ((11, set(), {11}), (12, d.FALLBACK_NEXT)),
    # an account outside the order (a trigger's): the order from its start
    ((99, set(), {99, 11}), (12, d.FALLBACK_NEXT)),
    ((99, set(), {99}), (11, d.FALLBACK_NEXT)),
    # every account refuses: refused, never a loop
    ((11, set(), {11, 12, 13}), (None, d.FALLBACK_EXHAUSTED)),
    ((99, set(), {99, 11, 12, 13}), (None, d.FALLBACK_EXHAUSTED)),
    # the last account of the order: nothing after it (the chain goes forward only)
    ((13, set(), {13}), (None, d.FALLBACK_EXHAUSTED)),
    # each account once: one the document's booking already went to is not booked again
    ((12, {11, 12}, {12}), (13, d.FALLBACK_NEXT)),
    ((99, {11, 13}, {99}), (12, d.FALLBACK_NEXT)),
    ((99, {11, 12, 13}, {99}), (None, d.FALLBACK_EXHAUSTED)),
]


@pytest.mark.parametrize(("case", "expected"), ROUTE_FALLBACKS)
def test_route_fallback(case, expected):
    current, tried, refusing = case
    assert d.route_fallback(current, ORDER, tried, refusing) == expected


def test_route_fallback_without_order_refuses():
    assert d.route_fallback(11, (), set(), {11}) == (None, d.FALLBACK_NO_ORDER)
    assert d.route_fallback(11, (), set(), set()) == (11, d.FALLBACK_NOT_FOR_THIS)


def test_route_fallback_never_loops_on_an_order_that_repeats():
    """An order as a list may name an account twice (the table forbids it; the rule does
    not rely on it): each account is tried once and the search ends."""
    assert d.route_fallback(11, (11, 12, 11, 12), set(), {11, 12}) == (
        None,
        d.FALLBACK_EXHAUSTED,
    )


def test_confirm_merges_what_only_the_webhook_carried():
    """Grab's delivery details have no receiver nor proof link: the lookup confirms the
    final state and the webhook's receiver, relation and photo are kept (issue 19, 1-2)."""
    webhook = OrderInfo(
        our_ref="R1",
        courier_ref="C1",
        status="delivered",
        courier_status="COMPLETED",
        receiver_name="Siti",
        receiver_relation="Anak",
        proof_photo_url="https://proof.grab.com/p.jpg",
        driver_photo_url="https://drivers.grab.com/d.jpg",
    )
    looked_up = order(status="delivered")
    settlement = d.settle_confirm("delivered", ("ok", looked_up), 0, True, NOW, event_order=webhook)
    assert settlement.verdict == d.CONFIRMED
    info = settlement.info
    assert (info.receiver_name, info.receiver_relation) == ("Siti", "Anak")
    assert info.proof_photo_url == "https://proof.grab.com/p.jpg"
    assert info.driver_photo_url == "https://drivers.grab.com/d.jpg"
    assert info.price == looked_up.price and info.raw == looked_up.raw  # the lookup wins
    # the courier says otherwise (still on its way): the webhook's proof is not taken
    on_its_way = order(status="picked_up")
    other = d.settle_confirm("delivered", ("ok", on_its_way), 0, True, NOW, event_order=webhook)
    assert other.info.receiver_name is None and other.info.proof_photo_url is None
    assert other.info.driver_photo_url == webhook.driver_photo_url


def test_photos_settle_stored_lost_and_retried():
    """A photo is stored, or given up when its link expired (Grab's live 2 or 3 hours) or
    after the last try, or tried again with a doubling delay (issue 19, item 4)."""
    expired = PermanentError("link expired", code="photo_expired")
    results = {"proof_photo": (b"\x89PNG", "image/png"), "driver_photo": timeout()}
    stored, lost, retry_at = d.settle_photos(results, 1, NOW)
    assert stored == {"proof_photo": b"\x89PNG"} and lost == {}
    assert retry_at == NOW + timedelta(minutes=1)
    stored, lost, retry_at = d.settle_photos({"driver_photo": timeout()}, 3, NOW)
    assert retry_at == NOW + timedelta(minutes=4) and not stored and not lost
    stored, lost, retry_at = d.settle_photos({"proof_photo": expired}, 1, NOW)
    assert lost == {"proof_photo": expired} and retry_at is None
    _stored, lost, retry_at = d.settle_photos({"driver_photo": timeout()}, d.PHOTO_TRIES, NOW)
    assert set(lost) == {"driver_photo"} and retry_at is None
