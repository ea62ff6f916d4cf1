# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..clients import OrderInfo
from .common import PemkabCourierCommon


@tagged("post_install", "-at_install")
class TestBookingLifecycle(PemkabCourierCommon):
    def test_click_records_outbox_books(self):
        """The user's click calls no courier; the outbox books exactly once."""
        booking = self._booking()
        self.assertTrue(booking.name.startswith("BWI-"))
        self.assertEqual(booking.recipient_phone, "+6281234567890")
        booking.action_request()
        self.assertEqual(booking.state, "requested")
        self.assertEqual(self.sandbox.count(booking.name), 0, "no courier call in the click")
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        self.assertTrue(booking.courier_order_ref)
        self.assertEqual(self.sandbox.count(booking.name), 1)
        # a second run does not book again
        self._run_outbox()
        self.assertEqual(self.sandbox.count(booking.name), 1)
        # the raw exchanges are kept, without the pass key
        api_events = booking.event_ids.filtered(lambda e: e.source == "api")
        self.assertTrue(api_events)
        self.assertNotIn("sandbox-pass", "".join(api_events.mapped("payload")))

    def test_every_transition_to_delivered(self):
        booking = self._booking()
        booking.action_request()
        self._run_outbox()
        for courier_step, expected in [
            ("driver_assigned", "driver_assigned"),
            ("picked_up", "picked_up"),
            ("delivered", "delivered"),
        ]:
            self.sandbox.advance(booking.name, courier_step, webhook=False)
            self._poll(booking)
            self.assertEqual(booking.state, expected)
        self.assertTrue(booking.driver_name)
        self.assertTrue(booking.tracking_url)
        self.assertTrue(booking.driver_phone.startswith("+62"))
        self.assertTrue(booking.receiver_name)
        self.assertTrue(booking.delivered_at)
        states = booking.event_ids.filtered("applied").sorted("id").mapped("status")
        self.assertEqual(
            states, ["requested", "booked", "driver_assigned", "picked_up", "delivered"]
        )
        # polling stops at final states
        calls = sum(self.sandbox.stats()["requests"].values())
        self._poll(booking)
        self.assertEqual(sum(self.sandbox.stats()["requests"].values()), calls)

    def test_grab_booking(self):
        booking = self._booking(provider=self.provider_grab)
        booking.action_request()
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        self.assertEqual(self.sandbox.count(booking.name), 1)
        self.sandbox.advance(booking.name, "picked_up", webhook=False)
        self._poll(booking)
        self.assertEqual(booking.state, "picked_up")

    def test_timeout_then_retry_books_once(self):
        """A booking call that times out after the courier made the order is found again
        by our reference: exactly one courier order."""
        self.provider.read_timeout = 0.5
        self.sandbox.configure(timeout_rate=1.0, timeout_sleep_s=1.5)
        booking = self._booking()
        booking.action_request()
        self._run_outbox()
        self.assertEqual(booking.state, "requested", "a timeout is retried, not failed")
        self.assertTrue(booking.next_attempt_at)
        self.assertIn("timeout", booking.last_error)
        self.assertEqual(self.sandbox.count(booking.name), 1, "the courier made the order")
        self.sandbox.configure(timeout_rate=0.0)
        self._make_due(booking)
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        self.assertEqual(self.sandbox.count(booking.name), 1, "the retry did not book again")
        self.assertIn(
            "earlier attempt", " ".join(booking.event_ids.filtered("note").mapped("note")).lower()
        )

    def test_retryable_errors_back_off_then_fail(self):
        self.provider.max_attempts = 3
        self.sandbox.configure(error_rate=1.0)
        booking = self._booking()
        booking.action_request()
        previous_delay = None
        for attempt in (1, 2):
            self._run_outbox()
            self.assertEqual(booking.state, "requested")
            self.assertEqual(booking.attempt_count, attempt)
            delay = booking.next_attempt_at - booking.write_date
            if previous_delay:
                self.assertGreater(delay, previous_delay, "the back-off grows")
            previous_delay = delay
            self._run_outbox()  # not due yet: nothing happens
            self.assertEqual(booking.attempt_count, attempt)
            self._make_due(booking)
        self._run_outbox()
        self.assertEqual(booking.state, "failed")
        self.assertEqual(booking.failure_reason, "error")
        self.assertEqual(self.sandbox.count(booking.name), 0)

    def test_permanent_error_fails_and_tells_officer(self):
        self.provider.client_secret = "wrong-pass"
        booking = self._booking()
        booking.action_request()
        self._run_outbox()
        self.assertEqual(booking.state, "failed")
        self.assertEqual(booking.failure_reason, "error")
        activity = booking.activity_ids
        self.assertEqual(activity.user_id, self.user_officer_a)
        self.assertIn(booking.name, booking.message_ids[:2].mapped("body")[0] + activity.note)

    def test_no_driver_one_click_rebook(self):
        booking = self._booking()
        booking.action_request()
        self._run_outbox()
        self.sandbox.advance(booking.name, "no_driver", webhook=False)
        self._poll(booking)
        self.assertEqual(booking.state, "failed")
        self.assertEqual(booking.failure_reason, "no_driver")
        booking.action_rebook()
        rebooked = self.Booking.search([("rebooked_from_id", "=", booking.id)])
        self.assertEqual(rebooked.state, "requested")
        self.assertNotEqual(rebooked.name, booking.name)
        self._run_outbox()
        self.assertEqual(rebooked.state, "booked")
        self.assertEqual(self.sandbox.count(booking.name), 1)
        self.assertEqual(self.sandbox.count(rebooked.name), 1)
        with self.assertRaises(UserError):
            rebooked.action_rebook()

    def test_cancel(self):
        draft = self._booking()
        draft.action_cancel()
        self.assertEqual(draft.state, "cancelled")
        booked = self._booking(package_code="PKG-0002")
        booked.action_request()
        self._run_outbox()
        booked.action_cancel()
        self.assertTrue(booked.cancel_requested, "the courier is told by the outbox")
        self.assertEqual(booked.state, "booked")
        self._run_outbox()
        self.assertEqual(booked.state, "cancelled")
        self.assertEqual(self.sandbox.orders(booked.name)[0]["stage"], "cancelled")
        picked = self._booking(package_code="PKG-0003")
        picked.action_request()
        self._run_outbox()
        self.sandbox.advance(picked.name, "picked_up", webhook=False)
        self._poll(picked)
        with self.assertRaisesRegex(UserError, "already has the parcel"):
            picked.action_cancel()

    def test_late_update_never_moves_backwards(self):
        booking = self._booking()
        booking.action_request()
        self._run_outbox()
        self.sandbox.advance(booking.name, "delivered", webhook=False)
        self._poll(booking)
        self.assertEqual(booking.state, "delivered")
        late = OrderInfo(
            our_ref=booking.name,
            courier_ref=booking.courier_order_ref,
            status="picked_up",
            courier_status="Item Picked by Driver",
        )
        self.assertFalse(booking._apply_courier_update(late, "webhook", event_key="late-1"))
        self.assertEqual(booking.state, "delivered")
        event = booking.event_ids.filtered(lambda e: e.event_key == "late-1")
        self.assertFalse(event.applied)
        self.assertEqual(event.status, "picked_up")

    def test_parallel_outbox_respects_cap(self):
        self.provider.max_parallel = 2
        self.sandbox.configure(latency_ms=100)
        bookings = self.Booking
        for index in range(8):
            bookings |= self._booking(package_code=f"PKG-P{index}")
        bookings.action_request()
        self._run_outbox()
        self.assertEqual(set(bookings.mapped("state")), {"booked"})
        self.assertEqual([self.sandbox.count(b.name) for b in bookings], [1] * 8)

    def test_own_fleet_by_hand(self):
        booking = self._booking(provider=self.own_fleet)
        booking.action_request()
        self._run_outbox()
        self.assertEqual(booking.state, "requested", "no API: the outbox leaves it alone")
        with self.assertRaisesRegex(ValidationError, "Driver"):
            booking.action_assign_driver()
        booking.write({"driver_name": "Pak Slamet", "driver_phone": "081299990000"})
        booking.action_assign_driver()
        booking.action_mark_picked_up()
        with self.assertRaisesRegex(ValidationError, "Receiver"):
            booking.action_mark_delivered()
        booking.write({"receiver_name": "Bu Siti", "receiver_relation": "self"})
        booking.action_mark_delivered()
        self.assertEqual(booking.state, "delivered")
        self.assertTrue(booking.delivered_at)

    def test_request_checks_inputs(self):
        booking = self._booking(latitude=0.0, longitude=0.0)
        with self.assertRaisesRegex(UserError, "coordinates"):
            booking.action_request()
        self.assertEqual(booking.state, "draft")
        with self.assertRaisesRegex(ValidationError, "Recipient Phone"):
            self._booking(recipient_phone="021-555")
        no_phone = self._booking(shelter_id=self.shelter_b.id, agency_id=self.agency_b.id)
        with self.assertRaisesRegex(UserError, "no contact phone"):
            no_phone.action_request()

    def test_provider_restricted_to_agencies(self):
        self.provider.agency_ids = self.agency_b
        with self.assertRaisesRegex(UserError, "not open to"):
            self._booking()


@tagged("post_install", "-at_install")
class TestBookingSecurity(PemkabCourierCommon):
    def test_credentials_admin_only(self):
        provider_as_manager = self.provider.with_user(self.user_manager)
        self.assertEqual(provider_as_manager.name, "Sandbox")
        self.assertNotIn("client_secret", provider_as_manager.fields_get())
        with self.assertRaises(AccessError):
            provider_as_manager.read(["client_secret"])
        with self.assertRaises(AccessError):
            self.provider.with_user(self.user_officer_a).read(["webhook_secret"])
        admin = self.env.ref("base.user_admin")
        self.assertEqual(self.provider.with_user(admin).client_secret, "sandbox-pass")

    def test_bookings_by_agency(self):
        mine = self._booking()
        theirs = self._booking(agency_id=self.agency_b.id, shelter_id=self.shelter_b.id)
        Booking = self.Booking.with_user(self.user_officer_a)
        self.assertEqual(Booking.search([("id", "in", (mine | theirs).ids)]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.user_officer_a).read(["recipient_name"])
        self.assertEqual(
            self.Booking.with_user(self.user_head_b).search([("id", "in", (mine | theirs).ids)]),
            theirs,
        )
        self.assertEqual(
            self.Booking.with_user(self.user_manager).search_count(
                [("id", "in", (mine | theirs).ids)]
            ),
            2,
        )
        with self.assertRaises(AccessError):
            self.Booking.with_user(self.user_internal).search([])

    def test_neutralized_database_calls_no_production_courier(self):
        self.provider.environment = "production"
        self.env["ir.config_parameter"].set_param("database.is_neutralized", True)
        booking = self._booking()
        booking.action_request()
        self._run_outbox()
        self.assertEqual(booking.state, "failed")
        self.assertIn("neutralised", booking.failure_message)
        self.assertEqual(self.sandbox.count(booking.name), 0)

    def test_neutralize_script(self):
        from odoo.modules.neutralize import get_neutralization_queries

        self.provider.environment = "production"
        self.env.flush_all()
        for query in get_neutralization_queries(["pemkab_delivery"]):
            self.env.cr.execute(query)
        self.provider.invalidate_recordset()
        self.assertEqual(self.provider.environment, "test")
        self.assertFalse(self.provider.active)
        # a neutralised copy keeps no production credential; a test account keeps its own
        self.assertFalse(self.provider.client_secret)
        self.assertFalse(self.provider.client_id)
        self.assertFalse(self.provider.webhook_secret)
        self.assertEqual(self.provider_grab.client_secret, "sandbox-secret")
