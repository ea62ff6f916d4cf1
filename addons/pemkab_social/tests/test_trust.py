# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The shipment workflow holds against a social officer who does not press the buttons:
the officer's own user, over real JSON-RPC."""

from odoo.exceptions import UserError
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
