# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Test-only: the rows of the bare route (``controllers/main.py``), the framework's floor
for any webhook that ``bench/bench_webhook.py`` compares the courier webhook with."""

from odoo import fields, models


class PemkabTestBareRow(models.Model):
    _name = "pemkab.test.bare.row"
    _description = "Bare Webhook Row"
    _log_access = False

    body = fields.Text(required=True)
