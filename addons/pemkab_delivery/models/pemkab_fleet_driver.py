# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

from .pemkab_workflow_mixin import refuse_nul_characters


class PemkabFleetDriver(models.Model):
    """A driver of an agency's own fleet (its motorbikes and staff): chosen from this
    list when parcels are given to a driver run, never typed again on each parcel."""

    _name = "pemkab.fleet.driver"
    _description = "Own-Fleet Driver"
    _order = "agency_id, name"
    _rec_names_search = ["name", "phone", "plate"]

    name = fields.Char(required=True)
    phone = fields.Char(
        required=True, help="Mobile phone the shelter and the citizens call (normalised to +62)."
    )
    plate = fields.Char(string="Vehicle Plate", help="e.g. P 1234 AB.")
    agency_id = fields.Many2one(
        "pemkab.agency",
        required=True,
        index=True,
        ondelete="restrict",
        default=lambda self: self._default_agency_id(),
    )
    active = fields.Boolean(default=True)
    run_ids = fields.One2many("pemkab.fleet.run", "driver_id", string="Driver Runs")
    run_count = fields.Integer(compute="_compute_run_count", string="Runs")

    _phone_agency_uniq = models.UniqueIndex(
        "(agency_id, phone) WHERE active",
        "Another active driver of this agency has this phone number.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("name", "plate")
    def _compute_display_name(self):
        for driver in self:
            parts = [driver.name or "", driver.plate or ""]
            driver.display_name = " · ".join(part for part in parts if part)

    def _compute_run_count(self):
        counts = dict(
            self.env["pemkab.fleet.run"]._read_group(
                [("driver_id", "in", self.ids)], ["driver_id"], ["__count"]
            )
        )
        for driver in self:
            driver.run_count = counts.get(driver, 0)

    def _default_agency_id(self):
        user = self.env.user
        return (user.pemkab_agency_ids | user.pemkab_head_agency_ids)[:1]

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._pemkab_check_values(vals_list)
        refuse_nul_characters(self, vals_list)
        for vals in vals_list:
            self._normalize_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._pemkab_check_values([vals])
        refuse_nul_characters(self, [vals])
        self._normalize_vals(vals)
        return super().write(vals)

    def _normalize_vals(self, vals):
        if vals.get("phone"):
            label = self._fields["phone"]._description_string(self.env)
            vals["phone"] = self.env["pemkab.address.base.mixin"]._pemkab_normalize_phone(
                vals["phone"], label, mobile=True
            )
        for fname in ("name", "plate"):
            if isinstance(vals.get(fname), str):
                vals[fname] = " ".join(vals[fname].split())
        if vals.get("plate"):
            vals["plate"] = vals["plate"].upper()

    # ------------------------------------------------------------------
    # Actions (buttons)
    # ------------------------------------------------------------------
    def action_view_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pemkab_delivery.pemkab_fleet_run_action"
        )
        action["domain"] = [("driver_id", "=", self.id)]
        action["context"] = {"default_driver_id": self.id, "default_agency_id": self.agency_id.id}
        return action
