# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The queued path of the courier webhook: the request records the event and answers at
once; the scheduled action applies the news in batches (over Odoo's real HTTP endpoint)."""

import json
import time
from types import SimpleNamespace

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from ..models import pemkab_delivery_webhook_inbox
from .common import SANDBOX_WEBHOOK_SECRET, PemkabCourierCommon, PemkabRpcMixin


@tagged("post_install", "-at_install")
class TestWebhookInbox(PemkabRpcMixin, PemkabCourierCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self.Inbox = self.env["pemkab.delivery.webhook.inbox"]
        self.cron = self.env.ref("pemkab_delivery.ir_cron_webhook_inbox")
        self.bookings = self._booking(provider=self.provider_grab, package_code="PKG-G1")
        self.bookings |= self._booking(provider=self.provider_grab, package_code="PKG-G2")
        self.bookings.action_request()
        self._run_outbox()
        self.assertEqual(set(self.bookings.mapped("state")), {"booked"})

    def _body(self, booking, status, timestamp):
        return json.dumps(
            {
                "deliveryID": booking.courier_order_ref,
                "merchantOrderID": booking.name,
                "status": status,
                "timestamp": timestamp,
                "driver": {"name": "Budi", "phone": "081234567890", "licensePlate": "P 1 AB"},
            }
        ).encode()

    def _post(self, body, secret=SANDBOX_WEBHOOK_SECRET):
        # Grab's static Authorization (it signs nothing)
        self.env.flush_all()
        response = self.url_open(
            f"/pemkab_delivery/webhook/{self.provider_grab.id}",
            data=body,
            headers={"Content-Type": "application/json", "Authorization": secret},
            timeout=30,
        )
        self.env.invalidate_all()
        return response

    def _webhook_events(self, booking):
        return booking.event_ids.filtered(lambda e: e.source == "webhook").sorted("id")

    def test_events_queued_then_applied_in_order(self):
        first, second = self.bookings
        now = int(time.time())
        self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]).unlink()
        # this process has not woken the scheduled action lately
        self.patch(pemkab_delivery_webhook_inbox, "_last_trigger", {"at": float("-inf")})
        # Grab's webhook is not signed: its "COMPLETED" is confirmed at Grab's API first
        self.env.flush_all()
        with self.allow_requests(all_requests=True):
            self.sandbox.advance(first.name, "delivered", webhook=False, api="grab")
        assigned = self._body(first, "PENDING_PICKUP", now - 30)
        answers = [
            self._post(assigned),
            self._post(assigned),  # the courier's resend while it waits: kept once
            self._post(self._body(second, "PENDING_PICKUP", now - 20)),
            self._post(self._body(first, "COMPLETED", now - 10)),
            # a late "picked up", dated before "delivered", arrives after it
            self._post(self._body(first, "PENDING_DROP_OFF", now - 15)),
            self._post(self._body(second, "COMPLETED", now), secret="forged"),
        ]
        codes = [response.status_code for response in answers]
        self.assertEqual(codes, [200, 200, 200, 200, 200, 401])
        self.assertEqual(answers[1].json(), {"status": "duplicate"})
        # answered before anything is applied: the news waits in the inbox, the batch is due
        self.assertEqual(set(self.bookings.mapped("state")), {"booked"})
        self.assertFalse(self._webhook_events(first) | self._webhook_events(second))
        self.assertEqual(self.Inbox.search_count([("booking_id", "in", self.bookings.ids)]), 4)
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]))

        self.assertEqual(self._apply_webhooks(), 4)
        self.assertFalse(self.Inbox.search([("booking_id", "in", self.bookings.ids)]))
        self.assertEqual(first.state, "delivered")
        self.assertEqual(second.state, "driver_assigned", "the forged delivery changed nothing")
        events = self._webhook_events(first)
        # the token-borne final state is applied once Grab's API confirms it, after the
        # batch: the late "picked up" went first
        self.assertEqual(events.mapped("status"), ["driver_assigned", "picked_up", "delivered"])
        self.assertEqual(events.mapped("applied"), [True, True, True])
        self.assertEqual(len(self._webhook_events(second)), 1)

        # a resend after the news was applied: a duplicate, nothing queued
        response = self._post(assigned)
        self.assertEqual((response.status_code, response.json()["status"]), (200, "duplicate"))
        self.assertFalse(self.Inbox.search([("booking_id", "in", self.bookings.ids)]))
        self.assertEqual(len(self._webhook_events(first)), 3)

    def test_unknown_order_refused_at_once(self):
        booking = SimpleNamespace(name="NOT-OURS", courier_order_ref="IN-2-NOPE")
        response = self._post(self._body(booking, "COMPLETED", int(time.time())))
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.Inbox.search([]))

    def test_inbox_read_by_administrators_only(self):
        self._post(self._body(self.bookings[0], "PENDING_PICKUP", int(time.time())))
        for login in ("officer_a", "head_a", "delivery_admin"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                self.rpc_refused(
                    AccessError, "pemkab.delivery.webhook.inbox", "search_read", [], ["payload"]
                )
        self.authenticate("admin", "admin")
        rows = self.rpc_ok("pemkab.delivery.webhook.inbox", "search_read", [], ["payload"])
        self.assertEqual(len(rows), 1)
        self.rpc_refused(AccessError, "pemkab.delivery.webhook.inbox", "unlink", [rows[0]["id"]])
