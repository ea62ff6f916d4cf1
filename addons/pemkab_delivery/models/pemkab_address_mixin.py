# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import PhoneNumberError, normalize_phone


class PemkabAddressMixin(models.AbstractModel):
    """Street address in Banyuwangi with kecamatan, desa/kelurahan and coordinates.

    Shelters, courier bookings and contacts (patients, beneficiaries) use it, so a
    courier always gets the same, checked, address shape.
    """

    _name = "pemkab.address.mixin"
    _description = "Banyuwangi Address"

    kecamatan_id = fields.Many2one(
        "pemkab.area",
        domain="[('level', '=', 'kecamatan')]",
        ondelete="restrict",
        index="btree_not_null",
    )
    desa_id = fields.Many2one(
        "pemkab.area",
        string="Desa/Kelurahan",
        domain="[('level', 'in', ('desa', 'kelurahan')), ('parent_id', '=?', kecamatan_id)]",
        ondelete="restrict",
        index="btree_not_null",
    )
    latitude = fields.Float(digits=(10, 7))
    longitude = fields.Float(digits=(10, 7))

    # Phone fields normalised to +62 on create and write: {field name: mobile only?}
    _pemkab_phone_fields = {}

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._pemkab_normalize_phone_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._pemkab_normalize_phone_vals(vals)
        return super().write(vals)

    def _pemkab_normalize_phone_vals(self, vals):
        for fname, mobile in self._pemkab_phone_fields.items():
            if vals.get(fname):
                label = self._fields[fname]._description_string(self.env)
                vals[fname] = self._pemkab_normalize_phone(vals[fname], label, mobile=mobile)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("latitude", "longitude")
    def _check_coordinates(self):
        for record in self:
            lat, lng = record.latitude, record.longitude
            if not lat and not lng:
                continue  # no coordinates given
            if not -90.0 <= lat <= 90.0:
                raise ValidationError(
                    self.env._(
                        "%(record)s: latitude %(value)s is not a real coordinate "
                        "(it must be between -90 and 90).",
                        record=record.display_name,
                        value=lat,
                    )
                )
            if not -180.0 <= lng <= 180.0:
                raise ValidationError(
                    self.env._(
                        "%(record)s: longitude %(value)s is not a real coordinate "
                        "(it must be between -180 and 180).",
                        record=record.display_name,
                        value=lng,
                    )
                )
            if not lat or not lng:
                raise ValidationError(
                    self.env._(
                        "%(record)s: give both latitude and longitude, or neither "
                        "(a coordinate of exactly 0 lies in the ocean, not in Banyuwangi).",
                        record=record.display_name,
                    )
                )

    @api.constrains("kecamatan_id", "desa_id")
    def _check_desa_in_kecamatan(self):
        for record in self:
            desa = record.desa_id
            if desa and desa.level not in ("desa", "kelurahan"):
                raise ValidationError(
                    self.env._(
                        "%(record)s: %(area)s is not a desa or kelurahan.",
                        record=record.display_name,
                        area=desa.display_name,
                    )
                )
            if record.kecamatan_id and record.kecamatan_id.level != "kecamatan":
                raise ValidationError(
                    self.env._(
                        "%(record)s: %(area)s is not a kecamatan.",
                        record=record.display_name,
                        area=record.kecamatan_id.display_name,
                    )
                )
            if desa and record.kecamatan_id and desa.parent_id != record.kecamatan_id:
                raise ValidationError(
                    self.env._(
                        "%(record)s: desa/kelurahan %(desa)s lies in kecamatan %(actual)s, "
                        "not in %(given)s.",
                        record=record.display_name,
                        desa=desa.name,
                        actual=desa.parent_id.name,
                        given=record.kecamatan_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # Onchange
    # ------------------------------------------------------------------
    @api.onchange("desa_id")
    def _onchange_desa_id(self):
        if self.desa_id and self.desa_id.parent_id.level == "kecamatan":
            self.kecamatan_id = self.desa_id.parent_id

    # ------------------------------------------------------------------
    # Business helpers
    # ------------------------------------------------------------------
    @api.model
    def _pemkab_normalize_phone(self, number, field_label, mobile=False):
        """Return ``number`` in +62 form or raise a ValidationError naming the field."""
        if not number:
            return number
        try:
            return normalize_phone(number, mobile=mobile)
        except PhoneNumberError as error:
            reasons = {
                "empty": self.env._("it is empty"),
                "not_indonesian": self.env._("it is not an Indonesian number (+62)"),
                "not_digits": self.env._("it contains characters other than digits"),
                "length": self.env._("it must have 8 to 13 digits after +62"),
                "not_mobile": self.env._("it is not a mobile number (08… or +628…)"),
            }
            raise ValidationError(
                self.env._(
                    "%(field)s: “%(value)s” is not a valid phone number: %(reason)s.",
                    field=field_label,
                    value=number,
                    reason=reasons.get(error.code, error.code),
                )
            ) from None
