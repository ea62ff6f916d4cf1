# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

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

    # the civil servant's number (Nomor Induk Pegawai), printed under the signature
    pemkab_nip = fields.Char(
        string="NIP",
        copy=False,
        help="Nomor Induk Pegawai: the 18 digits of the civil servant's number (birth date, "
        "appointment month, sex, serial), printed under the signature on the regency's "
        "papers.",
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

    @api.constrains("pemkab_nip")
    def _check_pemkab_nip(self):
        for user in self.filtered("pemkab_nip"):
            nip = user.pemkab_nip
            if not (
                re.fullmatch(r"\d{18}", nip)
                and 1 <= int(nip[4:6]) <= 12
                and 1 <= int(nip[6:8]) <= 31
                and 1 <= int(nip[12:14]) <= 12
                and nip[14] in "12"
            ):
                raise ValidationError(
                    self.env._(
                        "NIP of %(user)s: 18 digits are expected (birth date YYYYMMDD, "
                        "appointment YYYYMM, 1 or 2 for the sex, a 3-digit serial), "
                        "e.g. 197001011990031005.",
                        user=user.name,
                    )
                )

    def _pemkab_nip_display(self):
        """The NIP as papers print it: ``19700101 199003 1 005``."""
        self.ensure_one()
        nip = self.pemkab_nip or ""
        if len(nip) != 18:
            return nip
        return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._pemkab_clean_nip(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._pemkab_clean_nip(vals)
        self._pemkab_check_values([vals])
        res = super().write(vals)
        clear_rule_cache_if_scope_changes(self, self._pemkab_rule_scope_fields, [vals])
        return res

    @api.model
    def _pemkab_clean_nip(self, vals):
        """A NIP as written on papers (``19700101 199003 1 005``) is kept as its digits."""
        if isinstance(vals.get("pemkab_nip"), str):
            vals["pemkab_nip"] = re.sub(r"[\s.]", "", vals["pemkab_nip"]) or False
