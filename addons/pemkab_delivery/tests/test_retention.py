# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Retention: the courier's personal data is purged a retention period after a
booking's final state, and its outcome is kept."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import PemkabCourierCommon

PHOTO = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@tagged("post_install", "-at_install")
class TestRetention(PemkabCourierCommon):
    def _delivered(self, days_ago, code):
        booking = self._booking(provider=self.own_fleet, package_code=code)
        booking.action_request()
        booking.write({"driver_name": "Budi", "driver_phone": "0812 3456 0001"})
        booking.action_assign_driver()
        booking.write(
            {"receiver_name": "Siti", "proof_photo": PHOTO, "proof_photo_url": "https://x/p.jpg"}
        )
        booking.action_mark_delivered()
        booking._log_event("webhook", payload={"driver_phone": "0812 3456 0001"})
        self.assertTrue(booking.closed_at, "the final state is dated")
        booking.closed_at = fields.Datetime.now() - timedelta(days=days_ago)
        return booking

    def test_purge_after_the_retention_period(self):
        old = self._delivered(100, "PKG-OLD")
        recent = self._delivered(10, "PKG-NEW")
        self.assertEqual(self.Exchange._cron_purge(auto_commit=False), 1)
        self.assertFalse(old.driver_phone or old.proof_photo or old.proof_photo_url)
        self.assertFalse(any(old.event_ids.mapped("payload")))
        self.assertTrue(old.purged_at)
        # the outcome stays
        self.assertEqual(old.state, "delivered")
        self.assertEqual(old.receiver_name, "Siti")
        self.assertTrue(old.delivered_at)
        self.assertEqual(old.driver_name, "Budi")
        # the recent one is untouched, until an administrator shortens the period
        self.assertTrue(recent.driver_phone and recent.proof_photo)
        self.env["res.config.settings"].create({"pemkab_retention_days": 5}).execute()
        self.assertEqual(self.Exchange._cron_purge(auto_commit=False), 1)
        self.assertFalse(recent.driver_phone or recent.proof_photo)
        self.assertEqual(self.Exchange._cron_purge(auto_commit=False), 0)

    def test_open_bookings_are_kept(self):
        booking = self._booking(provider=self.own_fleet, package_code="PKG-OPEN")
        booking.action_request()
        booking.write({"driver_name": "Budi", "driver_phone": "0812 3456 0001"})
        self.assertFalse(booking.closed_at)
        self.env["ir.config_parameter"].set_param("pemkab_delivery.retention_days", 1)
        self.assertEqual(self.Exchange._cron_purge(auto_commit=False), 0)
        self.assertTrue(booking.driver_phone)
