# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from odoo.addons.pemkab_delivery.orm.bulk import insert_select


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
        households = self.env["pemkab.social.household"].search(domain, order="priority desc, id")
        if not households:
            raise UserError(
                self.env._(
                    "No eligible household without a shipment in %(period)s.",
                    period=period.display_name,
                )
            )
        shipments = self._create_shipments(households, len(taken) + 1)
        period.message_post(
            body=self.env._(
                "%(count)s shipments generated from %(shelter)s.",
                count=len(shipments),
                shelter=self.shelter_id.display_name,
            ),
            message_type="notification",
        )
        return shipments

    def _create_shipments(self, households, first):
        """Create the draft shipments of ``households`` (in this order, numbered from
        ``first``) with one ``INSERT ... SELECT`` (:func:`insert_select`): a whole
        district (100,000 households) in seconds instead of the ORM's minutes of
        per-record Python.

        It writes exactly what ``Shipment.create(vals_list)`` would (with the context
        the wizard used: no tracking, no "created" message, no follower): the values of
        :meth:`pemkab.social.household._shipment_snapshot_vals` read in SQL
        (:meth:`~pemkab.social.household._shipment_snapshot_sql`), the field defaults
        (the draft state, the time it entered it, the currency), the stored related
        program and agency, the log columns; then what the ORM does after its INSERT.
        """
        self.ensure_one()
        period = self.period_id
        package = self.package_type_id
        Shipment = self.env["pemkab.social.shipment"]
        Household = self.env["pemkab.social.household"]
        self.env.flush_all()
        values = {
            "period_id": period.id,
            "program_id": period.program_id.id,
            "agency_id": period.agency_id.id,
            "shelter_id": self.shelter_id.id,
            "package_type_id": package.id,
            "currency_id": (package.currency_id or period.currency_id).id,
            "package_cost": package.unit_cost,
        }
        columns = {
            fname: SQL("%s", Shipment._fields[fname].convert_to_column_insert(value, Shipment))
            for fname, value in values.items()
        }
        columns.update(
            household_id=SQL("h.id"),
            **Household._shipment_snapshot_sql(),
            # f"{code}/{number:05d}"
            name=SQL(
                "%s || '/' || CASE WHEN u.n + %s < 100000 THEN lpad((u.n + %s)::text, 5, '0') "
                "ELSE (u.n + %s)::text END",
                f"{period.code}",
                first - 1,
                first - 1,
                first - 1,
            ),
        )
        return insert_select(
            Shipment,
            columns,
            SQL(
                """
                  FROM unnest(%(ids)s::int[]) WITH ORDINALITY AS u(id, n)
                  JOIN %(households)s h ON h.id = u.id
             LEFT JOIN res_partner head ON head.id = h.head_id
             LEFT JOIN %(fixed)s ON fixed.id = h.id
                 ORDER BY u.n
                """,
                ids=households.ids,
                households=SQL.identifier(households._table),
                fixed=Household._shipment_fixed_phones(households.ids),
            ),
            # copied from the household, an address with the same constraints
            checked=("kecamatan_id", "desa_id", "latitude", "longitude"),
        )
