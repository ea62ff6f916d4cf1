# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The citizen's page: ``GET /lacak/<token>``, public, phone-sized, in Indonesian by
default (``?lang=en`` for English when installed).

Only a document's own citizen link opens it; a wrong token, or one whose document has
been in a final state for longer than the administrator's number of days, is a plain
404 that says nothing of whether the link ever existed.
"""

from odoo import http
from odoo.http import request


class PemkabCitizenTrackingController(http.Controller):
    @http.route(
        "/lacak/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        readonly=True,
        sitemap=False,
    )
    def citizen_tracking(self, token, lang=None, **_kwargs):
        record = request.env["pemkab.deliverable.mixin"].sudo()._delivery_find_by_token(token)
        if record is None:
            raise request.not_found()
        code = self._citizen_lang(record, lang)
        record = record.with_context(lang=code)
        html = (
            request.env["ir.ui.view"]
            .sudo()
            .with_context(lang=code)
            ._render_template(
                "pemkab_delivery.citizen_tracking_page",
                {"page": record._delivery_citizen_page_values(), "lang_code": code},
            )
        )
        return request.make_response(
            html,
            headers=[
                ("Content-Type", "text/html; charset=utf-8"),
                ("Cache-Control", "no-store"),
                ("Referrer-Policy", "no-referrer"),
                ("X-Robots-Tag", "noindex, nofollow"),
            ],
        )

    @staticmethod
    def _citizen_lang(record, asked):
        installed = dict(request.env["res.lang"].get_installed())
        wanted = {"en": "en_US", "id": "id_ID"}.get(asked or "", asked)
        if wanted in installed:
            return wanted
        return record._delivery_citizen_lang()
