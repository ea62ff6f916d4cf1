# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Pemkab Health Deliveries",
    "summary": "Gancang Aron: prescription deliveries from hospitals and Puskesmas by courier",
    "version": "19.0.1.1.0",
    "category": "Inventory/Delivery",
    "website": "https://github.com/pemkab-banyuwangi/pemkab-delivery",
    "author": "Pemerintah Kabupaten Banyuwangi",
    "maintainers": ["pemkab-banyuwangi"],
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": ["barcodes", "pemkab_delivery"],
    "external_dependencies": {"python": ["python-stdnum>=2.0"]},
    "data": [
        "security/pemkab_health_security.xml",
        "security/ir.model.access.csv",
        "security/ir_rule.xml",
        "data/ir_sequence_data.xml",
        "data/mail_activity_type_data.xml",
        "data/ir_cron_data.xml",
        "data/pemkab.health.kfa.csv",
        "views/res_partner_views.xml",
        "views/pemkab_health_delivery_views.xml",
        "views/pemkab_health_approval_rule_views.xml",
        "views/menus.xml",
        "report/pemkab_health_delivery_reports.xml",
        "views/pemkab_health_delivery_analysis_views.xml",
        "views/pemkab_health_satusehat_views.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/res_partner_demo.xml",
        "demo/pemkab_health_approval_rule_demo.xml",
        "demo/pemkab_health_delivery_demo.xml",
        "demo/pemkab_delivery_trigger_demo.xml",
        "demo/pemkab_health_workflow_demo.xml",
        "demo/pemkab_health_satusehat_demo.xml",
    ],
    "assets": {
        # the browser tests (tours) run by tests/test_tours.py
        "web.assets_tests": [
            "pemkab_health/static/tests/tours/**/*",
        ],
    },
}
