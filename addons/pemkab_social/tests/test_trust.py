# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The shipment workflow holds against a social officer who does not press the buttons:
the officer's own user, over real JSON-RPC."""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin

from .common import PemkabSocialCommon

SHIPMENT = "pemkab.social.shipment"
PERIOD = "pemkab.social.period"


@tagged("post_install", "-at_install")
class TestSocialWorkflowTrust(PemkabRpcMixin, PemkabSocialCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.households = cls._make_households(2)

    def test_officer_cannot_write_a_shipment_approved(self):
        self._generate()
        shipments = self.period.shipment_ids
        self.assertEqual(len(shipments), 2)
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        for vals in (
            {"state": "approved"},
            {"state": "packed"},
            {"approved_by_id": self.user_officer_bwi.id},
        ):
            message = self.rpc_refused(UserError, SHIPMENT, "write", shipments.ids, vals)
            self.assertIn("buttons", message)
        self.assertEqual(set(shipments.mapped("state")), {"draft"})
        # packing needs the head's approval, and the period's
        message = self.rpc_refused(UserError, SHIPMENT, "action_pack", shipments.ids)
        self.assertIn("not approved", message)
        self.assertFalse(self._bookings(shipments))
        # the period neither: officers only read it, and its state is the workflow's
        for login in ("social_officer_bwi", "social_head"):
            self.authenticate(login, login)
            self.rpc_refused(UserError, PERIOD, "write", self.period.ids, {"state": "approved"})
        self.assertEqual(self.period.state, "draft")

    def test_pack_rechecks_the_approvals(self):
        """A shipment put "approved" behind the workflow's back (e.g. an import) in a
        period never approved does not go out."""
        self._generate()
        shipment = self.period.shipment_ids[0]
        shipment.write({"state": "approved"})  # superuser, as a data import would
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        message = self.rpc_refused(UserError, SHIPMENT, "action_pack", shipment.ids)
        self.assertIn(self.period.display_name, message)
        self.assertIn("never approved by the head", message)
        self.assertEqual(shipment.state, "approved")
        self.assertFalse(self._bookings(shipment))

    def test_buttons_still_work(self):
        self._generate()
        shipments = self.period.shipment_ids
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        self.rpc_ok(PERIOD, "action_submit_all", self.period.ids)
        self.authenticate("social_head", "social_head")
        self.rpc_ok(PERIOD, "action_approve", self.period.ids)
        self.assertEqual(set(shipments.mapped("state")), {"approved"})
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        self.rpc_ok(SHIPMENT, "action_pack", shipments.ids)
        self.assertEqual(set(shipments.mapped("state")), {"packed"})
        self.assertEqual(len(self._bookings(shipments)), 2)

    def test_pack_many_at_once(self):
        """The dispatch board's selection is packed in one call, or refused as a whole
        naming each shipment that cannot go and why."""
        households = self._make_households(3, start=100)
        self._generate()
        shipments = self.period.shipment_ids
        self.assertEqual(len(shipments), 5)
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        self.rpc_ok(PERIOD, "action_submit_all", self.period.ids)
        self.authenticate("social_head", "social_head")
        self.rpc_ok(PERIOD, "action_approve", self.period.ids)
        cancelled = shipments.filtered(lambda s: s.household_id == households[0])
        cancelled.action_cancel("Moved away")
        packed = shipments.filtered(lambda s: s.household_id == households[1])
        packed.action_pack()
        rest = shipments - cancelled - packed

        self.authenticate("social_officer_bwi", "social_officer_bwi")
        message = self.rpc_refused(UserError, SHIPMENT, "action_pack", shipments.ids)
        self.assertIn("Nothing was changed: the 5 selected documents", message)
        refused = "%s cannot go to the shelter from the state %s"
        self.assertIn(refused % (cancelled.name, "Cancelled"), message)
        self.assertIn(refused % (packed.name, "Packed"), message)
        self.assertEqual(set(rest.mapped("state")), {"approved"})
        self.assertFalse(self._bookings(rest))

        self.rpc_ok(SHIPMENT, "action_pack", rest.ids)
        self.assertEqual(set(rest.mapped("state")), {"packed"})
        self.assertEqual(len(self._bookings(rest)), 3)

    def test_approved_shipment_frozen_whatever_the_context(self):
        """Issue 18, 4: no context key a client sends unfreezes an approved shipment; Send
        Back for Approval does, withdrawing the approval with a line in the chatter."""
        shipments = self._generate()
        self.period.action_submit_all()
        self.period.with_user(self.user_social_head).action_approve()
        shipment = shipments[0]
        self.assertEqual(shipment.state, "approved")
        before = (shipment.recipient_name, shipment.street, shipment.decile)
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        vals = {"recipient_name": "Orang Lain", "street": "Jl. Lain 1", "decile": 1}
        for context in (
            {},
            {"pemkab_social_allow_snapshot": True, "tracking_disable": True},
            {"pemkab_workflow": True},
        ):
            message = self.rpc_refused(
                UserError, SHIPMENT, "write", shipment.ids, vals, context=context
            )
            self.assertIn("Send Back for Approval", message)
        self.assertEqual((shipment.recipient_name, shipment.street, shipment.decile), before)
        self.rpc_ok(SHIPMENT, "action_send_back_for_approval", shipment.ids)
        self.assertEqual(shipment.state, "submitted")
        self.assertFalse(shipment.approved_by_id)
        self.assertIn("Sent back for approval by", "".join(shipment.message_ids.mapped("body")))
        self.rpc_ok(SHIPMENT, "write", shipment.ids, {"street": "Jl. Lain 1"})
        message = self.rpc_refused(UserError, SHIPMENT, "action_pack", shipment.ids)
        self.assertIn(shipment.name, message)
        # the head approves it again, and it is frozen again
        self.authenticate("social_head", "social_head")
        self.rpc_ok(SHIPMENT, "action_approve", shipment.ids)
        self.assertEqual(shipment.approved_by_id, self.user_social_head)
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        self.rpc_refused(UserError, SHIPMENT, "write", shipment.ids, {"street": "Jl. Lagi 2"})

    def test_write_cannot_move_a_household_out_of_the_writers_rules(self):
        """Issue 18, 3: an officer cannot move a household of his kecamatan into another
        one (where he could no longer see it, and its officer would)."""
        household = self.households[0]
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        message = self.rpc_refused(
            AccessError,
            "pemkab.social.household",
            "write",
            household.ids,
            {"kecamatan_id": self.kec_genteng.id, "desa_id": False},
        )
        self.assertIn("out of what you may edit", message)
        self.assertEqual(household.kecamatan_id, self.kec_banyuwangi)

    def test_errors_name_no_household_the_officer_may_not_read(self):
        """Issue 18, 8: a shipment asked for households of another kecamatan answers that
        they cannot be used, not "Keluarga <name> already has shipment ..."."""
        elsewhere = self._make_households(2, kecamatan=self.kec_genteng, start=50)
        self._generate()
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        for household in elsewhere:
            message = self.rpc_refused(
                AccessError,
                SHIPMENT,
                "create",
                [
                    {
                        "period_id": self.period.id,
                        "household_id": household.id,
                        "recipient_name": "X",
                    }
                ],
            )
            self.assertNotIn(household.name, message)
            self.assertNotIn("already has", message)
        # his own kecamatan's duplicates are still named
        message = self.rpc_refused(
            ValidationError,
            SHIPMENT,
            "create",
            [
                {
                    "period_id": self.period.id,
                    "household_id": self.households[0].id,
                    "recipient_name": "X",
                }
            ],
        )
        self.assertIn(self.households[0].name, message)

    def test_reason_wizard_refuses_a_reason_the_document_cannot_take(self):
        """Issue 18, 13: "reject" on shipments (which have no rejection) is a clear
        UserError, not an AttributeError."""
        self._generate()
        wizard = "pemkab.delivery.reason.wizard"
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        created = self.rpc_ok(
            wizard,
            "create",
            [
                {
                    "kind": "cancel",
                    "res_model": SHIPMENT,
                    "res_ids": self.period.shipment_ids.ids,
                    "reason": "Salah data",
                }
            ],
        )
        self.rpc_ok(wizard, "write", created, {"kind": "reject"})
        message = self.rpc_refused(UserError, wizard, "action_confirm", created)
        self.assertIn("cannot be given this reason", message)
