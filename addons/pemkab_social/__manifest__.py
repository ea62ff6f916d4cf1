# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Pemkab Social Aid Shipments",
    "summary": "Dinas Sosial: beneficiary households, aid programs and periods, "
    "in-kind aid shipped by courier",
    "version": "19.0.1.2.0",
    "category": "Inventory/Delivery",
    "website": "https://github.com/pemkab-banyuwangi/pemkab-delivery",
    "author": "Pemerintah Kabupaten Banyuwangi",
    "maintainers": ["pemkab-banyuwangi"],
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": ["pemkab_delivery"],
    "data": [
        "security/pemkab_social_security.xml",
        "security/ir.model.access.csv",
        "security/ir_rule.xml",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "views/pemkab_social_household_views.xml",
        "views/res_partner_views.xml",
        "views/res_users_views.xml",
        "views/pemkab_social_program_views.xml",
        "views/pemkab_social_package_type_views.xml",
        "views/pemkab_social_period_views.xml",
        "views/pemkab_social_shipment_views.xml",
        "wizards/pemkab_social_generate_wizard_views.xml",
        "views/menus.xml",
        "report/pemkab_social_shipment_reports.xml",
    ],
    "demo": [
        "demo/pemkab_social_demo.xml",
        "demo/pemkab_social_household_demo.xml",
        "demo/pemkab_social_workflow_demo.xml",
    ],
    "assets": {
        # the browser tests (tours) run by tests/test_tours.py
        "web.assets_tests": [
            "pemkab_social/static/tests/tours/**/*",
        ],
    },
}
