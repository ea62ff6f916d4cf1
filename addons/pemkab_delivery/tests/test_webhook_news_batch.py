# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The inbox's batch applies the couriers' news set-based (issue 17): the queries of
applying N events do not grow with N, and the outcome is the one of applying each event
alone (history, states, the chatter's tracking)."""

import time

from odoo import fields
from odoo.tests import tagged

from ..controllers.main import parse_courier_datetime
from .common import PemkabCourierCommon


@tagged("post_install", "-at_install")
class TestWebhookNewsBatch(PemkabCourierCommon):
    def _booked(self, count):
        """``count`` bookings at the Grab account, booked (the courier's order number
        known)."""
        bookings = self.Booking
        for _index in range(count):
            bookings |= self._booking(provider=self.provider_grab)
        for booking in bookings:
            booking._workflow().write(
                {"state": "booked", "courier_order_ref": f"IN-{booking.id}-GRAB"}
            )
        return bookings

    def _queue(self, bookings, *statuses, driver="Budi"):
        """The webhook's side: each booking's events (Grab's statuses, in this order) in
        the inbox, as the webhook stores them."""
        client = self.provider_grab._courier_client_class()
        Inbox = self.env["pemkab.delivery.webhook.inbox"]
        now = int(time.time()) - 60
        for step, status in enumerate(statuses):
            for booking in bookings:
                payload = {
                    "deliveryID": booking.courier_order_ref,
                    "merchantOrderID": booking.name,
                    "status": status,
                    "timestamp": now + step,
                    "driver": {"name": driver, "phone": "081234567890", "licensePlate": "P 1 AB"},
                }
                event = client.parse_webhook(payload)
                received = Inbox._receive(
                    self.provider_grab,
                    event,
                    payload,
                    False,
                    parse_courier_datetime(event.occurred_at),
                )
                self.assertEqual(received, "queued")
        self.env.flush_all()

    def _apply_counting(self, bookings, *statuses):
        """The queries of applying the bookings' events (``statuses`` each)."""
        self._queue(bookings, *statuses)
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        applied = self._apply_webhooks()
        self.env.flush_all()
        queries = self.cr.sql_log_count - before
        self.assertEqual(applied, len(bookings) * len(statuses))
        return queries

    def test_queries_do_not_grow_with_the_events(self):
        # driver assigned, then picked up, then the same again (a resend under a new
        # time: details refreshed, not applied) and a late "driver assigned"
        statuses = ("PENDING_PICKUP", "PENDING_DROP_OFF", "PENDING_DROP_OFF")
        few, many = self._booked(4), self._booked(40)
        # warm the caches (the first batch reads the registry's metadata)
        self._apply_counting(self._booked(2), *statuses)
        small = self._apply_counting(few, *statuses)  # 12 events
        large = self._apply_counting(many, *statuses)  # 120 events
        # event by event (before issue 17): 56 queries for the 12 events, 452 for the 120
        self.assertLessEqual(
            large, small + 10, f"{small} queries for 12 events, {large} for 120 events"
        )
        for booking in few | many:
            webhook = booking.event_ids.filtered(lambda e: e.source == "webhook").sorted("id")
            self.assertEqual(
                webhook.mapped("status"), ["driver_assigned", "picked_up", "picked_up"]
            )
            self.assertEqual(webhook.mapped("applied"), [True, True, False])
            self.assertEqual(booking.state, "picked_up")
            self.assertEqual(booking.driver_name, "Budi")
            self.assertTrue(booking.last_news_at)
            # the chatter tracks each change of state and the driver, as the ORM does
            tracking = booking.message_ids.tracking_value_ids
            states = tracking.filtered(lambda t: t.field_id.name == "state")
            self.assertEqual(
                sorted(states.mapped("new_value_char")), ["Driver Assigned", "Picked Up"]
            )
            self.assertEqual(
                tracking.filtered(lambda t: t.field_id.name == "driver_name").new_value_char,
                "Budi",
            )
        self.assertFalse(self.env["pemkab.delivery.webhook.inbox"].search([]))

    def test_a_refused_event_applies_the_batch_event_by_event(self):
        """An event its booking refuses (a driver's name with a NUL character: the
        booking's check of the values) is recorded as "Not applicable", as when each
        event was applied alone; the other events of the batch are applied."""
        good, bad = self._booked(2)
        self._queue(good, "PENDING_PICKUP")
        self._queue(bad, "PENDING_PICKUP", driver="Bu\x00di")
        self._queue(good | bad, "PENDING_DROP_OFF")
        self.assertEqual(self._apply_webhooks(), 4)
        self.assertEqual((good.state, bad.state), ("picked_up", "picked_up"))
        lines = bad.event_ids.filtered(lambda e: e.source == "webhook").sorted("id")
        self.assertEqual(lines.mapped("applied"), [False, True])
        self.assertIn("Not applicable", lines[0].note)
        self.assertEqual(
            good.event_ids.filtered(lambda e: e.source == "webhook").mapped("applied"),
            [True, True],
        )
        self.assertLessEqual(good.last_news_at, fields.Datetime.now())
