# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class ResPartner(models.Model):
    """Contacts (patients, beneficiaries, proxies) carry kecamatan, desa/kelurahan and
    coordinates, so that a courier can find them."""

    _name = "res.partner"
    _inherit = ["res.partner", "pemkab.address.mixin"]
