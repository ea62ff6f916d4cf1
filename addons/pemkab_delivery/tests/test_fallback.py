# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An agency's fallback order of courier accounts: when a courier finds no driver or
refuses the route, the next account is booked, once, with the reason on the booking;
never two live courier orders for one booking. Real HTTP to the courier sandbox."""

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import SANDBOX_WEBHOOK_SECRET, PemkabCourierCommon

# about 65 km from Shelter A: beyond GoSend Instant's 40 km and GrabExpress's 35 km
FAR = {"latitude": -8.6500, "longitude": 113.9500}


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
