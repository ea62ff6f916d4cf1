# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The papers of an aid shipment, printed over HTTP as each role prints them: the Berita
Acara Serah Terima (BAST) of a delivered shipment, the Surat Jalan of packed ones."""

from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabPaperCase

from .common import PemkabSocialCommon

BAST = "pemkab_social.action_report_proof_of_delivery"
SURAT_JALAN = "pemkab_social.action_report_handover"


@tagged("post_install", "-at_install")
class TestSocialPapers(PemkabSocialCommon, PemkabPaperCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.households = cls._make_households(3)
        cls._load_indonesian(["pemkab_delivery", "pemkab_social"])

    def _approved(self):
        shipments = self._generate()
        self.period.action_submit_all()
        self.period.with_user(self.user_social_head).action_approve()
        return shipments

    def _delivered(self):
        """A shipment confirmed delivered by the officer, to a neighbour."""
        shipment = self._approved()[0]
        shipment.with_user(self.user_officer_bwi).action_pack()
        shipment.write(
            {
                "receiver_type": "proxy",
                "receiver_name": "Bu Sulastri",
                "receiver_relation": "Tetangga",
            }
        )
        shipment.with_user(self.user_officer_bwi).action_confirm_delivered()
        self.assertEqual(shipment.state, "delivered")
        return shipment

    def test_bast_printed_by_the_dinas_sosial(self):
        """The Dinas Sosial prints its shipment's BAST (it was refused: the report name was
        the health addon's, whose model the ids were read from), and an administrator gets
        this shipment's, not the prescription delivery or test parcel of the same id."""
        shipment = self._delivered()
        for login in ("social_head", "social_officer_bwi", "admin"):
            kind, text = self._print_over_http(login, BAST, shipment)
            self.assertEqual(kind, "pdf", f"{login}: {text[:500]}")
            self.assertIn("BERITA ACARA SERAH TERIMA", text, login)
            self.assertIn(f"BAST/DINSOS/{shipment.name}", text, login)
            self.assertIn(shipment.recipient_name, text, login)
            self.assertIn("Bu Sulastri", text, login)
            self.assertIn("Tetangga", text, login)
            self.assertIn("Beras", text, f"{login}: the aid handed over")

    def test_bast_refused_to_who_may_not_read_the_shipment(self):
        shipment = self._delivered()
        for login in ("social_officer_gtg", "dinkes_officer"):
            kind, text = self._print_over_http(login, BAST, shipment)
            self.assertEqual(kind, "AccessError", login)
            self.assertNotIn(shipment.recipient_name, text, login)
            self.assertNotIn(shipment.name, text, login)

    def test_surat_jalan_for_packed_shipments(self):
        shipments = self._approved()
        packed = shipments[:2]
        packed.with_user(self.user_officer_bwi).action_pack()
        self._run_outbox_all()
        bookings = self._bookings(packed)
        self.assertEqual(len(bookings), 2)
        for login in ("social_head", "social_officer_bwi", "admin"):
            kind, text = self._print_over_http(login, SURAT_JALAN, packed)
            self.assertEqual(kind, "pdf", f"{login}: {text[:500]}")
            self.assertIn("SURAT JALAN", text, login)
            self.assertIn("Gudang Dinsos (test)", text, login)
            for booking in bookings:
                self.assertIn(booking.name, text, login)
        kind, text = self._print_over_http("social_officer_gtg", SURAT_JALAN, packed)
        self.assertEqual(kind, "AccessError")
        # only shipments marked packed
        kind, message = self._print_over_http("social_head", SURAT_JALAN, shipments[1:3])
        self.assertEqual(kind, "UserError")
        self.assertIn(shipments[2].name, message)
        self.assertNotIn(shipments[1].name, message)
