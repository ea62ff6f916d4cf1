# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The workflow holds against a user who does not press the buttons: each role's own
user, over real JSON-RPC, as a browser (or a script with the user's session) calls."""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin

from .common import PemkabHealthCommon

DELIVERY = "pemkab.health.delivery"
BOOKING = "pemkab.delivery.booking"


@tagged("post_install", "-at_install")
class TestHealthWorkflowTrust(PemkabRpcMixin, PemkabHealthCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fee_rule = cls.Rule.create({"name": "Fee above Rp 75.000", "min_fee": 75000})

    def _bookings_of(self, delivery):
        return self.Booking.search([("res_model", "=", DELIVERY), ("res_id", "=", delivery.id)])

    def test_pharmacist_cannot_write_the_state(self):
        """A Rp 999.999 draft that the fee rule holds back cannot be written "approved"."""
        delivery = self._delivery(fee=999999)
        self.authenticate("pharmacist_a", "pharmacist_a")
        for context in ({}, {"pemkab_workflow": True}, {"pemkab_health_approving": True}):
            message = self.rpc_refused(
                UserError, DELIVERY, "write", [delivery.id], {"state": "approved"}, context=context
            )
            self.assertIn("State", message)
            self.assertIn("buttons", message)
        self.assertEqual(delivery.state, "draft")
        self.assertFalse(self._bookings_of(delivery))
        # the approval fields neither
        self.rpc_ok(DELIVERY, "action_verify", [delivery.id])
        self.assertEqual(delivery.state, "to_approve")
        for vals in (
            {"approval_required": False},
            {"approved_by_id": self.pharmacist_a.id},
            {"controlled_approved": True},
            {"state": "ready"},
        ):
            self.rpc_refused(UserError, DELIVERY, "write", [delivery.id], vals)
        self.assertEqual(delivery.state, "to_approve")
        self.assertTrue(delivery.approval_required)
        self.assertFalse(delivery.approved_by_id)

    def test_pharmacist_cannot_create_an_approved_delivery(self):
        self.authenticate("pharmacist_a", "pharmacist_a")
        vals = {
            "shelter_id": self.shelter_a.id,
            "patient_id": self.patient.id,
            "prescription_number": "RX-FORGED",
            "counselled": True,
            "line_ids": [(0, 0, {"name": "Metformin", "quantity": 10})],
        }
        for extra in ({"state": "approved"}, {"approved_by_id": self.health_head_a.id}):
            message = self.rpc_refused(UserError, DELIVERY, "create", [dict(vals, **extra)])
            self.assertIn("buttons", message)
        self.assertFalse(self.Delivery.search([("prescription_number", "=", "RX-FORGED")]))
        # what a form sends for a new delivery (the default state) is accepted
        created = self.rpc_ok(DELIVERY, "create", [dict(vals, state="draft")])
        self.assertEqual(self.Delivery.browse(created).state, "draft")

    def test_fee_frozen_once_verified(self):
        delivery = self._delivery()
        delivery.action_verify()
        self.assertEqual(delivery.state, "approved")
        self.authenticate("pharmacist_a", "pharmacist_a")
        message = self.rpc_refused(UserError, DELIVERY, "write", [delivery.id], {"fee": 999999})
        self.assertIn("Delivery Fee", message)
        self.assertLess(delivery.fee, 75000)

    def test_proof_of_delivery_frozen_once_delivered(self):
        """Who received the medicine, and when, is the record the head signs for: once
        the delivery is delivered a pharmacist cannot rewrite it over JSON-RPC."""
        delivery = self._delivery()
        delivery.action_verify()
        delivery.action_dispatch()
        delivery.receiver_partner_id = self.patient
        delivery.action_confirm_delivered()
        self.assertEqual(delivery.state, "delivered")
        self.authenticate("pharmacist_a", "pharmacist_a")
        for vals in (
            {"receiver_name": "Orang Lain"},
            {"receiver_partner_id": self.proxy.id},
            {"delivered_at": "2026-01-01 08:00:00"},
        ):
            message = self.rpc_refused(UserError, DELIVERY, "write", [delivery.id], vals)
            self.assertIn("proof of delivery", message)
        self.assertEqual(delivery.receiver_name, "Sumiati")
        self.assertEqual(delivery.receiver_partner_id, self.patient)
        # what does not touch the proof still may change (the courier's note, say)
        self.rpc_ok(DELIVERY, "write", [delivery.id], {"recipient_note": "Rumah hijau"})

    def test_dispatch_rechecks_the_rules(self):
        """Verified when no rule held it back; a rule added since holds it at dispatch."""
        delivery = self._delivery()
        delivery.action_verify()
        self.assertEqual(delivery.state, "approved")
        self.assertFalse(delivery.approval_required)
        self.Rule.create({"name": "Fee above Rp 5.000", "min_fee": 5000})
        self.authenticate("pharmacist_a", "pharmacist_a")
        message = self.rpc_refused(UserError, DELIVERY, "action_mark_ready", [delivery.id])
        self.assertIn("Fee above Rp 5.000", message)
        self.assertEqual(delivery.state, "approved")
        self.assertFalse(self._bookings_of(delivery))

    def test_booking_for_a_document_the_user_may_not_change(self):
        """A pharmacist cannot point a booking at another facility's delivery (whose
        courier news would then move it), nor at his own: bookings are the workflow's."""
        other = self._delivery(
            user=self.pharmacist_b, shelter=self.shelter_b, patient=self.patient_far
        )
        mine = self._delivery()
        vals = {
            "provider_id": self.own_fleet.id,
            "agency_id": self.agency_a.id,
            "shelter_id": self.shelter_a.id,
            "recipient_name": "Siti",
            "recipient_phone": "0812 3456 7890",
            "package_code": "PKG-X",
            "res_model": DELIVERY,
            "res_id": other.id,
        }
        self.authenticate("pharmacist_a", "pharmacist_a")
        for doc in (
            {"res_id": other.id},
            {"res_model": "res.users", "res_id": 2},
            {"res_id": mine.id},
        ):
            self.rpc_refused(AccessError, BOOKING, "create", [dict(vals, **doc)])
        self.assertFalse(self.Booking.search([("package_code", "=", "PKG-X")]))

    def test_booking_is_the_workflows(self):
        """No pharmacist makes, copies, deletes or rewrites a courier booking, whatever the
        context key: a hand-made booking for a delivery still awaiting the head's approval,
        or for no document, never reaches a courier; prices, flags, the recipient and the
        driver come from the document, the courier or a button."""
        waiting = self._delivery(fee=999999, controlled=True)
        waiting.with_user(self.pharmacist_a).action_verify()
        self.assertEqual(waiting.state, "to_approve")
        delivered = self._delivery()
        delivered.action_verify()
        delivered.action_mark_ready()
        booking = self._bookings_of(delivered)
        self._run_outbox()
        self._courier(booking, "delivered")
        self.assertEqual(delivered.state, "delivered")
        vals = {
            "provider_id": self.provider.id,
            "agency_id": self.agency_a.id,
            "shelter_id": self.shelter_a.id,
            "recipient_name": "Siti",
            "recipient_phone": "0812 3456 7890",
            "street": "Jl. Kepiting No. 5",
            "latitude": -8.2050,
            "longitude": 114.3700,
            "package_code": "PKG-HAND",
        }
        contexts = ({}, {"pemkab_workflow": True}, {"tracking_disable": True})
        self.authenticate("pharmacist_a", "pharmacist_a")
        for context in contexts:
            for doc in ({"res_model": DELIVERY, "res_id": waiting.id}, {}):
                self.rpc_refused(
                    AccessError, BOOKING, "create", [dict(vals, **doc)], context=context
                )
            self.rpc_refused(AccessError, BOOKING, "copy", booking.ids, context=context)
            self.rpc_refused(AccessError, BOOKING, "unlink", booking.ids, context=context)
        self.assertFalse(self.Booking.search([("package_code", "=", "PKG-HAND")]))
        self.assertEqual(len(self._bookings_of(delivered)), 1)
        self.assertFalse(self._bookings_of(waiting))
        before = booking.read(list(self._written(booking)))[0]
        for fname, value in self._written(booking).items():
            for context in contexts:
                message = self.rpc_refused(
                    UserError, BOOKING, "write", booking.ids, {fname: value}, context=context
                )
                self.assertIn("cannot be edited directly", message)
        self.assertEqual(booking.read(list(self._written(booking)))[0], before)
        # the delivered booking's review buttons stay shut
        self.rpc_refused(UserError, BOOKING, "action_confirm_no_order", booking.ids)
        self.assertEqual(booking.state, "delivered")
        # a note is the chatter's
        self.rpc_ok(BOOKING, "message_post", booking.ids, body="Diterima anaknya")
        # a draft booking the workflow holds (the trigger's dispatcher was to request it)
        # goes to no courier while its document awaits approval, nor with another address
        draft = self.Booking.create(
            dict(vals, res_model=DELIVERY, res_id=waiting.id, package_code="PKG-DRAFT")
        )
        message = self.rpc_refused(UserError, BOOKING, "action_request", draft.ids)
        self.assertIn("not waiting for a courier", message)
        self.assertEqual(draft.state, "draft")

    def _written(self, booking):
        """A hostile value for each field of a booking a user could send."""
        return {
            "recipient_name": "Orang Lain",
            "recipient_phone": "0812 9999 0000",
            "street": "Jl. Lain No. 1",
            "latitude": -8.0,
            "longitude": 114.0,
            "recipient_note": "PENTING: verifikasi bansos di http://x.example",
            "package_code": "PKG-OTHER",
            "package_description": "Codeine 10 mg",
            "quoted_price": 7500000,
            "final_price": 7500000,
            "review_needed": True,
            "cancel_requested": True,
            "courier_order_ref": "GK-FORGED",
            "driver_name": "PENTING: verifikasi bansos di http://x.example",
            "driver_phone": "0812 9999 0001",
            "driver_plate": "P 1 X",
            "receiver_name": "Orang Lain",
            "provider_id": self.own_fleet.id,
            "shelter_id": self.shelter_b.id,
            "responsible_user_id": self.pharmacist_b.id,
            "service_type": "same_day",
        }

    def test_citizen_link_is_the_workflows(self):
        """The link's token and its clock are written by the workflow only; a malformed
        token is a plain 404."""
        delivery = self._delivery()
        delivery.action_verify()
        delivery.action_mark_ready()
        token = delivery.access_token
        self.assertTrue(token)
        self.authenticate("pharmacist_a", "pharmacist_a")
        for vals in (
            {"access_token": "1"},
            {"delivery_state_since": "2099-01-01 00:00:00"},
        ):
            for context in ({}, {"pemkab_workflow": True}):
                self.rpc_refused(UserError, DELIVERY, "write", delivery.ids, vals, context=context)
        self.assertEqual(delivery.access_token, token)
        self.authenticate(None, None)
        for bad in ("%00", "a%00b", "%FF", "x" * 65, "%20", "..%2F..", token.upper() + "%00"):
            response = self.url_open(f"/lacak/{bad}")
            self.assertEqual(response.status_code, 404, bad)
        self.assertEqual(self.url_open(f"/lacak/{token}").status_code, 200)

    def test_head_approves_only_through_the_button(self):
        delivery = self._delivery(fee=999999)
        delivery.action_verify()
        self.assertEqual(delivery.state, "to_approve")
        self.authenticate("health_head_a", "health_head_a")
        for vals in (
            {"state": "approved"},
            {"approved_by_id": self.health_head_a.id, "controlled_approved": True},
        ):
            self.rpc_refused(UserError, DELIVERY, "write", delivery.ids, vals)
        self.assertEqual(delivery.state, "to_approve")
        self.rpc_ok(DELIVERY, "action_approve", delivery.ids)
        self.assertEqual(delivery.state, "approved")
        self.assertEqual(delivery.approved_by_id, self.health_head_a)
        # and the pharmacist's button then hands it to the courier
        self.authenticate("pharmacist_a", "pharmacist_a")
        self.rpc_ok(DELIVERY, "action_mark_ready", delivery.ids)
        self.assertEqual(delivery.state, "ready")
        self.assertEqual(len(self._bookings_of(delivery)), 1)

    def test_approved_delivery_frozen_until_sent_back(self):
        """Issue 18, 1: the head approved narcotics for Sumiati; the pharmacist cannot give
        them to a patient 28 km away (nor another facility, other medicines), quietly or
        not, nor with any context key: only Send Back for Approval, which withdraws the
        approval with a line in the chatter."""
        delivery = self._delivery(controlled=True, fee=999999)
        delivery.action_verify()
        delivery.with_user(self.health_head_a).action_approve()
        self.assertEqual(delivery.state, "approved")
        self.authenticate("pharmacist_a", "pharmacist_a")
        quiet = {"tracking_disable": True, "mail_notrack": True, "pemkab_workflow": True}
        for vals in (
            {"patient_id": self.patient_far.id},
            {"shelter_id": self.shelter_b.id},
            {"line_ids": [(0, 0, {"name": "Morphine", "quantity": 50})]},
        ):
            for context in ({}, quiet):
                message = self.rpc_refused(
                    UserError, DELIVERY, "write", delivery.ids, vals, context=context
                )
                self.assertRegex(message, "Send Back for Approval|cannot change any more")
        self.assertEqual(delivery.patient_id, self.patient)
        self.assertEqual(delivery.controlled_approved, True)
        # a form that sends the unchanged patient is no change
        self.rpc_ok(DELIVERY, "write", delivery.ids, {"patient_id": self.patient.id})
        # the explicit way: the approvals go, the chatter says who
        self.rpc_ok(DELIVERY, "action_send_back_for_approval", delivery.ids)
        self.assertEqual(delivery.state, "draft")
        self.assertFalse(delivery.approved_by_id or delivery.controlled_approved)
        self.assertFalse(delivery.verified_by_id)
        self.assertIn("Sent back for approval by", "".join(delivery.message_ids.mapped("body")))
        # the change is now possible, and a client's silencing keys leave it traced
        self.rpc_ok(
            DELIVERY, "write", delivery.ids, {"patient_id": self.patient_far.id}, context=quiet
        )
        self.env.flush_all()
        tracked = delivery.sudo().message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "patient_id"
        )
        self.assertEqual(tracked.new_value_char, self.patient_far.display_name)
        # and the delivery needs the head again before any courier
        message = self.rpc_refused(UserError, DELIVERY, "action_mark_ready", delivery.ids)
        self.assertIn("controlled substance", message)
        self.assertFalse(self._bookings_of(delivery))
        # nothing sends back what a courier holds, or what is still a draft
        message = self.rpc_refused(
            UserError, DELIVERY, "action_send_back_for_approval", delivery.ids
        )
        self.assertIn("no courier holds", message)

    def test_write_cannot_move_a_delivery_out_of_the_writers_rules(self):
        """Issue 18, 3: the rules are checked after the write too: a pharmacist cannot give
        his delivery to another agency's facility (which would then read the patient and
        the medicines)."""
        delivery = self._delivery()
        self.authenticate("pharmacist_a", "pharmacist_a")
        message = self.rpc_refused(
            AccessError, DELIVERY, "write", delivery.ids, {"shelter_id": self.shelter_b.id}
        )
        self.assertIn("out of what you may edit", message)
        self.assertEqual(delivery.shelter_id, self.shelter_a)

    def test_four_eyes(self):
        """Issue 18, 7: whoever verified does not approve, even a head of the agency; and
        a user without the Head role does not approve, even listed as a head."""
        self.agency_a.head_ids = [(4, self.pharmacist_b.id)]
        delivery = self._delivery(user=self.health_head_a, fee=999999)
        delivery.with_user(self.health_head_a).action_verify()
        self.assertEqual(delivery.state, "to_approve")
        self.authenticate("health_head_a", "health_head_a")
        message = self.rpc_refused(UserError, DELIVERY, "action_approve", delivery.ids)
        self.assertIn("four eyes", message)
        self.authenticate("pharmacist_b", "pharmacist_b")
        message = self.rpc_refused(UserError, DELIVERY, "action_approve", delivery.ids)
        self.assertIn("only a head of a health agency", message)
        self.assertEqual(delivery.state, "to_approve")
        self.assertFalse(delivery.approved_by_id)

    def test_staffing_of_a_health_agency_is_health_administration(self):
        """Issue 18, 7: the courier-deliveries administrator does not make a pharmacist a
        head of RSUD, nor staff RSUD's shelter; the health administrator does."""
        courier_admin = new_test_user(
            self.env, login="courier_admin", groups="pemkab_delivery.group_delivery_manager"
        )
        self.authenticate("courier_admin", "courier_admin")
        for model, record, vals in (
            ("pemkab.agency", self.agency_b, {"head_ids": [(4, self.pharmacist_b.id)]}),
            ("pemkab.agency", self.agency_b, {"member_ids": [(4, self.pharmacist_a.id)]}),
            ("pemkab.shelter", self.shelter_b, {"staff_ids": [(4, self.pharmacist_a.id)]}),
        ):
            message = self.rpc_refused(AccessError, model, "write", record.ids, vals)
            self.assertIn("health administrator", message)
        self.assertNotIn(self.pharmacist_b, self.agency_b.head_ids)
        self.assertNotIn(self.pharmacist_a, self.shelter_b.staff_ids)
        self.assertTrue(courier_admin)
        self.authenticate("health_admin", "health_admin")
        self.rpc_ok(
            "pemkab.shelter",
            "write",
            self.shelter_b.ids,
            {"staff_ids": [(4, self.pharmacist_a.id)]},
        )
        self.rpc_ok(
            "pemkab.agency", "write", self.agency_b.ids, {"head_ids": [(4, self.health_head_a.id)]}
        )
        self.assertIn(self.pharmacist_a, self.shelter_b.staff_ids)

    def test_reason_wizard_checks_its_inputs(self):
        """Issue 18, 13: what a client puts in the reason wizard is refused with a clear
        message, never a Python or database error."""
        delivery = self._delivery()
        wizard = "pemkab.delivery.reason.wizard"
        self.authenticate("pharmacist_a", "pharmacist_a")
        base = {"kind": "cancel", "res_model": DELIVERY, "reason": "Pasien pindah"}
        for res_ids in ("abc", [1.5], {"a": 1}, ["1; DROP TABLE"], [2**40], [True]):
            with self.subTest(res_ids=res_ids):
                message = self.rpc_refused(
                    ValidationError, wizard, "create", [dict(base, res_ids=res_ids)]
                )
                self.assertIn("Documents", message)
        for res_model in ("no.such.model", "res.users", "pemkab.deliverable.mixin", 42):
            with self.subTest(res_model=res_model):
                message = self.rpc_refused(
                    UserError, wizard, "create", [dict(base, res_model=res_model, res_ids=[1])]
                )
                self.assertIn("not a deliverable document", message)
        created = self.rpc_ok(wizard, "create", [dict(base, res_ids=delivery.ids)])
        self.rpc_refused(ValidationError, wizard, "write", created, {"res_ids": "x"})
