# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import PemkabDeliveryCommon


@tagged("post_install", "-at_install")
class TestShelter(PemkabDeliveryCommon):
    def test_seed_data(self):
        """The regency's areas and hospital shelters come with the module."""
        Area = self.env["pemkab.area"]
        self.assertEqual(Area.search_count([("level", "=", "kecamatan")]), 25)
        self.assertEqual(Area.search_count([("level", "=", "desa")]), 189)
        self.assertEqual(Area.search_count([("level", "=", "kelurahan")]), 28)
        self.assertEqual(self.kel_sobo.parent_id, self.kec_banyuwangi)
        self.assertEqual(self.kec_banyuwangi.code, "35.10.16")
        blambangan = self.env.ref("pemkab_delivery.shelter_rsud_blambangan")
        genteng = self.env.ref("pemkab_delivery.shelter_rsud_genteng")
        self.assertEqual((blambangan | genteng).mapped("kind"), ["hospital", "hospital"])
        self.assertEqual(blambangan.phone, "+62333421118")

    def test_phone_normalised(self):
        self.assertEqual(self.shelter_a.phone, "+62333421118")
        self.shelter_a.phone = "0812-3456-7890"
        self.assertEqual(self.shelter_a.phone, "+6281234567890")
        with self.assertRaisesRegex(ValidationError, "Contact Phone"):
            self.shelter_a.phone = "12ab"
        with self.assertRaisesRegex(ValidationError, "not an Indonesian number"):
            self.shelter_a.phone = "+31 20 123 4567"
        self.assertEqual(self.shelter_a.phone, "+6281234567890")

    def test_phone_forms_and_reasons(self):
        """Odoo's phone_validation reads what people type, Indonesia being the default."""
        Shelter = self.env["pemkab.shelter"]
        for typed in ("0812-3456-7890", "62 812 3456 7890", "+62 (812) 3456-7890", "81234567890"):
            with self.subTest(typed=typed):
                self.assertEqual(Shelter._pemkab_normalize_phone(typed, "X"), "+6281234567890")
        self.assertEqual(Shelter._pemkab_normalize_phone("(0333) 421118", "X"), "+62333421118")
        # a number already normalised (copied from another record) is parsed once, and
        # checked the same
        self.assertEqual(Shelter._pemkab_normalize_phone("+6281234567890", "X"), "+6281234567890")
        self.assertEqual(Shelter._pemkab_normalize_phone("+62333421118", "X"), "+62333421118")
        with self.assertRaisesRegex(ValidationError, "not a mobile number"):
            Shelter._pemkab_normalize_phone("+62333421118", "X", mobile=True)
        with self.assertRaisesRegex(ValidationError, "not an Indonesian number"):
            Shelter._pemkab_normalize_phone("+31201234567", "X")
        for typed, mobile, reason in [
            ("0333 12", False, "too few digits"),
            ("0812 3456 7890 1234 5678 9", False, "too many digits"),
            ("0812 345", False, "or has this many digits"),
            ("+6212345678", False, "no Indonesian number begins like this"),
            ("0333 421118", True, "not a mobile number"),
            ("0812-CALL-ME", False, "characters other than digits"),
        ]:
            with self.subTest(typed=typed), self.assertRaisesRegex(ValidationError, reason):
                Shelter._pemkab_normalize_phone(typed, "Phone", mobile=mobile)
        # the user's language: the reason is translated with the rest of the message
        self.env["res.lang"]._activate_lang("id_ID")
        with self.assertRaisesRegex(ValidationError, "bukan nomor ponsel"):
            Shelter.with_context(lang="id_ID")._pemkab_normalize_phone("0333 421118", "HP", True)

    def test_coordinates_checked(self):
        for lat, lng, reason in [
            (-91.0, 114.36, "latitude"),
            (-8.21, 181.0, "longitude"),
            (0.0, 114.36, "both latitude and longitude"),
        ]:
            with self.subTest(lat=lat, lng=lng), self.assertRaisesRegex(ValidationError, reason):
                self.shelter_a.write({"latitude": lat, "longitude": lng})
        self.shelter_a.write({"latitude": -8.3686, "longitude": 114.1497})
        self.assertAlmostEqual(self.shelter_a.latitude, -8.3686)

    def test_desa_must_lie_in_kecamatan(self):
        with self.assertRaisesRegex(ValidationError, "lies in kecamatan Banyuwangi"):
            self.shelter_a.kecamatan_id = self.kec_genteng
        form = Form(self.env["pemkab.shelter"])
        form.name = "Posko Sobo"
        form.code = "SH-SOBO"
        form.agency_id = self.agency_a
        form.desa_id = self.kel_sobo
        self.assertEqual(form.kecamatan_id, self.kec_banyuwangi, "the desa fills its kecamatan")
        shelter = form.save()
        self.assertEqual(shelter.display_name, "[SH-SOBO] Posko Sobo")

    def test_codes_unique(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.cr.savepoint():
                self.env["pemkab.shelter"].create(
                    {"name": "Dup", "code": "SH-A", "agency_id": self.agency_a.id}
                )

    def test_opening_hours(self):
        self.shelter_a.opening_ids = [
            (0, 0, {"dayofweek": "0", "hour_from": 7.5, "hour_to": 14.0}),
        ]
        # Monday 2026-11-23 08:00 WIB is 01:00 UTC
        self.assertTrue(self.shelter_a._is_open_at(datetime(2026, 11, 23, 1, 0)))
        self.assertFalse(self.shelter_a._is_open_at(datetime(2026, 11, 23, 8, 0)))  # 15:00 WIB
        self.assertFalse(self.shelter_a._is_open_at(datetime(2026, 11, 24, 1, 0)))  # Tuesday
        self.assertEqual(self.shelter_a.opening_summary, "Mon 07:30-14:00")
        with self.assertRaisesRegex(ValidationError, "must open before it closes"):
            self.shelter_a.opening_ids = [
                (0, 0, {"dayofweek": "1", "hour_from": 15.0, "hour_to": 9.0})
            ]

    def test_next_opening_and_holidays(self):
        """A closed shelter's next opening; a holiday calendar's time off closes it for
        the day."""
        shelter = self.shelter_a
        shelter.opening_ids = [
            (0, 0, {"dayofweek": day, "hour_from": 7.5, "hour_to": 14.0}) for day in "01234"
        ]
        # Monday 2026-11-23 15:00 WIB (08:00 UTC): closed, opens Tuesday 07:30 WIB
        self.assertEqual(
            shelter._next_open_at(datetime(2026, 11, 23, 8, 0)), datetime(2026, 11, 24, 0, 30)
        )
        # Friday 23:00 WIB: opens Monday 07:30 WIB, not at 23:00
        self.assertEqual(
            shelter._next_open_at(datetime(2026, 11, 27, 16, 0)), datetime(2026, 11, 30, 0, 30)
        )
        open_moment = datetime(2026, 11, 24, 2, 0)  # Tuesday 09:00 WIB
        self.assertEqual(shelter._next_open_at(open_moment), open_moment)
        calendar = self.env["resource.calendar"].create({"name": "Libur Banyuwangi"})
        # Tuesday 2026-11-24 is a holiday, given in WIB (00:00 to 23:59)
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Hari libur",
                "calendar_id": calendar.id,
                "date_from": datetime(2026, 11, 23, 17, 0),
                "date_to": datetime(2026, 11, 24, 16, 59),
            }
        )
        shelter.holiday_calendar_id = calendar
        self.assertFalse(shelter._is_open_at(open_moment))
        self.assertEqual(
            shelter._next_open_at(open_moment), datetime(2026, 11, 25, 0, 30), "Wednesday 07:30"
        )
        # without opening hours, only the holiday closes it
        shelter.opening_ids = [Command.clear()]
        self.assertEqual(shelter._next_open_at(open_moment), datetime(2026, 11, 24, 17, 0))

    def test_access_by_role(self):
        shelter_b = self.shelter_b or self.env["pemkab.shelter"].create(
            {"name": "Shelter B2", "code": "SH-B2", "agency_id": self.agency_b.id}
        )
        # every delivery user reads the pickup points
        self.assertEqual(
            self.env["pemkab.shelter"].with_user(self.user_officer_a).browse(shelter_b.id).name,
            "Shelter B",
        )
        # an officer edits none
        with self.assertRaises(AccessError):
            self.shelter_a.with_user(self.user_officer_a).name = "Renamed"
        # a head edits the shelters of the agency the user heads, not the others'
        self.shelter_a.with_user(self.user_head_a).name = "Renamed by head"
        self.assertEqual(self.shelter_a.name, "Renamed by head")
        with self.assertRaises(AccessError):
            shelter_b.with_user(self.user_head_a).name = "Not mine"
        # an internal user without a delivery role sees no shelter
        with self.assertRaises(AccessError):
            self.env["pemkab.shelter"].with_user(self.user_internal).search([])
        # the administrator edits all
        shelter_b.with_user(self.user_manager).name = "Edited by admin"
        self.assertEqual(shelter_b.name, "Edited by admin")

    def test_agency_shelter_count(self):
        self.assertEqual(self.agency_a.shelter_count, 1)
        action = self.agency_a.action_view_shelters()
        self.assertEqual(self.env["pemkab.shelter"].search(action["domain"]), self.shelter_a)


@tagged("post_install", "-at_install")
class TestContactNik(PemkabDeliveryCommon):
    def test_contact_coordinates_are_odoo_own(self):
        """A contact's coordinates are Odoo's partner_latitude/partner_longitude, checked
        like a shelter's; the suite adds no second pair."""
        Partner = self.env["res.partner"]
        self.assertNotIn("latitude", Partner._fields)
        siti = Partner.create(
            {"name": "Siti", "partner_latitude": -8.205, "partner_longitude": 114.37}
        )
        for lat, lng, reason in [
            (-91.0, 114.36, "latitude"),
            (-8.21, 181.0, "longitude"),
            (0.0, 114.36, "both latitude and longitude"),
        ]:
            with self.subTest(lat=lat, lng=lng), self.assertRaisesRegex(ValidationError, reason):
                siti.write({"partner_latitude": lat, "partner_longitude": lng})
        siti.write({"partner_latitude": 0.0, "partner_longitude": 0.0})  # neither is fine

    def test_nik_validated_and_unique(self):
        Partner = self.env["res.partner"]
        siti = Partner.create({"name": "Siti", "nik": "3510 1657 0845 0001"})
        self.assertEqual(siti.nik, "3510165708450001")
        with self.assertRaisesRegex(ValidationError, "16 digits"):
            Partner.create({"name": "Short", "nik": "351016"})
        with self.assertRaisesRegex(ValidationError, "digits only"):
            Partner.create({"name": "Letters", "nik": "35101657084500AB"})
        with self.assertRaisesRegex(ValidationError, "already registered for Siti"):
            Partner.create({"name": "Twin", "nik": "3510165708450001"})
