# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The citizen's page: ``GET /lacak/<token>``, public, phone-sized, in one language at a
time: Indonesian by default, English with ``?lang=en``.

Only a document's own citizen link opens it; a wrong token, or one whose document has
been in a final state for longer than the administrator's number of days, is a plain
404 that says nothing of whether the link ever existed.

Once the parcel is delivered the page offers the satisfaction survey (SKM): a form that
``POST``s to ``/lacak/<token>/skm`` with Odoo's CSRF token of the page; the token in the
URL is the citizen's credential. Bad input is a 4xx, never a 500.
"""

import base64

from werkzeug.exceptions import BadRequest, Conflict

from odoo import http
from odoo.http import request
from odoo.tools.mimetypes import guess_mimetype

# the driver's photo is one of these (the exchange keeps no other kind)
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")

# the page reloads itself while the parcel moves (seconds)
REFRESH_SECONDS = 60
# ?lang= values: a short code, or an installed language's code
LANG_CODES = {"en": "en_US", "id": "id_ID"}


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
        record = self._citizen_record(token)
        code = self._citizen_lang(record, lang)
        record = record.with_context(lang=code)
        html = (
            request.env["ir.ui.view"]
            .sudo()
            .with_context(lang=code)
            ._render_template(
                "pemkab_delivery.citizen_tracking_page",
                {
                    "page": record._delivery_citizen_page_values(),
                    "lang_code": code,
                    "lang_short": code[:2],
                    "refresh_seconds": REFRESH_SECONDS,
                    "csrf_token": request.csrf_token(),
                },
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

    @http.route(
        "/lacak/<string:token>/pengemudi",
        type="http",
        auth="public",
        methods=["GET"],
        readonly=True,
        sitemap=False,
    )
    def citizen_driver_photo(self, token, **_kwargs):
        """The driver's photo while the parcel is on its way: a wrong token, a parcel not
        (or no longer) on its way, or no photo is a plain 404."""
        record = self._citizen_record(token)
        photo = record._delivery_citizen_driver_photo()
        if not photo:
            raise request.not_found()
        content = base64.b64decode(photo)
        mimetype = guess_mimetype(content)
        if mimetype not in PHOTO_TYPES:
            raise request.not_found()
        return request.make_response(
            content,
            headers=[
                ("Content-Type", mimetype),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "no-referrer"),
                ("X-Robots-Tag", "noindex, nofollow"),
            ],
        )

    @http.route(
        "/lacak/<string:token>/skm",
        type="http",
        auth="public",
        methods=["POST"],
        sitemap=False,
    )
    def citizen_rating(self, token, rating=None, comment=None, lang=None, **_kwargs):
        """One tap of the satisfaction survey (CSRF-checked by Odoo: a form of the page
        only); back to the page, which thanks the citizen."""
        record = self._citizen_record(token)
        if record[record._delivery_state_field] != record._delivery_delivered_state:
            raise Conflict()
        if not isinstance(rating, str) or not isinstance(comment or "", str):
            raise BadRequest()
        try:
            request.env["pemkab.citizen.rating"].sudo()._rate_document(
                record, rating.strip(), comment or ""
            )
        except ValueError as error:
            raise BadRequest() from error
        short = LANG_CODES.get(lang or "", "") and lang
        query = f"?lang={short}" if short else ""
        return request.redirect(f"/lacak/{token}{query}#pemkab-survey", code=303, local=True)

    @staticmethod
    def _citizen_record(token):
        record = request.env["pemkab.deliverable.mixin"].sudo()._delivery_find_by_token(token)
        if record is None:
            raise request.not_found()
        return record

    @staticmethod
    def _citizen_lang(record, asked):
        """The page's language: the one asked for when the database can speak it, else
        the document's citizen language. English (en_US) is the source of every term:
        always available, even where a database loaded Indonesian only and left en_US
        inactive (``--load-language=id_ID`` on a new database does), which is why
        ``?lang=en`` used to fall back to the mixed default page."""
        wanted = LANG_CODES.get(asked or "", asked)
        if wanted == "en_US":
            return wanted
        if wanted and wanted in dict(request.env["res.lang"].get_installed()):
            return wanted
        return record._delivery_citizen_lang()
