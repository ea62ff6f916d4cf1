# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A Puskesmas' prescription deliveries by the own fleet: the pharmacist selects the
deliveries ready at the shelter on the dispatch board, gives them to one driver run,
marks them picked up and records who received each, over JSON-RPC as that user."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin

from .common import PemkabHealthCommon

DELIVERY = "pemkab.health.delivery"
RUN = "pemkab.fleet.run"


@tagged("post_install", "-at_install")
class TestHealthFleet(PemkabRpcMixin, PemkabHealthCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.trigger.provider_id = cls.own_fleet
        cls.driver = cls.env["pemkab.fleet.driver"].create(
            {"name": "Pak Darmo", "phone": "0812 3300 7001", "agency_id": cls.agency_a.id}
        )

    def _ready(self, count=2):
        deliveries = self.Delivery
        for _index in range(count):
            deliveries |= self._delivery()
        deliveries.action_verify()
        deliveries.action_mark_ready()
        self.assertEqual(set(deliveries.mapped("state")), {"ready"})
        return deliveries

    def test_dispatch_board_selection_to_one_run(self):
        first, second = deliveries = self._ready(2)
        self.authenticate("pharmacist_a", "pharmacist_a")
        action = self.rpc_ok(DELIVERY, "action_delivery_assign_driver_run", deliveries.ids)
        wizard = action["res_id"]
        self.rpc_ok("pemkab.fleet.assign.wizard", "write", [wizard], {"driver_id": self.driver.id})
        run = self.env[RUN].browse(
            self.rpc_ok("pemkab.fleet.assign.wizard", "action_confirm", [wizard])["res_id"]
        )
        self.assertEqual(run.shelter_id, self.shelter_a)
        self.assertEqual(run.booking_ids, deliveries.delivery_booking_id)
        self.assertEqual(set(deliveries.mapped("delivery_status")), {"driver_assigned"})

        self.rpc_ok(RUN, "action_mark_picked_up", [run.id])
        self.assertEqual(set(deliveries.mapped("state")), {"out_for_delivery"})
        wizard = self.rpc_ok(RUN, "action_open_proof_wizard", [run.id])["res_id"]
        lines = self.rpc_ok(
            "pemkab.fleet.proof.wizard.line",
            "search_read",
            [("wizard_id", "=", wizard)],
            ["booking_id", "receiver"],
        )
        self.assertEqual({line["receiver"] for line in lines}, {"Sumiati"})
        second_line = next(
            line for line in lines if line["booking_id"][0] == second.delivery_booking_id.id
        )
        self.rpc_ok(
            "pemkab.fleet.proof.wizard",
            "write",
            [wizard],
            {"line_ids": [(1, second_line["id"], {"receiver": "Rina Wulandari"})]},
        )
        self.rpc_ok("pemkab.fleet.proof.wizard", "action_confirm", [wizard])
        self.assertEqual(set(deliveries.mapped("state")), {"delivered"})
        # the one receiver field is matched to the patient and the registered proxy
        self.assertEqual(
            (first.receiver_type, first.receiver_partner_id), ("recipient", self.patient)
        )
        self.assertEqual((second.receiver_type, second.receiver_partner_id), ("proxy", self.proxy))
        self.assertEqual(run.state, "done")

    def test_other_facility_cannot_take_the_parcels(self):
        deliveries = self._ready(1)
        self.authenticate("pharmacist_b", "pharmacist_b")
        self.rpc_refused(AccessError, DELIVERY, "action_delivery_assign_driver_run", deliveries.ids)
        self.authenticate("pharmacist_a", "pharmacist_a")
        draft = self._delivery()
        message = self.rpc_refused(
            UserError, DELIVERY, "action_delivery_assign_driver_run", (deliveries | draft).ids
        )
        self.assertIn("no parcel waiting for a driver", message)
        self.assertIn(draft.display_name, message)
