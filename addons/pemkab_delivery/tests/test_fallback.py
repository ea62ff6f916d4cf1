# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An agency's fallback order of courier accounts: when a courier finds no driver or
refuses the route, the next account is booked, once, with the reason on the booking;
never two live courier orders for one booking. Real HTTP to the courier sandbox."""

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import SANDBOX_WEBHOOK_SECRET, PemkabCourierCommon

# about 65 km from Shelter A: beyond GoSend Instant's 40 km and GrabExpress's 35 km
FAR = {"latitude": -8.6500, "longitude": 113.9500}
# about 37 km from Shelter A: beyond GrabExpress's 35 km, within GoSend Instant's 40 km
MIDDLE = {"latitude": -8.5000, "longitude": 114.2200}


@tagged("post_install", "-at_install")
class TestCourierFallback(PemkabCourierCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider_biteship = cls.env["pemkab.courier.provider"].create(
            {
                "name": "Gojek via Biteship",
                "kind": "biteship",
                "biteship_courier": "gojek/instant",
                "base_url": cls.sandbox.url + "/biteship",
                "client_secret": "biteship_test.sandbox-key",
                "webhook_secret": SANDBOX_WEBHOOK_SECRET,
                "read_timeout": 5.0,
            }
        )
        cls.provider_biteship_grab = cls.provider_biteship.copy(
            {
                "name": "Grab via Biteship",
                "biteship_courier": "grab/instant",
                "client_secret": "biteship_test.sandbox-key",
            }
        )
        cls.agency_a.courier_fallback_ids = [
            Command.create({"sequence": 1, "provider_id": cls.provider.id}),
            Command.create({"sequence": 2, "provider_id": cls.provider_grab.id}),
            Command.create({"sequence": 3, "provider_id": cls.provider_biteship.id}),
        ]

    def _requested(self, **vals):
        booking = self._booking(**vals)
        booking.action_request()
        self._run_outbox()
        return booking

    def _successor(self, booking):
        return self.Booking.search([("fallback_from_id", "=", booking.id)])

    def _live(self):
        return [o for o in self.sandbox.orders() if o["stage"] not in ("cancelled", "no_driver")]

    def test_no_driver_at_the_first_account_booked_at_the_next_and_delivered(self):
        first = self._requested()
        self.assertEqual(first.state, "booked")
        self._courier(first, "no_driver")
        self.assertEqual((first.state, first.failure_reason), ("failed", "no_driver"))
        second = self._successor(first)
        self.assertEqual(len(second), 1)
        self.assertEqual(second.provider_id, self.provider_grab)
        self.assertEqual(second.state, "requested")
        self.assertIn(self.provider.name, second.fallback_reason)
        self.assertIn("No driver found", second.fallback_reason)
        self.assertFalse(
            first.activity_ids, "nobody is told of a failure the fallback order answered"
        )
        self._run_outbox()
        self.assertEqual(second.state, "booked")
        self.assertEqual(self.sandbox.count(second.name, api="grab"), 1)
        self.assertEqual(len(self._live()), 1, "one live courier order for the booking")
        self._courier(second, "delivered")
        self.assertEqual(second.state, "delivered")
        # the same news again changes nothing: the fallback happened once
        self._poll(first)
        self.assertEqual(len(self._successor(first)), 1)
        self.assertFalse(self._successor(second))

    def test_every_account_refuses_the_booking_fails_with_their_reasons(self):
        """Biteship states no range: its couriers refuse a far route when booked (GoSend
        and Grab accounts refuse it before, at the request: nothing to fall back from)."""
        self.agency_a.courier_fallback_ids = [
            Command.clear(),
            Command.create({"sequence": 1, "provider_id": self.provider_biteship.id}),
            Command.create({"sequence": 2, "provider_id": self.provider_biteship_grab.id}),
        ]
        first = self._requested(provider=self.provider_biteship, **FAR)
        self.assertEqual((first.state, first.failure_reason), ("failed", "out_of_range"))
        second = self._successor(first)
        self.assertEqual(second.provider_id, self.provider_biteship_grab)
        self.assertIn("Out of the courier's range", second.fallback_reason)
        self._run_outbox()
        self.assertEqual((second.state, second.failure_reason), ("failed", "out_of_range"))
        third = second
        self.assertFalse(self._successor(third), "each account once")
        for provider in (self.provider_biteship, self.provider_biteship_grab):
            self.assertIn(provider.name, third.failure_message)
        self.assertFalse(self.sandbox.orders(), "no courier made an order")
        self.assertTrue(third.activity_ids, "the officer is told once every account refused")

    def test_no_fallback_for_a_failure_another_courier_would_meet(self):
        booking = self._requested()
        self._courier(booking, "rejected")
        self.assertEqual(booking.state, "failed")
        self.assertFalse(self._successor(booking))

    def test_no_fallback_while_an_order_of_ours_may_live(self):
        booking = self._requested()
        booking.sudo().write({"stray_courier_refs": "GK-11-999999"})
        self._courier(booking, "no_driver")
        self.assertEqual(booking.state, "failed")
        self.assertFalse(self._successor(booking), "never a second live order")

    def test_fallback_order_holds_courier_accounts_open_to_the_agency(self):
        with self.assertRaises(ValidationError):
            self.agency_b.courier_fallback_ids = [
                Command.create({"provider_id": self.own_fleet.id})
            ]
        self.provider_grab.agency_ids = self.agency_a
        with self.assertRaises(ValidationError):
            self.agency_b.courier_fallback_ids = [
                Command.create({"provider_id": self.provider_grab.id})
            ]


@tagged("post_install", "-at_install")
class TestRouteFallback(PemkabCourierCommon):
    """A route the booking's account would refuse before it is booked (too far, too
    heavy: ``route_problem``) goes to the first account of the agency's fallback order
    that takes it, at the request, once, with the reason on the booking (issue 19, 8 and
    the fallback order); refused with the reason when no account takes it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider_jne = cls.env["pemkab.courier.provider"].create(
            {
                "name": "JNE via Biteship",
                "kind": "biteship",
                "biteship_courier": "jne/reg",
                "base_url": cls.sandbox.url + "/biteship",
                "client_secret": "biteship_test.sandbox-key",
                "webhook_secret": SANDBOX_WEBHOOK_SECRET,
                "read_timeout": 5.0,
            }
        )

    def _order(self, *providers):
        self.agency_a.courier_fallback_ids = [Command.clear()] + [
            Command.create({"sequence": sequence, "provider_id": provider.id})
            for sequence, provider in enumerate(providers, 1)
        ]

    def test_far_village_booked_with_the_fallback_account_at_the_request(self):
        self._order(self.provider, self.provider_grab, self.provider_jne)
        booking = self._booking(**FAR)
        booking.action_request()
        self.assertEqual(booking.provider_id, self.provider_jne)
        self.assertEqual(booking.state, "requested")
        self.assertIn("Sandbox takes routes of at most 40 km", booking.fallback_reason)
        self.assertRegex(booking.fallback_reason, r"6\d\.\d km")
        self.assertIn(self.provider_jne.name, booking.event_ids.mapped("note")[-1] or "")
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        self.assertEqual(self.sandbox.count(booking.name, api="biteship"), 1)
        self.assertEqual(len(self.sandbox.orders()), 1, "no order at the accounts that refuse")

    def test_the_first_account_that_takes_the_route_is_chosen(self):
        """GrabExpress (35 km) refuses a village 37 km away; the next account, GoSend
        (40 km), takes it: the JNE account after it is not needed."""
        self._order(self.provider_grab, self.provider, self.provider_jne)
        booking = self._booking(provider=self.provider_grab, **MIDDLE)
        booking.action_request()
        self.assertEqual(booking.provider_id, self.provider)
        self.assertIn("Grab (sandbox) takes routes of at most 35 km", booking.fallback_reason)

    def test_too_heavy_for_the_account_booked_with_the_next(self):
        """Too heavy for the account's motorbike: the next account of the order that has
        the courier's car (GrabExpress with *Car Service*) takes it, by car."""
        self._order(self.provider, self.provider_grab)
        self.provider_grab.car_service = True
        booking = self._booking(weight_kg=25.0)
        booking.action_request()
        self.assertEqual(booking.provider_id, self.provider_grab)
        self.assertIn("at most 20 kg; 25 kg", booking.fallback_reason)
        self.assertEqual(booking.vehicle, "car")

    def test_too_heavy_for_every_motorbike_and_no_car_the_request_is_refused(self):
        self._order(self.provider, self.provider_grab)
        booking = self._booking(weight_kg=25.0)
        with self.assertRaisesRegex(UserError, "at most 20 kg"):
            booking.action_request()
        self.assertEqual((booking.state, booking.provider_id), ("draft", self.provider))

    def test_a_route_the_account_takes_stays_with_it(self):
        self._order(self.provider, self.provider_grab, self.provider_jne)
        booking = self._booking()
        booking.action_request()
        self.assertEqual(booking.provider_id, self.provider)
        self.assertFalse(booking.fallback_reason)

    def test_every_account_refuses_the_route_the_request_is_refused(self):
        self._order(self.provider, self.provider_grab)
        booking = self._booking(**FAR)
        with self.assertRaisesRegex(UserError, "Sandbox takes routes of at most 40 km"):
            booking.action_request()
        self.assertEqual((booking.state, booking.provider_id), ("draft", self.provider))
        self.assertFalse(booking.fallback_reason)
        self.assertFalse(self.sandbox.orders())

    def test_no_fallback_order_the_request_is_refused(self):
        self._order()
        booking = self._booking(provider=self.provider_grab, **MIDDLE)
        with self.assertRaisesRegex(UserError, "at most 35 km"):
            booking.action_request()

    def test_an_account_before_the_booking_s_own_is_not_tried(self):
        """The chain goes forward in the order, each account once (``fallback``)."""
        self._order(self.provider_jne, self.provider, self.provider_grab)
        booking = self._booking(**FAR)
        with self.assertRaisesRegex(UserError, "at most 40 km"):
            booking.action_request()

    def test_the_chain_never_loops(self):
        """Booked at JNE for a far village, JNE finds no driver: the next account of the
        order (GrabExpress) refuses the route, nothing after it: the booking fails, the
        officer is told, no courier order was made twice."""
        self._order(self.provider, self.provider_jne, self.provider_grab)
        booking = self._booking(**FAR)
        booking.action_request()
        self.assertEqual(booking.provider_id, self.provider_jne)
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        self._courier(booking, "no_driver")
        self.assertEqual((booking.state, booking.failure_reason), ("failed", "no_driver"))
        self.assertFalse(self.Booking.search([("fallback_from_id", "=", booking.id)]))
        notes = " ".join(filter(None, booking.event_ids.mapped("note")))
        self.assertIn("Not booked with Grab (sandbox)", notes)
        self.assertTrue(booking.activity_ids, "the officer is told")
        self.assertEqual(self.sandbox.count(booking.name), 1)

    def test_a_failed_booking_s_successor_falls_back_on_the_route_too(self):
        """GoSend finds no driver for a village 37 km away; the next account, GrabExpress,
        would refuse the route: the successor goes to the one after it (JNE)."""
        self._order(self.provider, self.provider_grab, self.provider_jne)
        booking = self._booking(**MIDDLE)
        booking.action_request()
        self.assertEqual(booking.provider_id, self.provider)
        self._run_outbox()
        self._courier(booking, "no_driver")
        successor = self.Booking.search([("fallback_from_id", "=", booking.id)])
        self.assertEqual(successor.provider_id, self.provider_jne)
        self.assertIn("Grab (sandbox) takes routes of at most 35 km", successor.fallback_reason)
        self._run_outbox()
        self.assertEqual(successor.state, "booked")

    def test_route_verdicts_take_constant_queries(self):
        """The route check and the fallback of 100 bookings take as many queries as of 10
        (one query for the verdicts, one update); a first round warms the caches up."""
        self._order(self.provider, self.provider_grab, self.provider_jne)
        counts = []
        for size in (5, 10, 100):
            bookings = self.Booking.browse()
            for index in range(size):
                bookings |= self._booking(**(FAR if index % 3 else {}))
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            errors = bookings._route_errors()
            moved = bookings._do_route_fallback()
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(errors, [])
            self.assertEqual(len(moved), len([i for i in range(size) if i % 3]))
            self.assertEqual(set(moved.provider_id.ids), {self.provider_jne.id})
        self.assertEqual(counts[1], counts[2])
