# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Pemkab Delivery",
    "summary": "Agencies, shelters and app-based courier bookings for the regency",
    "version": "19.0.1.0.0",
    "category": "Inventory/Delivery",
    "website": "https://github.com/pemkab-banyuwangi/pemkab-delivery",
    "author": "Pemerintah Kabupaten Banyuwangi",
    "maintainers": ["pemkab-banyuwangi"],
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": ["mail"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/pemkab_delivery_security.xml",
        "security/ir.model.access.csv",
        "security/ir_rule.xml",
        "data/pemkab.area.csv",
        "data/pemkab_agency_data.xml",
        "data/pemkab_shelter_data.xml",
        "views/pemkab_area_views.xml",
        "views/pemkab_agency_views.xml",
        "views/pemkab_shelter_views.xml",
        "views/res_partner_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/pemkab_shelter_demo.xml",
        "demo/res_users_demo.xml",
    ],
}
