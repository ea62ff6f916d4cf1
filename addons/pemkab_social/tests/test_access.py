# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PemkabSocialCommon


@tagged("post_install", "-at_install")
class TestAccess(PemkabSocialCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bwi = cls._make_households(3)
        cls.gtg = cls._make_households(2, kecamatan=cls.kec_genteng, start=50)

    def test_officers_see_their_area(self):
        shipments = self._generate()
        Household = self.env["pemkab.social.household"]
        Shipment = self.env["pemkab.social.shipment"]
        self.assertEqual(Household.with_user(self.user_officer_bwi).search([]), self.bwi)
        self.assertEqual(Household.with_user(self.user_officer_gtg).search([]), self.gtg)
        self.assertEqual(
            Household.with_user(self.user_social_head).search([]) & (self.bwi | self.gtg),
            self.bwi | self.gtg,
        )
        self.assertEqual(
            Shipment.with_user(self.user_officer_bwi).search([]),
            shipments.filtered(lambda s: s.kecamatan_id == self.kec_banyuwangi),
        )
        # the officer finds the members of the area's households through the registry
        self.assertEqual(
            Household.with_user(self.user_officer_bwi).search([]).member_ids,
            self.bwi.member_ids,
        )
        with self.assertRaises(AccessError):
            self.gtg[0].with_user(self.user_officer_bwi).read(["name"])
        # the officer works on the shipments of the area
        bwi_shipments = shipments.filtered(lambda s: s.kecamatan_id == self.kec_banyuwangi)
        bwi_shipments.with_user(self.user_officer_bwi).action_submit()
        with self.assertRaises(AccessError):
            shipments.filtered(lambda s: s.kecamatan_id == self.kec_genteng).with_user(
                self.user_officer_bwi
            ).action_submit()

    def test_other_dinas_see_nothing(self):
        shipments = self._generate()
        user = self.user_dinkes
        with self.assertRaises(AccessError):
            self.env["pemkab.social.household"].with_user(user).search([])
        with self.assertRaises(AccessError):
            shipments.with_user(user).read(["recipient_name"])
        with self.assertRaises(AccessError):
            self.env["pemkab.social.period"].with_user(user).search([])
        # a member may also be another dinas' contact (a patient, say): that dinas
        # does not learn that the person receives aid
        members = (self.bwi | self.gtg).member_ids
        with self.assertRaises(AccessError):
            members.with_user(user).read(["pemkab_social_household_id"])
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(user).search(
                [("pemkab_social_household_id", "!=", False)]
            )

    def test_roles_on_configuration_and_approval(self):
        with self.assertRaises(AccessError):
            self.env["pemkab.social.program"].with_user(self.user_officer_bwi).create(
                {"name": "X", "code": "X"}
            )
        with self.assertRaises(AccessError):
            self.env["pemkab.social.generate.wizard"].with_user(self.user_officer_bwi).create(
                {"period_id": self.period.id}
            )
        shipments = self._generate(user=self.user_social_head)
        self.assertEqual(len(shipments), 5)
        self.period.action_submit_all()
        with self.assertRaisesRegex(UserError, "Only the head"):
            self.period.with_user(self.user_officer_bwi).action_approve()
        self.period.with_user(self.user_social_head).action_approve()
        self.assertEqual(self.period.state, "approved")
        # packing as an officer books the courier (sudo inside) for the officer's area
        bwi = shipments.filtered(lambda s: s.kecamatan_id == self.kec_banyuwangi)
        bwi.with_user(self.user_officer_bwi).action_pack()
        self.assertEqual(len(self._bookings(bwi)), 3)
        self.assertEqual(
            len(
                self.Booking.with_user(self.user_officer_bwi).search(
                    [("res_model", "=", "pemkab.social.shipment")]
                )
            ),
            3,
        )
        self.assertFalse(
            self.Booking.with_user(self.user_dinkes).search(
                [("res_model", "=", "pemkab.social.shipment")]
            )
        )
