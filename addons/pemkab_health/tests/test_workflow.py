# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import PemkabHealthCommon


@tagged("post_install", "-at_install")
class TestPrescriptionWorkflow(PemkabHealthCommon):
    def _approved(self, **kwargs):
        delivery = self._delivery(**kwargs)
        delivery.action_verify()
        self.assertEqual(delivery.state, "approved")
        return delivery

    def _dispatched(self, **kwargs):
        """An approved delivery made ready and booked with the sandbox over HTTP."""
        delivery = self._approved(**kwargs)
        delivery.action_mark_ready()
        self.assertEqual(delivery.state, "ready")
        booking = delivery.delivery_booking_id
        self.assertEqual(booking.state, "requested")
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        return delivery, booking

    def _current_booking(self, delivery):
        delivery.invalidate_recordset()
        return delivery.delivery_booking_id

    def _courier(self, booking, status):
        self.sandbox.advance(booking.name, status, webhook=False)
        self._poll(booking)

    # ------------------------------------------------------------------
    def test_counter_form_fast_entry(self):
        form = Form(self.Delivery.with_user(self.pharmacist_a))
        form.prescription_number = "  RSB-000777  "
        form.patient_id = self.patient
        with form.line_ids.new() as line:
            line.name = "Amlodipine"
            line.strength = "5 mg"
            line.quantity = 30
        delivery = form.save()
        self.assertEqual(delivery.shelter_id, self.shelter_a, "the user's facility by default")
        self.assertEqual(delivery.pharmacist_id, self.pharmacist_a)
        self.assertEqual(delivery.prescription_number, "RSB-000777")
        self.assertTrue(delivery.name.startswith("RX-"))
        self.assertGreater(delivery.fee, 0)
        with self.assertRaises(ValidationError):
            self._delivery(prescription_number="RSB-000777")

    def test_full_path_to_delivered_by_courier(self):
        delivery, booking = self._dispatched()
        self.assertEqual(self.sandbox.count(booking.name), 1)
        self.assertEqual(booking.package_code, delivery.name)
        self.assertEqual(booking.shelter_id, self.shelter_a)
        self.assertEqual(booking.recipient_phone, "+6281233001001")
        self._courier(booking, "driver_assigned")
        self.assertEqual(delivery.state, "ready")
        self._courier(booking, "picked_up")
        self.assertEqual(delivery.state, "out_for_delivery")
        self._courier(booking, "delivered")
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(delivery.proof_source, "courier")
        self.assertEqual(delivery.receiver_name, booking.receiver_name)
        self.assertEqual(delivery.receiver_partner_id, self.patient)
        # GoSend (the sandbox's API) tells who received, not how they are related
        self.assertFalse(booking.receiver_relation)
        self.assertTrue(delivery.receiver_type)
        self.assertTrue(delivery.delivered_at)
        # the courier's proof photo is downloaded into the booking and the document, the
        # link kept as provenance, and shown on the BAST
        self.env["pemkab.delivery.exchange"]._cron_fetch_photos()
        self.assertTrue(booking.proof_photo and booking.proof_photo_url)
        self.assertTrue(delivery.proof_photo)
        self.assertTrue(delivery._delivery_proof_values()["photo"])

    def test_courier_payload_carries_no_medicine(self):
        delivery, booking = self._dispatched(
            lines=[
                {
                    "name": "Metformin",
                    "strength": "500 mg",
                    "quantity": 60,
                    "instructions": "2x1 sesudah makan",
                    "cold_chain": True,
                }
            ],
        )
        # what the sandbox stored of the booking request (origin, destination, item)
        stored = [
            {key: order[key] for key in ("origin", "destination", "item")}
            for order in self.sandbox.orders(booking.name)
        ]
        self.assertEqual(len(stored), 1)
        # and every HTTP exchange logged on the booking (request and answer bodies)
        exchanges = "".join(booking.event_ids.filtered(lambda e: e.payload).mapped("payload"))
        sent = json.dumps(stored, ensure_ascii=False) + exchanges
        for secret in (
            "Metformin",
            "500 mg",
            "sesudah makan",
            "dr. Hadi",
            "0001234567890",
            "3510165708450001",
            delivery.prescription_number.strip(),
        ):
            self.assertNotIn(secret, sent)
        order = stored[0]
        self.assertIn(delivery.name, exchanges, "the parcel code is what the courier gets")
        self.assertEqual(order["destination"]["name"], "Sumiati")
        self.assertEqual(order["destination"]["phone"].replace("+", ""), "6281233001001")
        self.assertIn("Jl. Kepiting No. 12", order["destination"]["address"])
        self.assertEqual(order["origin"]["name"], self.shelter_a.name)
        self.assertIn("keep cool", order["item"])

    def test_costly_prescription_insured_with_the_courier(self):
        """The medicines' value (quantity times unit cost) is the booking's declared
        value: GoSend (the sandbox's API) insures it where the agency's threshold is
        reached, told the parcel's code, never the medicine."""
        self.shelter_a.agency_id.courier_insure_from = 500000
        self.provider.insurance_fee = 2500
        delivery, booking = self._dispatched(
            lines=[
                {
                    "name": "Insulin glargine",
                    "strength": "100 IU/ml",
                    "quantity": 5,
                    "unit_cost": 180000,
                    "cold_chain": True,
                },
                {"name": "Metformin", "strength": "500 mg", "quantity": 60, "unit_cost": 500},
            ],
        )
        self.assertEqual(delivery.medicines_value, 930000)
        self.assertEqual(booking.declared_value, 930000)
        self.assertTrue(booking.insured)
        details = self.sandbox.orders(booking.name)[0]["terms"]["insuranceDetails"]
        self.assertEqual(
            details,
            {
                "applied": "true",
                "fee": "2500",
                "product_description": f"Paket {delivery.name}",
                "product_price": "930000",
            },
        )
        cheap, cheap_booking = self._dispatched()
        self.assertFalse(cheap.medicines_value or cheap_booking.insured)
        self.assertNotIn("insuranceDetails", self.sandbox.orders(cheap_booking.name)[0]["terms"])

    def test_failure_and_redispatch(self):
        delivery, booking = self._dispatched()
        self._courier(booking, "no_driver")
        self.assertEqual(booking.state, "failed")
        self.assertEqual(delivery.state, "failed")
        self.assertTrue(delivery.failure_reason)
        delivery.with_user(self.pharmacist_a).action_redispatch()
        self.assertEqual(delivery.state, "ready")
        second = self._current_booking(delivery)
        self.assertNotEqual(second, booking)
        self.assertEqual(delivery.delivery_booking_count, 2)
        self._run_outbox()
        self.assertEqual(second.state, "booked")
        self.assertEqual(self.sandbox.count(second.name), 1)
        # picked up, then returned to the shelter, then out again and delivered
        self._courier(second, "picked_up")
        self.assertEqual(delivery.state, "out_for_delivery")
        self._courier(second, "returned")
        self.assertEqual(delivery.state, "failed")
        delivery.action_redispatch()
        third = self._current_booking(delivery)
        self.assertNotEqual(third, second)
        self._run_outbox()
        self._courier(third, "delivered")
        self.assertEqual(delivery.state, "delivered")
        with self.assertRaisesRegex(UserError, "only a parcel that failed or came back"):
            delivery.action_redispatch()

    def test_book_again_after_no_driver_follows_the_new_booking(self):
        """Book Again on the booking (not re-dispatch on the delivery): the prescription
        delivery goes back to the shelter and follows the new booking to delivered."""
        delivery, booking = self._dispatched()
        self._courier(booking, "no_driver")
        self.assertEqual(delivery.state, "failed")
        self.assertEqual(delivery.failure_reason, "no_driver")
        booking.with_user(self.pharmacist_a).action_rebook()
        second = self._current_booking(delivery)
        self.assertNotEqual(second, booking)
        self.assertEqual(second.rebooked_from_id, booking)
        self.assertEqual(delivery.state, "ready")
        self.assertFalse(delivery.failure_reason)
        self._run_outbox()
        self.assertEqual(second.state, "booked")
        self._courier(second, "picked_up")
        self.assertEqual(delivery.state, "out_for_delivery")
        self._courier(second, "delivered")
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(delivery.proof_source, "courier")
        self.assertEqual(self.sandbox.count(second.name), 1)
        # the old booking cannot be booked a second time
        with self.assertRaisesRegex(UserError, "newer courier booking"):
            booking.action_rebook()

    def test_confirm_by_hand_cancels_the_courier_on_the_way(self):
        """Handed over at the counter while a driver is on the way to the shelter: the
        courier order is cancelled with the courier, not left live."""
        delivery, booking = self._dispatched()
        self._courier(booking, "driver_assigned")
        self.assertEqual(self.sandbox.orders(booking.name)[-1]["stage"], "driver_assigned")
        delivery = delivery.with_user(self.pharmacist_a)
        delivery.receiver_partner_id = self.patient
        delivery.action_confirm_delivered()
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(delivery.receiver_type, "recipient")
        self.assertEqual(delivery.receiver_name, "Sumiati")
        self.assertTrue(booking.cancel_requested, "the cancellation goes through the outbox")
        self._run_outbox()
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual(self.sandbox.orders(booking.name)[-1]["stage"], "cancelled")
        # what the courier says afterwards does not touch the delivered prescription
        self.assertEqual(delivery.state, "delivered")

    def test_not_delivered_then_redispatch_while_cancelling(self):
        """The pharmacist records the parcel as not delivered while the courier still
        has the order, then dispatches it again at once: the new courier is booked as
        soon as the first order is cancelled, never nothing."""
        delivery, booking = self._dispatched()
        delivery.action_mark_failed("Pasien minta diantar besok", "not_home")
        self.assertEqual(delivery.state, "failed")
        self.assertTrue(booking.cancel_requested)
        self.assertTrue(booking.released)
        delivery.action_redispatch()
        self.assertEqual(delivery.state, "ready")
        self.assertEqual(self._current_booking(delivery), booking, "waits for the cancellation")
        self.assertIn("still cancelling", delivery.message_ids[:1].body)
        self._run_outbox()  # cancels the first order, which books the second
        self.assertEqual(booking.state, "cancelled")
        second = self._current_booking(delivery)
        self.assertNotEqual(second, booking)
        self.assertEqual(second.state, "requested")
        self._run_outbox()
        self.assertEqual(second.state, "booked")
        self.assertEqual(self.sandbox.count(second.name), 1)
        self._courier(second, "delivered")
        self.assertEqual(delivery.state, "delivered")

    def test_redispatch_without_trigger_says_why(self):
        delivery, booking = self._dispatched()
        self._courier(booking, "no_driver")
        self.trigger.active = False
        with self.assertRaisesRegex(UserError, "no delivery trigger"):
            delivery.action_redispatch()
        self.assertEqual(delivery.state, "failed")

    def test_redispatch_rechecks_approval(self):
        """A controlled substance approved, dispatched and returned: if the approval is
        withdrawn (reset), the re-dispatch and Book Again both refuse."""
        delivery, booking = self._dispatched()
        self._courier(booking, "no_driver")
        delivery.counselled = False
        with self.assertRaisesRegex(UserError, "counsel"):
            delivery.action_redispatch()
        with self.assertRaisesRegex(UserError, "counsel"):
            booking.action_rebook()
        self.assertEqual(delivery.state, "failed")
        self.assertEqual(delivery.delivery_booking_count, 1)

    def test_proxy_receives_confirmed_by_pharmacist(self):
        delivery, booking = self._dispatched()
        self._courier(booking, "picked_up")
        delivery = delivery.with_user(self.pharmacist_a)
        with self.assertRaisesRegex(UserError, "Received By"):
            delivery.action_confirm_delivered()
        stranger = self.env["res.partner"].create({"name": "Tetangga"})
        with self.assertRaisesRegex(ValidationError, "neither the recipient"):
            delivery.receiver_partner_id = stranger
        delivery.receiver_partner_id = self.proxy
        delivery.action_confirm_delivered()
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(delivery.receiver_name, "Rina Wulandari")
        self.assertEqual(delivery.receiver_relation, "Anak")
        self.assertEqual(delivery.proof_source, "officer")
        self.assertTrue(delivery.delivered_at)
        # the driver has the parcel: the booking is left to the courier, its news is
        # kept on the booking only
        self.assertEqual(booking.state, "picked_up")
        self.assertTrue(booking.released)
        self._courier(booking, "delivered")
        self.assertEqual(delivery.receiver_name, "Rina Wulandari")
        self.assertEqual(delivery.proof_source, "officer")

    def test_handed_over_before_the_courier_came(self):
        delivery = self._approved()
        delivery.action_mark_ready()
        booking = delivery.delivery_booking_id
        delivery.receiver_partner_id = self.patient
        delivery.action_confirm_delivered()
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(booking.state, "cancelled")
        self._run_outbox()
        self.assertEqual(self.sandbox.count(booking.name), 0)

    def test_rejection_with_reason_in_bulk(self):
        self.Rule.create({"name": "Fee above 1", "min_fee": 1})
        deliveries = self._delivery() | self._delivery()
        deliveries.action_verify()
        self.assertEqual(set(deliveries.mapped("state")), {"to_approve"})
        as_head = deliveries.with_user(self.health_head_a)
        action = as_head.action_open_reject_wizard()
        wizard_form = Form(
            self.env[action["res_model"]]
            .with_user(self.health_head_a)
            .with_context(**action["context"])
        )
        wizard_form.reason = "Resep perlu dikonfirmasi ulang ke dokter"
        wizard_form.save().action_confirm()
        self.assertEqual(set(deliveries.mapped("state")), {"rejected"})
        self.assertEqual(deliveries[0].reject_reason, "Resep perlu dikonfirmasi ulang ke dokter")
        third = self._delivery()
        third.action_verify()
        with self.assertRaisesRegex(ValidationError, "Reason"):
            third.with_user(self.health_head_a).action_reject(" ")
        # the pharmacist corrects it and sends it again
        deliveries[0].with_user(self.pharmacist_a).action_reset_to_draft()
        self.assertEqual(deliveries[0].state, "draft")
        self.assertFalse(deliveries[0].approved_by_id)

    def test_approval_then_courier(self):
        self.Rule.create({"name": "Fee above 1", "min_fee": 1})
        delivery = self._delivery()
        delivery.action_verify()
        # the heads of the agency are told
        approval_type = self.env.ref("pemkab_health.mail_activity_type_approval")
        activity = delivery.activity_ids.filtered(lambda a: a.activity_type_id == approval_type)
        self.assertEqual(activity.user_id, delivery.agency_id.head_ids)
        with self.assertRaisesRegex(UserError, "cannot go to the shelter from the state Awaiting"):
            delivery.action_mark_ready()
        delivery.with_user(self.health_head_a).action_approve()
        self.assertFalse(
            delivery.activity_ids.filtered(lambda a: a.activity_type_id == approval_type),
            "the decision clears the heads' to-do",
        )
        self.assertEqual(delivery.state, "approved")
        self.assertEqual(delivery.approved_by_id, self.health_head_a)
        delivery.action_mark_ready()
        self._run_outbox()
        self.assertEqual(delivery.delivery_status, "booked")

    def test_controlled_never_to_courier_without_approval(self):
        """No rule at all: a narkotika line still cannot reach "ready" or a courier."""
        self.assertFalse(self.Rule.search([]))
        delivery = self._delivery(controlled=True)
        self.assertTrue(delivery.controlled)
        delivery.action_verify()
        self.assertEqual(delivery.state, "to_approve")
        with self.assertRaisesRegex(UserError, "controlled substance"):
            delivery.action_mark_ready()
        # nor by faking the approval
        with self.assertRaisesRegex(UserError, "own buttons"):
            delivery.with_user(self.pharmacist_a).write({"controlled_approved": True})
        with self.assertRaisesRegex(UserError, "controlled substance"):
            delivery._delivery_booking_values()
        self.assertFalse(delivery.delivery_booking_ids)
        # the head's approval says so: now it may go
        delivery.with_user(self.health_head_a).action_approve()
        self.assertTrue(delivery.controlled_approved)
        delivery.action_mark_ready()
        self._run_outbox()
        self.assertEqual(self.sandbox.count(self._current_booking(delivery).name), 1)

    def test_controlled_state_write_refused(self):
        """Writing the state directly is refused to a user; the constraint is the last
        guard, even for the superuser."""
        delivery = self._delivery(controlled=True)
        delivery.action_verify()
        with self.assertRaises(UserError) as caught:
            delivery.with_user(self.pharmacist_a).write({"state": "ready"})
        self.assertIn("own buttons", str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            delivery.sudo().write({"state": "ready"})
        self.assertIn("controlled substance", str(caught.exception))
        self.assertEqual(delivery.state, "to_approve")

    def test_medicines_locked_after_verification(self):
        delivery = self._approved()
        with self.assertRaisesRegex(UserError, "cannot change any more"):
            delivery.line_ids.write({"name": "Codeine", "controlled_type": "narkotika"})
        with self.assertRaisesRegex(UserError, "cannot change any more"):
            delivery.write(
                {
                    "line_ids": [
                        (0, 0, {"name": "Codeine", "quantity": 1, "controlled_type": "narkotika"})
                    ]
                }
            )
        with self.assertRaisesRegex(UserError, "cannot change any more"):
            delivery.line_ids.unlink()

    def test_verify_says_everything_missing(self):
        nowhere = self.env["res.partner"].create({"name": "Tanpa Alamat", "is_patient": True})
        delivery = self._delivery(patient=nowhere, lines=[{"name": "X", "quantity": 1}])
        delivery.line_ids.unlink()
        with self.assertRaises(UserError) as caught:
            delivery.action_verify()
        message = str(caught.exception)
        self.assertIn("add the medicines", message)
        self.assertIn("no mobile phone", message)
        self.assertIn("no coordinates", message)

    def test_cancel_with_reason_cancels_the_booking(self):
        delivery, booking = self._dispatched()
        action = delivery.action_open_cancel_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create({"reason": "Pasien mengambil sendiri"})
        )
        wizard.action_confirm()
        self.assertEqual(delivery.state, "cancelled")
        self.assertEqual(delivery.cancel_reason, "Pasien mengambil sendiri")
        self.assertTrue(booking.cancel_requested or booking.state == "cancelled")
        self._run_outbox()
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual(delivery.state, "cancelled", "the booking's end does not move it")

    def test_bulk_approve_queries_do_not_grow_per_record(self):
        self.Rule.create({"name": "Fee above 1", "min_fee": 1})

        def batch(size):
            deliveries = self.Delivery.browse()
            for _i in range(size):
                deliveries |= self._delivery(controlled=_i % 2 == 0)
            deliveries.action_verify()
            deliveries.invalidate_recordset()
            as_head = deliveries.with_user(self.health_head_a)
            as_head.env.invalidate_all()
            before = self.env.cr.sql_log_count
            as_head.action_approve()
            as_head.env.flush_all()
            self.assertEqual(set(deliveries.mapped("state")), {"approved"})
            return self.env.cr.sql_log_count - before

        small, large = batch(4), batch(40)
        self.assertLess(large - small, 20, f"4 records: {small} queries, 40: {large}")
