# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from .pemkab_deliverable_mixin import TRACKING_DAYS_DEFAULT, TRACKING_DAYS_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    pemkab_trigger_count = fields.Integer(compute="_compute_pemkab_counts")
    pemkab_provider_count = fields.Integer(compute="_compute_pemkab_counts")
    pemkab_retention_days = fields.Integer(
        string="Courier Data Retention (days)",
        config_parameter="pemkab_delivery.retention_days",
        default=90,
        help="Days after a booking's final state after which the courier's payloads, the "
        "driver's phone and the proof photos are purged (the outcome is kept).",
    )
    pemkab_tracking_days = fields.Integer(
        string="Citizen Link Expiry (days)",
        config_parameter=TRACKING_DAYS_PARAM,
        default=TRACKING_DAYS_DEFAULT,
        help="Days a citizen's tracking link keeps working after its parcel was delivered, "
        "cancelled or not delivered; afterwards it answers “not found”.",
    )

    # the company's HTTP SMS gateway (models/res_company.py), when it is the SMS provider
    pemkab_sms_gateway_url = fields.Char(
        related="company_id.pemkab_sms_gateway_url", readonly=False, groups="base.group_system"
    )
    pemkab_sms_gateway_userkey = fields.Char(
        related="company_id.pemkab_sms_gateway_userkey",
        readonly=False,
        groups="base.group_system",
    )
    pemkab_sms_gateway_passkey = fields.Char(
        related="company_id.pemkab_sms_gateway_passkey",
        readonly=False,
        groups="base.group_system",
    )

    def _compute_pemkab_counts(self):
        triggers = self.env["pemkab.delivery.trigger"].search_count([])
        providers = self.env["pemkab.courier.provider"].search_count([])
        for settings in self:
            settings.pemkab_trigger_count = triggers
            settings.pemkab_provider_count = providers
