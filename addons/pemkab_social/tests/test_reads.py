# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Opening the aid shipments' list, kanban and dispatch board costs the same SQL queries
for 80 shipments as for 2,000: no query per shipment.

Two reads each: the page the web client opens (its first 80 records) among 80 and among
2,000 shipments; and every record at once, 80 and 1,000 (the ORM computes and fetches
1,000 records at a time: a query per shipment would show as 920 more)."""

from odoo.tests import tagged

from odoo.addons.pemkab_delivery.tests.common import view_read_queries

from .common import PemkabSocialCommon


@tagged("post_install", "-at_install")
class TestShipmentReadsDoNotGrow(PemkabSocialCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._make_households(2000, desa=cls.kel_sobo)
        wizard = (
            cls.env["pemkab.social.generate.wizard"]
            .with_context(default_period_id=cls.period.id)
            .create({})
        )
        cls.large = wizard._generate()
        cls.period.action_submit_all()
        cls.period.with_user(cls.user_social_head).action_approve()
        # approved, and packed with their courier booking requested, in turn
        cls.large.filtered(lambda s: s.id % 2).action_pack()
        cls.small = cls.large[:80]
        cls.window = cls.large[:1000]

    def _queries(self, shipments, view_type, view_id=False, limit=None):
        Shipment = self.Shipment.with_user(self.user_officer_bwi)
        return view_read_queries(
            Shipment,
            [("id", "in", shipments.ids)],
            view_type,
            view_id,
            count=len(shipments),
            limit=limit,
        )

    def _assert_reads_do_not_grow(self, view_type):
        self.assertEqual(len(self.large), 2000)
        self.assertEqual(
            self._queries(self.large, view_type, limit=80),
            self._queries(self.small, view_type, limit=80),
            "the page the web client opens",
        )
        self.assertEqual(
            self._queries(self.window, view_type),
            self._queries(self.small, view_type),
            "every record at once",
        )

    def test_list(self):
        self._assert_reads_do_not_grow("list")

    def test_kanban(self):
        self._assert_reads_do_not_grow("kanban")
