# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import PemkabHealthCommon


@tagged("post_install", "-at_install")
class TestPatient(PemkabHealthCommon):
    def test_patient_identifiers_normalised(self):
        self.assertEqual(self.patient.nik, "3510165708450001")
        self.assertEqual(self.patient.bpjs_number, "0001234567890")
        self.assertEqual(self.patient.patient_mobile, "+6281233001001")
        self.assertIn(self.proxy, self.patient.patient_proxy_ids)

    def test_invalid_nik_says_why(self):
        Partner = self.env["res.partner"].with_user(self.pharmacist_a)
        with self.assertRaisesRegex(ValidationError, "NIK .*16 digits"):
            Partner.create({"name": "X", "is_patient": True, "nik": "35101657084500"})
        with self.assertRaisesRegex(ValidationError, "NIK .*digits only"):
            Partner.create({"name": "X", "is_patient": True, "nik": "35101657084500AB"})

    def test_invalid_bpjs_says_why(self):
        Partner = self.env["res.partner"].with_user(self.pharmacist_a)
        with self.assertRaisesRegex(ValidationError, "BPJS card number .*13 digits, not 12"):
            Partner.create({"name": "X", "bpjs_number": "000123456789"})
        with self.assertRaisesRegex(ValidationError, "BPJS card number .*digits only"):
            Partner.create({"name": "X", "bpjs_number": "00012345678AB"})

    def test_invalid_mobile_says_why(self):
        with self.assertRaisesRegex(ValidationError, "Mobile: .*not a mobile number"):
            self.patient.write({"patient_mobile": "0333 421118"})
        with self.assertRaisesRegex(ValidationError, "Mobile: .*not an Indonesian number"):
            self.patient.write({"patient_mobile": "+44 20 7946 0958"})

    def test_proxy_is_not_the_patient(self):
        with self.assertRaisesRegex(ValidationError, "own proxy"):
            self.patient.write({"patient_proxy_ids": [(4, self.patient.id)]})

    def test_health_identifiers_hidden_from_other_dinas(self):
        """A delivery officer of another dinas reads the contact, not its BPJS number."""
        patient = self.patient.with_user(self.user_officer_b)
        self.assertEqual(patient.name, "Sumiati")
        with self.assertRaises(AccessError):
            patient.read(["bpjs_number"])
        with self.assertRaises(AccessError):
            patient.read(["health_poor"])
        self.assertEqual(self.patient.with_user(self.pharmacist_a).bpjs_number, "0001234567890")
