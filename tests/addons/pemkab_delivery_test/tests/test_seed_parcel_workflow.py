# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The deliverable mixin proven on a document that is neither health nor social."""

from odoo.exceptions import UserError, ValidationError

from .common import SeedParcelCommon


class TestSeedParcelWorkflow(SeedParcelCommon):
    def test_draft_booking_failure_rebooking_delivery(self):
        parcel = self._parcel()
        self.assertTrue(parcel.name.startswith("BENIH-"), "numbered by the document mixin")
        self.assertEqual(parcel.currency_id, self.env.ref("base.IDR"))
        self.assertFalse(parcel.delivery_booking_count)
        parcel.action_dispatch()
        self.assertEqual(parcel.state, "ready")
        booking = self._current(parcel)
        self.assertEqual(booking.state, "requested")
        self.assertEqual(booking.package_code, parcel.name)
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        # no driver: the parcel is not delivered, with the shared reason
        self._courier(booking, "no_driver")
        self.assertEqual(parcel.state, "failed")
        self.assertEqual(parcel.failure_reason, "no_driver")
        # Book Again: the parcel is back at the shelter and follows the new booking
        booking.action_rebook()
        second = self._current(parcel)
        self.assertNotEqual(second, booking)
        self.assertEqual(parcel.state, "ready")
        self._run_outbox()
        self._courier(second, "picked_up")
        self.assertEqual(parcel.state, "out_for_delivery")
        # returned to the shelter, dispatched again: a third booking
        self._courier(second, "returned")
        self.assertEqual(parcel.state, "failed")
        self.assertEqual(parcel.failure_reason, "returned")
        parcel.action_redispatch()
        third = self._current(parcel)
        self.assertNotIn(third, booking | second)
        self._run_outbox()
        self._courier(third, "delivered")
        self.assertEqual(parcel.state, "delivered")
        self.assertEqual(parcel.proof_source, "courier")
        self.assertTrue(parcel.delivered_at)
        self.assertEqual(parcel.delivery_booking_count, 3)
        for each in (booking, second, third):
            self.assertEqual(self.sandbox.count(each.name), 1, "one courier order per booking")
        self.assertIn(third.name, parcel.message_ids[:1].body)

    def test_confirm_by_hand_and_cancel(self):
        parcel = self._parcel()
        parcel.action_dispatch()
        self._run_outbox()
        booking = self._current(parcel)
        with self.assertRaisesRegex(UserError, "Received By"):
            parcel.action_confirm_delivered()
        stranger = self.env["res.partner"].create({"name": "Tetangga"})
        # (assertRaises, not assertRaisesRegex: Odoo rolls the refused write back)
        with self.assertRaises(ValidationError) as refused:
            parcel.receiver_partner_id = stranger
        self.assertIn("neither the recipient", str(refused.exception))
        parcel.write({"receiver_type": "recipient"})
        parcel.action_confirm_delivered()
        self.assertEqual(parcel.state, "delivered")
        self.assertEqual(parcel.receiver_partner_id, self.farmer)
        self.assertEqual(parcel.receiver_name, "Pak Darmo")
        self.assertEqual(parcel.proof_source, "officer")
        self._run_outbox()
        self.assertEqual(booking.state, "cancelled")
        # a second parcel cancelled before the courier answered
        other = self._parcel()
        other.action_dispatch()
        with self.assertRaisesRegex(ValidationError, "Reason"):
            other.action_cancel("  ")
        other.action_cancel("Petani pindah")
        self.assertEqual(other.delivery_booking_count, 1, "no new courier for a cancelled parcel")
        self.assertEqual(other.state, "cancelled")
        self.assertEqual(self._current(other).state, "cancelled")
        self._run_outbox()
        self.assertEqual(self.sandbox.count(self._current(other).name), 0)

    def test_not_delivered_by_the_officer_through_the_wizard(self):
        parcel = self._parcel()
        parcel.action_dispatch()
        self._run_outbox()
        action = parcel.with_context(pemkab_reason_kind="fail").action_open_failed_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create({"failure_reason": "wrong_address", "reason": "Alamat tidak ditemukan"})
        )
        self.assertEqual(wizard.record_count, 1)
        wizard.action_confirm()
        self.assertEqual(parcel.state, "failed")
        self.assertEqual(parcel.failure_reason, "wrong_address")
        self.assertEqual(parcel.failure_message, "Alamat tidak ditemukan")
        booking = self._current(parcel)
        self.assertTrue(booking.released)
        self._run_outbox()
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual(parcel.state, "failed", "the released booking's news stays on it")

    def test_no_trigger_no_dispatch(self):
        self.trigger.active = False
        parcel = self._parcel()
        with self.assertRaisesRegex(UserError, "no delivery trigger"):
            parcel.action_dispatch()
        self.assertEqual(parcel.state, "draft")
