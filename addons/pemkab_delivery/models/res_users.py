# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    pemkab_agency_ids = fields.Many2many(
        "pemkab.agency",
        "pemkab_agency_member_rel",
        "user_id",
        "agency_id",
        string="Member of Agencies",
    )
    pemkab_head_agency_ids = fields.Many2many(
        "pemkab.agency",
        "pemkab_agency_head_rel",
        "user_id",
        "agency_id",
        string="Head of Agencies",
    )
    pemkab_shelter_ids = fields.Many2many(
        "pemkab.shelter",
        "pemkab_shelter_staff_rel",
        "user_id",
        "shelter_id",
        string="Shelters",
    )
    # whose courier bookings the user sees (record rules): see _pemkab_booking_scope
    pemkab_booking_agency_ids = fields.Many2many(
        "pemkab.agency", compute="_compute_pemkab_booking_scope", string="Bookings of Agencies"
    )
    pemkab_booking_shelter_ids = fields.Many2many(
        "pemkab.shelter", compute="_compute_pemkab_booking_scope", string="Bookings of Shelters"
    )

    @api.depends("pemkab_agency_ids", "pemkab_head_agency_ids", "pemkab_shelter_ids", "group_ids")
    def _compute_pemkab_booking_scope(self):
        for user in self:
            agencies, shelters = user._pemkab_booking_scope()
            user.pemkab_booking_agency_ids = agencies
            user.pemkab_booking_shelter_ids = shelters

    def _pemkab_booking_scope(self):
        """The agencies all of whose courier bookings this user sees, and the shelters
        whose bookings the user sees: a courier officer, those of the agencies the user
        works in; a head, those of the agencies the user heads; staff of a shelter, that
        shelter's. An addon whose documents a booking serves narrows what its own roles
        see to what they may see of those documents (a pharmacist: the facilities where
        the pharmacist works, not the whole agency).

        :return: ``(pemkab.agency, pemkab.shelter)``
        """
        self.ensure_one()
        return self.pemkab_agency_ids | self.pemkab_head_agency_ids, self.pemkab_shelter_ids
