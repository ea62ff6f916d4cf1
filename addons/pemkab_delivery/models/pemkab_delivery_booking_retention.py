# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Retention of the courier's personal data (UU PDP: kept no longer than needed).

The courier's payloads, the driver's phone number and the proof photos of a booking are
purged a number of days after its final state (90 by default, an administrator sets it
in Settings > Courier Deliveries), by the scheduled action *Courier Deliveries: purge
courier data past retention*. The booking's outcome stays: its state, dates, receiver,
failure reason and price.
"""

# One file per concern of the booking, by design (see pemkab_delivery_booking.py).
# pylint: disable=consider-merging-classes-inherited
from datetime import timedelta

from odoo import api, fields, models

from .pemkab_delivery_booking import FINAL_STATES

RETENTION_PARAM = "pemkab_delivery.retention_days"
DEFAULT_RETENTION_DAYS = 90


class PemkabDeliveryBooking(models.Model):
    _inherit = "pemkab.delivery.booking"

    closed_at = fields.Datetime(
        string="Final Since",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the booking reached its final state: its courier data is purged a "
        "retention period after.",
    )
    purged_at = fields.Datetime(
        string="Courier Data Purged On",
        readonly=True,
        copy=False,
        help="The courier's payloads, the driver's phone and the proof photos were purged "
        "then; the outcome is kept.",
    )

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._pemkab_check_values(vals_list)
        now = fields.Datetime.now()
        for vals in vals_list:
            if vals.get("state") in FINAL_STATES:
                vals.setdefault("closed_at", now)
        return super().create(vals_list)

    def write(self, vals):
        self._pemkab_check_values([vals])
        if vals.get("state") in FINAL_STATES and "closed_at" not in vals:
            open_ones = self.filtered(lambda booking: not booking.closed_at)
            if open_ones and open_ones != self:
                super(PemkabDeliveryBooking, open_ones).write({"closed_at": fields.Datetime.now()})
            elif open_ones:
                vals = dict(vals, closed_at=fields.Datetime.now())
        return super().write(vals)

    # ------------------------------------------------------------------
    # Scheduled action
    # ------------------------------------------------------------------
    @api.model
    def _retention_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM)
        try:
            days = int(value or DEFAULT_RETENTION_DAYS)
        except ValueError:
            return DEFAULT_RETENTION_DAYS
        return days if days > 0 else DEFAULT_RETENTION_DAYS

    @api.model
    def _cron_purge_courier_data(self, batch_size=500, auto_commit=True):
        """Purge the courier data of the bookings final for longer than the retention
        period, by batches (one commit each when run as the scheduled action)."""
        limit = fields.Datetime.now() - timedelta(days=self._retention_days())
        domain = [("closed_at", "<", limit), ("purged_at", "=", False)]
        Booking = self.sudo().with_context(active_test=False)
        total = 0
        while True:
            bookings = Booking.search(domain, limit=batch_size, order="closed_at, id")
            if not bookings:
                return total
            bookings._purge_courier_data()
            total += len(bookings)
            if auto_commit:
                remaining = Booking.search_count(domain)
                if self.env["ir.cron"]._commit_progress(len(bookings), remaining=remaining) <= 0:
                    return total

    def _purge_courier_data(self):
        """Forget what the courier sent of these bookings (payloads, driver phone, proof
        photos, also on their documents); keep the outcome."""
        now = fields.Datetime.now()
        self.event_ids.sudo().write({"payload": False})
        self.sudo().write(
            {
                "driver_phone": False,
                "proof_photo": False,
                "proof_photo_url": False,
                "purged_at": now,
            }
        )
        records = self._get_business_records()
        by_model = {}
        for record in records.values():
            if "proof_photo" in record._fields:
                by_model.setdefault(record._name, set()).add(record.id)
        for model, ids in by_model.items():
            self.env[model].sudo().browse(ids).write(
                {"proof_photo": False, "proof_photo_url": False}
            )
