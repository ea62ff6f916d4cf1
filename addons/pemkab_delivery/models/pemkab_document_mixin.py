# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.tools import SQL


class PemkabDocumentMixin(models.AbstractModel):
    """A numbered document of the regency: its reference (``"New"`` until created, then
    the next number of its sequence) and its currency (Rupiah by default).

    Declare ``_document_sequence_code`` (the ``ir.sequence`` code; the model's name by
    default). Courier bookings and every deliverable document use it.
    """

    _name = "pemkab.document.mixin"
    _description = "Numbered Regency Document"

    _document_sequence_code = None

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        default=lambda self: self.env._("New"),
    )
    currency_id = fields.Many2one("res.currency", default=lambda self: self._default_currency_id())

    @api.model
    def _default_currency_id(self):
        return self.env.ref("base.IDR", raise_if_not_found=False) or self.env.company.currency_id

    @api.model_create_multi
    def create(self, vals_list):
        self._pemkab_check_values(vals_list)
        placeholders = {"New", self.env._("New")}
        unnamed = [vals for vals in vals_list if vals.get("name") in (None, False, *placeholders)]
        for vals, name in zip(unnamed, self._next_references(len(unnamed)), strict=True):
            vals["name"] = name
        return super().create(vals_list)

    @api.model
    def _next_number_sql(self):
        """``nextval`` of the document's sequence, an SQL expression that takes one
        number per row of an ``INSERT ... SELECT`` (give it in a subquery, then format
        it with :meth:`_reference_sql`), or None when the sequence is not a standard
        (PostgreSQL) one."""
        sequence = self._document_sequence()
        if not sequence or sequence.implementation != "standard" or sequence.use_date_range:
            return None
        return SQL("nextval(%s)", f"ir_sequence_{sequence.id:03d}")

    @api.model
    def _reference_sql(self, number):
        """The reference of the sequence ``number`` (SQL), as :meth:`_next_references`
        writes it: prefix, the number padded (never cut), suffix."""
        sequence = self._document_sequence()
        prefix, suffix = sequence._get_prefix_suffix()
        return SQL(
            "%s || CASE WHEN length(%s::text) < %s THEN lpad(%s::text, %s, '0') "
            "ELSE %s::text END || %s",
            prefix,
            number,
            sequence.padding,
            number,
            sequence.padding,
            number,
            suffix,
        )

    @api.model
    def _document_sequence(self):
        code = self._document_sequence_code or self._name
        return self.env["ir.sequence"].sudo().search([("code", "=", code)], limit=1)

    @api.model
    def _next_references(self, count):
        """``count`` new references from the document's sequence, in one query when the
        sequence is a standard (PostgreSQL) one."""
        if not count:
            return []
        code = self._document_sequence_code or self._name
        sequence = self._document_sequence()
        if not sequence or sequence.implementation != "standard" or sequence.use_date_range:
            return [self.env["ir.sequence"].next_by_code(code) for _index in range(count)]
        numbers = [
            number
            for (number,) in self.env.execute_query(
                SQL(
                    "SELECT nextval(%s) FROM generate_series(1, %s)",
                    f"ir_sequence_{sequence.id:03d}",
                    count,
                )
            )
        ]
        prefix, suffix = sequence._get_prefix_suffix()
        return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for number in numbers]
