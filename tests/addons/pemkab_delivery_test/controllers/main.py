# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Test-only: ``POST /pemkab_delivery_test/bare`` inserts the posted body as one row and
answers 202, nothing else. Declared as the courier webhook is (no user, read/write cursor,
no session saved): the framework's floor for any webhook, measured beside it by
``bench/bench_webhook.py``."""

from odoo import http
from odoo.http import request
from odoo.tools import SQL


class PemkabTestBareController(http.Controller):
    @http.route(
        "/pemkab_delivery_test/bare",
        type="http",
        auth="none",
        readonly=False,
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def bare_insert(self, **_kwargs):
        if not request.db:
            return request.make_json_response({"error": "no database"}, status=404)
        body = request.httprequest.get_data().decode("utf-8", "replace")
        request.env.cr.execute(SQL("INSERT INTO pemkab_test_bare_row (body) VALUES (%s)", body))
        return request.make_json_response({"status": "accepted"}, status=202)
