# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import PemkabSocialCommon, make_nik


@tagged("post_install", "-at_install")
class TestRegistry(PemkabSocialCommon):
    def test_member_nik_validated_and_unique(self):
        household = self._make_households(1)
        Partner = self.env["res.partner"]
        with self.assertRaisesRegex(ValidationError, "NIK .*not valid"):
            Partner.create(
                {"name": "Salah", "nik": "12345", "pemkab_social_household_id": household.id}
            )
        existing = household.member_ids
        with self.assertRaisesRegex(ValidationError, "already registered for Kepala 0"):
            Partner.create(
                {"name": "Dobel", "nik": existing.nik, "pemkab_social_household_id": household.id}
            )

    def test_import_reports_rows(self):
        household = self._make_households(1)
        fields_ = ["name", "nik", "pemkab_social_household_id/.id", "pemkab_social_relation"]
        good = make_nik("16", 9101, day=5, month=5, year=90, female=True)
        rows = [
            ["Anak Baik", good, str(household.id), "child"],
            ["NIK Rusak", "3510160000000000", str(household.id), "child"],
        ]
        result = self.env["res.partner"].load(fields_, rows)
        self.assertFalse(result["ids"], "an import with errors creates nothing")
        self.assertTrue(any("NIK" in m["message"] for m in result["messages"]))
        result = self.env["res.partner"].load(fields_, rows[:1])
        self.assertEqual(len(result["ids"]), 1, result["messages"])
        result = self.env["res.partner"].load(
            fields_, [["Dobel", good, str(household.id), "child"]]
        )
        self.assertFalse(result["ids"])
        self.assertIn("Anak Baik", " ".join(m["message"] for m in result["messages"]))

    def test_flags_priority_kk_history(self):
        household = self._make_households(1, decile=3)
        self.assertEqual(household.priority, 8)
        household.member_ids.pemkab_social_elderly = True
        self.assertTrue(household.has_elderly)
        self.assertEqual(household.priority, 18)
        household.kk_number = "3510160101200099"
        household.kk_number = "3510160101200100"
        self.assertEqual(
            set(household.kk_history_ids.mapped("kk_number")),
            {"3510160101200100", "3510160101200099"},
        )
        self.assertEqual(household.kk_number, "3510160101200100")
        with self.assertRaisesRegex(ValidationError, "No. KK"):
            household.kk_number = "12"
        with self.assertRaisesRegex(ValidationError, "Welfare Decile"):
            household.decile = 11

    def test_head_and_dtsen(self):
        first, second = self._make_households(2)
        first.head_id = first.member_ids
        with self.assertRaisesRegex(ValidationError, "must be one of its members"):
            first.head_id = second.member_ids
        with self.assertRaisesRegex(ValidationError, "already registered for household"):
            second.dtsen_id = first.dtsen_id
        with self.assertRaisesRegex(ValidationError, "phone"):
            first.phone = "0333 12"

    def test_search_by_nik(self):
        households = self._make_households(3)
        nik = households[1].member_ids.nik
        found = self.Household.search([("member_ids.nik", "=", nik)])
        self.assertEqual(found, households[1])
