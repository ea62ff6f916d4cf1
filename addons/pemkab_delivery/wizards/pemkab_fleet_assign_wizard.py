# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError


class PemkabFleetAssignWizard(models.TransientModel):
    """Give many own-fleet parcels to one driver run at once: a draft run of their
    shelter, or a new run for a driver chosen from the agency's list. Opened from a
    selection of courier bookings, or of deliverable documents (their current
    bookings)."""

    _name = "pemkab.fleet.assign.wizard"
    _description = "Assign Parcels to a Driver Run"

    booking_ids = fields.Many2many("pemkab.delivery.booking", string="Parcels", readonly=True)
    booking_count = fields.Integer(compute="_compute_booking_count", string="Number of Parcels")
    shelter_id = fields.Many2one("pemkab.shelter", readonly=True)
    agency_id = fields.Many2one("pemkab.agency", readonly=True)
    run_id = fields.Many2one(
        "pemkab.fleet.run",
        string="Driver Run",
        domain="[('state', '=', 'draft'), ('shelter_id', '=', shelter_id)]",
        help="A draft run of this shelter; leave empty to start a new run.",
    )
    driver_id = fields.Many2one(
        "pemkab.fleet.driver",
        domain="[('agency_id', '=', agency_id)]",
        help="The driver of the new run.",
    )
    date = fields.Date(default=fields.Date.context_today)

    @api.depends("booking_ids")
    def _compute_booking_count(self):
        for wizard in self:
            wizard.booking_count = len(wizard.booking_ids)

    # ------------------------------------------------------------------
    # Opening
    # ------------------------------------------------------------------
    @api.model
    def _open_for(self, bookings):
        """The wizard for ``bookings`` (their shelter and agency), or why not."""
        bookings.check_access("write")
        shelters = bookings.shelter_id
        if len(shelters) > 1:
            raise UserError(
                self.env._(
                    "A driver run collects at one shelter: the selected parcels wait at "
                    "%(shelters)s. Select those of one shelter.",
                    shelters=", ".join(shelters.mapped("display_name")),
                )
            )
        errors = bookings._fleet_errors(("requested", "booked"))
        errors += [
            self.env._(
                "%(ref)s is in driver run %(run)s already.",
                ref=booking.name,
                run=booking.fleet_run_id.name,
            )
            for booking in bookings.filtered("fleet_run_id")
        ]
        if not bookings:
            errors.append(self.env._("Choose the parcels to give to the driver run."))
        if errors:
            raise UserError("\n".join(errors))
        draft = self.env["pemkab.fleet.run"].search(
            [("state", "=", "draft"), ("shelter_id", "=", shelters.id)], limit=2
        )
        wizard = self.create(
            {
                "booking_ids": [fields.Command.set(bookings.ids)],
                "shelter_id": shelters.id,
                "agency_id": shelters.agency_id.id,
                "run_id": draft.id if len(draft) == 1 else False,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Assign to a Driver Run"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    @api.model
    def _open_for_documents(self, records):
        """The wizard for the current bookings of deliverable documents (a dispatch
        board's selection) the user may change."""
        records.check_access("write")
        current = records._delivery_current_bookings()
        missing = records.filtered(lambda record: record.id not in current)
        if missing:
            raise UserError(
                self.env._(
                    "%(documents)s: no parcel waiting for a driver (not yet at the shelter, "
                    "or booked with a courier).",
                    documents=", ".join(missing.mapped("display_name")),
                )
            )
        # the user changes the documents: their bookings are theirs to hand to a driver
        bookings = self.env["pemkab.delivery.booking"].browse(
            [booking.id for booking in current.values()]
        )
        return self._open_for(bookings.sudo())

    # ------------------------------------------------------------------
    # Actions (buttons)
    # ------------------------------------------------------------------
    def action_confirm(self):
        self.ensure_one()
        bookings = self.booking_ids
        bookings.check_access("write")
        run = self.run_id
        if run:
            run.check_access("write")
        else:
            if not self.driver_id:
                raise UserError(
                    self.env._("Driver: choose the driver of the new run, or a draft run.")
                )
            run = self.env["pemkab.fleet.run"].create(
                {
                    "agency_id": self.agency_id.id,
                    "shelter_id": self.shelter_id.id,
                    "driver_id": self.driver_id.id,
                    "date": self.date or fields.Date.context_today(self),
                }
            )
        bookings._check_can_fleet_assign(run)
        bookings._do_fleet_assign(run)
        run.message_post(
            body=self.env._(
                "%(count)s parcel(s) given to the run by %(user)s.",
                count=len(bookings),
                user=self.env.user.name,
            ),
            message_type="notification",
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "pemkab.fleet.run",
            "res_id": run.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
