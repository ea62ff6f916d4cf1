# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the couriers really send, against the strict courier sandbox (issue 19): routes
refused before booking, GoSend's refusal text, the proof and driver photos kept in the
booking, GoSend events that outrun the booking answer."""

import json

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import SANDBOX_WEBHOOK_SECRET, PemkabCourierCommon

# about 38 km and 45 km south of shelter A (-8.21, 114.36), as the crow flies
AT_38_KM = {"latitude": -8.5523, "longitude": 114.3600}
AT_45_KM = {"latitude": -8.6153, "longitude": 114.3600}


@tagged("post_install", "-at_install")
class TestCourierEvidence(PemkabCourierCommon, HttpCase):
    # ------------------------------------------------------------------
    # 8. route limits, before booking
    # ------------------------------------------------------------------
    def test_route_longer_than_the_courier_takes_is_refused_before_booking(self):
        grab = self._booking(provider=self.provider_grab, package_code="PKG-FAR", **AT_38_KM)
        with self.assertRaisesRegex(UserError, "at most 35 km") as refused:
            grab.action_request()
        self.assertIn("38.", str(refused.exception))
        self.assertEqual(grab.state, "draft")
        # GoSend Instant takes 40 km: the same route goes
        gosend = self._booking(package_code="PKG-NEAR", **AT_38_KM)
        gosend.action_request()
        self.assertEqual(gosend.state, "requested")
        too_far = self._booking(package_code="PKG-FARTHER", **AT_45_KM)
        with self.assertRaisesRegex(UserError, "at most 40 km"):
            too_far.action_request()
        heavy = self._booking(package_code="PKG-HEAVY", weight_kg=25)
        with self.assertRaisesRegex(UserError, "at most 20 kg"):
            heavy.action_request()
        self.assertEqual(self.sandbox.count(grab.name) + self.sandbox.count(heavy.name), 0)

    # ------------------------------------------------------------------
    # the courier's reason (Grab's failedReason, GoSend's cancelled_by), in Indonesian
    # ------------------------------------------------------------------
    def test_courier_reason_shown_to_officers_in_their_language(self):
        grab = self._booking(provider=self.provider_grab, package_code="PKG-GRAB-OPS")
        grab.action_request()
        self._run_outbox()
        self._webhook(grab, "cancelled_by_courier")  # FAILED, "5|Canceled by Grab Operator"
        self.assertEqual(grab.state, "failed")
        self.assertEqual(grab.courier_reason, "5|Canceled by Grab Operator")
        self.assertEqual(grab.courier_reason_label, "Cancelled by a GrabExpress operator")
        self.env["res.lang"]._activate_lang("id_ID")
        self.env["ir.module.module"]._load_module_terms(["pemkab_delivery"], ["id_ID"])
        self.assertEqual(
            grab.with_context(lang="id_ID").courier_reason_label,
            "Dibatalkan oleh operator GrabExpress",
        )
        gosend = self._booking(package_code="PKG-GOSEND-DRV")
        gosend.action_request()
        self._run_outbox()
        sent = self.sandbox.advance(
            gosend.name, "cancelled_by_courier", webhook=False, reason="driver"
        )
        event = self.provider._courier_client_class().parse_webhook(sent["payload"])
        gosend._apply_courier_update(event.order, "webhook", event_key=event.event_id)
        self.assertEqual(gosend.courier_reason, "driver")
        self.assertEqual(
            gosend.with_context(lang="id_ID").courier_reason_label, "Dibatalkan oleh pengemudi"
        )
        self.assertFalse(self._booking(package_code="PKG-NONE").courier_reason_label)

    # ------------------------------------------------------------------
    # the request id Grab asks partners to log, in the booking's exchange log
    # ------------------------------------------------------------------
    def test_grab_request_id_kept_in_the_exchange_log(self):
        booking = self._booking(provider=self.provider_grab, package_code="PKG-REQ-ID")
        booking.action_request()
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        calls = booking.event_ids.filtered(
            lambda event: event.source == "api" and "/v1/deliveries" in (event.note or "")
        )
        self.assertTrue(calls)
        for event in calls:
            request_id = json.loads(event.payload)["request_id"]
            self.assertRegex(request_id, r"^[0-9a-f]{32}$")
            self.assertTrue(event.note.endswith(f"[{request_id}]"), event.note)

    # ------------------------------------------------------------------
    # Grab's recipient SMS on pickup, where the agency wants it
    # ------------------------------------------------------------------
    def _grab_recipient_sms(self, package_code):
        booking = self._booking(provider=self.provider_grab, package_code=package_code)
        booking.action_request()
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        create = booking.event_ids.filtered(
            lambda event: event.source == "api"
            and (event.note or "").startswith("POST")
            and "/v1/deliveries " in event.note
        )
        body = json.loads(json.loads(create.payload)["request_body"])
        return body["recipient"]["smsEnabled"], body["sender"]["smsEnabled"]

    def test_grab_recipient_sms_on_pickup_where_the_agency_wants_it(self):
        self.assertEqual(self._grab_recipient_sms("PKG-SMS-OFF"), (False, False))
        self.agency_a.courier_recipient_sms = True
        self.assertEqual(self._grab_recipient_sms("PKG-SMS-ON"), (True, False))

    # ------------------------------------------------------------------
    # 6. GoSend's refusal text, from its Error-Message header
    # ------------------------------------------------------------------
    def test_gosend_refusal_text_shown_instead_of_the_http_status(self):
        booking = self._booking()
        booking.action_request()
        # the recipient moved past GoSend's reach after the request was checked
        booking._workflow().write(AT_45_KM)
        self._run_outbox()
        self.assertEqual(booking.state, "failed")
        self.assertEqual(booking.failure_message, "Distance exceeds 40 km")
        self.assertNotIn("HTTP 400", booking.last_error or "")

    # ------------------------------------------------------------------
    # 4. photos downloaded into the booking, the link kept as provenance
    # ------------------------------------------------------------------
    def _delivered_by_poll(self, **sandbox_config):
        self.sandbox.configure(**sandbox_config)
        booking = self._booking()
        booking.action_request()
        self._run_outbox()
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            self.sandbox.advance(booking.name, "delivered", webhook=False)
        self._poll(booking)
        self.assertEqual(booking.state, "delivered")
        return booking

    def test_proof_photo_downloaded_when_the_news_arrives(self):
        booking = self._delivered_by_poll()
        url = booking.proof_photo_url
        self.assertTrue(url and "/proof/" in url, "GoSend's proofs.pod")
        self.assertTrue(booking.photo_fetch_at, "the photo job is due")
        self.assertFalse(booking.proof_photo)
        self.assertEqual(self.Exchange._cron_fetch_photos(), 1)
        self.assertTrue(booking.proof_photo)
        self.assertEqual(booking.proof_photo_url, url, "the link is kept as provenance")
        self.assertFalse(booking.photo_fetch_at)
        notes = booking.event_ids.mapped("note")
        self.assertIn("The proof photo is kept in the booking.", notes)
        self.assertTrue(any(n and n.startswith("GET ") and "/proof/" in n for n in notes))
        self.assertEqual(self.Exchange._cron_fetch_photos(), 0, "nothing left to fetch")

    def test_expired_photo_link_recorded_not_retried(self):
        booking = self._delivered_by_poll(proof_link_ttl_s=0)
        self.Exchange._cron_fetch_photos()
        self.assertFalse(booking.proof_photo)
        self.assertFalse(booking.photo_fetch_at, "an expired link is not tried again")
        self.assertTrue(
            any("could not be kept" in (n or "") for n in booking.event_ids.mapped("note"))
        )

    def test_photo_from_another_host_never_fetched(self):
        booking = self._delivered_by_poll()
        booking._workflow().write({"proof_photo_url": "https://evil.example.com/p.png"})
        self.Exchange._cron_fetch_photos()
        self.assertFalse(booking.proof_photo)
        notes = booking.event_ids.mapped("note")
        self.assertFalse(any(n and "evil.example.com" in n and n.startswith("GET") for n in notes))
        self.assertTrue(any("could not be kept" in (n or "") for n in notes))

    # ------------------------------------------------------------------
    # 7. a GoSend event that outruns the booking answer is kept, then applied
    # ------------------------------------------------------------------
    def test_gosend_event_before_the_order_number_is_kept_then_applied(self):
        self.sandbox.configure(
            webhook_url_gosend=f"{self.base_url()}/pemkab_delivery/webhook/{self.provider.id}"
        )
        booking = self._booking()
        booking.action_request()
        # the booking call reached GoSend; its answer is not recorded yet
        payload = booking._courier_payload()
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            info = self.provider._courier_client().book(
                booking.name,
                payload["origin"],
                payload["destination"],
                payload["package"],
                payload["service_type"],
            )
            sent = self.sandbox.advance(booking.name, "driver_assigned")
        self.env.invalidate_all()
        self.assertNotIn("store_order_id", sent["payload"], "GoSend's events name no reference")
        self.assertEqual(sent["webhook_status"], 200, sent["webhooks"])
        Inbox = self.env["pemkab.delivery.webhook.inbox"]
        kept = Inbox.search([("courier_ref", "=", info.courier_ref)])
        self.assertEqual(len(kept), 1)
        self.assertFalse(kept.booking_id)
        self.assertEqual(self._apply_webhooks(), 0, "it waits for its booking")
        # the booking answer is recorded: the kept event is the booking's, then applied
        booking._apply_courier_update(info, "api")
        self.assertEqual(kept.booking_id, booking)
        self._apply_webhooks()
        self.assertEqual(booking.state, "driver_assigned")
        self.assertTrue(booking.driver_name)
        self.assertTrue(booking.driver_photo_url, "GoSend's driver_photo_url")
        self.Exchange._cron_fetch_photos()
        self.assertTrue(booking.driver_photo)

    def test_event_naming_only_our_reference_of_no_booking_refused(self):
        response = self.url_open(
            f"/pemkab_delivery/webhook/{self.provider.id}",
            data=json.dumps({"store_order_id": "NOT-OURS", "status": "confirmed"}),
            headers={"Content-Type": "application/json", "Authorization": SANDBOX_WEBHOOK_SECRET},
        )
        self.assertEqual(response.status_code, 404)
