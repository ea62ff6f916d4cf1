# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "Pemkab Delivery: a test document",
    "summary": "Test-only: the smallest document made deliverable by pemkab_delivery",
    "version": "19.0.1.0.0",
    "category": "Hidden/Tests",
    "author": "Pemerintah Kabupaten Banyuwangi",
    "website": "https://github.com/pemkab-banyuwangi/pemkab-delivery",
    "license": "LGPL-3",
    "installable": True,
    "depends": ["pemkab_delivery"],
    "data": [
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "report/pemkab_test_seed_parcel_reports.xml",
        "views/pemkab_test_seed_parcel_views.xml",
    ],
}
