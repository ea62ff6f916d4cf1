# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A driver run of an agency's own fleet: one driver, one day, one shelter, the parcels
(own-fleet courier bookings) the driver takes there. The dispatcher gives many parcels
to a run at once (pemkab.fleet.assign.wizard), prints the run sheet, marks them all
picked up, then records who received each in one dialog (pemkab.fleet.proof.wizard).

The bookings stay the workflow's: the run moves them through their own methods
(``_check_can_fleet_*`` then ``_do_fleet_*`` of pemkab.delivery.booking), which move
their documents as a courier's news would."""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..const import FINAL_STATES

RUN_STATES = [("draft", "Draft"), ("on_the_way", "On the Way"), ("done", "Done")]


class PemkabFleetRun(models.Model):
    # ==================================================================
    # FIELDS
    # ==================================================================
    _name = "pemkab.fleet.run"
    _description = "Driver Run"
    _inherit = ["mail.thread", "mail.activity.mixin", "pemkab.workflow.mixin"]
    _order = "date desc, id desc"
    # pemkab.workflow.mixin: the run's buttons move it
    _workflow_protected_fields = ("state",)

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/", index=True
    )
    state = fields.Selection(
        RUN_STATES, required=True, default="draft", tracking=True, index=True, copy=False
    )
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    agency_id = fields.Many2one(
        "pemkab.agency",
        required=True,
        index=True,
        ondelete="restrict",
        default=lambda self: self.env["pemkab.fleet.driver"]._default_agency_id(),
    )
    shelter_id = fields.Many2one(
        "pemkab.shelter",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        domain="[('agency_id', '=?', agency_id)]",
        help="Where the driver collects the parcels.",
    )
    driver_id = fields.Many2one(
        "pemkab.fleet.driver",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        domain="[('agency_id', '=?', agency_id)]",
    )
    driver_phone = fields.Char(related="driver_id.phone", string="Driver's Phone")
    driver_plate = fields.Char(related="driver_id.plate", string="Vehicle Plate")
    booking_ids = fields.One2many(
        "pemkab.delivery.booking", "fleet_run_id", string="Parcels", readonly=True
    )
    parcel_count = fields.Integer(compute="_compute_counts", string="Parcels")
    delivered_count = fields.Integer(compute="_compute_counts", string="Delivered")
    open_count = fields.Integer(compute="_compute_counts", string="Still Out")
    note = fields.Text(help="For the driver: order of the route, what to bring back...")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_counts(self):
        # counts only (no booking named): sudo, whoever reads the run
        groups = (
            self.env["pemkab.delivery.booking"]
            .sudo()
            ._read_group([("fleet_run_id", "in", self.ids)], ["fleet_run_id", "state"], ["__count"])
        )
        counts = {}
        for run, state, count in groups:
            total, delivered, still_out = counts.get(run.id, (0, 0, 0))
            counts[run.id] = (
                total + count,
                delivered + (count if state == "delivered" else 0),
                still_out + (count if state not in FINAL_STATES else 0),
            )
        for run in self:
            run.parcel_count, run.delivered_count, run.open_count = counts.get(run.id, (0, 0, 0))

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("agency_id", "shelter_id", "driver_id")
    def _check_agency(self):
        for run in self:
            if run.driver_id.agency_id != run.agency_id:
                # the driver of another agency is not the user's to name
                raise ValidationError(
                    self.env._(
                        "Driver: choose a driver of %(agency)s (Configuration > Drivers).",
                        agency=run.agency_id.name,
                    )
                )
            if run.shelter_id.agency_id != run.agency_id:
                raise ValidationError(
                    self.env._(
                        "Shelter: %(shelter)s belongs to %(other)s, not to %(agency)s.",
                        shelter=run.shelter_id.name,
                        other=run.shelter_id.agency_id.name,
                        agency=run.agency_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("pemkab.fleet.run") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if {"agency_id", "shelter_id", "driver_id"}.intersection(vals):
            self._check_can_edit()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_with_parcels(self):
        runs = self.filtered(lambda run: run.state != "draft" or run.sudo().booking_ids)
        if runs:
            raise UserError(
                self.env._(
                    "%(runs)s: only a draft run without parcels can be deleted.",
                    runs=", ".join(runs.mapped("name")),
                )
            )

    # ==================================================================
    # WORKFLOW: BUTTONS, CHECKS, WHAT THEY DO
    # ==================================================================
    # ------------------------------------------------------------------
    # Actions (buttons)
    # ------------------------------------------------------------------
    def action_mark_picked_up(self):
        """The driver left the shelter with the run's parcels: all of them at once."""
        self._check_can_pick_up()
        self._do_pick_up()
        return True

    def action_open_proof_wizard(self):
        """One dialog for the whole run: who received each parcel, or why not."""
        self.ensure_one()
        self._check_can_record_proof()
        return self.env["pemkab.fleet.proof.wizard"]._open_for(self)

    def action_done(self):
        self._check_can_done()
        self._do_done()
        return True

    def action_print_run_sheet(self):
        """The run sheet the driver carries (Lembar Perjalanan Armada)."""
        return self.env.ref("pemkab_delivery.action_report_fleet_run").report_action(self)

    def action_view_bookings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pemkab_delivery.pemkab_delivery_booking_action"
        )
        action["domain"] = [("fleet_run_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Checks: every reason at once
    # ------------------------------------------------------------------
    def _check_can_edit(self):
        self._raise_errors(
            [
                self.env._(
                    "%(run)s: the driver, shelter and agency of a run that has parcels stay "
                    "as they are.",
                    run=run.name,
                )
                for run in self
                if run.state != "draft" or run.sudo().booking_ids
            ]
        )

    def _check_can_pick_up(self):
        errors = []
        for run in self:
            bookings = run._run_bookings()
            if run.state != "draft":
                errors.append(self.env._("%(run)s has left the shelter already.", run=run.name))
            elif not bookings.filtered(lambda b: b.state == "driver_assigned"):
                errors.append(self.env._("%(run)s has no parcel to pick up.", run=run.name))
            else:
                errors += bookings._fleet_errors(("driver_assigned", *FINAL_STATES))
        self._raise_errors(errors)

    def _check_can_record_proof(self):
        errors = []
        for run in self:
            if run.state != "on_the_way":
                errors.append(
                    self.env._(
                        "%(run)s: the driver must have picked the parcels up first.",
                        run=run.name,
                    )
                )
            elif not run._run_bookings().filtered(lambda b: b.state == "picked_up"):
                errors.append(self.env._("%(run)s has no parcel still out.", run=run.name))
        self._raise_errors(errors)

    def _check_can_done(self):
        errors = []
        for run in self:
            if run.state != "on_the_way":
                errors.append(self.env._("%(run)s is not on the way.", run=run.name))
                continue
            out = run._run_bookings().filtered(lambda b: b.state not in FINAL_STATES)
            if out:
                errors.append(
                    self.env._(
                        "%(run)s: record what became of %(count)s parcel(s) still out first.",
                        run=run.name,
                        count=len(out),
                    )
                )
        self._raise_errors(errors)

    def _raise_errors(self, errors):
        if errors:
            raise UserError("\n".join(errors))

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _run_bookings(self):
        """The run's parcels as the user reads them (rules apply)."""
        self.ensure_one()
        return self.booking_ids

    def _do_pick_up(self):
        for run in self:
            bookings = run._run_bookings().filtered(lambda b: b.state == "driver_assigned")
            bookings._do_fleet_pick_up()
            run._workflow().write({"state": "on_the_way"})
            run.message_post(
                body=self.env._(
                    "%(count)s parcel(s) picked up by %(driver)s.",
                    count=len(bookings),
                    driver=run.driver_id.name,
                ),
                message_type="notification",
            )

    def _do_done(self):
        self._workflow().write({"state": "done"})

    def _done_when_all_final(self):
        """Close the runs on the way whose parcels all reached a final state."""
        finished = self.filtered(
            lambda run: run.state == "on_the_way"
            and all(b.state in FINAL_STATES for b in run.sudo().booking_ids)
        )
        finished._do_done()
