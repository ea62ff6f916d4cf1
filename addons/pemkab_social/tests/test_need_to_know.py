# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Need-to-know in the Dinas Sosial, tried as each role's own user over real JSON-RPC:
a role x operation matrix (README.md shows it)."""

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin

from .common import PemkabSocialCommon

PARTNER = "res.partner"
BOOKING = "pemkab.delivery.booking"
SOCIAL_FIELDS = [
    "pemkab_social_household_id",
    "pemkab_social_relation",
    "pemkab_social_elderly",
    "pemkab_social_disability",
]


@tagged("post_install", "-at_install")
class TestSocialNeedToKnow(PemkabRpcMixin, PemkabSocialCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.household_bwi = cls._make_households(1)
        cls.household_gtg = cls._make_households(1, kecamatan=cls.kec_genteng, start=50)
        cls.member_bwi = cls.household_bwi.member_ids
        cls.patient = cls.env[PARTNER].create({"name": "Pasien", "is_patient": True})
        cls.booking_bwi = cls._make_booking(cls.kec_banyuwangi, "PKG-BWI")
        cls.booking_gtg = cls._make_booking(cls.kec_genteng, "PKG-GTG")

    @classmethod
    def _make_booking(cls, kecamatan, code):
        return cls.env[BOOKING].create(
            {
                "provider_id": cls.own_fleet.id,
                "agency_id": cls.dinsos.id,
                "shelter_id": cls.warehouse.id,
                "recipient_name": "Kepala",
                "recipient_phone": "0812 3300 1001",
                "kecamatan_id": kecamatan.id,
                "package_code": code,
            }
        )

    def test_bookings_of_the_officers_kecamatan(self):
        expected = {
            "social_officer_bwi": self.booking_bwi,
            "social_officer_gtg": self.booking_gtg,
            "social_head": self.booking_bwi | self.booking_gtg,
            "dinkes_officer": self.Booking,
        }
        for login, bookings in expected.items():
            with self.subTest(login=login):
                self.authenticate(login, login)
                ids = self.rpc_ok(
                    BOOKING, "search", [("package_code", "in", ["PKG-BWI", "PKG-GTG"])]
                )
                self.assertEqual(self.Booking.browse(ids), bookings)
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        self.rpc_refused(AccessError, BOOKING, "read", self.booking_gtg.ids, ["recipient_phone"])

    def test_contacts_matrix(self):
        """Matrix: role x operation on contacts' social and health data."""
        member = self.member_bwi.ids
        operations = {
            "read social fields": lambda: self.rpc(PARTNER, "read", member, SOCIAL_FIELDS),
            "search household": lambda: self.rpc(
                PARTNER, "search", [("pemkab_social_household_id", "!=", False)]
            ),
            "read NIK": lambda: self.rpc(PARTNER, "read", member, ["nik"]),
            "search is_patient": lambda: self.rpc(PARTNER, "search", [("is_patient", "=", True)]),
        }
        matrix = [
            ("social_officer_bwi", "read social fields", True),
            ("social_officer_bwi", "search household", True),
            ("social_officer_bwi", "read NIK", True),
            ("social_officer_bwi", "search is_patient", False),
            ("social_head", "read social fields", True),
            ("social_head", "search is_patient", False),
            ("dinkes_officer", "read social fields", False),
            ("dinkes_officer", "search household", False),
            ("dinkes_officer", "read NIK", False),
        ]
        self.assert_access_matrix(operations, matrix)
