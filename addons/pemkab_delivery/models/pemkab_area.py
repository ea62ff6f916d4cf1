# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class PemkabArea(models.Model):
    """An administrative area (wilayah) with its Kemendagri code.

    Seeded from ``data/pemkab.area.csv``: the regency, its kecamatan and their
    desa/kelurahan (Kepmendagri No. 300.2.2-2430 Tahun 2025, via the cahyadsn/wilayah
    data set, MIT licence).
    """

    _name = "pemkab.area"
    _description = "Administrative Area"
    _parent_store = True
    _order = "code"
    _rec_names_search = ["name", "code"]

    name = fields.Char(required=True, translate=False)
    code = fields.Char(
        required=True,
        index=True,
        help="Kemendagri code, e.g. 35.10.01 for a kecamatan, 35.10.01.2001 for a desa.",
    )
    level = fields.Selection(
        [
            ("kabupaten", "Regency (Kabupaten)"),
            ("kecamatan", "District (Kecamatan)"),
            ("desa", "Village (Desa)"),
            ("kelurahan", "Urban Village (Kelurahan)"),
        ],
        required=True,
        index=True,
    )
    parent_id = fields.Many2one(
        "pemkab.area", string="Parent Area", index=True, ondelete="restrict"
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("pemkab.area", "parent_id", string="Sub-areas")
    active = fields.Boolean(default=True)

    _code_uniq = models.Constraint(
        "UNIQUE(code)", "An area with this Kemendagri code already exists."
    )

    @api.depends("name", "level", "code")
    def _compute_display_name(self):
        levels = dict(self._fields["level"]._description_selection(self.env))
        for area in self:
            if area.level in ("desa", "kelurahan"):
                area.display_name = f"{area.name} ({levels[area.level]})"
            else:
                area.display_name = area.name
