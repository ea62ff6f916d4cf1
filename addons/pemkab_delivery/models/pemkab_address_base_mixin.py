# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re

import phonenumbers

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.phone_validation.tools.phone_validation import phone_format

# Phones are Indonesian unless they say otherwise (+31 ...): ISO code and dialling code.
PHONE_COUNTRY = ("ID", 62)
# What people type between the digits of a number: spaces, dashes, dots, brackets, slashes.
PHONE_SEPARATORS = re.compile(r"[\s\-\.\(\)/]")
PHONE_MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def indonesian_e164(number, mobile=False):
    """``(number in E.164 "+62…", None)``, or ``(None, code)`` saying why it is not one.

    Odoo's phone_validation (Google's libphonenumber) parses the number with Indonesia as
    the default country, so ``0812-3456-7890``, ``62 812 3456 7890`` and
    ``+62 (812) 3456-7890`` all become ``+6281234567890``. ``code`` is one of ``empty``,
    ``not_digits``, ``not_indonesian``, ``too_short``, ``too_long``, ``invalid`` (no such
    prefix or length in Indonesia's numbering plan), ``not_mobile`` (with ``mobile``: the
    number is not a mobile phone's, which couriers need).
    """
    compact = PHONE_SEPARATORS.sub("", str(number))
    if not compact:
        return None, "empty"
    if not compact.removeprefix("+").isdigit():
        return None, "not_digits"  # libphonenumber would read letters as a keypad's
    if compact.startswith(str(PHONE_COUNTRY[1])):
        compact = "+" + compact  # the country code typed without its +: 62 812 ...
    parsed = _parsed_e164(compact)
    if parsed:
        e164 = compact
    else:
        try:
            e164 = phone_format(compact, *PHONE_COUNTRY, force_format="E164")
        except UserError:
            return None, _phone_problem(compact)
        parsed = phonenumbers.parse(e164)
    if parsed.country_code != PHONE_COUNTRY[1]:
        return None, "not_indonesian"
    if mobile and phonenumbers.number_type(parsed) not in PHONE_MOBILE_TYPES:
        return None, "not_mobile"
    return e164, None


def _parsed_e164(compact):
    """``compact`` parsed once when it is a valid number already written in E.164 (a
    phone copied from a record that normalised it: a shipment's from its household, a
    booking's from its document), else None (phone_validation then parses it)."""
    if not compact.startswith("+"):
        return None
    try:
        parsed = phonenumbers.parse(compact)
    except phonenumbers.NumberParseException:
        return None
    if not (phonenumbers.is_possible_number(parsed) and phonenumbers.is_valid_number(parsed)):
        return None
    if phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) != compact:
        return None
    return parsed


def _phone_problem(compact):
    """Why phone_validation refused ``compact``: a code of :func:`indonesian_e164`."""
    try:
        parsed = phonenumbers.parse(compact, PHONE_COUNTRY[0])
    except phonenumbers.NumberParseException as error:
        return {
            phonenumbers.NumberParseException.TOO_SHORT_NSN: "too_short",
            phonenumbers.NumberParseException.TOO_LONG: "too_long",
        }.get(error.error_type, "invalid")
    if parsed.country_code != PHONE_COUNTRY[1]:
        return "not_indonesian"
    return {
        phonenumbers.ValidationResult.TOO_SHORT: "too_short",
        # long enough to dial within an area only: digits are missing for a courier
        phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "too_short",
        phonenumbers.ValidationResult.TOO_LONG: "too_long",
    }.get(phonenumbers.is_possible_number_with_reason(parsed), "invalid")


class PemkabAddressBaseMixin(models.AbstractModel):
    """Street address in Banyuwangi with kecamatan and desa/kelurahan, checked
    coordinates and phones normalised to +62, without coordinate fields of its own.

    Contacts use it with Odoo's ``partner_latitude``/``partner_longitude``; the suite's own
    models use :class:`pemkab.address.mixin`, which adds ``latitude``/``longitude``.
    """

    _name = "pemkab.address.base.mixin"
    _description = "Banyuwangi Address (without coordinate fields)"

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

    # The (latitude, longitude) fields _check_coordinates checks; none here.
    _pemkab_coordinate_fields = ()
    # Phone fields normalised to +62 on create and write: {field name: mobile only?}
    _pemkab_phone_fields = {}

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._pemkab_check_values(vals_list)
        for vals in vals_list:
            self._pemkab_normalize_phone_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._pemkab_check_values([vals])
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
    @api.constrains(lambda self: self._pemkab_coordinate_fields)
    def _check_coordinates(self):
        if not self._pemkab_coordinate_fields:
            return
        lat_field, lng_field = self._pemkab_coordinate_fields
        for record in self:
            lat, lng = record[lat_field], record[lng_field]
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
        e164, problem = indonesian_e164(number, mobile=mobile)
        if not problem:
            return e164
        reasons = {
            "empty": self.env._("it is empty"),
            "not_indonesian": self.env._("it is not an Indonesian number (+62)"),
            "not_digits": self.env._("it contains characters other than digits"),
            "too_short": self.env._("it has too few digits"),
            "too_long": self.env._("it has too many digits"),
            "invalid": self.env._("no Indonesian number begins like this or has this many digits"),
            "not_mobile": self.env._("it is not a mobile number (08… or +628…)"),
        }
        raise ValidationError(
            self.env._(
                "%(field)s: “%(value)s” is not a valid phone number: %(reason)s.",
                field=field_label,
                value=number,
                reason=reasons[problem],
            )
        )
