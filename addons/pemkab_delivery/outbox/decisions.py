# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The exchange's rules with couriers, as plain functions (no Odoo import, no database),
like queue_job's ``job.py`` beside its models and runner.

Two questions, answered with plain values:

* **What to do with a claimed booking** (:func:`claim_action`, the claim ladder): book it,
  look its order up by our reference (an earlier call may have made it), cancel it (with
  its number, after a lookup, or here only when the courier has no order), leave it to a
  person (the courier cannot be asked), or nothing. A token-borne final state of a webhook
  is a job too: ``confirm`` (look the order up before applying it).
* **How to settle an outcome** (:func:`settle`, :func:`settle_confirm`,
  :func:`settle_poll`, :func:`settle_strays`): from the job, the courier's answer (an
  order, none, an error) and the booking as its row holds it when the answer is
  recorded, a :class:`Settlement`: the verdict, the columns to write, the booking's new
  state if any, what happens next and when the next attempt is due. The booking model only
  applies it (``pemkab.delivery.booking._exchange_settle``).

The exactly-once rules: a call whose outcome is unknown (a timeout of a booking call, a
run that died with its call in flight) is never followed by a blind booking call: the
order is looked up by our reference first or, where the courier cannot be asked, a person
decides; a courier that refuses a second order for our reference and names the first
(Biteship) is simply asked again. An answer recorded by a run that lost its claim changes
nothing (an order it made is cancelled unless it is the booking's own). A second courier
order for our reference never replaces the booking's own: it is cancelled.
"""

import dataclasses
from datetime import datetime, timedelta

try:  # inside the addon (odoo.addons.pemkab_delivery.outbox)
    from ..clients import FINAL_STATUSES, OrderInfo
except ImportError:  # plain Python, addons/pemkab_delivery on sys.path (tests/plain)
    from clients import FINAL_STATUSES, OrderInfo

# ------------------------------------------------------------------
# The claim ladder: what a job does (``job["action"]``)
# ------------------------------------------------------------------
BOOK = "book"  # book (after a lookup when an earlier attempt may have reached the courier)
LOOKUP = "lookup"  # the attempts are spent, the last call may have made the order: look only
CANCEL = "cancel"  # cancel the courier's order (its number is known)
LOOKUP_CANCEL = "lookup_cancel"  # find the order by our reference, then cancel it
CANCEL_LOCAL = "cancel_local"  # no call: the courier has no order
REVIEW = "review"  # no call: only a person can tell whether the courier has an order
NONE = "none"  # no call (only the reference's other orders to cancel)
POLL = "poll"  # the booking's news, by its courier order number
CONFIRM = "confirm"  # a webhook's token-borne final state, looked up before it is applied
PHOTOS = "photos"  # download the courier's proof and driver photos into the booking
# cancel every courier order of our reference (Grab's documented DELETE
# /v1/merchant/deliveries/{merchantOrderID}): the way out of a create that timed out where
# the courier cannot be asked by our reference; the booking is then sent again
VOID = "void"
CANCEL_ACTIONS = (CANCEL, LOOKUP_CANCEL, CANCEL_LOCAL)

# ------------------------------------------------------------------
# Verdicts of a settlement
# ------------------------------------------------------------------
BOOKED = "booked"  # the courier has the order: its answer is applied as news
FOUND = "found"  # the lookup found the order an earlier attempt made: not booked again
SECOND_ORDER = "second_order"  # the answer names another order than the booking's own
BOOKED_WHILE_CANCELLED = "booked_while_cancelled"  # made while cancelled: cancel it too
KNOWN_BY_NEWS = "known_by_news"  # no answer, but the courier's news named the order
RETRY = "retry"  # try again after a back-off
FAIL = "fail"  # the booking failed
CANCEL_FAILED = "cancel_failed"  # a cancellation that cannot be done: the booking stays
CANCEL_REFUSED = "cancel_refused"  # the courier refused the cancellation
CANCELLED = "cancelled"  # the courier's order is cancelled (or it had none)
REVIEW_NEEDED = "review_needed"  # wait for a person
HOLD = "hold"  # its shelter is closed: sent when it opens
LATE = "late"  # the claim passed to another run: the answer is not applied
IDLE = "idle"  # nothing to record
CONFIRMED = "confirmed"  # the courier's API answered: its answer is applied as news
UNCONFIRMED = "unconfirmed"  # the API could not be asked, for the last time: not applied
POLL_FAILED = "poll_failed"  # the poll got no answer
VOIDED = "voided"  # every order of our reference is cancelled: booked again

# ------------------------------------------------------------------
# What happens next
# ------------------------------------------------------------------
NEXT_NONE = "none"
NEXT_SEND = "send"  # the outbox runs again at once (a cancellation, a stray order)
NEXT_SEND_AT = "send_at"  # the outbox runs at ``retry_at``
NEXT_PERSON = "person"  # a person checks with the courier
NEXT_APPLY_AT = "apply_at"  # the webhook news is tried again at ``retry_at``

# why a booking failed (the model words it)
FAIL_SETUP = "setup"  # the account cannot be used
FAIL_REFUSED = "refused"  # the courier refused the booking
FAIL_SPENT = "spent"  # retryable errors until the last attempt
FAIL_NO_ORDER = "no_order"  # the last lookup: the courier has no order

# ------------------------------------------------------------------
# Timings
# ------------------------------------------------------------------
CLAIM_LEASE = timedelta(minutes=5)
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 1800
#: A token-borne final state the courier's API could not confirm is tried again this
#: often (doubling), then recorded as not applied: the poll looks the order up later.
CONFIRM_RETRY_SECONDS = 60
CONFIRM_TRIES = 5
#: A photo download that failed for a while (the courier's host down) is tried again
#: after 1, 2, 4, 8 minutes; Grab's links live 2 hours (proofs) and 3 (driver photos).
PHOTO_RETRY_SECONDS = 60
PHOTO_TRIES = 5


@dataclasses.dataclass(frozen=True)
class Claimed:
    """A booking as its claim reads it (the claim's ``UPDATE ... RETURNING``).

    :ivar attempts: the attempts made, this claim's included.
    :ivar outcome_unknown: an earlier call may have made an order we do not know of (a
        booking call that timed out, or a claim whose lease ended with its call in flight).
    :ivar can_lookup: the courier can be asked for an order by our reference.
    :ivar books_once: the courier refuses a second order for our reference and names the
        first (Biteship's ``reference_id``): a booking call repeated finds the order.
    :ivar cancels_by_reference: the courier cancels every order of our reference
        (GrabExpress): an unknown outcome is voided, then booked again.
    """

    state: str
    courier_ref: str | None = None
    cancel_requested: bool = False
    outcome_unknown: bool = False
    attempts: int = 1
    max_attempts: int = 5
    can_lookup: bool = True
    books_once: bool = False
    cancels_by_reference: bool = False


@dataclasses.dataclass(frozen=True)
class Held:
    """The booking as its row holds it when an answer is recorded (the row locked).

    :ivar holds_claim: this job's run still holds the booking's claim.
    """

    state: str
    holds_claim: bool = True
    courier_ref: str | None = None
    cancel_requested: bool = False
    outcome_unknown: bool = False
    attempts: int = 1
    max_attempts: int = 5
    can_lookup: bool = True
    books_once: bool = False
    cancels_by_reference: bool = False
    quoted_price: float = 0.0
    last_error: str | None = None


@dataclasses.dataclass
class Settlement:
    """How one answer is settled: plain values the booking model applies.

    :ivar verdict: one of the verdicts above.
    :ivar vals: the columns to write on the row the job is about (the booking; for
        ``confirm``, the inbox event).
    :ivar state: the booking's new state, or None.
    :ivar next_action: what happens next (``NEXT_*``).
    :ivar retry_at: when the next attempt is due (UTC, naive), or None.
    :ivar reason: for ``fail``: why (``FAIL_*``).
    :ivar params: what the history note says (error, count, delay, message...).
    :ivar info: the courier's order to apply as news (``clients.OrderInfo``), or None.
    :ivar stray_refs: other courier orders of our reference, to cancel.
    :ivar keep_event_key: for ``confirm``: the courier confirmed this very event.
    """

    verdict: str
    vals: dict = dataclasses.field(default_factory=dict)
    state: str | None = None
    next_action: str = NEXT_NONE
    retry_at: datetime | None = None
    reason: str | None = None
    params: dict = dataclasses.field(default_factory=dict)
    info: OrderInfo | None = None
    stray_refs: tuple = ()
    keep_event_key: bool = True


# ------------------------------------------------------------------
# What to do with a claimed booking
# ------------------------------------------------------------------
def claim_action(claimed):
    """The claim ladder: ``(action, lookup_first)`` for a booking just claimed.

    :param claimed: a :class:`Claimed`
    """
    cancel, courier_ref = claimed.cancel_requested, claimed.courier_ref
    unknown, can_lookup = claimed.outcome_unknown, claimed.can_lookup
    waiting = claimed.state == "requested" and not courier_ref
    if cancel and courier_ref:
        action = CANCEL
    elif cancel:
        # without its number, look the order up first; a courier that cannot be asked got
        # a known answer (no order), or the booking waits for a person
        if can_lookup:
            action = LOOKUP_CANCEL
        elif unknown:
            action = VOID if claimed.cancels_by_reference else REVIEW
        else:
            action = CANCEL_LOCAL
    elif waiting and unknown and not can_lookup and claimed.books_once:
        # the courier answers a second booking call with the order the first one made
        action = BOOK
    elif waiting and unknown and not can_lookup and claimed.cancels_by_reference:
        # cancel whatever the call may have made, by our reference, then book again
        action = VOID
    elif waiting and unknown and not can_lookup:
        # a call may have made an order nobody can ask about: never book blindly
        action = REVIEW
    elif waiting:
        # the attempts are spent but the last call may have made the order: only look it
        # up; a booking is failed only when the courier says it has none
        action = LOOKUP if unknown and claimed.attempts > claimed.max_attempts else BOOK
    else:
        action = NONE
    lookup_first = bool(can_lookup) and (claimed.attempts > 1 or bool(unknown))
    return action, lookup_first


def backoff_seconds(attempts):
    """Seconds before the attempt after ``attempts`` (30, 60, 120... up to 30 min)."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


def split_refs(value, exclude=None):
    """The courier references of a comma-separated column, without ``exclude``."""
    return [ref for ref in (value or "").split(",") if ref and ref != exclude]


# ------------------------------------------------------------------
# How to settle an outcome
# ------------------------------------------------------------------
def settle(job, outcome, held, now):
    """Settle the answer of an outbox job (book, look up, cancel).

    :param job: the job dict (``action``, and what the worker set: ``unknown``,
        ``absent``; what the main thread set: ``closed_until``, ``setup_error``)
    :param outcome: the worker's answer: ``("ok" | "found", OrderInfo)``,
        ``("not_found", None)``, ``("error", CourierError)``, or None (no call)
    :param held: a :class:`Held`, the booking row as it is now (locked)
    :param now: the current time (UTC, naive)
    :return: a :class:`Settlement`
    """
    action = job["action"]
    kind, value = outcome if outcome else (None, None)
    if not held.holds_claim:
        made = value if kind == "ok" and action == BOOK else None
        strays = ()
        if made and made.courier_ref and made.courier_ref != held.courier_ref:
            strays = (made.courier_ref,)
        return Settlement(LATE, info=made, stray_refs=strays)
    vals = {"claimed_until": False, "claim_token": False}
    apart = _settle_apart(job, outcome, held, vals, now)
    if apart is not None:
        return apart
    if job.get("unknown") and held.courier_ref:
        vals.update(outcome_unknown=False, next_attempt_at=False, last_error=False)
        return Settlement(KNOWN_BY_NEWS, vals, next_action=_send_if(held.cancel_requested))
    unknown = held.outcome_unknown
    if job.get("unknown"):
        unknown = True
    elif kind == "found" or job.get("absent") or (kind == "ok" and held.books_once):
        # a courier that books once per reference answered with THE order
        unknown = False
    if unknown != held.outcome_unknown:
        vals["outcome_unknown"] = unknown
    if job.get("unknown") and _only_a_person_can_tell(held):
        return _review(vals, value)
    if kind == "error":
        return _settle_error(action, value, held, unknown, vals, now)
    if kind == "not_found" and action == LOOKUP:
        return _fail(
            held,
            vals,
            FAIL_NO_ORDER,
            count=held.attempts - 1,
            error=held.last_error or "-",
        )
    if action in CANCEL_ACTIONS:
        vals.update(cancel_requested=False, next_attempt_at=False, outcome_unknown=False)
        state = None if held.state == "cancelled" else "cancelled"
        return Settlement(CANCELLED, vals, state=state, info=value)
    info = dataclasses.replace(value)
    vals.update(next_attempt_at=False, last_error=False)
    if info.price and not held.quoted_price:
        vals["quoted_price"] = info.price
    if info.status == "requested":
        info.status = "booked"
    if held.state == "cancelled":
        # cancelled while the call was under way: the courier's order must go too
        vals.update(courier_order_ref=info.courier_ref, cancel_requested=True)
        return Settlement(BOOKED_WHILE_CANCELLED, vals, next_action=NEXT_SEND, info=info)
    next_action = _send_if(held.cancel_requested)
    if info.courier_ref and held.courier_ref and info.courier_ref != held.courier_ref:
        # never replaces the booking's own order; a live one is cancelled
        strays = () if info.status in FINAL_STATUSES else (info.courier_ref,)
        return Settlement(
            SECOND_ORDER,
            vals,
            next_action=NEXT_SEND if strays else next_action,
            info=info,
            stray_refs=strays,
        )
    verdict = FOUND if kind == "found" else BOOKED
    return Settlement(verdict, vals, next_action=next_action, info=info)


def _settle_apart(job, outcome, held, vals, now):
    """The jobs settled on their own: no call was made, or every order of our reference
    was cancelled (``void``); None for the others."""
    if outcome is None:
        return _settle_no_call(job, held, vals)
    if job["action"] == VOID:
        return _settle_void(*outcome, held, vals, now)
    return None


def _only_a_person_can_tell(held):
    """The courier can be neither asked by our reference, nor booked again safely (it
    books once per reference), nor told to cancel every order of it."""
    return not (held.can_lookup or held.books_once or held.cancels_by_reference)


def _settle_void(kind, value, held, vals, now):
    """The cancellation of every order of our reference (``void``): booked again at once
    (the courier has none left), tried again after a retryable error; refused (Grab's
    409: one of them is past pickup), a person enters its number. A cancellation asked
    meanwhile ends here; an order the courier's news named meanwhile is cancelled too,
    and its cancellation news follows."""
    if kind == "error":
        if value.retryable:
            return _settle_error(VOID, value, held, True, vals, now)
        return _review(vals, value)
    vals.update(outcome_unknown=False, next_attempt_at=False, last_error=False)
    info = value if kind == "ok" else None
    if held.cancel_requested:
        vals["cancel_requested"] = False
        state = None if held.state == "cancelled" else "cancelled"
        return Settlement(CANCELLED, vals, state=state, info=info)
    if held.courier_ref or held.state != "requested":
        return Settlement(VOIDED, vals, info=info)
    vals["next_attempt_at"] = now
    return Settlement(VOIDED, vals, next_action=NEXT_SEND, info=info)


def _send_if(flag):
    return NEXT_SEND if flag else NEXT_NONE


def _settle_no_call(job, held, vals):
    """A job that called nobody: its shelter is closed, it waits for a person, or its
    account cannot be used."""
    if job.get("closed_until"):
        # not an attempt: the courier was not called
        vals.update(attempt_count=held.attempts - 1, next_attempt_at=job["closed_until"])
        return Settlement(HOLD, vals, next_action=NEXT_SEND_AT, retry_at=job["closed_until"])
    if job["action"] == REVIEW:
        return _review(vals, None, code="interrupted")
    if job.get("setup_error"):
        return _fail(held, vals, FAIL_SETUP, message=job["setup_error"])
    return Settlement(IDLE, vals)


def _review(vals, error, code=None):
    code = getattr(error, "code", None) or code or "interrupted"
    message = getattr(error, "message", None) or ""
    vals.update(review_needed=True, next_attempt_at=False, last_error=f"{code}: {message}")
    return Settlement(
        REVIEW_NEEDED,
        vals,
        next_action=NEXT_PERSON,
        params={"code": code, "error": message or code},
    )


def _settle_error(action, error, held, unknown, vals, now):
    if error.retryable:
        attempts = held.attempts
        spent = attempts >= held.max_attempts
        if spent and not unknown:
            return _fail(held, vals, FAIL_SPENT, error=error.message, count=attempts)
        delay = backoff_seconds(attempts)
        retry_at = now + timedelta(seconds=delay)
        vals.update(next_attempt_at=retry_at, last_error=f"{error.code}: {error.message}")
        return Settlement(
            RETRY,
            vals,
            next_action=NEXT_SEND_AT,
            retry_at=retry_at,
            params={
                "count": attempts,
                "error": error.message or error.code,
                "delay": delay,
                "spent": spent,
            },
        )
    if action in (CANCEL, LOOKUP_CANCEL):
        vals["cancel_requested"] = False
        return Settlement(CANCEL_REFUSED, vals, params={"error": error.message})
    return _fail(held, vals, FAIL_REFUSED, message=error.message or error.code, code=error.code)


def _fail(held, vals, reason, **params):
    """The booking fails (the model words why from ``reason`` and ``params``); a
    cancellation asked meanwhile only ends: the booking stays as it is."""
    if held.cancel_requested:
        # the user cancelled; the courier refused or could not be reached for good
        vals["cancel_requested"] = False
        return Settlement(CANCEL_FAILED, vals, reason=reason, params=params)
    vals["failure_reason"] = "error"
    if reason == FAIL_REFUSED:
        vals["failure_reason"] = refusal_failure(params.get("code"), params.get("message"))
    return Settlement(FAIL, vals, state="failed", reason=reason, params=params)


def settle_strays(stray_refs, own_ref, results):
    """The reference's other courier orders after a job cancelled them.

    :param stray_refs: the booking's ``stray_courier_refs`` (comma-separated)
    :param own_ref: the booking's own courier order (never cancelled as a stray)
    :param results: {courier ref: ``"cancelled"`` or the CourierError}
    :return: ``(cancelled, refused, left)``: the refs cancelled; ``(ref, error)`` of the
        ones the courier refused for good (a person must ask); the refs to try again
    """
    cancelled, refused, left = [], [], []
    for courier_ref in split_refs(stray_refs, exclude=own_ref):
        result = results.get(courier_ref)
        if result == "cancelled":
            cancelled.append(courier_ref)
        elif result is not None and not result.retryable:
            refused.append((courier_ref, result))
        else:
            left.append(courier_ref)
    return cancelled, refused, left


def settle_poll(outcome, now):
    """A poll's answer: the order's news, or the time of the failed poll."""
    if outcome and outcome[0] == "ok":
        return Settlement(BOOKED, info=outcome[1])
    error = outcome[1] if outcome else None
    return Settlement(
        POLL_FAILED,
        {"last_news_at": now},
        params={"error": getattr(error, "message", None) or "-"},
    )


def settle_confirm(event_status, outcome, attempts, holds_claim, now, event_order=None):
    """A webhook's token-borne final state, after the lookup at the courier's API.

    The courier's answer wins, completed by what only the webhook carried (Grab's
    delivery details have no receiver and no proof link): ``OrderInfo.merged_with``.

    :param event_status: the status the webhook claimed
    :param event_order: the webhook's ``OrderInfo``, or None
    :param outcome: the lookup's answer, as :func:`settle`'s
    :param attempts: the lookups already made for this event that failed
    :param holds_claim: this run still holds the event (no other run took it)
    :return: a :class:`Settlement` whose ``vals`` are the inbox event's columns
    """
    if not holds_claim:
        return Settlement(LATE)
    kind, value = outcome if outcome else ("error", None)
    if kind in ("ok", "found") and value is not None:
        # the courier's answer is applied, whatever it says; it is this event only when it
        # says the same (else the event's genuine retry is no duplicate)
        info = value.merged_with(event_order) if event_order is not None else value
        return Settlement(CONFIRMED, info=info, keep_event_key=value.status == event_status)
    if attempts + 1 < CONFIRM_TRIES:
        retry_at = now + timedelta(seconds=CONFIRM_RETRY_SECONDS * 2**attempts)
        return Settlement(
            RETRY,
            {"attempt_count": attempts + 1, "next_attempt_at": retry_at, "claim_token": False},
            next_action=NEXT_APPLY_AT,
            retry_at=retry_at,
        )
    return Settlement(UNCONFIRMED)


# ------------------------------------------------------------------
# The agency's fallback order of courier accounts
# ------------------------------------------------------------------
#: Failures after which the agency's next courier account is booked: the courier found no
#: driver, or refused the route as out of its range. Any other failure (the recipient
#: refused, an address not found, a bad phone) would fail at the next courier too.
FALLBACK_FAILURES = ("no_driver", "out_of_range")
#: Codes of a courier's refusal of a booking call that mean "out of my range": GoSend's
#: ``distance_exceeded``, a client's ``not_serviceable``, Biteship's ``40001010`` ("No
#: courier available for requested location"); Grab says "Distance SLA Exceeded".
OUT_OF_RANGE_CODES = frozenset({"distance_exceeded", "not_serviceable", "40001010"})

# why the next account is booked, or not
FALLBACK_NEXT = "next"  # the next account of the agency's order is booked
FALLBACK_NOT_FOR_THIS = "not_for_this"  # a failure another courier would meet too
FALLBACK_NO_ORDER = "no_order"  # the agency set no fallback order
FALLBACK_ORDER_MAY_LIVE = "order_may_live"  # a courier order of ours may still be live
FALLBACK_EXHAUSTED = "exhausted"  # every account of the order was tried


def refusal_failure(code, message=None):
    """The failure reason of a booking call the courier refused: ``out_of_range`` for a
    route out of its range, else ``error``."""
    if str(code or "") in OUT_OF_RANGE_CODES or "distance" in str(message or "").lower():
        return "out_of_range"
    return "error"


def fallback(failure_reason, current_id, order_ids, tried_ids, order_may_live=False):
    """The agency's next courier account after a booking failed, each account once.

    :param failure_reason: the failed booking's reason
    :param current_id: the failed booking's account
    :param order_ids: the agency's fallback order of accounts (ids, first first)
    :param tried_ids: the accounts the document's booking already went to, this
        booking's included (the chain of bookings that fell back to one another)
    :param order_may_live: a courier order of ours may still be live (an unknown
        outcome, another order of the reference being cancelled): never a second one
    :return: ``(account id or None, why)``, why being a ``FALLBACK_*``
    """
    if failure_reason not in FALLBACK_FAILURES:
        return None, FALLBACK_NOT_FOR_THIS
    if not order_ids:
        return None, FALLBACK_NO_ORDER
    if order_may_live:
        return None, FALLBACK_ORDER_MAY_LIVE
    order_ids = list(order_ids)
    after = order_ids[order_ids.index(current_id) + 1 :] if current_id in order_ids else order_ids
    for provider_id in after:
        if provider_id not in tried_ids:
            return provider_id, FALLBACK_NEXT
    return None, FALLBACK_EXHAUSTED


def route_fallback(current_id, order_ids, tried_ids, refusing_ids):
    """The account a booking goes to when its own would refuse its route before it is
    booked (too far, too heavy: the client class's ``route_problem``), by the chain rules
    of :func:`fallback`: the accounts of the agency's order after the booking's own, each
    once, the first that takes the route.

    :param current_id: the booking's account
    :param order_ids: the agency's fallback order of accounts (ids, first first)
    :param tried_ids: the accounts the document's booking already went to (the chain of
        bookings that fell back to one another; the booking's own included or not)
    :param refusing_ids: the accounts that would refuse this route
    :return: ``(account id or None, why)``: ``(current_id, FALLBACK_NOT_FOR_THIS)`` when
        the booking's own account takes the route; ``(account, FALLBACK_NEXT)``; else
        ``(None, FALLBACK_NO_ORDER or FALLBACK_EXHAUSTED)``: the route is refused
    """
    refusing = set(refusing_ids)
    if current_id not in refusing:
        return current_id, FALLBACK_NOT_FOR_THIS
    tried = set(tried_ids) | {current_id}
    candidate = current_id
    while True:
        next_id, why = fallback("out_of_range", candidate, order_ids, tried)
        if next_id is None:
            return None, why
        if next_id not in refusing:
            return next_id, FALLBACK_NEXT
        tried.add(next_id)
        candidate = next_id


def settle_photos(results, attempts, now):
    """The downloads of a booking's photos.

    :param results: {field: ``(content, mimetype)`` or the CourierError}
    :param attempts: the downloads tried for these links, this one included
    :return: ``(stored, lost, retry_at)``: {field: content} to store; {field: error} of
        the photos given up (a link expired or refused, or the last try); when to try
        the others again, or None
    """
    stored, lost, left = {}, {}, []
    for field, result in results.items():
        if isinstance(result, tuple):
            stored[field] = result[0]
        elif getattr(result, "retryable", False) and attempts < PHOTO_TRIES:
            left.append(field)
        else:
            lost[field] = result
    retry_at = now + timedelta(seconds=PHOTO_RETRY_SECONDS * 2 ** (attempts - 1)) if left else None
    return stored, lost, retry_at
