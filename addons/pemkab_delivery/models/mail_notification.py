# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The HTTP SMS gateway's failure types on SMS notifications too (an SMS posted from a
chatter through the gateway updates its notification with them)."""

from odoo import fields, models

from .sms_sms import GATEWAY_FAILURE_TYPES


class MailNotification(models.Model):
    _inherit = "mail.notification"

    failure_type = fields.Selection(selection_add=GATEWAY_FAILURE_TYPES)
