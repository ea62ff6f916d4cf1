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
        """Generate the shipments now, or, for more eligible households than the
        threshold (``pemkab_social.background_after``), hand them to the scheduled action,
        which generates them in batches, the period's form showing its progress."""
        self.ensure_one()
        self._check_can_generate()
        period = self.period_id
        pending = self.env["pemkab.social.household"].search_count(self._pending_domain())
        if pending > period._background_after():
            period._do_queue_generation(self.shelter_id, self.package_type_id, pending)
            message = self.env._(
                "%(count)s shipments are being generated in the background; the period's form "
                "shows how far it has come, and you will be told when it is done.",
                count=pending,
            )
            follow = {"type": "ir.actions.act_window_close"}
        else:
            shipments = self._generate()
            message = self.env._("%(count)s shipments generated", count=len(shipments))
            follow = period.action_view_shipments()
            follow["name"] = message
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "success", "message": message, "next": follow},
        }

    def _check_can_generate(self):
        self.ensure_one()
        period = self.period_id
        errors = []
        if period.job_state:
            errors.append(period._job_busy_message())
        elif period.state != "draft":
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

    def _pending_domain(self):
        """Domain on ``pemkab.social.household``: the eligible households without a
        shipment in the period yet (a batch run again after an interruption skips what
        the last run committed)."""
        self.ensure_one()
        period = self.period_id
        return period.program_id._eligibility_domain() & Domain(
            "shipment_ids", "not any", [("period_id", "=", period.id)]
        )

    def _generate(self):
        """Create the shipments of every pending household now; return them."""
        self.ensure_one()
        self._check_can_generate()
        period = self.period_id
        households = self.env["pemkab.social.household"].search(
            self._pending_domain(), order="priority desc, id"
        )
        if not households:
            raise UserError(
                self.env._(
                    "No eligible household without a shipment in %(period)s.",
                    period=period.display_name,
                )
            )
        shipments = self._create_shipments(households, self._next_number())
        self._post_generated(len(shipments))
        return shipments

    def _generate_batch(self, limit):
        """The scheduled action's batch: the shipments of the next ``limit`` pending
        households in priority order, numbered on from the period's last, so that the whole
        period is numbered by priority as a generation at once numbers it; return the
        households. A batch run again after an interruption starts where the last commit
        left off (the pending households exclude those with a shipment)."""
        self.ensure_one()
        households = self.env["pemkab.social.household"].search(
            self._pending_domain(), order="priority desc, id", limit=limit
        )
        if households:
            self._create_shipments(households, self._next_number())
        return households

    def _next_number(self):
        return (
            self.env["pemkab.social.shipment"].search_count([("period_id", "=", self.period_id.id)])
            + 1
        )

    def _post_generated(self, count):
        self.period_id.message_post(
            body=self.env._(
                "%(count)s shipments generated from %(shelter)s.",
                count=count,
                shelter=self.shelter_id.display_name,
            ),
            message_type="notification",
        )

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
