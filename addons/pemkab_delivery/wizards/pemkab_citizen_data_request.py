# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A citizen's data request (UU PDP): for one NIK, what the regency holds on that person
in these addons, and which courier received which fields, when.

A system administrator enters the NIK and prints the answer. Each addon adds what it
holds through two hooks of ``res.partner``: :meth:`_pemkab_data_request_sections` (the
person's own data) and :meth:`_pemkab_data_request_documents` (the documents about the
person, whose courier bookings are listed).
"""

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# what _courier_payload sends to the courier of a booking (the destination)
COURIER_FIELDS = (
    "recipient_name",
    "recipient_phone",
    "street",
    "desa_id",
    "kecamatan_id",
    "latitude",
    "longitude",
    "recipient_note",
    "package_code",
    "package_description",
)


class PemkabCitizenDataRequest(models.TransientModel):
    _name = "pemkab.citizen.data.request"
    _description = "Citizen's Data Request"

    nik = fields.Char(string="NIK", required=True, help="The citizen's 16-digit NIK.")
    partner_id = fields.Many2one("res.partner", compute="_compute_report", string="Person")
    report_html = fields.Html(compute="_compute_report", sanitize=False, string="Answer")

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._clean_nik_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._clean_nik_vals(vals)
        return super().write(vals)

    def _clean_nik_vals(self, vals):
        """A malformed NIK ("1234", an impossible birth date, an unknown region) is
        refused with the reason, not searched for."""
        if vals.get("nik"):
            vals["nik"] = self.env["res.partner"]._pemkab_clean_nik(vals["nik"])

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("nik")
    def _compute_report(self):
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        for request in self:
            partner = Partner.browse()
            if request.nik:
                try:
                    nik = Partner._pemkab_clean_nik(request.nik)
                except ValidationError:
                    nik = request.nik
                else:
                    partner = Partner.search([("nik", "=", nik)], limit=1)
            request.partner_id = partner
            request.report_html = request._render(partner)

    def action_print(self):
        self.ensure_one()
        return self.env.ref("pemkab_delivery.action_report_citizen_data_request").report_action(
            self
        )

    # ------------------------------------------------------------------
    # Rendering
    # ------------------------------------------------------------------
    def _render(self, partner):
        if not partner:
            return Markup("<p>%s</p>") % self.env._(
                "No contact of these addons has the NIK %(nik)s.", nik=self.nik or ""
            )
        html = Markup("<h2>%s</h2>") % self.env._("Data held on NIK %(nik)s", nik=partner.nik)
        html += Markup("<p>%s</p>") % self.env._(
            "Printed on %(date)s by %(user)s.",
            date=fields.Datetime.to_string(fields.Datetime.now()),
            user=self.env.user.name,
        )
        for section in partner._pemkab_data_request_sections():
            html += self._render_table(section["title"], section["rows"])
        documents = partner._pemkab_data_request_documents()
        html += self._render_table(
            self.env._("Documents"),
            [(document._description, document.display_name) for document in documents],
        )
        html += self._render_bookings(documents)
        return html

    def _render_table(self, title, rows):
        html = Markup("<h3>%s</h3><table class='table table-sm'>") % title
        if not rows:
            html += Markup("<tr><td>%s</td></tr>") % self.env._("Nothing.")
        for label, value in rows:
            html += Markup("<tr><th>%s</th><td>%s</td></tr>") % (label, value)
        return html + Markup("</table>")

    def _render_bookings(self, documents):
        """Which courier received which fields, when (the first call to the courier)."""
        Booking = self.env["pemkab.delivery.booking"].sudo()
        bookings = Booking.browse()
        for document in documents:
            bookings |= Booking.search(
                [("res_model", "=", document._name), ("res_id", "=", document.id)]
            )
        labels = [Booking._fields[fname]._description_string(self.env) for fname in COURIER_FIELDS]
        html = Markup("<h3>%s</h3><table class='table table-sm'><tr>") % self.env._(
            "Shared with couriers"
        )
        for header in (
            self.env._("Booking"),
            self.env._("Courier"),
            self.env._("Sent On"),
            self.env._("Fields Sent"),
            self.env._("Status"),
        ):
            html += Markup("<th>%s</th>") % header
        html += Markup("</tr>")
        states = dict(Booking._fields["state"]._description_selection(self.env))
        for booking in bookings.sorted("id"):
            calls = booking.event_ids.filtered(lambda event: event.source == "api")
            sent = min(calls.mapped("date")) if calls else False
            html += Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>") % (
                booking.name,
                booking.provider_id.name,
                fields.Datetime.to_string(sent) if sent else self.env._("not sent"),
                ", ".join(labels) if sent or not booking.provider_id._has_api() else "",
                states.get(booking.state, booking.state),
            )
        if not bookings:
            html += Markup("<tr><td colspan='5'>%s</td></tr>") % escape(self.env._("Nothing."))
        return html + Markup("</table>")
