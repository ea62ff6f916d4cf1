# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Exactly once under faults: the outbox's paths where a courier order could be doubled,
lost or left live. Real HTTP to the courier sandbox; the sandbox's own records count."""

from datetime import timedelta

import pytz

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..clients import OrderInfo
from ..models.pemkab_shelter import SHELTER_TZ
from .common import PemkabCourierCommon


@tagged("post_install", "-at_install")
class TestOutboxExactlyOnce(PemkabCourierCommon):
    def _requested(self, provider=None, **vals):
        booking = self._booking(provider=provider, **vals)
        booking.action_request()
        return booking

    def _live_orders(self, ref):
        return [o for o in self.sandbox.orders(ref) if o["stage"] not in ("cancelled",)]

    def test_last_attempt_timeout_is_looked_up_not_failed(self):
        """The last allowed attempt times out after the courier made the order: the
        booking is not failed blindly (Book Again would double the order); the order is
        looked up and recorded."""
        self.provider.write({"max_attempts": 1, "read_timeout": 0.5})
        self.sandbox.configure(timeout_rate=1.0, timeout_sleep_s=1.5)
        booking = self._requested()
        self._run_outbox()
        self.assertEqual(self.sandbox.count(booking.name), 1, "the courier made the order")
        self.assertEqual(booking.state, "requested", "no answer: not failed without a lookup")
        self.assertTrue(booking.outcome_unknown)
        self.sandbox.configure(timeout_rate=0.0)
        self._make_due(booking)
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        self.assertTrue(booking.courier_order_ref)
        self.assertFalse(booking.outcome_unknown)
        self.assertEqual(self.sandbox.count(booking.name), 1, "looked up, not booked again")

    def test_last_attempt_timeout_without_order_fails_after_lookup(self):
        """When the lookup says the courier has no order, the booking fails: Book Again is
        then safe."""
        self.provider.write({"max_attempts": 1, "read_timeout": 0.5})
        self.sandbox.configure(timeout_rate=1.0, timeout_sleep_s=1.5)
        booking = self._requested()
        self._run_outbox()
        # the order the timed-out call made is gone at the courier (cancelled by hand)
        self.sandbox.reset(keep_config=False)
        self._make_due(booking)
        self._run_outbox()
        self.assertEqual(booking.state, "failed")
        self.assertIn("no order", booking.failure_message)
        self.assertEqual(self.sandbox.count(booking.name), 0, "a lookup books nothing")

    def test_cancel_in_backoff_after_timeout_cancels_the_courier_order(self):
        """A booking waiting in back-off after a timeout is cancelled: the order the
        timed-out call made is looked up and cancelled with the courier."""
        self.provider.read_timeout = 0.5
        self.sandbox.configure(timeout_rate=1.0, timeout_sleep_s=1.5)
        booking = self._requested()
        self._run_outbox()
        self.assertEqual(booking.state, "requested")
        self.assertTrue(booking.next_attempt_at, "waiting in back-off")
        self.sandbox.configure(timeout_rate=0.0)
        booking.action_cancel()
        self.assertTrue(booking.cancel_requested, "the courier may have an order: not local")
        self._run_outbox()
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual([o["stage"] for o in self.sandbox.orders(booking.name)], ["cancelled"])

    def test_missing_credential_fails_its_bookings_only(self):
        """One account with a missing credential fails its own bookings with a clear
        message; the run goes on for the others."""
        broken = self.provider.copy({"name": "Broken", "base_url": self.sandbox.url})
        broken.sudo().client_id = False
        bad = self._requested(provider=broken, package_code="PKG-BAD")
        good = self._requested(package_code="PKG-GOOD")
        self._run_outbox()
        self.assertEqual(good.state, "booked")
        self.assertEqual(bad.state, "failed")
        self.assertIn("client_id", bad.failure_message)
        self.assertIn("Broken", bad.failure_message)
        self.assertEqual(self.sandbox.count(bad.name), 0)

    def test_answer_after_lost_claim_is_not_recorded(self):
        """A run whose claim another run took over does not record its answer; the order
        it made is cancelled unless it is the booking's own."""
        booking = self._requested()
        Exchange = self.Exchange
        jobs = Exchange._prepare(Exchange._claim(10))
        outcomes = list(Exchange._run(jobs))
        made_ref = outcomes[0][1][1].courier_ref
        # meanwhile the lease ended and a second run claimed the booking
        booking.write({"claimed_until": fields.Datetime.now() - timedelta(seconds=1)})
        second = Exchange._prepare(Exchange._claim(10))
        for job, outcome in outcomes:
            Exchange._record(job, outcome, auto_commit=False)
        self.assertEqual(booking.state, "requested", "the late answer is not applied")
        self.assertFalse(booking.courier_order_ref)
        self.assertEqual(booking.stray_courier_refs, made_ref)
        # the second run looks up first and finds the same order: it is the booking's own
        for job, outcome in Exchange._run(second):
            Exchange._record(job, outcome, auto_commit=False)
        self.assertEqual(booking.state, "booked")
        self.assertEqual(booking.courier_order_ref, made_ref)
        self._run_outbox()
        self.assertFalse(booking.stray_courier_refs)
        self.assertEqual(len(self._live_orders(booking.name)), 1, "its own order is kept")

    def test_second_order_number_never_replaces_the_first(self):
        """News of a second courier order for the same reference neither replaces the
        booking's order nor stays live: the outbox cancels it."""
        booking = self._requested()
        self._run_outbox()
        first = booking.courier_order_ref
        client = self.provider._courier_client()
        payload = booking._courier_payload()
        second = client.book(
            booking.name,
            payload["origin"],
            payload["destination"],
            payload["package"],
            payload["service_type"],
        )
        self.assertNotEqual(second.courier_ref, first)
        news = OrderInfo(
            our_ref=booking.name,
            courier_ref=second.courier_ref,
            status="driver_assigned",
            courier_status="Driver Allocated",
        )
        self.assertFalse(booking._apply_courier_update(news, "webhook", event_key="second-1"))
        self.assertEqual(booking.courier_order_ref, first)
        self.assertEqual(booking.state, "booked")
        self._run_outbox()
        stages = {o["courier_ref"]: o["stage"] for o in self.sandbox.orders(booking.name)}
        self.assertEqual(stages[second.courier_ref], "cancelled")
        self.assertNotEqual(stages[first], "cancelled")
        self.assertFalse(booking.stray_courier_refs)
        self.assertEqual(booking.state, "booked")

    def test_one_call_per_booking_prices_still_recorded(self):
        """The booking answer carries the price: no quote call before it (half the calls);
        the quoted price and, once delivered, the final price are recorded."""
        for provider in (self.provider, self.provider_grab):
            self.sandbox.reset(keep_config=False)
            booking = self._requested(provider=provider, package_code=f"PKG-{provider.id}")
            self._run_outbox()
            stats = self.sandbox.stats()
            calls = sum(stats["requests"].values()) - stats["token_requests"]
            self.assertEqual(calls, 1, f"{provider.name}: one booking call, no quote")
            self.assertEqual(booking.state, "booked")
            # the price the courier tells first: Grab's booking answer, GoSend's first news
            self.sandbox.advance(booking.name, "driver_assigned", webhook=False)
            self._poll(booking)
            self.assertGreater(booking.quoted_price, 0, provider.name)
            self.sandbox.advance(booking.name, "delivered", webhook=False)
            self._poll(booking)
            self.assertEqual(booking.state, "delivered")
            self.assertGreater(booking.final_price, 0)

    def test_batch_takes_every_account_at_once(self):
        """One account's backlog does not hold another's back: a batch holds up to its
        size of each account's due bookings, the accounts in turn, so that both call
        their courier at once (bulk dispatch of shipments by Grab and prescriptions by
        GoSend)."""
        gosend = [self._requested(package_code=f"PKG-G{i}") for i in range(5)]
        grab = [
            self._requested(provider=self.provider_grab, package_code=f"PKG-R{i}") for i in range(3)
        ]
        jobs = self.Exchange._claim(3)
        self.assertEqual(
            [job["booking_id"] for job in jobs],
            [gosend[0].id, grab[0].id, gosend[1].id, grab[1].id, gosend[2].id, grab[2].id],
        )
        self.assertEqual(
            {job["provider_id"] for job in jobs}, {self.provider.id, self.provider_grab.id}
        )
        for job, outcome in self.Exchange._run(self.Exchange._prepare(jobs)):
            self.Exchange._record(job, outcome, auto_commit=False)
        # the batch of each account was full: the run goes on with the rest
        self.assertEqual(self._run_outbox(), 2)
        self.assertEqual({b.state for b in gosend + grab}, {"booked"})

    def test_closed_shelter_booked_when_it_opens(self):
        """A booking for a closed shelter is sent at its next opening, not at once (a
        driver would find the counter shut), also when a retry falls due meanwhile."""
        now = fields.Datetime.now()
        local_now = pytz.utc.localize(now).astimezone(pytz.timezone(SHELTER_TZ))
        other_day = str((local_now.weekday() + 2) % 7)
        self.shelter_a.opening_ids = [
            Command.create({"dayofweek": other_day, "hour_from": 8.0, "hour_to": 12.0})
        ]
        opens = self.shelter_a._next_open_at(now)
        booking = self._requested()
        self.assertEqual(booking.next_attempt_at, opens)
        self._run_outbox()
        self.assertEqual(self.sandbox.count(booking.name), 0, "no driver sent to a shut counter")
        self._make_due(booking)  # a retry due while the shelter is still closed
        self._run_outbox()
        self.assertEqual(self.sandbox.count(booking.name), 0)
        self.assertEqual(booking.next_attempt_at, opens)
        self.assertEqual(booking.attempt_count, 0, "no call, no attempt spent")
        # the shelter opens
        self.shelter_a.opening_ids = [
            Command.create({"dayofweek": str(local_now.weekday()), "hour_to": 24.0, "hour_from": 0})
        ]
        self._make_due(booking)
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        self.assertEqual(self.sandbox.count(booking.name), 1)

    def test_archived_account_is_still_polled(self):
        booking = self._requested()
        self._run_outbox()
        self.provider.active = False
        self.sandbox.advance(booking.name, "picked_up", webhook=False)
        self._poll(booking)
        self.assertEqual(booking.state, "picked_up")


@tagged("post_install", "-at_install")
class TestOutboxWithoutLookup(PemkabCourierCommon):
    """A courier that can be neither asked nor cancelled by our reference (Grab with its
    *Cancel by Our Reference* off): a booking call left without answer waits for a
    person, never booked again blindly."""

    def setUp(self):
        super().setUp()
        self.provider_grab.cancel_by_reference = False
        self.provider_grab.read_timeout = 0.5
        self.sandbox.configure(timeout_rate=1.0, timeout_sleep_s=1.5)
        self.booking = self._booking(provider=self.provider_grab)
        self.booking.action_request()
        self._run_outbox()
        self.sandbox.configure(timeout_rate=0.0)

    def test_unknown_outcome_waits_for_a_person(self):
        self.assertFalse(self.provider_grab.lookup_by_reference)
        booking = self.booking
        self.assertEqual(booking.state, "requested")
        self.assertTrue(booking.review_needed)
        self.assertEqual(booking.activity_ids.user_id, self.user_officer_a)
        self.assertIn(booking.name, booking.activity_ids.note)
        self.assertIn(
            booking,
            self.Booking.search([("review_needed", "=", True)]),
            "the 'Needs a Person' filter finds it",
        )
        # the outbox leaves it alone: no blind retry, even once due
        self._make_due(booking)
        self._run_outbox()
        self.assertEqual(self.sandbox.count(booking.name, api="grab"), 1)
        self.assertTrue(booking.review_needed)

    def test_person_enters_the_courier_order_number(self):
        booking = self.booking
        courier_ref = self.sandbox.orders(booking.name)[0]["courier_ref"]
        wizard_action = booking.with_user(self.user_officer_a).action_open_courier_order_wizard()
        wizard = (
            self.env[wizard_action["res_model"]]
            .with_user(self.user_officer_a)
            .with_context(**wizard_action["context"])
            .create({"courier_order_ref": courier_ref})
        )
        wizard.action_confirm()
        self.assertEqual(booking.state, "booked")
        self.assertEqual(booking.courier_order_ref, courier_ref)
        self.assertFalse(booking.review_needed)
        self.assertFalse(booking.activity_ids)
        # the booking follows that order: its news comes by the courier's number
        self.sandbox.advance(booking.name, "driver_assigned", webhook=False)
        self._poll(booking)
        self.assertEqual(booking.state, "driver_assigned")
        self.assertEqual(self.sandbox.count(booking.name, api="grab"), 1)

    def test_person_confirms_no_order_then_it_is_sent_again(self):
        booking = self.booking
        self.sandbox.reset(keep_config=False)  # the courier has no order (checked by phone)
        booking.with_user(self.user_officer_a).action_confirm_no_order()
        self.assertFalse(booking.review_needed)
        self.assertEqual(booking.attempt_count, 0)
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        self.assertEqual(self.sandbox.count(booking.name, api="grab"), 1)
        with self.assertRaises(UserError) as caught:
            booking.with_user(self.user_officer_a).action_confirm_no_order()
        self.assertIn("not waiting for a person", str(caught.exception))

    def test_courier_news_of_the_order_ends_the_wait(self):
        """A webhook names the order the unanswered call made: nobody has to check with
        the courier any more (the buttons would move a delivered booking back)."""
        booking = self.booking
        self._webhook(booking, "driver_assigned")
        self.assertEqual(booking.state, "driver_assigned")
        self.assertEqual(
            booking.courier_order_ref, self.sandbox.orders(booking.name)[0]["courier_ref"]
        )
        self.assertFalse(booking.review_needed)
        self.assertFalse(booking.outcome_unknown)
        self.assertFalse(booking.activity_ids)

    def test_cancel_while_waiting_then_no_order(self):
        booking = self.booking
        booking.action_cancel()
        self.assertTrue(booking.cancel_requested, "the courier may have the order")
        self._run_outbox()
        self.assertEqual(booking.state, "requested", "still waiting for the person")
        booking.action_confirm_no_order()
        self.assertEqual(booking.state, "cancelled")


@tagged("post_install", "-at_install")
class TestOutboxAfterACrash(PemkabCourierCommon):
    """What the fault soak (tests/test_outbox_soak.py) found: a run killed while its calls
    were in flight. The courier made the orders, nothing was recorded, and the claims
    outlive the run until their lease ends."""

    def _requested(self, provider=None, **vals):
        booking = self._booking(provider=provider, **vals)
        booking.action_request()
        return booking

    def _killed_run(self, bookings):
        """Claim and call as a run does, then die before recording: the lease ends."""
        Exchange = self.Exchange
        list(Exchange._run(Exchange._prepare(Exchange._claim(10))))
        bookings.write({"claimed_until": fields.Datetime.now() - timedelta(seconds=1)})

    def test_grab_booking_of_a_killed_run_is_not_booked_again(self):
        self.provider_grab.cancel_by_reference = False
        booking = self._requested(provider=self.provider_grab)
        self._killed_run(booking)
        self.assertEqual(self.sandbox.count(booking.name, api="grab"), 1, "the call made it")
        self._run_outbox()
        self.assertEqual(self.sandbox.count(booking.name, api="grab"), 1, "not booked blindly")
        self.assertEqual(booking.state, "requested")
        self.assertTrue(booking.review_needed, "only a person can ask Grab")
        self.assertTrue(booking.activity_ids)

    def test_cancel_after_a_killed_run_cancels_the_courier_order(self):
        booking = self._requested()
        self._killed_run(booking)
        booking.action_cancel()
        self.assertTrue(booking.cancel_requested, "the dead run's call may have made an order")
        self._run_outbox()
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual([o["stage"] for o in self.sandbox.orders(booking.name)], ["cancelled"])

    def test_grab_cancel_after_a_killed_run_waits_for_a_person(self):
        self.provider_grab.cancel_by_reference = False
        booking = self._requested(provider=self.provider_grab)
        self._killed_run(booking)
        booking.action_cancel()
        self._run_outbox()
        self.assertEqual(booking.state, "requested", "not cancelled here only")
        self.assertTrue(booking.review_needed)
        # the person finds the order at Grab: the outbox cancels it there too
        booking.action_set_courier_order(self.sandbox.orders(booking.name)[0]["courier_ref"])
        self._run_outbox()
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual([o["stage"] for o in self.sandbox.orders(booking.name)], ["cancelled"])

    def test_news_before_the_timed_out_answer_needs_no_person(self):
        """The courier's webhook comes before the run records its call's timeout: the
        order is known, nobody has to check and nothing is retried."""
        self.provider_grab.read_timeout = 0.5
        self.sandbox.configure(timeout_rate=1.0, timeout_sleep_s=1.5)
        booking = self._requested(provider=self.provider_grab)
        Exchange = self.Exchange
        outcomes = list(Exchange._run(Exchange._prepare(Exchange._claim(10))))
        self._webhook(booking, "driver_assigned")
        for job, outcome in outcomes:
            Exchange._record(job, outcome, auto_commit=False)
        self.assertEqual(booking.state, "driver_assigned")
        self.assertFalse(booking.review_needed)
        self.assertFalse(booking.outcome_unknown)
        self.assertFalse(booking.next_attempt_at, "no retry")
        self.assertFalse(booking.activity_ids)
        self.assertEqual(self.sandbox.count(booking.name, api="grab"), 1)


@tagged("post_install", "-at_install")
class TestOutboxCancelByReference(PemkabCourierCommon):
    """Grab documents no lookup by our reference, but its cancel by it (``DELETE
    /v1/merchant/deliveries/{merchantOrderID}``): a create that timed out is undone that
    way, then booked again; nobody has to ask Grab."""

    def setUp(self):
        super().setUp()
        self.assertFalse(self.provider_grab.cancel_by_reference, "off unless chosen")
        self.provider_grab.cancel_by_reference = True
        self.provider_grab.read_timeout = 0.5
        self.sandbox.configure(timeout_rate=1.0, timeout_sleep_s=1.5)
        self.booking = self._booking(provider=self.provider_grab)
        self.booking.action_request()
        self._run_outbox()
        self.sandbox.configure(timeout_rate=0.0)

    def test_timed_out_create_is_cancelled_by_reference_then_booked_again(self):
        booking = self.booking
        self.assertEqual(booking.state, "requested")
        self.assertFalse(booking.review_needed, "no person needed")
        self.assertTrue(booking.outcome_unknown)
        self._make_due(booking)
        self._run_outbox()  # the void, then (at once) the new booking call
        self._make_due(booking)
        self._run_outbox()
        orders = self.sandbox.orders(booking.name)
        self.assertEqual([o["stage"] for o in orders], ["cancelled", "booked"])
        self.assertEqual(booking.state, "booked")
        self.assertEqual(booking.courier_order_ref, orders[1]["courier_ref"])
        self.assertFalse(booking.outcome_unknown)
        self.assertFalse(booking.review_needed)
        self.assertIn(
            "every courier order of this reference is cancelled",
            " ".join(note or "" for note in booking.event_ids.mapped("note")),
        )

    def test_cancel_of_a_timed_out_create_goes_through_the_courier(self):
        booking = self.booking
        booking.action_cancel()
        self._run_outbox()
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual([o["stage"] for o in self.sandbox.orders(booking.name)], ["cancelled"])

    def test_void_refused_past_pickup_waits_for_a_person(self):
        booking = self.booking
        self.sandbox.advance(booking.name, "picked_up", webhook=False)
        self._make_due(booking)
        self._run_outbox()
        self.assertEqual(booking.state, "requested")
        self.assertTrue(booking.review_needed, "Grab's 409: a person enters its number")
        self.assertEqual(self.sandbox.count(booking.name, api="grab"), 1, "not booked again")
