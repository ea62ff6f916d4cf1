# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The dispatch board marks many parcels ready at once, as the pharmacist's own user
over JSON-RPC: one call for the selection, all of it or none with every reason."""

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin

from .common import PemkabHealthCommon

DELIVERY = "pemkab.health.delivery"


@tagged("post_install", "-at_install")
class TestDispatchBoard(PemkabRpcMixin, PemkabHealthCommon, HttpCase):
    def _bookings_of(self, deliveries):
        return self.Booking.search([("res_model", "=", DELIVERY), ("res_id", "in", deliveries.ids)])

    def test_mark_many_ready_at_once(self):
        approved = self._delivery() | self._delivery() | self._delivery()
        approved.with_user(self.pharmacist_a).action_verify()
        self.assertEqual(set(approved.mapped("state")), {"approved"})
        draft = self._delivery()
        uncounselled = self._delivery(counselled=False)
        uncounselled.with_user(self.pharmacist_a).action_verify()
        selection = approved | draft | uncounselled

        self.authenticate("pharmacist_a", "pharmacist_a")
        message = self.rpc_refused(UserError, DELIVERY, "action_mark_ready", selection.ids)
        self.assertIn("Nothing was changed: the 5 selected documents", message)
        self.assertIn(f"{draft.name} cannot go to the shelter from the state Draft", message)
        self.assertIn(f"{uncounselled.name}: the pharmacist must counsel the patient", message)
        for delivery in approved:
            self.assertNotIn(delivery.name, message, "the ones that may go are not blamed")
        self.assertEqual(set(approved.mapped("state")), {"approved"}, "nothing changed")
        self.assertFalse(self._bookings_of(selection))

        self.rpc_ok(DELIVERY, "action_mark_ready", approved.ids)
        self.assertEqual(set(approved.mapped("state")), {"ready"})
        bookings = self._bookings_of(approved)
        self.assertEqual(len(bookings), 3)
        self.assertEqual(set(bookings.mapped("state")), {"requested"})
        self.assertEqual(set(bookings.mapped("res_id")), set(approved.ids))

    def test_dispatch_board_list_has_the_button(self):
        action = self.env.ref("pemkab_health.pemkab_health_delivery_action_dispatch")
        list_view = action.view_ids.filtered(lambda v: v.view_mode == "list").view_id
        arch = self.Delivery.with_user(self.pharmacist_a).get_view(list_view.id, "list")["arch"]
        self.assertIn('name="action_mark_ready"', arch)
