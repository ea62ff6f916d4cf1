# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A contact's location entered the way people share it."""

from odoo.exceptions import ValidationError
from odoo.tests import Form, TransactionCase, tagged

from ..tools.geo import parse_location


@tagged("post_install", "-at_install")
class TestPartnerLocation(TransactionCase):
    def test_shared_formats(self):
        cases = {
            "-8.2192, 114.3691": (-8.2192, 114.3691),
            "-8.2192 114.3691": (-8.2192, 114.3691),
            # Google Maps place: the place's own point (!3d/!4d), not the map's centre (@)
            "https://www.google.com/maps/place/RSUD+Blambangan/@-8.2101,114.3612,17z/"
            "data=!3m1!4b1!4m6!3m5!1s0x0:0x0!8m2!3d-8.2105!4d114.365": (-8.2105, 114.365),
            "https://www.google.com/maps/@-8.2101,114.3612,17z": (-8.2101, 114.3612),
            "https://www.google.com/maps/search/?api=1&query=-8.21,114.36": (-8.21, 114.36),
            "https://www.openstreetmap.org/#map=17/-8.21920/114.36910": (-8.2192, 114.3691),
            "https://www.openstreetmap.org/?mlat=-8.2192&mlon=114.3691#map=17/-8.2/114.3": (
                -8.2192,
                114.3691,
            ),
            # WhatsApp: "Lokasi" message with a Google Maps link, comma url-encoded
            "Lokasi saya\nhttps://maps.google.com/maps?q=-8.2192%2C114.3691&z=17&hl=id": (
                -8.2192,
                114.3691,
            ),
            "geo:-8.2192,114.3691": (-8.2192, 114.3691),
        }
        for text, expected in cases.items():
            self.assertEqual(parse_location(text), expected, text)
        for text in ("https://maps.app.goo.gl/AbCd", "Jl. Kepiting 5", "", "95, 200"):
            self.assertIsNone(parse_location(text), text)

    def test_pasting_fills_the_contact_coordinates(self):
        form = Form(self.env["res.partner"])
        form.name = "Bu Sri"
        form.pemkab_location_paste = "https://maps.google.com/?q=-8.219200,114.369100"
        self.assertAlmostEqual(form.partner_latitude, -8.2192)
        self.assertAlmostEqual(form.partner_longitude, 114.3691)
        partner = form.save()
        self.assertAlmostEqual(partner.partner_latitude, -8.2192)
        partner.pemkab_location_paste = "-8.3686, 114.1497"
        self.assertAlmostEqual(partner.partner_latitude, -8.3686)
        self.assertAlmostEqual(partner.partner_longitude, 114.1497)
        partner.invalidate_recordset()
        self.assertFalse(partner.pemkab_location_paste, "the pasted text is not kept")

    def test_unreadable_or_far_location_is_refused_and_changes_nothing(self):
        partner = self.env["res.partner"].create(
            {"name": "Pak Budi", "partner_latitude": -8.2, "partner_longitude": 114.3}
        )
        with self.assertRaises(ValidationError) as caught:
            partner.pemkab_location_paste = "https://maps.app.goo.gl/AbCd"
        self.assertIn("Paste a Location", str(caught.exception))
        self.assertIn("holds no coordinates", str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            partner.pemkab_location_paste = "-6.2088, 106.8456"  # Jakarta
        self.assertIn("859 km from Banyuwangi", str(caught.exception))
        self.assertAlmostEqual(partner.partner_latitude, -8.2)
        self.assertAlmostEqual(partner.partner_longitude, 114.3)
