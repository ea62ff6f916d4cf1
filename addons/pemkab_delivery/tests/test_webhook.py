# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json

from odoo.tests import HttpCase, tagged

from .common import SANDBOX_WEBHOOK_SECRET, PemkabCourierCommon


@tagged("post_install", "-at_install")
class TestCourierWebhook(PemkabCourierCommon, HttpCase):
    """The courier sandbox posts its status events to Odoo's real HTTP endpoint."""

    def setUp(self):
        super().setUp()
        url = f"{self.base_url()}/pemkab_delivery/webhook/{self.provider.id}"
        self.sandbox.configure(webhook_url_gosend=url)
        self.booking = self._booking()
        self.booking.action_request()
        self._run_outbox()
        self.assertEqual(self.booking.state, "booked")

    def _advance(self, status):
        # the sandbox's own HTTP client carries no test cookie: let its webhooks in
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            result = self.sandbox.advance(self.booking.name, status)
        self.env.invalidate_all()  # the request changed the records in its own environment
        self._apply_webhooks()
        return result

    def _resend(self, **kwargs):
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            result = self.sandbox.send_webhook(self.booking.name, **kwargs)
        self.env.invalidate_all()
        self._apply_webhooks()
        return result

    def _post(self, payload, headers):
        return self.url_open(
            f"/pemkab_delivery/webhook/{self.provider.id}",
            data=json.dumps(payload),
            headers=dict({"Content-Type": "application/json"}, **headers),
        )

    def test_webhooks_move_the_booking(self):
        result = self._advance("driver_assigned")
        self.assertEqual(result["webhook_status"], 200, result["webhooks"])
        self.assertEqual(self.booking.state, "driver_assigned")
        self.assertTrue(self.booking.driver_name)
        self._advance("delivered")
        self.assertEqual(self.booking.state, "delivered")
        self.assertTrue(self.booking.receiver_name)
        self.assertTrue(self.booking.proof_photo_url)
        webhook_events = self.booking.event_ids.filtered(lambda e: e.source == "webhook")
        self.assertTrue(all(webhook_events.mapped("payload")), "raw payloads are kept")

    def test_stored_on_the_first_try(self):
        """The webhook writes: served read-only, Odoo would fail the insert and serve the whole
        request a second time (a warning and twice the work for every courier event)."""
        with self.assertNoLogs("odoo.http", "WARNING"):
            result = self._advance("driver_assigned")
        self.assertEqual(result["webhook_status"], 200, result["webhooks"])
        self.assertEqual(self.booking.state, "driver_assigned")

    def test_forged_or_unsigned_refused(self):
        sent = self.sandbox.advance(self.booking.name, "picked_up", webhook=False)
        payload = (
            sent["events"][-1]["payload"]
            if sent.get("events")
            else {
                "booking_id": self.booking.courier_order_ref,
                "store_order_id": self.booking.name,
                "status": "delivered",
                "event_id": "forged-1",
            }
        )
        for headers in ({}, {"Authorization": "not-the-secret"}):
            response = self._post(payload, headers)
            self.assertEqual(response.status_code, 401)
        self.assertEqual(self.booking.state, "booked", "a forged call changes nothing")
        self.assertFalse(self.booking.event_ids.filtered(lambda e: e.source == "webhook"))
        response = self._post(payload, {"Authorization": SANDBOX_WEBHOOK_SECRET})
        self.assertEqual(response.status_code, 200)
        self._apply_webhooks()
        self.assertEqual(self.booking.state, "picked_up")

    def test_duplicate_ignored(self):
        self._advance("driver_assigned")
        count = len(self.booking.event_ids)
        result = self._resend(event_index=-1)
        self.assertEqual(result["webhook_status"], 200)
        self.assertEqual(result["webhooks"][0]["status_code"], 200)
        self.assertEqual(len(self.booking.event_ids), count, "the same event is kept once")
        self.assertEqual(self.booking.state, "driver_assigned")

    def test_out_of_order_recorded_not_applied(self):
        self._advance("picked_up")
        self._advance("delivered")
        self.assertEqual(self.booking.state, "delivered")
        # a late "picked up" arrives after "delivered"
        self._resend(status="picked_up")
        self.assertEqual(self.booking.state, "delivered")
        late = self.booking.event_ids.filtered(
            lambda e: e.source == "webhook" and e.status == "picked_up" and not e.applied
        )
        self.assertTrue(late, "the late event is in the history, not applied")

    def test_archived_account_still_heard(self):
        """An archived account's live bookings still hear from the courier."""
        self.provider.active = False
        result = self._advance("driver_assigned")
        self.assertEqual(result["webhook_status"], 200, result["webhooks"])
        self.assertEqual(self.booking.state, "driver_assigned")

    def test_unknown_provider(self):
        response = self.url_open(
            "/pemkab_delivery/webhook/999999",
            data="{}",
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 404)

    def test_chatter_in_the_regency_language(self):
        """What the courier's webhook writes is in the regency's language (the default of
        its contacts), not in the language of the courier's HTTP client."""
        self.env["res.lang"]._activate_lang("id_ID")
        self.env["ir.module.module"]._load_module_terms(["pemkab_delivery"], ["id_ID"])
        self.env["ir.default"].set("res.partner", "lang", "id_ID")
        self._advance("no_driver")
        self.assertEqual(self.booking.state, "failed")
        bodies = " ".join(self.booking.message_ids.mapped("body"))
        self.assertIn("Pengemudi tidak ditemukan", bodies)
