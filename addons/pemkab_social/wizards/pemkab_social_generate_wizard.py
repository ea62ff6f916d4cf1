# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

HOUSEHOLD_FIELDS = [
    "name",
    "head_id",
    "phone",
    "street",
    "kecamatan_id",
    "desa_id",
    "latitude",
    "longitude",
    "decile",
    "priority",
    "dtsen_id",
]


class PemkabSocialGenerateWizard(models.TransientModel):
    """Create a draft period's shipments for every eligible household that has none yet,
    in one batch: one search of the households, one create."""

    _name = "pemkab.social.generate.wizard"
    _description = "Generate Social Aid Shipments"

    period_id = fields.Many2one("pemkab.social.period", required=True, ondelete="cascade")
    program_id = fields.Many2one(related="period_id.program_id")
    shelter_id = fields.Many2one(
        "pemkab.shelter",
        string="Warehouse / Shelter",
        required=True,
        compute="_compute_defaults",
        store=True,
        precompute=True,
        readonly=False,
    )
    package_type_id = fields.Many2one(
        "pemkab.social.package.type",
        required=True,
        compute="_compute_defaults",
        store=True,
        precompute=True,
        readonly=False,
        domain="[('program_id', '=', program_id)]",
    )
    eligible_count = fields.Integer(compute="_compute_counts", string="Eligible Households")
    existing_count = fields.Integer(compute="_compute_counts", string="Already in the Period")

    @api.depends("period_id")
    def _compute_defaults(self):
        for wizard in self:
            period = wizard.period_id
            wizard.shelter_id = period.shelter_id
            wizard.package_type_id = (
                period.package_type_id or period.program_id.package_type_ids[:1]
            )

    @api.depends("period_id")
    def _compute_counts(self):
        Household = self.env["pemkab.social.household"]
        for wizard in self:
            if not wizard.period_id:
                wizard.eligible_count = wizard.existing_count = 0
                continue
            wizard.eligible_count = Household.search_count(wizard.program_id._eligibility_domain())
            wizard.existing_count = len(wizard.period_id.shipment_ids)

    def action_generate(self):
        self.ensure_one()
        shipments = self._generate()
        action = self.period_id.action_view_shipments()
        action["name"] = self.env._("%(count)s shipments generated", count=len(shipments))
        return action

    def _generate(self):
        """Create the shipments; return them."""
        self.ensure_one()
        period = self.period_id
        errors = []
        if period.state != "draft":
            errors.append(
                self.env._(
                    "%(period)s is approved: its beneficiary list is frozen.",
                    period=period.display_name,
                )
            )
        if self.package_type_id.program_id != period.program_id:
            errors.append(
                self.env._(
                    "Package Type: %(package)s is not a package of %(program)s.",
                    package=self.package_type_id.display_name,
                    program=period.program_id.display_name,
                )
            )
        if errors:
            raise UserError("\n".join(errors))
        Shipment = self.env["pemkab.social.shipment"]
        taken = Shipment.with_context(active_test=False).search_fetch(
            [("period_id", "=", period.id)], ["household_id"]
        )
        domain = period.program_id._eligibility_domain() & Domain(
            "id", "not in", taken.household_id.ids
        )
        households = self.env["pemkab.social.household"].search_fetch(
            domain, HOUSEHOLD_FIELDS, order="priority desc, id"
        )
        if not households:
            raise UserError(
                self.env._(
                    "No eligible household without a shipment in %(period)s.",
                    period=period.display_name,
                )
            )
        heads = households.head_id
        heads.fetch(["name"])
        package = self.package_type_id
        currency = package.currency_id or period.currency_id
        first = len(taken) + 1
        vals_list = []
        for number, household in enumerate(households, start=first):
            vals_list.append(
                {
                    "name": f"{period.code}/{number:05d}",
                    "period_id": period.id,
                    "household_id": household.id,
                    "shelter_id": self.shelter_id.id,
                    "package_type_id": package.id,
                    "package_cost": package.unit_cost,
                    "currency_id": currency.id,
                    **household._shipment_snapshot_vals(),
                }
            )
        shipments = Shipment.with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        ).create(vals_list)
        period.message_post(
            body=self.env._(
                "%(count)s shipments generated from %(shelter)s.",
                count=len(shipments),
                shelter=self.shelter_id.display_name,
            ),
            message_type="notification",
        )
        return shipments
