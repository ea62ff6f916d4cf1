# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Need-to-know (UU PDP: health data is specific personal data), tried as each role's
own user over real JSON-RPC: a role x operation matrix (README.md shows it)."""

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin

from .common import PemkabHealthCommon

PARTNER = "res.partner"
BOOKING = "pemkab.delivery.booking"
EVENT = "pemkab.delivery.booking.event"
HEALTH_FIELDS = ["is_patient", "patient_mobile", "patient_proxy_ids", "bpjs_number", "health_poor"]


@tagged("post_install", "-at_install")
class TestHealthNeedToKnow(PemkabRpcMixin, PemkabHealthCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a second Puskesmas of the same agency, with its own pharmacist
        cls.shelter_a2 = cls.env["pemkab.shelter"].create(
            {
                "name": "Puskesmas A2",
                "code": "SH-A2",
                "kind": "puskesmas",
                "agency_id": cls.agency_a.id,
                "latitude": -8.2200,
                "longitude": 114.3500,
            }
        )
        cls.pharmacist_a2 = new_test_user(
            cls.env, login="pharmacist_a2", groups="pemkab_health.group_health_user"
        )
        cls.agency_a.member_ids = [Command.link(cls.pharmacist_a2.id)]
        cls.shelter_a2.staff_ids = [Command.link(cls.pharmacist_a2.id)]
        cls.booking_a = cls._make_booking(cls.shelter_a, "PKG-A")
        cls.booking_a2 = cls._make_booking(cls.shelter_a2, "PKG-A2")
        cls.booking_b = cls._make_booking(cls.shelter_b, "PKG-B", agency=cls.agency_b)
        for booking in cls.booking_a | cls.booking_a2 | cls.booking_b:
            booking._log_event("user", note="created")

    @classmethod
    def _make_booking(cls, shelter, code, agency=None):
        delivery = cls.Delivery.create(
            {
                "shelter_id": shelter.id,
                "patient_id": cls.patient.id,
                "prescription_number": code,
                "line_ids": [Command.create({"name": "Metformin", "quantity": 10})],
            }
        )
        return cls.env[BOOKING].create(
            {
                "provider_id": cls.own_fleet.id,
                "agency_id": (agency or cls.agency_a).id,
                "shelter_id": shelter.id,
                "recipient_name": "Sumiati",
                "recipient_phone": "0812 3300 1001",
                "package_code": code,
                "res_model": delivery._name,
                "res_id": delivery.id,
            }
        )

    def _visible_bookings(self):
        ids = self.rpc_ok(BOOKING, "search", [("package_code", "like", "PKG-")])
        return self.env[BOOKING].browse(ids)

    def _visible_events(self):
        mine = (self.booking_a | self.booking_a2 | self.booking_b).ids
        ids = self.rpc_ok(EVENT, "search", [("booking_id", "in", mine)])
        return self.env[EVENT].browse(ids).booking_id

    def test_bookings_follow_the_document(self):
        all_three = self.booking_a | self.booking_a2 | self.booking_b
        expected = {
            "pharmacist_a": self.booking_a,
            "pharmacist_a2": self.booking_a2,
            "pharmacist_b": self.booking_b,
            "health_head_a": self.booking_a | self.booking_a2,
            "officer_a": self.booking_a | self.booking_a2,  # the agency's courier officer
            "health_admin": all_three,
            "delivery_admin": all_three,
        }
        for login, bookings in expected.items():
            with self.subTest(login=login):
                self.authenticate(login, login)
                self.assertEqual(self._visible_bookings(), bookings)
                self.assertEqual(self._visible_events(), bookings)
        self.authenticate("pharmacist_a", "pharmacist_a")
        self.rpc_refused(AccessError, BOOKING, "read", self.booking_a2.ids, ["recipient_phone"])
        self.rpc_refused(AccessError, BOOKING, "read", self.booking_b.ids, ["recipient_name"])

    def test_leaving_a_facility_ends_its_access_at_once(self):
        """A pharmacist moved out of a Puskesmas (or out of the agency) no longer reads its
        patients' bookings, without waiting for a server restart: Odoo caches each user's
        record rules, and membership of an agency or a shelter is not a group."""
        self.authenticate("pharmacist_a2", "pharmacist_a2")
        self.assertEqual(self._visible_bookings(), self.booking_a2)
        self.shelter_a2.staff_ids = [Command.unlink(self.pharmacist_a2.id)]
        self.env.flush_all()
        self.assertFalse(self._visible_bookings(), "still sees the facility's bookings")
        self.rpc_refused(AccessError, BOOKING, "read", self.booking_a2.ids, ["recipient_name"])
        # the head of agency A is replaced: the former head no longer sees its bookings
        self.authenticate("health_head_a", "health_head_a")
        self.assertEqual(self._visible_bookings(), self.booking_a | self.booking_a2)
        self.agency_a.head_ids = [Command.unlink(self.health_head_a.id)]
        self.env.flush_all()
        self.assertFalse(self._visible_bookings() & (self.booking_a | self.booking_a2))

    def test_health_fields_of_contacts(self):
        """Matrix: role x operation on the patient's contact."""
        patient = self.patient.ids
        matrix = [
            # (login, operation, allowed)
            ("pharmacist_a", "read health fields", True),
            ("pharmacist_a", "search is_patient", True),
            ("pharmacist_a", "read NIK", True),
            ("health_head_a", "read health fields", True),
            ("officer_a", "read health fields", False),
            ("officer_a", "search is_patient", False),
            ("officer_a", "read NIK", False),
            ("plain_internal", "read health fields", False),
            ("plain_internal", "search is_patient", False),
            ("plain_internal", "search NIK", False),
            ("plain_internal", "read NIK", False),
            ("delivery_admin", "read health fields", False),
            ("delivery_admin", "read NIK", False),
        ]
        operations = {
            "read health fields": lambda: self.rpc(PARTNER, "read", patient, HEALTH_FIELDS),
            "search is_patient": lambda: self.rpc(PARTNER, "search", [("is_patient", "=", True)]),
            "read NIK": lambda: self.rpc(PARTNER, "read", patient, ["nik"]),
            "search NIK": lambda: self.rpc(PARTNER, "search", [("nik", "=", self.patient.nik)]),
        }
        self.assert_access_matrix(operations, matrix)
        # what the others may still read of the same person: the name and address
        self.authenticate("officer_a", "officer_a")
        self.assertEqual(
            self.rpc_ok(PARTNER, "read", patient, ["name"])[0]["name"], self.patient.name
        )

    def test_nik_refusal_names_only_a_readable_holder(self):
        other_company = self.env["res.company"].create({"name": "Other Regency"})
        holder = self.env[PARTNER].create(
            {"name": "Hidden Holder", "nik": "3510164506900011", "company_id": other_company.id}
        )
        self.authenticate("pharmacist_a", "pharmacist_a")
        message = self.rpc_refused(
            ValidationError, PARTNER, "create", [{"name": "New", "nik": holder.nik}]
        )
        self.assertIn("already registered", message)
        self.assertNotIn("Hidden Holder", message)
        # a contact the pharmacist may read is named
        message = self.rpc_refused(
            ValidationError, PARTNER, "create", [{"name": "New", "nik": self.patient.nik}]
        )
        self.assertIn(self.patient.name, message)

    def test_empty_nik_and_bpjs_are_none(self):
        """Found by the property tests: an empty NIK or BPJS number was stored as an empty
        text, so the second contact without one broke the unique index."""
        self.authenticate("pharmacist_a", "pharmacist_a")
        ids = [
            self.rpc_ok(PARTNER, "create", [{"name": name, "nik": "", "bpjs_number": ""}])[0]
            for name in ("First", "Second")
        ]
        partners = self.env[PARTNER].browse(ids)
        self.assertEqual(partners.mapped("nik"), [False, False])
        self.assertEqual(partners.mapped("bpjs_number"), [False, False])
