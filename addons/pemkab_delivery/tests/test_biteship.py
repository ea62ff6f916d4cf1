# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Biteship, an aggregator, as a third courier API behind the same provider plug-in:
booked, tracked, told by webhooks over Odoo's real HTTP endpoint and cancelled, all
through the courier sandbox's Biteship API."""

import json

from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged

from ..clients.biteship import WEBHOOK_HEADER
from .common import SANDBOX_WEBHOOK_SECRET, PemkabCourierCommon

SANDBOX_KEY = "biteship_test.sandbox-key"


@tagged("post_install", "-at_install")
class TestBiteship(PemkabCourierCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider_biteship = cls.env["pemkab.courier.provider"].create(
            {
                "name": "Gojek via Biteship",
                "kind": "biteship",
                "biteship_courier": "gojek/instant",
                "base_url": cls.sandbox.url + "/biteship",
                "client_secret": SANDBOX_KEY,
                "webhook_secret": SANDBOX_WEBHOOK_SECRET,
                "read_timeout": 5.0,
            }
        )

    def setUp(self):
        super().setUp()
        self.sandbox.configure(webhook_secret_biteship=SANDBOX_WEBHOOK_SECRET)

    def _booked(self, **vals):
        booking = self._booking(provider=self.provider_biteship, **vals)
        booking.action_request()
        self._run_outbox()
        return booking

    def _advance(self, booking, status):
        """Biteship's webhook for ``booking`` over HTTP, then the news applied."""
        self.env.flush_all()
        self.sandbox.configure(
            webhook_url_biteship=(
                f"{self.base_url()}/pemkab_delivery/webhook/{self.provider_biteship.id}"
            )
        )
        with self.allow_requests(all_requests=True):
            result = self.sandbox.advance(booking.name, status)
        self.env.invalidate_all()
        self._apply_webhooks()
        return result

    def _post(self, body, headers):
        self.env.flush_all()
        response = self.url_open(
            f"/pemkab_delivery/webhook/{self.provider_biteship.id}",
            data=body,
            headers=dict({"Content-Type": "application/json"}, **headers),
            method="POST",
        )
        self.env.invalidate_all()
        return response

    def test_book_track_webhooks_deliver(self):
        booking = self._booked()
        self.assertEqual(booking.state, "booked")
        order = self.sandbox.orders(booking.name)[0]
        self.assertEqual(order["api"], "biteship")
        self.assertEqual(booking.courier_order_ref, order["courier_ref"])
        self.assertTrue(booking.quoted_price)
        # what Biteship was told: the minimum, in its shapes
        self.assertEqual(order["destination"]["phone"], "081234567890")
        self.assertEqual(order["item"], "Paket layanan kesehatan")
        # tracked by a poll
        self.sandbox.advance(booking.name, "driver_assigned", webhook=False)
        self._poll(booking)
        self.assertEqual(booking.state, "driver_assigned")
        self.assertTrue(booking.driver_name)
        self.assertTrue(booking.tracking_url)
        # webhooks: picked up applied at once, delivered only once Biteship's API agrees
        result = self._advance(booking, "picked_up")
        self.assertEqual(result["webhook_status"], 200, result["webhooks"])
        self.assertEqual(booking.state, "picked_up")
        self._advance(booking, "delivered")
        self.assertEqual(booking.state, "delivered")
        path = f"/biteship/v1/orders/{order['courier_ref']} "
        confirm = booking.event_ids.filtered(lambda e: e.source == "api" and path in (e.note or ""))
        self.assertTrue(confirm, "the unsigned final state was looked up at Biteship's API")
        self.assertEqual(self.sandbox.count(booking.name), 1)

    def test_webhook_before_the_order_number_is_kept_then_applied(self):
        """Biteship's webhooks name its order only (no ``reference_id``): one that
        outruns the booking answer is kept over HTTP (200, not 404), waits, and is
        applied once the booking records the order number (issue 19, 7 for Biteship)."""
        booking = self._booking(provider=self.provider_biteship)
        booking.action_request()
        # the booking call reached Biteship; its answer is not recorded yet
        payload = booking._courier_payload()
        self.env.flush_all()
        self.sandbox.configure(
            webhook_url_biteship=(
                f"{self.base_url()}/pemkab_delivery/webhook/{self.provider_biteship.id}"
            )
        )
        with self.allow_requests(all_requests=True):
            info = self.provider_biteship._courier_client().book(
                booking.name,
                payload["origin"],
                payload["destination"],
                payload["package"],
                payload["service_type"],
            )
            sent = self.sandbox.advance(booking.name, "picked_up")
        self.env.invalidate_all()
        self.assertNotIn("reference_id", sent["payload"], "Biteship's events name no reference")
        self.assertEqual(sent["webhook_status"], 200, sent["webhooks"])
        Inbox = self.env["pemkab.delivery.webhook.inbox"]
        # the driver found, then the pickup: each event kept, none of a booking yet
        kept = Inbox.search([("courier_ref", "=", info.courier_ref)])
        self.assertTrue(kept)
        self.assertFalse(kept.booking_id)
        self.assertEqual(self._apply_webhooks(), 0, "they wait for their booking")
        self.assertEqual(booking.state, "requested")
        # the booking answer is recorded: the kept event is the booking's, then applied
        booking._apply_courier_update(info, "api")
        self.assertEqual(kept.booking_id, booking)
        self._apply_webhooks()
        self.assertEqual(booking.state, "picked_up")
        self.assertEqual(self.sandbox.count(booking.name), 1)

    def test_unsigned_delivered_is_confirmed_by_the_api_not_believed(self):
        """A well-authenticated webhook saying "delivered" for an order Biteship still has
        on its way: the API's answer wins, the booking is not closed."""
        booking = self._booked()
        body = json.dumps(
            {"event": "order.status", "order_id": booking.courier_order_ref, "status": "delivered"}
        )
        response = self._post(body, {WEBHOOK_HEADER: SANDBOX_WEBHOOK_SECRET})
        self.assertEqual(response.status_code, 200, response.text)
        self._apply_webhooks()
        self.assertEqual(booking.state, "booked", "Biteship's API says confirmed, not delivered")

    def test_forged_webhook_refused_probe_answered(self):
        booking = self._booked()
        body = json.dumps(
            {"event": "order.status", "order_id": booking.courier_order_ref, "status": "picked"}
        )
        for headers in (
            {},
            {WEBHOOK_HEADER: "not-the-secret"},
            {"Authorization": SANDBOX_WEBHOOK_SECRET},
        ):
            self.assertEqual(self._post(body, headers).status_code, 401)
        # the dashboard's check of the URL when the webhook is saved: an empty body, no header
        probe = self._post(b"", {})
        self.assertEqual(probe.status_code, 200)
        self.assertFalse(self.env["pemkab.delivery.webhook.inbox"].sudo().search_count([]))
        self.assertEqual(booking.state, "booked")
        self.assertFalse(booking.event_ids.filtered(lambda e: e.source == "webhook"))

    def test_price_and_waybill_events(self):
        booking = self._booked()
        for event in (
            {"event": "order.waybill_id", "courier_waybill_id": "WYB-1", "status": "confirmed"},
            {"event": "order.price", "price": 21000, "status": "confirmed"},
        ):
            body = json.dumps(dict(event, order_id=booking.courier_order_ref))
            response = self._post(body, {WEBHOOK_HEADER: SANDBOX_WEBHOOK_SECRET})
            self.assertEqual(response.status_code, 200, response.text)
        self._apply_webhooks()
        self.assertEqual(booking.state, "booked")
        self.assertEqual(len(booking.event_ids.filtered(lambda e: e.source == "webhook")), 2)

    def test_cancel_goes_through_biteship(self):
        booking = self._booked()
        booking.action_cancel()
        self._run_outbox()
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual(self.sandbox.orders(booking.name)[0]["stage"], "cancelled")

    def test_timeout_then_the_order_is_found_not_doubled(self):
        """Biteship refuses a reference_id twice and names its order: a booking call left
        without answer is made again, and finds the first order; nobody has to check."""
        self.provider_biteship.read_timeout = 0.5
        self.sandbox.configure(timeout_rate=1.0, timeout_sleep_s=1.5)
        booking = self._booking(provider=self.provider_biteship)
        booking.action_request()
        self._run_outbox()
        self.assertEqual(booking.state, "requested")
        self.assertTrue(booking.outcome_unknown)
        self.assertFalse(booking.review_needed, "Biteship can be asked again")
        self.sandbox.configure(timeout_rate=0.0)
        self._make_due(booking)
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        self.assertFalse(booking.outcome_unknown)
        self.assertEqual(self.sandbox.count(booking.name), 1)
        self.provider_biteship.read_timeout = 5.0

    def test_far_village_refused_by_an_instant_courier(self):
        booking = self._booked(latitude=-8.58, longitude=114.03)
        self.assertEqual(booking.state, "failed")
        self.assertEqual(booking.failure_reason, "out_of_range")
        self.assertEqual(self.sandbox.count(booking.name), 0)

    def test_key_prefix_must_match_the_environment(self):
        with self.assertRaises(ValidationError):
            self.provider_biteship.client_secret = "biteship_live.real-key"
        with self.assertRaises(ValidationError):
            self.env["pemkab.courier.provider"].create(
                {
                    "name": "Biteship live",
                    "kind": "biteship",
                    "environment": "production",
                    "base_url": "https://api.biteship.com",
                    "client_secret": SANDBOX_KEY,
                }
            )

    def test_credential_kept_as_the_other_secrets(self):
        provider = self.provider_biteship
        self.assertTrue(provider._fields["client_secret"].groups == "base.group_system")
        self.assertFalse(provider.copy().sudo().client_secret, "never copied")
        with self.assertRaises(UserError):
            provider._export_rows([["client_secret"]])
        manager = provider.with_user(self.user_manager)
        self.assertNotIn("client_secret", manager.fields_get())
