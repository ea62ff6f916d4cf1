# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The social aid screens in a real headless Chromium (Odoo tours,
``static/tests/tours/pemkab_social_tours.js``): the head approves a period, an officer
packs a shipment at the dispatch board; each saves its screenshots
(``PEMKAB_SCREENSHOTS_DIR``)."""

from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.tour import PemkabTourMixin

from .common import PemkabSocialCommon

HEADS = ("Siti Rahayu", "Suparman", "Nur Hasanah", "Agus Salim", "Wahyu Hidayat")


@tagged("post_install", "-at_install")
class TestSocialTours(PemkabTourMixin, PemkabSocialCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # names a reader of the screenshots recognises
        cls.env.company.name = "Pemerintah Kabupaten Banyuwangi"
        cls.user_social_head.name = "Drs. Henik Setyorini"
        cls.user_officer_bwi.name = "Rudi Hartono"
        cls.warehouse.write({"name": "Gudang Dinas Sosial", "code": "GDG-DINSOS"})
        cls.program.name = "Sembako"
        cls.package.name = "Paket Sembako 10 kg"
        cls.period.write({"name": "Sembako Desember 2026", "code": "SMB-2026-12"})
        cls.households = cls._make_households(len(HEADS), desa=cls.kel_sobo)
        for number, (household, head) in enumerate(zip(cls.households, HEADS, strict=True)):
            household.member_ids.name = head
            household.write(
                {
                    "name": f"Keluarga {head}",
                    "head_id": household.member_ids.id,
                    "street": f"Jl. Kepiting No. {number * 4 + 3}",
                }
            )

    def _submitted(self):
        shipments = self._generate()
        self.period.action_submit_all()
        self.assertEqual(set(shipments.mapped("state")), {"submitted"})
        return shipments

    def test_head_approves_a_period(self):
        shipments = self._submitted()
        self.start_tour(
            f"/odoo/action-pemkab_social.pemkab_social_period_action/{self.period.id}",
            "pemkab_social_head",
            login="social_head",
        )
        self.env.invalidate_all()
        self.assertEqual(self.period.state, "approved")
        self.assertEqual(self.period.approved_by_id, self.user_social_head)
        self.assertEqual(set(shipments.mapped("state")), {"approved"})
        self.assertEqual(shipments.approved_by_id, self.user_social_head)

    def test_officer_packs_a_shipment_at_the_dispatch_board(self):
        shipments = self._submitted()
        self.period.with_user(self.user_social_head).action_approve()
        earlier = shipments.filtered(lambda s: s.household_id == self.households[-1])
        earlier.with_user(self.user_officer_bwi).action_pack()
        self.start_tour("/odoo", "pemkab_social_officer", login="social_officer_bwi")
        self.env.invalidate_all()
        packed = shipments.filtered(lambda s: s.household_id == self.households[0])
        self.assertEqual(packed.recipient_name, "Siti Rahayu")
        self.assertEqual(packed.state, "packed")
        self.assertEqual(self._bookings(packed).state, "requested", "the courier asked")
        self.assertEqual(set((shipments - packed - earlier).mapped("state")), {"approved"})
