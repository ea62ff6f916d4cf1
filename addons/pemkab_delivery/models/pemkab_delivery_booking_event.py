# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from ..const import BOOKING_STATES


class PemkabDeliveryBookingEvent(models.Model):
    """One line of a booking's history: a webhook, a poll result, a call to the courier
    or a user's action, with the raw payload kept (secrets never stored)."""

    _name = "pemkab.delivery.booking.event"
    _description = "Courier Booking Event"
    _order = "date desc, id desc"

    booking_id = fields.Many2one(
        "pemkab.delivery.booking", required=True, ondelete="cascade", index=True
    )
    # read through its booking (booking_id's index), never by date alone: no index, one
    # less written for each line of a district's 100,000 requested at once
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    source = fields.Selection(
        [
            ("webhook", "Webhook"),
            ("poll", "Poll"),
            ("api", "Call to courier"),
            ("user", "User"),
            ("system", "System"),
        ],
        required=True,
    )
    event_key = fields.Char(
        help="The courier's id of the event: a second event with the same id is a duplicate."
    )
    courier_status = fields.Char(help="The status as the courier words it.")
    status = fields.Selection(BOOKING_STATES, help="The courier's status in our terms.")
    applied = fields.Boolean(help="Whether the event changed the booking.")
    note = fields.Char()
    payload = fields.Text(help="Raw request and answer, without secrets.")

    _event_key_uniq = models.UniqueIndex(
        "(booking_id, event_key) WHERE event_key IS NOT NULL",
        "This courier event was already received.",
    )
