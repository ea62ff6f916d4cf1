# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

# fields of res.users whose values the record rules read (user.<field>.ids): Odoo caches
# each user's rules, and these are no groups, whose changes clear that cache
RULE_SCOPE_FIELDS = {"pemkab_agency_ids", "pemkab_head_agency_ids", "pemkab_shelter_ids"}


def clear_rule_cache_if_scope_changes(records, scope_fields, vals_list):
    """Forget the cached record rules when ``vals_list`` touches ``scope_fields``, the
    fields that say who may see what (a user's agencies, shelters or kecamatan, an
    agency's heads and members, a shelter's staff): the change holds at once, not after
    a restart."""
    if any(scope_fields.intersection(vals) for vals in vals_list):
        records.env.registry.clear_cache()


class ResUsers(models.Model):
    _inherit = "res.users"
    _pemkab_rule_scope_fields = RULE_SCOPE_FIELDS

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

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    def write(self, vals):
        self._pemkab_check_values([vals])
        res = super().write(vals)
        clear_rule_cache_if_scope_changes(self, self._pemkab_rule_scope_fields, [vals])
        return res
