# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PemkabAgencyCourierFallback(models.Model):
    """One courier account in an agency's fallback order: when a booking's courier finds
    no driver or refuses the route as out of its range, the next account of the order
    is booked, each account once (``outbox/decisions.py``, ``fallback``; the booking's
    ``_do_fallback``)."""

    _name = "pemkab.agency.courier.fallback"
    _description = "Agency Fallback Courier Account"
    _order = "agency_id, sequence, id"

    agency_id = fields.Many2one("pemkab.agency", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    provider_id = fields.Many2one(
        "pemkab.courier.provider",
        string="Courier Account",
        required=True,
        ondelete="cascade",
        domain="[('kind', '!=', 'manual')]",
    )

    _provider_once = models.Constraint(
        "UNIQUE(agency_id, provider_id)", "A courier account is in an agency's fallback order once."
    )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("agency_id", "provider_id")
    def _check_provider(self):
        for line in self:
            provider = line.provider_id
            if not provider._has_api():
                raise ValidationError(
                    self.env._(
                        "Courier Account: %(provider)s is the own fleet; the fallback order "
                        "holds courier accounts booked over an API.",
                        provider=provider.name,
                    )
                )
            if provider.agency_ids and line.agency_id not in provider.agency_ids:
                raise ValidationError(
                    self.env._(
                        "Courier Account: %(provider)s is not open to %(agency)s.",
                        provider=provider.name,
                        agency=line.agency_id.display_name,
                    )
                )
