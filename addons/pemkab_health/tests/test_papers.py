# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The papers of a prescription delivery, printed over HTTP as each role prints them: the
Berita Acara Serah Terima of a delivered one (a sealed parcel: never the medicines), the
Surat Jalan of those marked ready on the dispatch board."""

from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabPaperCase

from .common import PemkabHealthCommon

BAST = "pemkab_health.action_report_proof_of_delivery"
SURAT_JALAN = "pemkab_health.action_report_handover"


@tagged("post_install", "-at_install")
class TestHealthPapers(PemkabHealthCommon, PemkabPaperCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_indonesian(["pemkab_delivery", "pemkab_health"])

    def _ready(self):
        delivery = self._delivery()
        delivery.action_verify()
        delivery.action_mark_ready()
        self._run_outbox()
        delivery.invalidate_recordset()
        self.assertEqual(delivery.state, "ready")
        self.assertEqual(delivery.delivery_booking_id.state, "booked")
        return delivery, delivery.delivery_booking_id

    def _delivered(self):
        delivery, booking = self._ready()
        self._courier(booking, "delivered")
        self.assertEqual(delivery.state, "delivered")
        return delivery

    def test_bast_printed_by_the_facility_refused_to_the_others(self):
        delivery = self._delivered()
        for login in ("pharmacist_a", "health_head_a", "health_admin", "admin"):
            kind, text = self._print_over_http(login, BAST, delivery)
            self.assertEqual(kind, "pdf", f"{login}: {text[:300]}")
            self.assertIn("BERITA ACARA SERAH TERIMA", text, login)
            self.assertIn(delivery.name, text, login)
            self.assertIn("Sumiati", text, f"{login}: the patient, who was to receive")
            self.assertIn("Paket obat tersegel", text, login)
            for private in ("Metformin", self.patient.nik, "0001-2345-67890", "Jl. Kepiting"):
                self.assertNotIn(private, text, f"{login}: need to know")
        for login in ("pharmacist_b", "health_head_b"):
            kind, text = self._print_over_http(login, BAST, delivery)
            self.assertEqual(kind, "AccessError", login)
            self.assertNotIn("Sumiati", text, login)
            self.assertNotIn(delivery.name, text, login)

    def test_bast_refused_before_delivery(self):
        delivery, _booking = self._ready()
        kind, message = self._print_over_http("pharmacist_a", BAST, delivery)
        self.assertEqual(kind, "UserError")
        self.assertIn("Berita Acara Serah Terima dicetak setelah paket diterima", message)
        self.assertIn(delivery.name, message)

    def test_surat_jalan_from_the_dispatch_board(self):
        first, booking_1 = self._ready()
        second, booking_2 = self._ready()
        # a print action of the dispatch board's list (not of the form)
        list_view = self.env.ref("pemkab_health.pemkab_health_delivery_view_list_dispatch")
        views = self.Delivery.with_user(self.pharmacist_a).get_views(
            [(list_view.id, "list"), (False, "form")], {"toolbar": True}
        )["views"]
        report = self.env.ref(SURAT_JALAN)
        self.assertIn(report.id, [a["id"] for a in views["list"]["toolbar"]["print"]])
        self.assertNotIn(report.id, [a["id"] for a in views["form"]["toolbar"].get("print", [])])
        for login in ("pharmacist_a", "health_head_a", "admin"):
            kind, text = self._print_over_http(login, SURAT_JALAN, first | second)
            self.assertEqual(kind, "pdf", f"{login}: {text[:300]}")
            self.assertIn("SURAT JALAN", text, login)
            for expected in (booking_1.name, booking_2.name, booking_1.package_code):
                self.assertIn(expected, text, login)
            self.assertNotIn("Metformin", text, login)
        kind, text = self._print_over_http("pharmacist_b", SURAT_JALAN, first)
        self.assertEqual(kind, "AccessError")
        self.assertNotIn(booking_1.name, text)
        # only parcels marked ready at the shelter
        self._courier(booking_1, "delivered")
        kind, message = self._print_over_http("pharmacist_a", SURAT_JALAN, first | second)
        self.assertEqual(kind, "UserError")
        self.assertIn(first.name, message)
        self.assertNotIn(second.name, message)
