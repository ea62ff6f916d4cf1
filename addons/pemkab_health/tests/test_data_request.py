# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A citizen's data request: a system administrator prints, for one NIK, what the
addons hold and which courier received which fields, when; nobody else may."""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin

from .common import PemkabHealthCommon

REQUEST = "pemkab.citizen.data.request"


@tagged("post_install", "-at_install")
class TestCitizenDataRequest(PemkabRpcMixin, PemkabHealthCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(cls.env, login="privacy_officer", groups="base.group_system")

    def test_an_administrator_prints_what_is_held(self):
        delivery = self._delivery()
        delivery.action_verify()
        delivery.action_mark_ready()
        self._run_outbox()
        booking = delivery.delivery_booking_id
        self.assertEqual(booking.state, "booked")
        self.authenticate("privacy_officer", "privacy_officer")
        request_id = self.rpc_ok(REQUEST, "create", [{"nik": self.patient.nik}])[0]
        report = self.rpc_ok(REQUEST, "read", [request_id], ["report_html"])[0]["report_html"]
        for expected in (
            self.patient.name,
            self.patient.nik,
            self.patient.bpjs_number,
            self.proxy.name,
            delivery.name,
            booking.name,
            self.provider.name,
            "Recipient Phone",
        ):
            self.assertIn(expected, report)
        self.assertNotIn("not sent", report)
        self.assertNotIn("Metformin", report, "the request lists documents, not medicines")
        printed = self.url_open(
            f"/report/html/pemkab_delivery.report_citizen_data_request/{request_id}"
        )
        self.assertEqual(printed.status_code, 200)
        self.assertIn(self.patient.nik, printed.text)
        # an unknown NIK says so
        unknown = self.rpc_ok(REQUEST, "create", [{"nik": "3510090101800099"}])[0]
        self.assertIn(
            "No contact", self.rpc_ok(REQUEST, "read", [unknown], ["report_html"])[0]["report_html"]
        )

    def test_only_system_administrators(self):
        for login in ("delivery_admin", "health_admin", "pharmacist_a"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                self.rpc_refused(AccessError, REQUEST, "create", [{"nik": self.patient.nik}])

    def test_malformed_nik_refused(self):
        """Issue 18, 13: a NIK that cannot be one is refused with the reason, not searched."""
        self.authenticate("privacy_officer", "privacy_officer")
        for nik, reason in (
            ("1234", "16 digits"),
            ("35101601139000AB", "digits only"),
            ("3510163213900003", "date of birth"),
            ("9910160101800002", "region code"),
        ):
            with self.subTest(nik=nik):
                message = self.rpc_refused(ValidationError, REQUEST, "create", [{"nik": nik}])
                self.assertIn(reason, message)
        self.assertFalse(self.env[REQUEST].search([]))
