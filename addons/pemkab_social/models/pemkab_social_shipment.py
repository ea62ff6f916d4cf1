# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from odoo.addons.pemkab_delivery.orm.bulk import ids_in

SHIPMENT_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("packed", "Packed"),
    ("out_for_delivery", "Out for Delivery"),
    ("delivered", "Delivered"),
    ("failed", "Failed"),
    ("returned", "Returned"),
    ("cancelled", "Cancelled"),
]
UNDER_WAY = ("packed", "out_for_delivery")
# the beneficiary data copied from the registry at generation: frozen once approved
SNAPSHOT_FIELDS = (
    "household_id",
    "period_id",
    "recipient_name",
    "recipient_phone",
    "street",
    "kecamatan_id",
    "desa_id",
    "latitude",
    "longitude",
    "decile",
    "priority",
    "dtsen_id",
)


class PemkabSocialShipment(models.Model):
    """One aid parcel for one beneficiary household in one program period.

    Draft -> submitted -> approved (by the head, period by period) -> packed (the courier
    is requested through the delivery trigger) -> out for delivery -> delivered; or
    failed / returned (back on the worklist) / cancelled, with a reason.
    """

    _name = "pemkab.social.shipment"
    _description = "Social Aid Shipment"
    _inherit = [
        "pemkab.address.mixin",
        "pemkab.deliverable.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "period_id desc, priority desc, id"
    _rec_names_search = ["name", "recipient_name", "dtsen_id"]
    _pemkab_phone_fields = {"recipient_phone": True}
    # pemkab.deliverable.mixin: the states the shared delivery workflow moves
    _delivery_ready_state = "packed"
    _delivery_out_state = "out_for_delivery"
    _delivery_failed_state = "failed"
    _delivery_returned_state = "returned"
    _delivery_dispatch_from_states = ("approved",)
    _workflow_protected_fields = ("approved_by_id", "approved_at", "courier_cost")
    # what the period's approval saw: frozen until the shipment is sent back
    _workflow_frozen_fields = (
        *SNAPSHOT_FIELDS,
        "shelter_id",
        "package_type_id",
        "package_cost",
    )
    _workflow_send_back_states = ("approved", "failed", "returned")

    period_id = fields.Many2one(
        "pemkab.social.period", required=True, ondelete="restrict", index=True, tracking=True
    )
    period_state = fields.Selection(related="period_id.state", string="Period Status")
    program_id = fields.Many2one(
        related="period_id.program_id", store=True, index=True, string="Program"
    )
    agency_id = fields.Many2one(related="period_id.agency_id", store=True, string="Agency")
    household_id = fields.Many2one(
        "pemkab.social.household",
        required=True,
        ondelete="restrict",
        index=True,
        tracking=True,
    )
    state = fields.Selection(
        SHIPMENT_STATES,
        required=True,
        default="draft",
        tracking=True,
        index=True,
        copy=False,
        group_expand="_read_group_state",
    )
    shelter_id = fields.Many2one(
        "pemkab.shelter", string="Warehouse / Shelter", ondelete="restrict", tracking=True
    )
    package_type_id = fields.Many2one("pemkab.social.package.type", ondelete="restrict")
    package_cost = fields.Monetary(aggregator="sum")
    courier_cost = fields.Monetary(aggregator="sum", readonly=True, copy=False)
    # frozen beneficiary data (copied from the registry at generation)
    recipient_name = fields.Char(required=True, string="Recipient")
    recipient_phone = fields.Char()
    street = fields.Char(string="Address")
    decile = fields.Integer(string="Welfare Decile", aggregator=False)
    priority = fields.Integer(aggregator=False)
    dtsen_id = fields.Char(string="DTSEN/DTKS ID")
    # approval
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_at = fields.Datetime(string="Approved On", readonly=True, copy=False)
    receiver_partner_id = fields.Many2one(
        domain="[('pemkab_social_household_id', '=', household_id)]",
        help="The head of the household or one of its members.",
    )

    _household_period_uniq = models.Constraint(
        "UNIQUE(period_id, household_id)",
        "This household already has a shipment in this period.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.model
    def _read_group_state(self, states, domain):
        """Kanban columns and groups in the order of the workflow (not alphabetical),
        only those that hold shipments."""
        return [state for state, _label in SHIPMENT_STATES if state in states]

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._pemkab_check_values(vals_list)
        self._check_no_duplicate(vals_list)
        periods = self.env["pemkab.social.period"].browse(
            {vals["period_id"] for vals in vals_list if vals.get("period_id")}
        )
        frozen = periods.filtered(lambda p: p.state != "draft")
        if frozen:
            raise UserError(
                self.env._(
                    "%(periods)s: the beneficiary list of an approved period is frozen; no "
                    "shipment can be added.",
                    periods=", ".join(frozen.mapped("display_name")),
                )
            )
        return super().create(vals_list)

    def _workflow_frozen_records(self):
        """Those of an approved period, unless sent back for approval (submitted): the
        beneficiary list the head approved stays as it was."""
        return self.filtered(lambda s: s.period_id.state != "draft" and s.state != "submitted")

    def _workflow_send_back_vals(self):
        """Back to submitted in its approved period: the head approves it again alone."""
        return {"state": "submitted", "approved_by_id": False, "approved_at": False}

    @api.ondelete(at_uninstall=False)
    def _unlink_except_not_draft(self):
        locked = self.filtered(lambda s: s.state != "draft" or s.period_id.state != "draft")
        if locked:
            raise UserError(
                self.env._(
                    "%(refs)s: only draft shipments of a draft period can be deleted; cancel "
                    "them instead.",
                    refs=", ".join(locked[:5].mapped("name")),
                )
            )

    def _check_no_duplicate(self, vals_list):
        """Refuse a second shipment of a household in a period, naming the existing one
        (one query for the whole batch; the UNIQUE constraint is the last guard)."""
        pairs = [
            (vals.get("period_id"), vals.get("household_id"))
            for vals in vals_list
            if vals.get("period_id") and vals.get("household_id")
        ]
        if not pairs:
            return
        # nothing below names a household the user may not read
        households = self.env["pemkab.social.household"].browse({h for _p, h in pairs})
        if not self.env.su and households - households._filtered_access("read"):
            raise AccessError(
                self.env._(
                    "Social Aid Shipment: a shipment can only be created for households you "
                    "may read (those of your kecamatan)."
                )
            )
        if len(set(pairs)) != len(pairs):
            seen = set()
            for pair in pairs:
                if pair in seen:
                    raise ValidationError(
                        self.env._(
                            "Household %(household)s is given two shipments of the same period "
                            "at once.",
                            household=households.browse(pair[1]).display_name,
                        )
                    )
                seen.add(pair)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT s.id
                  FROM %s s
                  JOIN unnest(%s::int[], %s::int[]) AS p(period_id, household_id)
                    ON p.period_id = s.period_id AND p.household_id = s.household_id
                 LIMIT 1
                """,
                SQL.identifier(self._table),
                [p for p, _h in pairs],
                [h for _p, h in pairs],
            )
        )
        if rows:
            existing = self.browse(rows[0][0])
            if not existing.has_access("read"):
                raise ValidationError(
                    self.env._("One of these households already has a shipment in this period.")
                )
            raise ValidationError(
                self.env._(
                    "Household %(household)s already has shipment %(ref)s in period %(period)s.",
                    household=existing.household_id.display_name,
                    ref=existing.name,
                    period=existing.period_id.display_name,
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_submit(self):
        self._check_can_submit()
        self._do_submit()
        return True

    def action_approve(self):
        self._check_can_approve()
        self._do_approve()
        return True

    def action_pack(self):
        """Mark the parcels packed: the delivery trigger on "packed" books the courier."""
        return self.action_dispatch()

    def action_out_for_delivery(self):
        """Own fleet: the driver left with the parcels (couriers say so themselves)."""
        self._check_state(("packed",), self.env._("marked out for delivery"))
        self._delivery_write_state("out_for_delivery")
        return True

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _check_state(self, states, what):
        wrong = self.filtered(lambda s: s.state not in states)
        if wrong:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                "\n".join(
                    self.env._(
                        "%(ref)s cannot be %(what)s in state %(state)s.",
                        ref=shipment.name,
                        what=what,
                        state=labels[shipment.state],
                    )
                    for shipment in wrong[:20]
                )
            )

    def _check_can_submit(self):
        errors = []
        # the shipments concerned, in one query (a period's thousands)
        wrong = self._delivery_among(
            Domain("state", "!=", "draft") | Domain("period_id.state", "!=", "draft")
        )
        for shipment in wrong[:20]:
            if shipment.state != "draft":
                errors.append(self.env._("%(ref)s is not a draft.", ref=shipment.name))
            if shipment.period_id.state != "draft":
                errors.append(self.env._("%(ref)s: its period is not a draft.", ref=shipment.name))
        if errors:
            raise UserError("\n".join(errors[:20]))

    def _check_can_approve(self):
        errors = []
        if not self.env.user.has_group("pemkab_social.group_social_head"):
            errors.append(self.env._("Only the head of the Dinas Sosial approves shipments."))
        for shipment in self:
            if shipment.state != "submitted":
                errors.append(self.env._("%(ref)s is not submitted.", ref=shipment.name))
            if shipment.period_id.state != "approved":
                errors.append(
                    self.env._(
                        "%(ref)s: period %(period)s must be approved first.",
                        ref=shipment.name,
                        period=shipment.period_id.display_name,
                    )
                )
        if errors:
            raise UserError("\n".join(errors[:20]))

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _do_submit(self):
        self._write_state({"state": "submitted"})

    def _do_approve(self):
        self._write_state(
            {
                "state": "approved",
                "approved_by_id": self.env.uid,
                "approved_at": fields.Datetime.now(),
            }
        )

    def _write_state(self, vals):
        """The workflow's write of a new state (submitted, approved) with ``vals``.

        One shipment: the ORM's write, with its tracking in the chatter. Many (a
        period's thousands, written without tracking): one ``UPDATE`` of their rows
        (:meth:`_delivery_write_states_sql`), with the delivery triggers of the new
        state booking couriers set-based.
        """
        state = vals["state"]
        special = {
            self._delivery_ready_state,
            self._delivery_delivered_state,
            *self._delivery_returned_states(),
        }
        if len(self) <= 1 or state in special:
            self.with_context(tracking_disable=len(self) > 1)._workflow().write(vals)
            return
        self.with_context(tracking_disable=True)._delivery_write_states_sql(vals)

    def _snapshot_refresh(self):
        """Copy again what changed in the registry since these shipments were generated
        (the beneficiary list is frozen as the registry stands at approval): one
        ``UPDATE`` of the rows whose values differ from
        :meth:`pemkab.social.household._shipment_snapshot_sql` (a district's 100,000
        shipments, nearly all unchanged), doing what ``write`` does for these fields:
        access rights, phones normalised, the log columns, the dependent fields marked,
        the constraints. Returns the shipments changed."""
        if not self:
            return self
        self.check_access("write")
        Household = self.env["pemkab.social.household"]
        snapshot = Household._shipment_snapshot_sql()
        fnames = [*snapshot, "write_uid", "write_date"]
        self.env.flush_all()
        household_ids = SQL(
            "ARRAY(SELECT household_id FROM %s WHERE id = ANY(%s))",
            SQL.identifier(self._table),
            self.ids,
        )
        columns = SQL(", ").join(SQL("s.%s", SQL.identifier(fname)) for fname in snapshot)
        values = SQL(", ").join(snapshot.values())
        rows = self.env.execute_query(
            SQL(
                """
                UPDATE %(table)s s
                   SET (%(names)s, write_uid, write_date) = (%(values)s, %(uid)s, %(now)s)
                  FROM %(households)s h
             LEFT JOIN res_partner head ON head.id = h.head_id
             LEFT JOIN %(fixed)s ON fixed.id = h.id
                 WHERE s.id = ANY(%(ids)s) AND h.id = s.household_id
                   AND (%(columns)s) IS DISTINCT FROM (%(values)s)
             RETURNING s.id
                """,
                table=SQL.identifier(self._table),
                names=SQL(", ").join(SQL.identifier(fname) for fname in snapshot),
                values=values,
                uid=self.env.uid,
                now=self.env.cr.now(),
                households=SQL.identifier(Household._table),
                fixed=Household._shipment_fixed_phones(household_ids),
                ids=self.ids,
                columns=columns,
            )
        )
        changed = self.browse([row[0] for row in rows])
        if changed:
            changed.invalidate_recordset(fnames)
            changed.modified(fnames)
            changed._validate_fields(fnames)
        return changed

    # ------------------------------------------------------------------
    # Courier connector hooks (pemkab.deliverable.mixin)
    # ------------------------------------------------------------------
    def _delivery_dispatch_errors(self):
        """Checked at each packing and re-dispatch: the period still open, and what the
        courier needs of the household and the shelter."""
        errors = []
        Period = self.env["pemkab.social.period"]
        Shelter = self.env["pemkab.shelter"]
        periods, shelters = Period, Shelter
        for period, shelter in self.sudo()._read_group(
            ids_in(self.ids), ["period_id", "shelter_id"]
        ):
            periods |= Period.browse(period.id)
            shelters |= Shelter.browse(shelter.id)
        for period in periods.filtered(lambda p: p.state != "approved"):
            errors.append(
                self.env._(
                    "Period %(period)s is not approved and open: its parcels cannot go out.",
                    period=period.display_name,
                )
            )
        # the shipments concerned, in one query (a period's thousands)
        incomplete = self._delivery_among(
            Domain.OR(
                Domain(fname, "=", False)
                for fname in (
                    "approved_by_id",
                    "shelter_id",
                    "recipient_phone",
                    "latitude",
                    "longitude",
                )
            )
        )
        for shipment in incomplete:
            ref = shipment.name
            if not shipment.approved_by_id:
                errors.append(self.env._("%(ref)s was never approved by the head.", ref=ref))
            if not shipment.shelter_id:
                errors.append(self.env._("%(ref)s: choose the warehouse/shelter.", ref=ref))
            if not shipment.recipient_phone:
                errors.append(self.env._("%(ref)s: the household has no phone.", ref=ref))
            if not (shipment.latitude and shipment.longitude):
                errors.append(self.env._("%(ref)s: the household has no coordinates.", ref=ref))
            if len(errors) > 30:
                break
        for shelter in shelters:
            if not shelter.phone:
                errors.append(
                    self.env._(
                        "Shelter %(shelter)s has no contact phone for the driver.",
                        shelter=shelter.display_name,
                    )
                )
            if not (shelter.latitude and shelter.longitude):
                errors.append(
                    self.env._(
                        "Shelter %(shelter)s has no coordinates.", shelter=shelter.display_name
                    )
                )
        return errors

    def _delivery_proof_from_booking(self, booking):
        """The courier's proof, and what the courier charged for this parcel."""
        vals = super()._delivery_proof_from_booking(booking)
        vals["courier_cost"] = booking.final_price or booking.quoted_price
        return vals

    def _delivery_receiver_candidates(self):
        """The head of the household, then its other members."""
        self.ensure_one()
        head = self.household_id.head_id
        candidates = [
            {
                "partner": head,
                "name": self.recipient_name,
                "type": "recipient",
                "relation": self.env._("head of household"),
            }
        ]
        for member in self.household_id.member_ids - head:
            candidates.append({"partner": member, "type": "family", "relation": False})
        return candidates

    def _delivery_booking_values(self):
        """Only name, phone and address go to the courier: no NIK, decile or program."""
        self.ensure_one()
        return {
            "agency_id": self.agency_id.id,
            "shelter_id": self.shelter_id.id,
            "recipient_name": self.recipient_name,
            "recipient_phone": self.recipient_phone,
            "street": self.street,
            "kecamatan_id": self.kecamatan_id.id,
            "desa_id": self.desa_id.id,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "recipient_note": False,
            "package_code": self.name,
            "package_description": self.env._("Parcel"),
            # the package type's weight: the route check refuses a parcel heavier than
            # the courier takes (GoSend Instant: 20 kg), the courier is told it
            "weight_kg": self.package_type_id.weight_kg,
            "responsible_user_id": self.approved_by_id.id or self.env.uid,
            "currency_id": self.currency_id.id,
        }

    @api.model
    @api.model
    def _package_weight_sql(self, package_type):
        """The weight of the package type ``package_type`` (SQL of its id), 0 without:
        a ``CASE`` of the package types' weights (one read of the few types), not a
        sub-query per row (which made PostgreSQL's cost of a period's insert pass its JIT
        threshold: half a second of compiling)."""
        types = self.env["pemkab.social.package.type"].sudo().with_context(active_test=False)
        weights = [
            SQL("WHEN %s THEN %s", package.id, package.weight_kg or 0.0)
            for package in types.search_fetch([], ["weight_kg"])
        ]
        if not weights:
            return SQL("0.0")
        return SQL("COALESCE(CASE %s %s END, 0.0)", package_type, SQL(" ").join(weights))

    def _delivery_booking_values_sql(self, alias):
        """:meth:`_delivery_booking_values` in SQL, over the shipments' rows."""

        def column(fname):
            return SQL("%s.%s", alias, SQL.identifier(fname))

        return {
            "agency_id": column("agency_id"),
            "shelter_id": column("shelter_id"),
            "recipient_name": column("recipient_name"),
            "recipient_phone": column("recipient_phone"),
            "street": column("street"),
            "kecamatan_id": column("kecamatan_id"),
            "desa_id": column("desa_id"),
            "latitude": column("latitude"),
            "longitude": column("longitude"),
            "recipient_note": SQL("NULL"),
            "package_code": column("name"),
            "package_description": SQL("%s", self.env._("Parcel")),
            "weight_kg": self._package_weight_sql(column("package_type_id")),
            "responsible_user_id": SQL("COALESCE(%s, %s)", column("approved_by_id"), self.env.uid),
            "currency_id": column("currency_id"),
        }
