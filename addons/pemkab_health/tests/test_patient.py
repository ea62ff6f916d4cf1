# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin

from ..models.res_partner import nik_birth_year
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


@tagged("post_install", "-at_install")
class TestPatientForm(PemkabRpcMixin, PemkabHealthCommon, HttpCase):
    """The pharmacist's patient form and the patient field of a delivery, as the
    pharmacist's browser calls them (JSON-RPC)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.genteng_wetan = cls.env.ref("pemkab_delivery.area_35_10_09_2002")
        Partner = cls.env["res.partner"]
        cls.siti_sobo = Partner.create(
            {
                "name": "Siti Aminah",
                "is_patient": True,
                "nik": "3510164506750001",  # born 5 June 1975
                "medical_record_number": "RM-00417",
                "patient_mobile": "0812 3300 4417",
                "kecamatan_id": cls.kec_banyuwangi.id,
                "desa_id": cls.kel_sobo.id,
            }
        )
        cls.siti_genteng = Partner.create(
            {
                "name": "Siti Aminah",
                "is_patient": True,
                "nik": "3510094101020002",  # born 1 January 2002
                "medical_record_number": "RM-00988",
                "patient_mobile": "0857 3300 4988",
                "kecamatan_id": cls.kec_genteng.id,
                "desa_id": cls.genteng_wetan.id,
            }
        )
        cls.context = {"pemkab_patient_display": True, "default_is_patient": True}

    def _choose(self, text, patients_only=True):
        """What the delivery's patient field proposes for ``text``: {id: name} (other
        dinas cannot filter on ``is_patient``, a health field)."""
        found = self.rpc_ok(
            "res.partner",
            "name_search",
            name=text,
            domain=[("is_patient", "=", True)] if patients_only else [],
            context=self.context,
        )
        return dict(found)

    def test_birth_year_from_nik(self):
        self.assertEqual(nik_birth_year("3510164506750001", date(2026, 1, 1)), 1975)
        self.assertEqual(nik_birth_year("3510094101020002", date(2026, 1, 1)), 2002)
        self.assertEqual(nik_birth_year("3510094101300002", date(2026, 1, 1)), 1930)
        self.assertEqual(nik_birth_year("", date(2026, 1, 1)), 0)

    def test_namesakes_differ_by_desa_and_birth_year(self):
        self.authenticate("pharmacist_a", "pharmacist_a")
        found = self._choose("Siti Aminah")
        self.assertEqual(
            {found[self.siti_sobo.id], found[self.siti_genteng.id]},
            {
                f"Siti Aminah · {self.kel_sobo.name} · 1975",
                f"Siti Aminah · {self.genteng_wetan.name} · 2002",
            },
        )

    def test_find_patient_by_nik_rm_or_mobile(self):
        self.authenticate("pharmacist_a", "pharmacist_a")
        for text in ("3510 1645 0675 0001", "rm-00417", "0812-3300-4417", "62812 3300 4417"):
            with self.subTest(text=text):
                self.assertEqual(list(self._choose(text)), [self.siti_sobo.id])
        self.assertEqual(list(self._choose("085733004988")), [self.siti_genteng.id])

    def test_other_dinas_find_by_name_only(self):
        """An officer of another dinas neither finds a patient by NIK, No. RM or mobile,
        nor reads the desa and year of birth in the name, whatever the context says."""
        self.authenticate("officer_b", "officer_b")
        self.assertEqual(self._choose("RM-00417", patients_only=False), {})
        self.assertEqual(self._choose("3510164506750001", patients_only=False), {})
        found = self._choose("Siti Aminah", patients_only=False)
        self.assertEqual(found.get(self.siti_sobo.id), "Siti Aminah")
        answer = self.rpc("res.partner", "read", [self.siti_sobo.id], ["medical_record_number"])
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError")

    def test_patient_form_has_what_a_pharmacy_needs(self):
        self.authenticate("pharmacist_a", "pharmacist_a")
        form = self.env.ref("pemkab_health.res_partner_view_form_patient")
        views = self.rpc_ok("res.partner", "get_views", [[form.id, "form"]], context=self.context)
        arch = views["views"]["form"]["arch"]
        for fname in ("nik", "medical_record_number", "patient_mobile", "bpjs_number"):
            self.assertIn(f'name="{fname}"', arch)
        for fname in ("desa_id", "pemkab_location_paste", "patient_map_preview"):
            self.assertIn(f'name="{fname}"', arch)
        for fname in ("vat", "function", "parent_id", "property_payment_term_id"):
            self.assertNotIn(f'name="{fname}"', arch)
        # the Patients menu and the delivery's patient open this form
        action = self.env.ref("pemkab_health.res_partner_action_patient")
        self.assertIn(form, action.view_ids.view_id)
        delivery_form = self.env.ref("pemkab_health.pemkab_health_delivery_view_form")
        self.assertIn("pemkab_health.res_partner_view_form_patient", delivery_form.arch_db)

    def test_patient_created_from_the_form_with_a_pasted_location(self):
        self.authenticate("pharmacist_a", "pharmacist_a")
        patient_id = self.rpc_ok(
            "res.partner",
            "create",
            [
                {
                    "name": "Bambang Sutrisno",
                    "nik": "3510162002850005",
                    "medical_record_number": "RM-01234",
                    "patient_mobile": "0857 3300 3001",
                    "desa_id": self.kel_sobo.id,
                    "kecamatan_id": self.kec_banyuwangi.id,
                    "pemkab_location_paste": "https://www.google.com/maps?q=-8.2051,114.3702",
                }
            ],
            context=self.context,
        )[0]
        values = self.rpc_ok(
            "res.partner",
            "read",
            [patient_id],
            ["is_patient", "is_company", "partner_latitude", "patient_map_preview"],
            context=self.context,
        )[0]
        self.assertTrue(values["is_patient"])
        self.assertFalse(values["is_company"])
        self.assertAlmostEqual(values["partner_latitude"], -8.2051)
        self.assertIn("openstreetmap.org/export/embed.html", values["patient_map_preview"])
        self.assertIn("marker=-8.205100,114.370200", values["patient_map_preview"])
