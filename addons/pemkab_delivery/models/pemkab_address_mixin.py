# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class PemkabAddressMixin(models.AbstractModel):
    """Street address in Banyuwangi with kecamatan, desa/kelurahan and coordinates.

    Shelters, courier bookings, households and shipments use it, so a courier always gets
    the same, checked, address shape. Contacts (patients, beneficiaries) use
    :class:`pemkab.address.base.mixin` with Odoo's own ``partner_latitude`` and
    ``partner_longitude`` instead of these two fields.
    """

    _name = "pemkab.address.mixin"
    _inherit = ["pemkab.address.base.mixin"]
    _description = "Banyuwangi Address"
    _pemkab_coordinate_fields = ("latitude", "longitude")

    latitude = fields.Float(digits=(10, 7))
    longitude = fields.Float(digits=(10, 7))
