# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Opening the prescription deliveries' list, kanban and dispatch board costs the same
SQL queries for 80 deliveries as for 2,000: no query per delivery.

Two reads each: the page the web client opens (its first 80 records) among 80 and among
2,000 deliveries; and every record at once, 80 and 1,000 (the ORM computes and fetches
1,000 records at a time: a query per delivery would show as 920 more)."""

from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.pemkab_delivery.tests.common import view_read_queries

from .common import PemkabHealthCommon

BOARD = "pemkab_health.pemkab_health_delivery_view_kanban_dispatch"


@tagged("post_install", "-at_install")
class TestDeliveryReadsDoNotGrow(PemkabHealthCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.large = cls._deliveries(2000)
        cls.small = cls.large[:80]
        cls.window = cls.large[:1000]

    @classmethod
    def _deliveries(cls, count):
        """``count`` deliveries of pharmacist A's facility, drafts, approved and at the
        shelter with their courier booking requested, in turn."""
        deliveries = cls.Delivery.with_context(tracking_disable=True).create(
            [
                {
                    "shelter_id": cls.shelter_a.id,
                    "patient_id": (cls.patient if index % 2 else cls.patient_far).id,
                    "pharmacist_id": cls.pharmacist_a.id,
                    "prescription_number": f"RX-READ-{index:05d}",
                    "prescriber_name": "dr. Hadi",
                    "counselled": True,
                    "line_ids": [
                        Command.create({"name": "Metformin", "strength": "500 mg", "quantity": 60})
                    ],
                }
                for index in range(count)
            ]
        )
        verified = deliveries.filtered(lambda d: d.id % 3)
        verified.action_verify()
        verified.filtered(lambda d: d.id % 3 == 2).action_mark_ready()
        return deliveries

    def _queries(self, deliveries, view_type, view_xmlid=None, limit=None):
        Delivery = self.Delivery.with_user(self.pharmacist_a)
        view_id = self.env.ref(view_xmlid).id if view_xmlid else False
        return view_read_queries(
            Delivery,
            [("id", "in", deliveries.ids)],
            view_type,
            view_id,
            count=len(deliveries),
            limit=limit,
        )

    def _assert_reads_do_not_grow(self, view_type, view_xmlid=None):
        self.assertEqual(len(self.large), 2000)
        self.assertEqual(
            self._queries(self.large, view_type, view_xmlid, limit=80),
            self._queries(self.small, view_type, view_xmlid, limit=80),
            "the page the web client opens",
        )
        self.assertEqual(
            self._queries(self.window, view_type, view_xmlid),
            self._queries(self.small, view_type, view_xmlid),
            "every record at once",
        )

    def test_list(self):
        self._assert_reads_do_not_grow("list")

    def test_kanban(self):
        self._assert_reads_do_not_grow("kanban")

    def test_dispatch_board(self):
        self._assert_reads_do_not_grow("kanban", BOARD)
