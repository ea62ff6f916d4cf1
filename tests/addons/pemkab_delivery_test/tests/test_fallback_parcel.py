# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""An agency's fallback order of courier accounts, seen from a document: the parcel stays
at the shelter while the next account is booked, and follows that booking to the door;
when every account refuses, the parcel fails with their reasons."""

from odoo import Command

from .common import SeedParcelCommon


class TestFallbackParcel(SeedParcelCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider_biteship = cls.env["pemkab.courier.provider"].create(
            {
                "name": "JNE via Biteship",
                "kind": "biteship",
                "biteship_courier": "jne/reg",
                "base_url": cls.sandbox.url + "/biteship",
                "client_secret": "biteship_test.sandbox-key",
                "webhook_secret": "test-webhook-secret",
            }
        )
        cls.agency_a.courier_fallback_ids = [
            Command.create({"sequence": 1, "provider_id": cls.provider.id}),
            Command.create({"sequence": 2, "provider_id": cls.provider_biteship.id}),
        ]

    def test_no_driver_next_account_delivers_the_parcel(self):
        parcel, first = self._sent()
        self._courier(first, "no_driver")
        self.assertEqual(first.state, "failed")
        second = self._current(parcel)
        self.assertEqual(second.provider_id, self.provider_biteship)
        self.assertEqual(second.fallback_from_id, first)
        self.assertEqual(parcel.state, "ready", "the parcel never left the shelter's list")
        self.assertFalse(parcel.failure_reason)
        self.assertFalse(first.activity_ids, "nobody has anything to do")
        self._run_outbox()
        self.assertEqual(second.state, "booked")
        self._courier(second, "picked_up")
        self.assertEqual(parcel.state, "out_for_delivery")
        self._courier(second, "delivered")
        self.assertEqual(parcel.state, "delivered")
        self.assertEqual(self.sandbox.count(first.name) + self.sandbox.count(second.name), 2)
        self.assertEqual(parcel.delivery_booking_count, 2)
        self.assertIn(second.name, " ".join(parcel.message_ids.mapped("body")))

    def test_all_refuse_the_parcel_fails_with_their_reasons(self):
        # Biteship's couriers refuse a far route when booked (a GoSend account refuses
        # it at the request already): Gojek, then Grab, through Biteship
        self.provider_biteship.biteship_courier = "gojek/instant"
        grab = self.provider_biteship.copy(
            {
                "name": "Grab via Biteship",
                "biteship_courier": "grab/instant",
                "client_secret": "biteship_test.sandbox-key",
            }
        )
        self.agency_a.courier_fallback_ids = [
            Command.clear(),
            Command.create({"sequence": 1, "provider_id": self.provider_biteship.id}),
            Command.create({"sequence": 2, "provider_id": grab.id}),
        ]
        self.trigger.provider_id = self.provider_biteship
        parcel = self._parcel()
        parcel.write({"latitude": -8.6500, "longitude": 113.9500})
        parcel.action_dispatch()
        self._run_outbox()
        self._run_outbox()
        last = self._current(parcel)
        self.assertEqual(last.provider_id, grab)
        self.assertEqual(last.state, "failed")
        self.assertEqual(parcel.state, "failed")
        self.assertEqual(parcel.failure_reason, "out_of_range")
        self.assertIn(grab.name, parcel.failure_message)
        self.assertIn(self.provider_biteship.name, parcel.failure_message)
        self.assertEqual(parcel.delivery_booking_count, 2)
