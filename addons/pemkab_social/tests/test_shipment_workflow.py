# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
from urllib.parse import parse_qs, urlparse

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import PemkabSocialCommon


@tagged("post_install", "-at_install")
class TestShipmentWorkflow(PemkabSocialCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.households = cls._make_households(4)
        cls.rich = cls._make_households(1, decile=9, start=100)
        cls.genteng = cls._make_households(2, kecamatan=cls.kec_genteng, start=200)

    def _approved(self, period=None):
        period = period or self.period
        shipments = self._generate(period)
        period.action_submit_all()
        period.with_user(self.user_social_head).action_approve()
        return shipments

    def test_generate_eligibility_and_duplicates(self):
        shipments = self._generate()
        self.assertEqual(shipments.household_id, self.households | self.genteng)
        self.assertNotIn(self.rich, shipments.household_id)
        self.assertEqual(shipments[0].package_cost, 13000 * 10 + 17000 * 2)
        # generating again adds nobody
        with self.assertRaisesRegex(UserError, "No eligible household"):
            self._generate()
        existing = shipments.filtered(lambda s: s.household_id == self.households[0])
        with self.assertRaisesRegex(ValidationError, f"already has shipment {existing.name}"):
            self.Shipment.create(
                {
                    "period_id": self.period.id,
                    "household_id": self.households[0].id,
                    "recipient_name": "X",
                }
            )
        # eligibility by kecamatan and flag
        program = self.env["pemkab.social.program"].create(
            {
                "name": "Lansia",
                "code": "LANSIA",
                "max_decile": 10,
                "kecamatan_ids": [(6, 0, self.kec_genteng.ids)],
                "require_elderly": True,
            }
        )
        self.genteng[0].member_ids.pemkab_social_elderly = True
        self.package.copy({"program_id": program.id})
        period = self._new_period("L-1", program)
        period.package_type_id = program.package_type_ids
        self.assertEqual(self._generate(period).household_id, self.genteng[0])

    def test_approval_and_frozen_list(self):
        shipments = self._generate()
        with self.assertRaisesRegex(UserError, "must be approved first"):
            shipments[0].action_submit()
            shipments[0].with_user(self.user_social_head).action_approve()
        with self.assertRaisesRegex(UserError, "draft shipments"):
            self.period.with_user(self.user_social_head).action_approve()
        self.period.action_submit_all()
        with self.assertRaisesRegex(UserError, "Only the head"):
            self.period.with_user(self.user_officer_bwi).action_approve()
        # a family moves between generation and approval: the frozen list has the new address
        moved = self.households[1]
        moved.write({"street": "Jl. Pindahan 7", "decile": 2})
        self.period.with_user(self.user_social_head).action_approve()
        self.assertEqual(set(shipments.mapped("state")), {"approved"})
        moved_shipment = shipments.filtered(lambda s: s.household_id == moved)
        self.assertEqual((moved_shipment.street, moved_shipment.decile), ("Jl. Pindahan 7", 2))
        self.assertEqual(shipments.approved_by_id, self.user_social_head)
        # registry edits after approval change nothing in the period
        household = self.households[0]
        shipment = shipments.filtered(lambda s: s.household_id == household)
        before = (shipment.recipient_name, shipment.street, shipment.decile)
        household.write({"name": "Pindah", "street": "Jl. Baru 1", "decile": 1})
        household.member_ids.name = "Nama Baru"
        shipment.invalidate_recordset()
        self.assertEqual((shipment.recipient_name, shipment.street, shipment.decile), before)
        newcomer = self._make_households(1, start=300)
        with self.assertRaisesRegex(UserError, "frozen"):
            self._generate()
        with self.assertRaisesRegex(UserError, "frozen"):
            self.Shipment.create(
                {"period_id": self.period.id, "household_id": newcomer.id, "recipient_name": "N"}
            )
        with self.assertRaisesRegex(UserError, "frozen"):
            shipment.street = "Jl. Lain"
        self.assertEqual(self.period.shipment_count, 6)

    def test_pack_books_courier_and_delivers(self):
        shipments = self._approved()
        shipment = shipments.filtered(lambda s: s.household_id == self.households[0])
        shipment.with_user(self.user_officer_bwi).action_pack()
        booking = self._bookings(shipment)
        self.assertEqual(booking.state, "requested")
        self._run_outbox_all()
        self.assertEqual(booking.state, "booked")
        # the courier gets name, phone and address only
        order = repr(booking._courier_payload()) + json.dumps(
            booking.event_ids.mapped("payload"), default=str
        )
        self.assertIn(shipment.recipient_name, order)
        for secret in (self.households[0].member_ids.nik, self.households[0].dtsen_id, "Sembako"):
            self.assertNotIn(secret, order)
        self.sandbox.advance(booking.name, "picked_up", webhook=False)
        self._poll(booking)
        self.assertEqual(shipment.state, "out_for_delivery")
        self.sandbox.advance(booking.name, "delivered", webhook=False)
        self._poll(booking)
        self.assertEqual(shipment.state, "delivered")
        self.assertEqual(shipment.proof_source, "courier")
        self.assertTrue(shipment.receiver_type)
        self.assertTrue(shipment.delivered_at)

    def test_send_by_whatsapp_to_the_head_of_household(self):
        shipments = self._approved()
        shipment = shipments.filtered(lambda s: s.household_id == self.households[0])
        officer = shipment.with_user(self.user_officer_bwi)
        with self.assertRaisesRegex(UserError, "no citizen link yet"):
            officer.action_delivery_send_whatsapp()
        officer.action_pack()
        self._run_outbox_all()
        action = officer.action_delivery_send_whatsapp()
        url = urlparse(action["url"])
        self.assertEqual((url.netloc, url.path), ("wa.me", "/" + shipment.recipient_phone[1:]))
        text = parse_qs(url.query)["text"][0]
        self.assertIn(shipment.delivery_citizen_url, text)
        for secret in (self.households[0].member_ids.nik, "Sembako"):
            self.assertNotIn(secret, text)

    def test_return_worklist_retry_cancel(self):
        shipments = self._approved()
        first, second, third = shipments[:3]
        (first | second | third).action_pack()
        self._run_outbox_all()
        booking = self._bookings(first)
        self.sandbox.advance(booking.name, "returned", webhook=False)
        self._poll(booking)
        self.assertEqual(first.state, "returned")
        self.assertTrue(first.failure_reason)
        worklist = self.Shipment.search([("state", "in", ("failed", "returned"))])
        self.assertIn(first, worklist)
        first.action_redispatch()
        self.assertEqual(first.state, "packed")
        self.assertEqual(len(self._bookings(first)), 2, "a new booking for the second try")
        # failed by the officer, with a reason: the booking is cancelled
        action = second.with_context(pemkab_reason_kind="fail").action_open_failed_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_context(**action["context"])
            .create({"failure_reason": "not_home", "reason": "Rumah kosong"})
        )
        wizard.action_confirm()
        self.assertEqual(second.state, "failed")
        self.assertEqual(second.failure_reason, "not_home")
        self.assertEqual(second.failure_message, "Rumah kosong")
        self.assertTrue(self._bookings(second).cancel_requested)
        # cancelled with a reason
        action = shipments[4].action_open_cancel_wizard()
        self.env[action["res_model"]].with_context(**action["context"]).create(
            {"reason": "Meninggal"}
        ).action_confirm()
        self.assertEqual(shipments[4].state, "cancelled")
        self.assertEqual(shipments[4].cancel_reason, "Meninggal")
        with self.assertRaises(UserError):
            shipments[4].action_pack()

    def test_officer_proof_and_checks(self):
        shipments = self._approved()
        shipment = shipments[0]
        shipment.action_pack()
        booking = self._bookings(shipment)
        with self.assertRaisesRegex(UserError, "who received"):
            shipment.action_confirm_delivered()
        shipment.write({"receiver_type": "proxy"})
        with self.assertRaisesRegex(UserError, "name the person"):
            shipment.action_confirm_delivered()
        shipment.write({"receiver_name": "Pak RT Sugeng"})
        shipment.action_confirm_delivered()
        self.assertEqual(shipment.state, "delivered")
        self.assertEqual(shipment.proof_source, "officer")
        self.assertEqual(booking.state, "cancelled", "no courier is needed any more")
        # a shipment without coordinates cannot be packed; every reason is listed
        other = shipments[1]
        other._workflow().write({"latitude": 0, "longitude": 0, "recipient_phone": False})
        with self.assertRaisesRegex(UserError, "(?s)no phone.*no coordinates"):
            other.action_pack()

    def test_package_weight_goes_to_the_booking_and_its_route_check(self):
        """The package type's weight is the booking's parcel weight: a package heavier
        than GoSend Instant takes (20 kg) is refused before the courier is called."""
        self.package.weight_kg = 12.5
        shipments = self._approved()
        shipments[0].action_pack()
        self.assertEqual(self._bookings(shipments[0]).weight_kg, 12.5)
        self.package.weight_kg = 25
        with self.assertRaises(UserError) as refused:  # rolled back to its savepoint
            shipments[1].action_pack()
        self.assertIn("at most 20 kg; this one weighs 25 kg", str(refused.exception))
        self.assertEqual(shipments[1].state, "approved")
        self.assertFalse(self._bookings(shipments[1]))
        self.assertEqual(self.sandbox.count(self._bookings(shipments[0]).name), 0)

    def test_dispatch_period_with_dispatcher(self):
        self.trigger.dispatch_mode = "dispatcher"
        shipments = self._approved()
        # without a trigger nothing would book a courier: refused, nothing packed
        self.trigger.active = False
        with self.assertRaisesRegex(UserError, "No delivery trigger"):
            self.period.action_dispatch()
        self.assertEqual(set(shipments.mapped("state")), {"approved"})
        self.trigger.active = True
        self.period.action_dispatch()
        self.assertEqual(set(shipments.mapped("state")), {"packed"})
        bookings = self._bookings(shipments)
        self.assertEqual(len(bookings), len(shipments))
        self.assertEqual(set(bookings.mapped("state")), {"requested"})
        self._run_outbox_all()
        self.assertEqual(set(bookings.mapped("state")), {"booked"})
        self.assertEqual(self.period.packed_count, len(shipments))
        self.assertIn("Banyuwangi", self.period.summary_html)
