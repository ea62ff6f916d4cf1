# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The codes of the Kamus Farmasi dan Alat Kesehatan (KFA) a facility has loaded: what
a medicine line reports to SATUSEHAT (``http://sys-ids.kemkes.go.id/kfa``).

The KFA guide numbers its codes by level: 91xxxxxx active substance, 92xxxxxx virtual
product (POV: substance + strength + form, e.g. "Amlodipine Besilate 5 mg Tablet"),
93xxxxxx actual product (POA: with its brand), 94xxxxxx packaging. The addon ships a few
real codes of the demo's medicines (``data/pemkab.health.kfa.csv``: the KFA guide's
appendices "6.2 Lampiran 2 / 6.3 Lampiran 3 Kode KFA Produk" as a public hospital
system's SATUSEHAT seed transcribes them (table ``ihs_kode_kf_a``), and the KFA codes of
public SATUSEHAT integrations' examples, e.g. 93002313 Paracetamol 500 mg Tablet (PAMOL));
a health administrator imports the rest of the facility's list.
"""

import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

KFA_CODE_RE = re.compile(r"^9[1-4]\d{6}$")


class PemkabHealthKfa(models.Model):
    _name = "pemkab.health.kfa"
    _description = "KFA Code"
    _order = "name, code"
    _rec_names_search = ["name", "code"]

    code = fields.Char(
        string="KFA Code",
        required=True,
        index=True,
        help="Eight digits: 91… active substance, 92… virtual product, 93… actual "
        "product, 94… packaging.",
    )
    name = fields.Char(required=True, help="The KFA's name, e.g. Amlodipine Besilate 5 mg Tablet.")
    active = fields.Boolean(default=True)

    _code_uniq = models.UniqueIndex("(code)", "This KFA code is loaded already.")

    @api.depends("code", "name")
    def _compute_display_name(self):
        for kfa in self:
            kfa.display_name = f"{kfa.name} [{kfa.code}]" if kfa.code else kfa.name

    @api.constrains("code")
    def _check_code(self):
        for kfa in self:
            if not KFA_CODE_RE.match(kfa.code or ""):
                raise ValidationError(
                    self.env._(
                        "KFA Code: “%(code)s” is not a KFA code (eight digits, 91 to 94 first).",
                        code=kfa.code,
                    )
                )
