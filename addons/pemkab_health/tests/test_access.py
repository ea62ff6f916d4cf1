# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PemkabHealthCommon


@tagged("post_install", "-at_install")
class TestHealthAccess(PemkabHealthCommon):
    """Each role tried as that role's user (UU PDP: health data is specific personal data)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule.create({"name": "Fee above 1", "min_fee": 1})
        cls.delivery_a = cls.Delivery.with_user(cls.pharmacist_a).create(
            {
                "shelter_id": cls.shelter_a.id,
                "patient_id": cls.patient.id,
                "prescription_number": "A-1",
                "counselled": True,
                "line_ids": [(0, 0, {"name": "Metformin", "quantity": 10})],
            }
        )
        cls.delivery_b = cls.Delivery.with_user(cls.pharmacist_b).create(
            {
                "shelter_id": cls.shelter_b.id,
                "patient_id": cls.patient_far.id,
                "prescription_number": "B-1",
                "line_ids": [(0, 0, {"name": "Captopril", "quantity": 10})],
            }
        )
        cls.delivery_a.action_verify()
        cls.delivery_b.action_verify()

    def _visible(self, user):
        Delivery = self.Delivery.with_user(user)
        return Delivery.search([("id", "in", (self.delivery_a | self.delivery_b).ids)])

    def test_pharmacist_sees_own_facility_only(self):
        self.assertEqual(self._visible(self.pharmacist_a), self.delivery_a)
        self.assertEqual(self._visible(self.pharmacist_b), self.delivery_b)
        with self.assertRaises(AccessError):
            self.delivery_b.with_user(self.pharmacist_a).line_ids.mapped("name")
        lines = self.env["pemkab.health.delivery.line"].with_user(self.pharmacist_a).search([])
        self.assertEqual(lines.delivery_id, self.delivery_a)
        with self.assertRaises(AccessError):
            self.Delivery.with_user(self.pharmacist_a).create(
                {
                    "shelter_id": self.shelter_b.id,
                    "patient_id": self.patient.id,
                    "prescription_number": "A-2",
                }
            )

    def test_pharmacist_cannot_approve(self):
        with self.assertRaisesRegex(UserError, "only a head of"):
            self.delivery_a.with_user(self.pharmacist_a).action_approve()
        self.assertEqual(self.delivery_a.state, "to_approve")

    def test_head_sees_and_approves_own_agency_only(self):
        self.assertEqual(self._visible(self.health_head_a), self.delivery_a)
        self.assertEqual(self._visible(self.health_head_b), self.delivery_b)
        with self.assertRaises(AccessError):
            self.delivery_b.with_user(self.health_head_a).action_approve()
        # a head who somehow gets the record still cannot approve another agency's
        with self.assertRaisesRegex(UserError, "only a head of Agency B"):
            self.delivery_b.with_user(self.health_head_a).sudo()._check_can_approve()
        self.delivery_a.with_user(self.health_head_a).action_approve()
        self.assertEqual(self.delivery_a.state, "approved")

    def test_delivery_head_without_health_role_cannot_approve(self):
        """The agency's courier head (no health role) sees no medicine and decides nothing."""
        self.agency_a.head_ids = [(4, self.user_head_a.id)]
        with self.assertRaises(AccessError):
            self.Delivery.with_user(self.user_head_a).search([])
        with self.assertRaises(AccessError):
            self.env["pemkab.health.delivery.line"].with_user(self.user_head_a).search([])

    def test_other_dinas_see_nothing(self):
        for user in (self.user_officer_b, self.user_internal, self.user_officer_a):
            with self.assertRaises(AccessError):
                self.Delivery.with_user(user).search([])
            with self.assertRaises(AccessError):
                self.delivery_a.with_user(user).read(["prescription_number"])
            with self.assertRaises(AccessError):
                self.env["pemkab.health.delivery.line"].with_user(user).search([])

    def test_courier_officer_sees_booking_not_medicine(self):
        """The agency's courier officer follows the booking, which names no medicine."""
        self.delivery_a.with_user(self.health_head_a).action_approve()
        self.delivery_a.with_user(self.pharmacist_a).action_mark_ready()
        booking = (
            self.env["pemkab.delivery.booking"]
            .with_user(self.user_officer_a)
            .search(
                [("res_model", "=", "pemkab.health.delivery"), ("res_id", "=", self.delivery_a.id)]
            )
        )
        self.assertEqual(len(booking), 1)
        self.assertEqual(booking.package_code, self.delivery_a.name)
        self.assertNotIn("Metformin", booking.package_description)
        self.assertFalse(
            self.env["pemkab.delivery.booking"]
            .with_user(self.user_officer_b)
            .search([("id", "=", booking.id)])
        )

    def test_administrator_sees_all_and_sets_rules(self):
        self.assertEqual(self._visible(self.health_admin), self.delivery_a | self.delivery_b)
        rule = self.Rule.with_user(self.health_admin).create({"name": "Far", "min_distance_km": 5})
        self.assertTrue(rule)
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.pharmacist_a).create({"name": "Mine", "min_fee": 1})
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.health_head_a).create({"name": "Mine", "min_fee": 1})

    def test_pharmacist_registers_patient(self):
        patient = (
            self.env["res.partner"]
            .with_user(self.pharmacist_a)
            .create(
                {
                    "name": "Bambang",
                    "is_patient": True,
                    "nik": "3510162002850005",
                    "bpjs_number": "0009876543210",
                    "patient_mobile": "0857 3300 3001",
                }
            )
        )
        self.assertEqual(patient.patient_mobile, "+6285733003001")
