# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The courier webhook against hostile bodies, stale signatures and leaked tokens, over
Odoo's real HTTP endpoint."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import SANDBOX_WEBHOOK_SECRET, PemkabCourierCommon

TOKEN = {"Authorization": SANDBOX_WEBHOOK_SECRET}


@tagged("post_install", "-at_install")
class TestWebhookHostile(PemkabCourierCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self.booking = self._booking()
        self.booking.action_request()
        self._run_outbox()
        self.assertEqual(self.booking.state, "booked")

    def _post(self, body, headers=None, provider=None, content_type="application/json"):
        self.env.flush_all()
        if not isinstance(body, bytes | str):
            body = json.dumps(body)
        response = self.url_open(
            f"/pemkab_delivery/webhook/{(provider or self.provider).id}",
            data=body,
            headers=dict({"Content-Type": content_type}, **(headers or TOKEN)),
            timeout=30,
        )
        self.env.invalidate_all()
        return response

    def _accepted(self, response):
        """The event was accepted (200: Grab asks 200 or 204); the batch applies it."""
        self.assertEqual(response.status_code, 200, response.text)
        self._apply_webhooks()
        self.env.invalidate_all()

    def _event(self, status, event_id, **details):
        """A GoSend event of the booking."""
        return dict(
            booking_id=self.booking.courier_order_ref,
            store_order_id=self.booking.name,
            status=status,
            event_id=event_id,
            **details,
        )

    def _assert_refused(self, response, status=None):
        self.assertGreaterEqual(response.status_code, 400, response.text[:300])
        self.assertLess(response.status_code, 500, response.text[:300])
        if status:
            self.assertEqual(response.status_code, status, response.text[:300])
        for leak in ("Traceback", "Error", "object has no attribute", "webhook body"):
            self.assertNotIn(leak, response.text)

    def test_hostile_bodies_get_a_4xx(self):
        ref = self.booking.name
        deep = "[" * 20000 + "]" * 20000
        cases = [
            ("a list where an object belongs", [{"store_order_id": ref}], 400),
            ("a number as our reference", {"store_order_id": 12345, "status": "delivered"}, 400),
            ("a list as the status", {"store_order_id": ref, "status": ["delivered"]}, 400),
            ("an object as the driver", {"store_order_id": ref, "driver_name": {"x": 1}}, 400),
            (
                "a NUL in a text",
                {"store_order_id": ref, "status": "allocated", "driver_name": "\x00"},
                400,
            ),
            ("not JSON", b"\xff\xfe{not json", 400),
            ("deeply nested JSON", '{"store_order_id": %s}' % deep, 400),
            ("1 MB of nested JSON", "[" * 500000 + "]" * 500000, 413),
            ("a string", '"delivered"', 400),
            ("null", "null", 400),
        ]
        for label, body, status in cases:
            with self.subTest(label):
                self._assert_refused(self._post(body), status)
        with self.subTest("wrong content type"):
            self._assert_refused(
                self._post({"store_order_id": ref}, content_type="text/plain"), 415
            )
        self.assertEqual(self.booking.state, "booked", "a refused call changes nothing")
        self.assertFalse(self.booking.event_ids.filtered(lambda e: e.source == "webhook"))

    def test_grab_hostile_driver(self):
        """A string where Grab's driver object belongs is a 400, not a 500."""
        booking = self._booking(provider=self.provider_grab, package_code="PKG-G")
        booking.action_request()
        self._run_outbox()
        body = {"merchantOrderID": booking.name, "status": "PICKING_UP", "driver": "Budi"}
        self._assert_refused(self._post(body, provider=self.provider_grab), 400)

    def _grab_event(self, booking, status, when):
        return json.dumps(
            {
                "deliveryID": booking.courier_order_ref,
                "merchantOrderID": booking.name,
                "status": status,
                "timestamp": int(when.timestamp()),
            }
        ).encode()

    def test_grab_signature_is_not_grab_scheme(self):
        """Grab signs nothing (its docs, "Tracking Webhook"): an HMAC signature without
        the static Authorization is refused; the Authorization-Id is checked when the
        account has one."""
        booking = self._booking(provider=self.provider_grab, package_code="PKG-G")
        booking.action_request()
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        body = self._grab_event(booking, "PICKING_UP", datetime.now(UTC))
        signature = hmac.new(SANDBOX_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        self._assert_refused(
            self._post(body, {"X-Grab-Signature": signature}, self.provider_grab), 401
        )
        self.provider_grab.webhook_auth_id = "pemkab-bwi"
        self._assert_refused(self._post(body, TOKEN, self.provider_grab), 401)
        wrong = dict(TOKEN, **{"Authorization-Id": "someone-else"})
        self._assert_refused(self._post(body, wrong, self.provider_grab), 401)
        self.assertEqual(booking.state, "booked")
        right = dict(TOKEN, **{"Authorization-Id": "pemkab-bwi"})
        self._accepted(self._post(body, right, self.provider_grab))
        self.assertEqual(booking.state, "driver_assigned")

    def test_grab_final_state_confirmed_by_delivery_id_and_merged(self):
        """A token-borne Grab "COMPLETED" is confirmed by GET /v1/deliveries/{deliveryID}
        (never by a GET by merchantOrderID, which Grab does not document), and the
        receiver, relation and proof link only the webhook carries are kept."""
        booking = self._booking(provider=self.provider_grab, package_code="PKG-G")
        booking.action_request()
        self._run_outbox()
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            self.sandbox.advance(booking.name, "delivered", webhook=False, api="grab")
        payload = json.loads(self._grab_event(booking, "COMPLETED", datetime.now(UTC)))
        payload["recipient"] = {"name": "Siti", "address": "", "relationship": "Anak"}
        proof = f"{self.sandbox.url}/proof/{booking.courier_order_ref}.png?expires=9999999999"
        payload["dropoffProofURL"] = proof
        self._accepted(self._post(payload, TOKEN, self.provider_grab))
        self.assertEqual(booking.state, "delivered")
        self.assertEqual((booking.receiver_name, booking.receiver_relation), ("Siti", "Anak"))
        self.assertEqual(booking.proof_photo_url, proof)
        lookups = [e.note or "" for e in booking.event_ids if e.source == "api"]
        self.assertTrue(
            any(f"/v1/deliveries/{booking.courier_order_ref}" in note for note in lookups),
            lookups,
        )
        self.assertFalse(any("/merchant/" in note for note in lookups), lookups)
        # the proof photo, before Grab's link expires (2 hours), is kept in the booking
        self.Exchange._cron_fetch_photos()
        self.assertTrue(booking.proof_photo)

    def test_static_token_alone_does_not_deliver(self):
        """A leaked GoSend token posts "delivered": the courier's API says the order is
        only booked, so the booking stays booked."""
        payload = self._event("delivered", "forged-delivered-1", receiver_name="Someone")
        self._accepted(self._post(payload))
        self.assertEqual(self.booking.state, "booked")
        self.assertFalse(self.booking.receiver_name)
        # the courier's genuine news, once its API agrees, is applied
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            self.sandbox.advance(self.booking.name, "delivered", webhook=False)
        payload["event_id"] = "genuine-delivered-1"
        self._accepted(self._post(payload))
        self.assertEqual(self.booking.state, "delivered")

    def test_token_borne_final_state_waits_for_the_courier_api(self):
        """The courier's API cannot confirm a token-borne "delivered" (5xx): the event
        is a job of the exchange that waits 1, 2, 4, 8 minutes, then is recorded as not
        applied; the booking stays booked all along."""
        Inbox = self.env["pemkab.delivery.webhook.inbox"]
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            self.sandbox.configure(error_rate=1.0)
        self._accepted(self._post(self._event("delivered", "unconfirmed-1")))
        event = Inbox.search([("booking_id", "=", self.booking.id)])
        self.assertEqual(self.booking.state, "booked")
        self.assertEqual(event.attempt_count, 1)
        self.assertFalse(event.claim_token, "the lease ends with the answer")
        waited = event.next_attempt_at - fields.Datetime.now()
        self.assertTrue(timedelta(seconds=50) <= waited <= timedelta(seconds=70), waited)
        cron = self.env.ref("pemkab_delivery.ir_cron_webhook_inbox")
        self.assertTrue(
            self.env["ir.cron.trigger"].search(
                [("cron_id", "=", cron.id), ("call_at", "=", event.next_attempt_at)]
            ),
            "the exchange runs again when the event is due",
        )
        lookups = self.booking.event_ids.filtered(
            lambda e: e.source == "api" and (e.note or "").startswith("GET")
        )
        self.assertTrue(lookups, "the lookup went through the exchange's client")
        for attempt in range(2, 6):
            event.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
            self._apply_webhooks()
            self.assertEqual(self.booking.state, "booked")
            if attempt < 5:
                self.assertEqual(event.attempt_count, attempt)
        self.assertFalse(event.exists(), "after the last try the event leaves the inbox")
        history = self.booking.event_ids.filtered(lambda e: e.source == "webhook")
        self.assertEqual(history.mapped("status"), ["delivered"])
        self.assertFalse(history.applied)
        self.assertIn("could not confirm", history.note)

    def test_driver_phone_the_check_refuses(self):
        """The courier's driver phone is not a phone number: the news is applied, the
        phone dropped (the payload in the history keeps it)."""
        payload = self._event(
            "allocated", "driver-1", driver_name="Budi", driver_phone="call the office"
        )
        self._accepted(self._post(payload))
        self.assertEqual(self.booking.state, "driver_assigned")
        self.assertEqual(self.booking.driver_name, "Budi")
        self.assertFalse(self.booking.driver_phone)
        self.assertIn("call the office", self.booking.event_ids[0].payload)
