# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The pharmacy counter's barcode scanner, as the form's onchange calls reach the server
from the pharmacist's browser (JSON-RPC ``onchange``): a scanned code fills the
prescription number, cleaned; a number the facility already has names its delivery."""

from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin

from ..models.pemkab_health_delivery import normalize_prescription_number
from .common import PemkabHealthCommon

DELIVERY = "pemkab.health.delivery"
SPEC = {"prescription_number": {}, "_barcode_scanned": {}, "shelter_id": {}, "state": {}}


@tagged("post_install", "-at_install")
class TestPrescriptionBarcode(PemkabRpcMixin, PemkabHealthCommon, HttpCase):
    def _onchange(self, ids, values, field):
        return self.rpc_ok(DELIVERY, "onchange", ids, values, [field], SPEC)

    def test_normalize(self):
        for raw, clean in (
            ("RSB-2026-000123\r\n", "RSB-2026-000123"),
            ("]C1RSB-2026-000123", "RSB-2026-000123"),
            ("  ]Q3PKM-BDN-7781\t", "PKM-BDN-7781"),
            ("RX  12\x1d34 ", "RX 12 34"),
        ):
            self.assertEqual(normalize_prescription_number(raw), clean)

    def test_scanned_code_fills_the_number(self):
        self.authenticate("pharmacist_a", "pharmacist_a")
        new = {"shelter_id": self.shelter_a.id, "state": "draft"}
        answer = self._onchange(
            [], dict(new, _barcode_scanned="]C1RSB-2026-000999\r"), "_barcode_scanned"
        )
        self.assertEqual(answer["value"]["prescription_number"], "RSB-2026-000999")
        self.assertNotIn("warning", answer)
        # typed by the scanner into the focused field, then Enter
        answer = self._onchange(
            [], dict(new, prescription_number=" RSB-2026-000998\n"), "prescription_number"
        )
        self.assertEqual(answer["value"]["prescription_number"], "RSB-2026-000998")
        self.assertNotIn("warning", answer)

    def test_number_already_registered_names_the_delivery(self):
        existing = self._delivery(prescription_number="RSB-2026-000777")
        self.authenticate("pharmacist_a", "pharmacist_a")
        new = {"shelter_id": self.shelter_a.id, "state": "draft"}
        for field, values in (
            ("_barcode_scanned", {"_barcode_scanned": "]C1RSB-2026-000777"}),
            ("prescription_number", {"prescription_number": "RSB-2026-000777 \r"}),
        ):
            with self.subTest(field=field):
                answer = self._onchange([], dict(new, **values), field)
                self.assertEqual(
                    answer["value"].get("prescription_number", "RSB-2026-000777"), "RSB-2026-000777"
                )
                warning = answer["warning"]["message"]
                self.assertIn(existing.name, warning)
                self.assertIn("Sumiati", warning)
        # the delivery itself is not its own duplicate; another facility's number is free
        answer = self._onchange(
            existing.ids, {"prescription_number": "RSB-2026-000777"}, "prescription_number"
        )
        self.assertNotIn("warning", answer)
        answer = self._onchange(
            [],
            {
                "shelter_id": self.shelter_b.id,
                "state": "draft",
                "prescription_number": "RSB-2026-000777",
            },
            "prescription_number",
        )
        self.assertNotIn("warning", answer)

    def test_scan_on_a_verified_delivery_changes_nothing(self):
        delivery = self._delivery(prescription_number="RSB-2026-000555")
        delivery.with_user(self.pharmacist_a).action_verify()
        self.authenticate("pharmacist_a", "pharmacist_a")
        answer = self._onchange(
            delivery.ids, {"_barcode_scanned": "RSB-2026-000556"}, "_barcode_scanned"
        )
        self.assertNotIn("prescription_number", answer["value"])
        self.assertIn("no longer a draft", answer["warning"]["message"])
        self.assertEqual(delivery.prescription_number, "RSB-2026-000555")
