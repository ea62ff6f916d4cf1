# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The monthly service of each agency, from its courier bookings (every deliverable
document has them): parcels sent, delivered, success rate, median time from ready to
delivered, courier cost, cost per delivery, and what an own fleet would have cost.

A parcel is a document (``res_model``, ``res_id``) counted in the month of its first
courier booking (when it became ready at the shelter): its later bookings (*Book
Again*, re-dispatches) count in the same month. It is delivered when one of its bookings
is. The courier cost is what the courier charged: the final price of a delivered
booking, or its quote while the courier sent no final price, and the final price of a
booking charged without delivery; the regency's own fleet (no API) costs nothing here.
"""

from odoo import fields, models
from odoo.tools import SQL

from ..models.pemkab_deliverable_mixin import CITIZEN_TZ


class PemkabDeliveryServiceReport(models.Model):
    _name = "pemkab.delivery.service.report"
    _description = "Courier Service Report (per agency and month)"
    _auto = False
    _order = "month desc, agency_id"
    _rec_name = "month"

    agency_id = fields.Many2one("pemkab.agency", readonly=True)
    month = fields.Date(readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    parcel_count = fields.Integer(string="Parcels", readonly=True)
    booking_count = fields.Integer(string="Courier Bookings", readonly=True)
    delivered_count = fields.Integer(string="Delivered", readonly=True)
    success_rate = fields.Float(
        string="Success Rate (%)", digits=(5, 1), readonly=True, aggregator="avg"
    )
    median_hours = fields.Float(
        string="Median Ready to Delivered (h)",
        digits=(8, 2),
        readonly=True,
        aggregator="avg",
        help="Median time from the first courier booking (the parcel ready at the shelter) "
        "to its delivery.",
    )
    courier_cost = fields.Monetary(readonly=True)
    cost_per_delivery = fields.Monetary(readonly=True, aggregator="avg")
    own_fleet_cost = fields.Monetary(
        string="Own Fleet Estimate",
        readonly=True,
        help="What the agency's own fleet would cost in a month (set on the agency).",
    )
    saving = fields.Monetary(
        readonly=True, help="Own fleet estimate minus the couriers' cost: what couriers saved."
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH booking AS (
                SELECT b.id, b.agency_id, b.state, b.delivered_at, p.kind,
                       b.final_price, b.quoted_price,
                       COALESCE(b.res_model || ':' || b.res_id, 'booking:' || b.id) AS parcel,
                       MIN(b.create_date) OVER (
                           PARTITION BY COALESCE(b.res_model || ':' || b.res_id,
                                                 'booking:' || b.id)
                       ) AS first_at
                  FROM pemkab_delivery_booking b
                  JOIN pemkab_courier_provider p ON p.id = b.provider_id
            ), figures AS (
                SELECT MIN(booking.id) AS id,
                       booking.agency_id,
                       date_trunc('month', timezone(%(tz)s, timezone('UTC', booking.first_at))
                       )::date AS month,
                       COUNT(DISTINCT booking.parcel) AS parcel_count,
                       COUNT(*) AS booking_count,
                       COUNT(DISTINCT booking.parcel)
                           FILTER (WHERE booking.state = 'delivered') AS delivered_count,
                       percentile_cont(0.5) WITHIN GROUP (
                           ORDER BY EXTRACT(EPOCH FROM booking.delivered_at - booking.first_at)
                       ) FILTER (WHERE booking.state = 'delivered'
                                   AND booking.delivered_at IS NOT NULL) / 3600.0
                           AS median_hours,
                       COALESCE(SUM(CASE
                           WHEN booking.kind = 'manual' THEN 0
                           WHEN booking.state = 'delivered'
                               THEN COALESCE(NULLIF(booking.final_price, 0),
                                             booking.quoted_price, 0)
                           ELSE COALESCE(booking.final_price, 0)
                       END), 0) AS courier_cost
                  FROM booking
                 GROUP BY booking.agency_id, 3
            )
            SELECT figures.*,
                   (SELECT id FROM res_currency WHERE name = 'IDR') AS currency_id,
                   100.0 * figures.delivered_count / NULLIF(figures.parcel_count, 0)
                       AS success_rate,
                   figures.courier_cost / NULLIF(figures.delivered_count, 0)
                       AS cost_per_delivery,
                   COALESCE(agency.own_fleet_monthly_cost, 0) AS own_fleet_cost,
                   COALESCE(agency.own_fleet_monthly_cost, 0) - figures.courier_cost AS saving
              FROM figures
              JOIN pemkab_agency agency ON agency.id = figures.agency_id
            """,
            tz=CITIZEN_TZ,
        )

    def _compute_display_name(self):
        for row in self:
            month = row.month.strftime("%m/%Y") if row.month else ""
            row.display_name = f"{row.agency_id.display_name} {month}".strip()
