# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The printed monthly service report (Laporan Layanan Pengantaran): one paper per agency
and month, the month beside the previous one, the last six months as a trend, figures in
Indonesian formats, signed by the agency's head."""

from dateutil.relativedelta import relativedelta

from odoo import api, models

TREND_MONTHS = 6


class ReportPemkabDeliveryService(models.AbstractModel):
    _name = "report.pemkab_delivery.report_service"
    _inherit = ["pemkab.paper.mixin"]
    _description = "Monthly Service Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        rows = self.env["pemkab.delivery.service.report"].browse(docids)
        rows.check_access("read")
        values = self._paper_values(docids, rows)
        values["papers"] = {row.id: self._service_values(row) for row in rows}
        return values

    def _service_values(self, row):
        agency = row.agency_id
        # the months before, as far as the user may read them (record rules)
        trend = self.env["pemkab.delivery.service.report"].search(
            [
                ("agency_id", "=", agency.id),
                ("month", "<=", row.month),
                ("month", ">", row.month - relativedelta(months=TREND_MONTHS)),
            ],
            order="month",
        )
        previous = self.env["pemkab.delivery.service.report"].search(
            [("agency_id", "=", agency.id), ("month", "=", row.month - relativedelta(months=1))],
            limit=1,
        )
        if row.has_saving:
            no_saving = ""
        elif not row.courier_delivered_count:
            no_saving = self.env._("No saving: no parcel was delivered by a courier this month.")
        elif row.own_fleet_delivered_count or row.own_fleet_parcel_count:
            no_saving = self.env._(
                "No saving: the agency delivered with its own fleet this month, whose cost it "
                "bears anyway."
            )
        else:
            no_saving = self.env._(
                "No saving: the agency has no own-fleet estimate to compare the couriers with."
            )
        signatory = agency._pemkab_signatory()
        return {
            "title": self.env._("MONTHLY DELIVERY SERVICE REPORT"),
            "signers": [
                self._paper_signer(self.env.user, self.env._("Prepared by,")),
                {
                    "caption": self.env._("Approved by,"),
                    "title": signatory["title"],
                    "name": signatory["name"],
                    "nip": signatory["nip"],
                },
            ],
            "previous": previous,
            "no_saving": no_saving,
            "number": "LAP/%s/%s" % (agency.sudo().code or "-", row.month.strftime("%Y-%m")),
            "letterhead": agency._pemkab_letterhead(),
            "signatory": signatory,
            "trend": trend,
            "largest_cost": max([*trend.mapped("courier_cost"), row.own_fleet_cost, 1.0]),
        }
