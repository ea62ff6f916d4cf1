# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import PemkabHealthCommon


@tagged("post_install", "-at_install")
class TestApprovalRules(PemkabHealthCommon):
    def _verified(self, **kwargs):
        delivery = self._delivery(**kwargs)
        delivery.action_verify()
        return delivery

    def test_no_rule_passes_straight_through(self):
        delivery = self._verified()
        self.assertEqual(delivery.state, "approved")
        self.assertFalse(delivery.approval_required)
        self.assertEqual(delivery.verified_by_id, self.pharmacist_a)
        self.assertEqual(delivery.fee_payer, "subsidy", "BPJS patient: the regency pays")

    def test_fee_rule(self):
        self.Rule.create({"name": "Fee above 20000", "min_fee": 20000})
        cheap = self._verified(fee=15000)
        dear = self._verified(fee=25000)
        self.assertEqual(cheap.state, "approved")
        self.assertEqual(dear.state, "to_approve")
        self.assertIn("Fee above 20000", dear.approval_reason)

    def test_distance_rule(self):
        self.Rule.create({"name": "Far", "min_distance_km": 10})
        near = self._verified()
        far = self._verified(patient=self.patient_far)
        self.assertLess(near.distance_km, 10)
        self.assertGreater(far.distance_km, 10)
        self.assertEqual(near.state, "approved")
        self.assertEqual(far.state, "to_approve")
        self.assertEqual(far.fee_payer, "patient", "no BPJS, not poor: the patient pays")
        self.assertGreater(far.fee, near.fee, "the fee grows with the distance")

    def test_rule_conditions_all_must_hold(self):
        self.Rule.create({"name": "Far and dear", "min_distance_km": 10, "min_fee": 1000000})
        self.assertEqual(self._verified(patient=self.patient_far).state, "approved")

    def test_rule_for_other_agency_and_archived_rule_ignored(self):
        self.Rule.create({"name": "B only", "min_fee": 1, "agency_ids": [(4, self.agency_b.id)]})
        self.Rule.create({"name": "Archived", "min_fee": 1, "active": False})
        self.assertEqual(self._verified().state, "approved")
        other = self._verified(user=self.pharmacist_b, shelter=self.shelter_b)
        self.assertEqual(other.state, "to_approve")
        self.assertEqual(other.approval_reason, "B only")

    def test_controlled_rule(self):
        self.Rule.create({"name": "Controlled", "controlled_substance": True})
        self.assertEqual(self._verified().state, "approved")
        self.assertEqual(self._verified(controlled=True).state, "to_approve")

    def test_controlled_needs_approval_without_any_rule(self):
        delivery = self._verified(controlled=True)
        self.assertEqual(delivery.state, "to_approve")
        self.assertIn("controlled substance", delivery.approval_reason)

    def test_rule_needs_a_condition(self):
        with self.assertRaisesRegex(ValidationError, "at least one condition"):
            self.Rule.create({"name": "Empty"})
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.Rule.create({"name": "Negative", "min_fee": -5})
