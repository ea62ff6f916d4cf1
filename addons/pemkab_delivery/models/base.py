# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import math

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # a PostgreSQL integer (ids included)
TEXT_TYPES = ("char", "text", "html")
ID_COMMANDS = (fields.Command.UPDATE, fields.Command.DELETE, fields.Command.UNLINK)


class Base(models.AbstractModel):
    """Values a client sends to the suite's fields are checked before they reach the ORM
    or the database: a number too large for its column, a text with a NUL character, a
    selection key or a date that is none, an id that no record can have are refused with
    a ValidationError naming the field, not a database or Python error (an HTTP 500 to
    the user). The fields checked are those the pemkab addons define, on their models
    and on Odoo's (one look at each value given, nothing for the other fields). A model
    of the suite whose ``create`` or ``write`` uses the values before ``super()`` checks
    them first, by calling :meth:`_pemkab_check_values` itself."""

    _inherit = "base"

    @api.model_create_multi
    def create(self, vals_list):
        self._pemkab_check_values(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._pemkab_check_values([vals])
        res = super().write(vals)
        self._pemkab_check_still_writable()
        return res

    def action_archive(self):
        self._pemkab_check_archivable()
        return super().action_archive()

    def action_unarchive(self):
        self._pemkab_check_archivable()
        return super().action_unarchive()

    def _pemkab_check_archivable(self):
        """A client's *Archive* on a model of the suite that has no archive is a clear
        refusal, not Odoo's AssertionError (a programming error to the user)."""
        if self._active_name or not (self._original_module or "").startswith("pemkab_"):
            return
        raise UserError(self.env._("%(document)s cannot be archived.", document=self._description))

    def _pemkab_check_still_writable(self):
        """After a write, the records of the suite's models are still inside the writer's
        record rules: a pharmacist cannot move a delivery to another agency's Puskesmas,
        nor an officer a household into another kecamatan (Odoo checks the rules before
        a write only). One query, for the records a user (not the superuser) wrote."""
        if self.env.su or not self or not (self._original_module or "").startswith("pemkab_"):
            return
        outside = self - self._filtered_access("write")
        if outside:
            raise AccessError(
                self.env._(
                    "%(document)s: this change would take %(count)s record(s) out of what "
                    "you may edit (another facility, agency or kecamatan): it is refused.",
                    document=self._description,
                    count=len(outside),
                )
            )

    @api.model
    def _pemkab_checked_fields(self):
        """The fields of this model whose values are checked (computed once a model and
        set of fields: while several addons are installed in one process, the registry
        keeps each model's class and adds the next addon's fields to it, so a list made
        before pemkab_social was loaded must not stand for the contacts after it)."""
        cls = type(self)
        cached = vars(cls).get("_pemkab_checked_field_names")
        if cached and cached[0] == len(self._fields):
            checked = cached[1]
        else:
            own = (self._original_module or "").startswith("pemkab_")
            checked = frozenset(
                fname
                for fname, field in self._fields.items()
                if (own or (field._module or "").startswith("pemkab_"))
                and field.type
                in ("integer", "float", "monetary", "many2one", "many2many", "selection")
                + ("date", "datetime")
                + TEXT_TYPES
            )
            cls._pemkab_checked_field_names = (len(self._fields), checked)
        return checked

    @api.model
    def _pemkab_check_values(self, vals_list):
        checked = self._pemkab_checked_fields()
        if not checked:
            return
        for vals in vals_list:
            for fname in checked.intersection(vals):
                reason = self._pemkab_value_error(self._fields[fname], vals[fname])
                if reason:
                    raise ValidationError(
                        self.env._(
                            "%(field)s: %(value)s cannot be saved: %(reason)s",
                            field=self._fields[fname]._description_string(self.env),
                            value=repr(vals[fname])[:60],
                            reason=reason,
                        )
                    )

    def _pemkab_value_error(self, field, value):
        """Why ``value`` cannot be stored in ``field``, or None."""
        if value is None or value is False or isinstance(value, models.BaseModel):
            return None
        kind = field.type
        if value == "" and kind in ("integer", "float", "monetary", "selection"):
            return None  # none, as for the ORM
        if kind in TEXT_TYPES:
            if not isinstance(value, str):
                return self.env._("it is not a text.")
            if "\x00" in value:
                return self.env._("a text cannot hold a NUL character.")
            return None
        if kind in ("integer", "many2one"):
            return self._pemkab_integer_error(field, value)
        if kind in ("float", "monetary"):
            return self._pemkab_float_error(field, value)
        if kind == "selection":
            if value not in dict(field._description_selection(self.env)):
                return self.env._("it is not one of the choices.")
            return None
        if kind in ("date", "datetime"):
            to_value = fields.Date.to_date if kind == "date" else fields.Datetime.to_datetime
            try:
                to_value(value)
            except (ValueError, TypeError, OverflowError):
                return self.env._("it is not a date.")
            return None
        return self._pemkab_commands_error(field, value)

    def _pemkab_float_error(self, field, value):
        """Why ``value`` is no number its column holds once rounded, or None."""
        try:
            number = None if isinstance(value, bool) else float(value)
        except (ValueError, TypeError):
            number = None
        if number is None or not math.isfinite(number):
            return self.env._("it is not a number.")
        digits = field.get_digits(self.env) if field.type == "float" else None
        # numeric(precision, scale) holds less than 10^(precision - scale); an amount
        # is rounded to its currency (at most 15 significant digits in a float)
        limit = 10.0 ** (digits[0] - digits[1]) if digits else 1e15
        if field.type == "float" and not digits:
            limit = math.inf
        if abs(number) >= limit:
            return self.env._("the number is too large (at most %(limit)s).", limit=limit)
        return None

    def _pemkab_integer_error(self, field, value):
        """Why ``value`` is no integer of a column or no id, or None."""
        if field.type == "integer" and isinstance(value, (str, float)):
            try:
                value = int(value)
            except (ValueError, OverflowError):
                return self.env._("it is not a whole number.")
        if field.type == "many2one" and isinstance(value, (tuple, list)) and value:
            value = value[0]  # (id, display name)
        if not isinstance(value, int) or isinstance(value, bool):
            return self.env._("it is not a whole number.")
        low = INT_MIN if field.type == "integer" else 1
        if not low <= value <= INT_MAX:
            return self.env._(
                "the number is out of range (between %(low)s and %(high)s).",
                low=low,
                high=INT_MAX,
            )
        return None

    def _pemkab_commands_error(self, field, value):
        """Why the many2many ``value`` (commands, or ids) cannot be applied, or None."""
        if not isinstance(value, (list, tuple)):
            return self.env._("it is not a list of commands.")
        ids = []
        for command in value:
            if isinstance(command, int) and not isinstance(command, bool):
                ids.append(command)
            elif not isinstance(command, (list, tuple)) or not command:
                return self.env._("it is not a list of commands.")
            elif command[0] == fields.Command.SET:
                if len(command) < 3 or not isinstance(command[2], (list, tuple)):
                    return self.env._("it is not a list of commands.")
                ids.extend(command[2])
            elif command[0] in ID_COMMANDS or command[0] == fields.Command.LINK:
                ids.append(command[1] if len(command) > 1 else None)
        for record_id in ids:
            if isinstance(record_id, bool) or not isinstance(record_id, int):
                return self.env._("it is not a whole number.")
            if not 1 <= record_id <= INT_MAX:
                return self.env._(
                    "the number is out of range (between %(low)s and %(high)s).",
                    low=1,
                    high=INT_MAX,
                )
        return None
