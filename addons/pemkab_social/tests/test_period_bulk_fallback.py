# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A period's far villages, packed and booked in bulk: a household the trigger's courier
would refuse as too far goes to the agency's fallback account that takes it (issue 19,
8 and the fallback order), in as many queries for 100 households as for 10; refused
with the reason when no account takes it. Real HTTP to the courier sandbox."""

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.pemkab_delivery.tests.common import SANDBOX_WEBHOOK_SECRET

from .common import PemkabSocialCommon

# about 65 km from the warehouse: beyond GoSend Instant's 40 km
FAR = {"latitude": -8.6500, "longitude": 113.9500}


@tagged("post_install", "-at_install")
class TestPeriodBulkFallback(PemkabSocialCommon):
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
        cls.dinsos.courier_fallback_ids = [
            Command.create({"sequence": 1, "provider_id": cls.provider.id}),
            Command.create({"sequence": 2, "provider_id": cls.provider_jne.id}),
        ]

    def _households(self, count, far_every=3, start=0):
        households = self._make_households(count, desa=self.kel_sobo, start=start)
        far = households.filtered(lambda household: household.id % far_every == 0)
        far.write(FAR)
        return households, far

    def _approved(self, period=None):
        period = period or self.period
        shipments = self._generate(period)
        period.action_submit_all()
        period.with_user(self.user_social_head).action_approve()
        return shipments

    def test_far_villages_of_a_period_booked_with_the_fallback_account(self):
        _households, far = self._households(9)
        shipments = self._approved()
        shipments.action_pack()
        bookings = self._bookings(shipments)
        self.assertEqual(len(bookings), 9)
        self.assertEqual(set(bookings.mapped("state")), {"requested"})
        far_bookings = bookings.filtered(
            lambda booking: self.Shipment.browse(booking.res_id).household_id in far
        )
        self.assertTrue(far_bookings)
        self.assertEqual(far_bookings.provider_id, self.provider_jne)
        for booking in far_bookings:
            self.assertIn("Sandbox takes routes of at most 40 km", booking.fallback_reason)
        near = bookings - far_bookings
        self.assertEqual(near.provider_id, self.provider)
        self.assertFalse(any(near.mapped("fallback_reason")))
        self.assertEqual(self._run_outbox_all(), 9)
        self.assertEqual(set(bookings.mapped("state")), {"booked"})
        for booking in far_bookings:
            self.assertEqual(self.sandbox.count(booking.name, api="biteship"), 1)
        self.assertEqual(len(self.sandbox.orders()), 9, "one courier order each")

    def test_a_far_village_no_account_takes_refuses_the_packing(self):
        self.dinsos.courier_fallback_ids = [Command.clear()]
        self._households(6)
        shipments = self._approved()
        with self.assertRaises(UserError) as caught:  # Odoo's: rolled back to a savepoint
            shipments.action_pack()
        self.assertIn("takes routes of at most 40 km", str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual(set(shipments.mapped("state")), {"approved"}, "all rolled back")
        self.assertFalse(self._bookings(shipments))

    def test_pack_and_book_queries_do_not_grow_with_far_villages(self):
        cr = self.env.cr
        counts = []
        # a period takes every household: 5 (a first period warms the caches up), 10, 100
        for index, (new, size) in enumerate(((5, 5), (5, 10), (90, 100))):
            self._households(new, start=1000 * (index + 1))
            period = self._new_period(f"T-2026-F{index}")
            shipments = self._approved(period)
            self.env.flush_all()
            self.env.invalidate_all()
            before = cr.sql_log_count
            shipments.action_pack()
            self.env.flush_all()
            counts.append(cr.sql_log_count - before)
            bookings = self._bookings(shipments)
            self.assertEqual(len(bookings), size)
            self.assertEqual(
                set(bookings.mapped("provider_id").ids), {self.provider.id, self.provider_jne.id}
            )
        self.assertEqual(counts[1], counts[2], "10 households as 100, a third far")
