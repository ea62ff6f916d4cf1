# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A contact's location entered the way people share it."""

from odoo.exceptions import UserError, ValidationError
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

    def _contact_with_address(self):
        return self.env["res.partner"].create(
            {
                "name": "Bu Sri",
                "street": "Jl. Kepiting No. 12",
                "kecamatan_id": self.env.ref("pemkab_delivery.area_35_10_16").id,
                "desa_id": self.env.ref("pemkab_delivery.area_35_10_16_1002").id,
                "partner_latitude": -8.2,
                "partner_longitude": 114.3,
            }
        )

    def test_geolocate_without_internet_says_so_and_changes_nothing(self):
        """Odoo's tests block outgoing HTTP as a server without internet fails to connect:
        base_geolocalize's OpenStreetMap call then raises its own error, which Geolocate
        says plainly, leaving the coordinates alone."""
        partner = self._contact_with_address()
        with self.assertRaises(UserError) as caught:
            partner.action_pemkab_geolocate()
        message = str(caught.exception)
        self.assertIn("Geolocate: the geocoder could not be asked", message)
        self.assertIn("its server did not answer", message)
        # not the technical error (base_geolocalize's words and the connection's text)
        self.assertNotIn("Error with geolocation server", message)
        self.assertNotIn("HTTP", message)
        self.assertIn("paste a location instead", message)
        self.assertAlmostEqual(partner.partner_latitude, -8.2)
        self.assertAlmostEqual(partner.partner_longitude, 114.3)
        self.assertFalse(partner.date_localization)

    def test_geolocate_with_google_and_no_key(self):
        """The other provider base_geolocalize offers refuses before any call without its
        API key: Geolocate passes its reason on."""
        google = self.env.ref("base_geolocalize.geoprovider_google_map")
        self.env["ir.config_parameter"].set_param("base_geolocalize.geo_provider", google.id)
        self.env["ir.config_parameter"].set_param("base_geolocalize.google_map_api_key", "")
        partner = self._contact_with_address()
        with self.assertRaises(UserError) as caught:
            partner.action_pemkab_geolocate()
        self.assertIn("API key for GeoCoding", str(caught.exception))
        self.assertAlmostEqual(partner.partner_latitude, -8.2)

    def test_geolocate_needs_an_address(self):
        partner = self.env["res.partner"].create({"name": "Pak Budi"})
        with self.assertRaises(UserError) as caught:
            partner.action_pemkab_geolocate()
        self.assertIn("has no street or desa", str(caught.exception))

    def test_geocoded_point_outside_the_regency_is_refused(self):
        """What the geocoder answers goes through the check of a pasted location: a
        Banyuwangi street name found in Jakarta is refused with its distance."""
        Partner = self.env["res.partner"]
        with self.assertRaises(ValidationError) as caught:
            Partner._pemkab_check_location((-6.2088, 106.8456), "Geolocate")
        self.assertIn(
            "Geolocate: -6.2088, 106.8456 is 859 km from Banyuwangi", str(caught.exception)
        )
        self.assertEqual(
            Partner._pemkab_check_location(("-8.2105", "114.3621"), "Geolocate"),
            (-8.2105, 114.3621),
        )
