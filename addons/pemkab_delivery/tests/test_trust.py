# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The regency's courier accounts hold against a courier-deliveries administrator who
is not a system administrator, tried as that user over real JSON-RPC."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import PemkabCourierCommon, PemkabRpcMixin

PROVIDER = "pemkab.courier.provider"
BOOKING = "pemkab.delivery.booking"


@tagged("post_install", "-at_install")
class TestCourierSecrets(PemkabRpcMixin, PemkabCourierCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_system = new_test_user(
            cls.env,
            login="system_admin",
            groups="base.group_system,pemkab_delivery.group_delivery_manager",
        )

    def test_delivery_admin_cannot_redirect_an_account(self):
        """The next outbox run would send the pass key to the new host."""
        self.authenticate("delivery_admin", "delivery_admin")
        for vals in (
            {"base_url": "https://collector.example.com"},
            {"environment": "production"},
            {"kind": "grab"},
        ):
            message = self.rpc_refused(AccessError, PROVIDER, "write", self.provider.ids, vals)
            self.assertIn("system administrator", message)
        self.assertEqual(self.provider.base_url, self.sandbox.url)
        self.assertEqual(self.provider.environment, "test")
        self.assertEqual(self.provider.kind, "sandbox")
        # nor read or set its secrets
        self.rpc_refused(AccessError, PROVIDER, "read", self.provider.ids, ["client_secret"])
        self.rpc_refused(
            AccessError, PROVIDER, "write", self.provider.ids, {"client_secret": "mine"}
        )
        # what is theirs to set still is, and the same URL written again is no change
        self.rpc_ok(
            PROVIDER,
            "write",
            self.provider.ids,
            {"max_parallel": 3, "name": "Sandbox RSUD", "base_url": self.sandbox.url},
        )
        self.assertEqual(self.provider.max_parallel, 3)
        # a new account of their own carries no credential
        created = self.rpc_ok(
            PROVIDER, "create", [{"name": "Mine", "kind": "sandbox", "base_url": "http://x"}]
        )
        self.assertFalse(self.env[PROVIDER].browse(created).client_secret)

    def test_system_admin_changes_the_connection(self):
        self.authenticate("system_admin", "system_admin")
        self.rpc_ok(PROVIDER, "write", self.provider.ids, {"base_url": self.sandbox.url + "/"})
        self.assertEqual(self.provider.base_url, self.sandbox.url + "/")
        form = self.rpc_ok(PROVIDER, "read", self.provider.ids, ["can_edit_connection"])
        self.assertTrue(form[0]["can_edit_connection"])

    def test_secrets_never_exported_nor_copied(self):
        for login in ("delivery_admin", "system_admin"):
            self.authenticate(login, login)
            for fields in (["name", "client_secret"], ["webhook_secret"], ["client_id"]):
                self.rpc_refused(UserError, PROVIDER, "export_data", self.provider.ids, fields)
        booking = self._booking()
        self.authenticate("system_admin", "system_admin")
        message = self.rpc_refused(
            UserError, BOOKING, "export_data", booking.ids, ["name", "provider_id/client_secret"]
        )
        self.assertIn("never exported", message)
        self.assertNotIn("sandbox-pass", message)
        copied = self.rpc_ok(PROVIDER, "copy", self.provider.ids)
        copy = self.env[PROVIDER].browse(copied)
        self.assertFalse(copy.client_secret or copy.webhook_secret or copy.client_id)

    def test_secrets_not_in_the_logs_nor_errors(self):
        """A good and a refused pass key: neither is in the history, the error or the
        chatter."""
        booking = self._booking()
        booking.action_request()
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        self.provider.client_secret = "wrong-pass-key-8151"
        failing = self._booking(package_code="PKG-0002")
        failing.action_request()
        self._run_outbox()
        self.assertTrue(failing.last_error or failing.failure_message)
        texts = []
        for record in booking | failing:
            texts += record.event_ids.mapped("payload") + record.event_ids.mapped("note")
            texts += [record.last_error, record.failure_message]
            texts += record.message_ids.mapped("body")
        joined = "\n".join(str(text) for text in texts if text)
        self.assertNotIn("sandbox-pass", joined)
        self.assertNotIn("wrong-pass-key-8151", joined)


@tagged("post_install", "-at_install")
class TestBookingIsTheWorkflows(PemkabRpcMixin, PemkabCourierCommon, HttpCase):
    """A courier officer reaches a booking through its buttons only, tried as that user
    over real JSON-RPC: the citizens' messages carry what the workflow or the courier
    wrote, never a text of the officer's choosing."""

    def test_own_fleet_booking_is_the_workflows(self):
        booking = self._booking(provider=self.own_fleet)
        self.authenticate("officer_a", "officer_a")
        self.rpc_ok(BOOKING, "action_request", booking.ids)
        self.assertEqual(booking.state, "requested")
        hostile = "PENTING: verifikasi bansos di http://x.example"
        for context in ({}, {"pemkab_workflow": True}, {"tracking_disable": True}):
            for vals in (
                {"driver_name": hostile},
                {"driver_phone": "0812 0000 1111"},
                {"recipient_phone": "0812 0000 2222"},
                {"package_code": hostile},
                {"final_price": 7500000},
                {"review_needed": True},
                {"cancel_requested": True},
                {"receiver_name": "Orang Lain"},
            ):
                self.rpc_refused(UserError, BOOKING, "write", booking.ids, vals, context=context)
            self.rpc_refused(AccessError, BOOKING, "copy", booking.ids, context=context)
            self.rpc_refused(AccessError, BOOKING, "unlink", booking.ids, context=context)
        self.assertFalse(booking.driver_name or booking.final_price or booking.review_needed)
        self.assertEqual(booking.package_code, "PKG-0001")
        self.assertEqual(len(self.Booking.search([("package_code", "=", "PKG-0001")])), 1)
