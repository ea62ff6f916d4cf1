# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The monthly service of each agency: parcels sent, delivered documents, success rate,
median time from ready to delivered, courier cost beside the own-fleet estimate.

A parcel is a deliverable document (``res_model``, ``res_id``) with courier bookings, or
one delivered without any (an officer's confirmation): it counts in the month of its first
booking (ready at the shelter), or of its delivery when it had none. Its later bookings
(*Book Again*, re-dispatches) count in the same month.

- *Delivered* is the document's state, whoever confirmed it (the courier, or an officer:
  a courier booking is then cancelled); a parcel without its document (a booking of no
  document) is delivered when one of its bookings is.
- *Failed* is a document failed or returned (a parcel without its document: every booking
  ended undelivered). The success rate is delivered / (delivered + failed): parcels still
  under way, or cancelled by the agency, are in neither.
- The courier cost is what the couriers charged: the final price of a delivered booking,
  or its quote while the courier sent no final price, and the final price of a booking
  charged without delivery; the regency's own fleet (no API) costs nothing here.
- The own-fleet estimate is what the agency's own fleet would cost in a month (set on the
  agency). A saving is shown only where couriers delivered that month and the agency did
  not use its own fleet (which it pays for anyway): none for 0 deliveries, none for an
  agency delivering with its own fleet, none without an estimate.
- Each month carries the previous calendar month's figures beside it (the trend).
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
    delivered_count = fields.Integer(
        string="Delivered",
        readonly=True,
        help="Documents delivered, confirmed by the courier or by an officer.",
    )
    officer_confirmed_count = fields.Integer(string="Confirmed by an Officer", readonly=True)
    courier_delivered_count = fields.Integer(string="Delivered by Couriers", readonly=True)
    own_fleet_delivered_count = fields.Integer(string="Delivered by Own Fleet", readonly=True)
    failed_count = fields.Integer(
        string="Failed or Returned", readonly=True, help="Documents failed or returned."
    )
    under_way_count = fields.Integer(
        string="Under Way",
        readonly=True,
        help="Parcels neither delivered nor failed yet (or cancelled): not in the success rate.",
    )
    success_rate = fields.Float(
        string="Success Rate (%)",
        digits=(5, 1),
        readonly=True,
        aggregator="avg",
        help="Delivered / (delivered + failed or returned): parcels under way are left out.",
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
    cost_per_delivery = fields.Monetary(
        readonly=True, aggregator="avg", help="Courier cost per parcel delivered by couriers."
    )
    own_fleet_cost = fields.Monetary(
        string="Own Fleet Estimate",
        readonly=True,
        help="What the agency's own fleet would cost in a month (set on the agency).",
    )
    saving = fields.Monetary(
        readonly=True,
        help="Own fleet estimate minus the couriers' cost, only where couriers delivered in "
        "the month and the agency did not use its own fleet.",
    )
    own_fleet_parcel_count = fields.Integer(string="Parcels of the Own Fleet", readonly=True)
    has_saving = fields.Boolean(readonly=True)
    previous_delivered_count = fields.Integer(string="Delivered (Previous Month)", readonly=True)
    previous_success_rate = fields.Float(
        string="Success Rate (Previous Month, %)", digits=(5, 1), readonly=True, aggregator="avg"
    )
    previous_courier_cost = fields.Monetary(string="Courier Cost (Previous Month)", readonly=True)

    def _document_query(self):
        """One row per deliverable document whose end the report counts (delivered, failed,
        returned, cancelled), from every deliverable model's table."""
        queries = []
        deliverables = self.env.registry.descendants(["pemkab.deliverable.mixin"], "_inherit")
        for model_name in sorted(deliverables):
            model = self.env[model_name]
            agency = model._fields.get("agency_id")
            if model._abstract or not model._auto or not (agency and agency.store):
                continue
            state = SQL.identifier(model._table, model._delivery_state_field)
            failed = tuple(
                s for s in (model._delivery_failed_state, model._delivery_returned_state) if s
            )
            ended = (model._delivery_delivered_state, model._delivery_cancelled_state, *failed)
            queries.append(
                SQL(
                    """SELECT %(model)s AS res_model, %(table)s.id AS res_id,
                              %(table)s.agency_id, %(state)s = %(delivered)s AS delivered,
                              %(state)s IN %(failed)s AS failed,
                              %(state)s = %(cancelled)s AS cancelled,
                              %(table)s.delivered_at,
                              %(table)s.proof_source = 'officer' AS by_officer
                         FROM %(table)s
                        WHERE %(state)s IN %(ended)s""",
                    model=model_name,
                    table=SQL.identifier(model._table),
                    state=state,
                    delivered=model._delivery_delivered_state,
                    failed=failed or ("",),
                    cancelled=model._delivery_cancelled_state or "",
                    ended=ended,
                )
            )
        if not queries:
            return SQL(
                "SELECT NULL::varchar AS res_model, NULL::int AS res_id, NULL::int AS agency_id, "
                "false AS delivered, false AS failed, false AS cancelled, "
                "NULL::timestamp AS delivered_at, false AS by_officer WHERE false"
            )
        return SQL(" UNION ALL ").join(queries)

    @property
    def _table_query(self):
        return SQL(
            """
            WITH booking AS (
                SELECT b.id, b.agency_id, b.state, b.delivered_at, b.create_date,
                       b.res_model, b.res_id, p.kind,
                       COALESCE(b.res_model || ':' || b.res_id, 'booking:' || b.id) AS parcel,
                       CASE
                           WHEN p.kind = 'manual' THEN 0
                           WHEN b.state = 'delivered'
                               THEN COALESCE(NULLIF(b.final_price, 0), b.quoted_price, 0)
                           ELSE COALESCE(b.final_price, 0)
                       END AS cost
                  FROM pemkab_delivery_booking b
                  JOIN pemkab_courier_provider p ON p.id = b.provider_id
            ), by_parcel AS (
                SELECT booking.parcel,
                       MIN(booking.agency_id) AS agency_id,
                       MIN(booking.res_model) AS res_model,
                       MIN(booking.res_id) AS res_id,
                       MIN(booking.create_date) AS first_at,
                       COUNT(*) AS booking_count,
                       BOOL_OR(booking.kind <> 'manual') AS by_courier,
                       BOOL_OR(booking.kind = 'manual') AS by_own_fleet,
                       BOOL_OR(booking.state = 'delivered') AS delivered,
                       BOOL_AND(booking.state IN ('failed', 'cancelled')) AS ended_undelivered,
                       MAX(booking.delivered_at) FILTER (WHERE booking.state = 'delivered')
                           AS delivered_at,
                       SUM(booking.cost) AS cost
                  FROM booking
                 GROUP BY booking.parcel
            ), document AS (
                %(documents)s
            ), parcel AS (
                SELECT COALESCE(document.agency_id, by_parcel.agency_id) AS agency_id,
                       COALESCE(by_parcel.first_at, document.delivered_at) AS first_at,
                       COALESCE(document.delivered, by_parcel.delivered) AS delivered,
                       COALESCE(document.failed,
                                NOT by_parcel.delivered AND by_parcel.ended_undelivered)
                           AS failed,
                       COALESCE(document.cancelled, false) AS cancelled,
                       COALESCE(document.delivered_at, by_parcel.delivered_at) AS delivered_at,
                       COALESCE(document.by_officer, false) AS by_officer,
                       COALESCE(by_parcel.by_courier, false) AS by_courier,
                       COALESCE(by_parcel.by_own_fleet, false) AS by_own_fleet,
                       COALESCE(by_parcel.booking_count, 0) AS booking_count,
                       COALESCE(by_parcel.cost, 0) AS cost
                  FROM by_parcel
                  FULL JOIN document
                    ON document.res_model = by_parcel.res_model
                   AND document.res_id = by_parcel.res_id
                 WHERE by_parcel.parcel IS NOT NULL OR document.delivered
            ), figures AS (
                SELECT parcel.agency_id,
                       date_trunc('month', timezone(%(tz)s, timezone('UTC', parcel.first_at))
                       )::date AS month,
                       COUNT(*) AS parcel_count,
                       SUM(parcel.booking_count) AS booking_count,
                       COUNT(*) FILTER (WHERE parcel.delivered) AS delivered_count,
                       COUNT(*) FILTER (WHERE parcel.delivered AND parcel.by_officer)
                           AS officer_confirmed_count,
                       COUNT(*) FILTER (WHERE parcel.delivered AND parcel.by_courier
                                          AND NOT parcel.by_own_fleet)
                           AS courier_delivered_count,
                       COUNT(*) FILTER (WHERE parcel.delivered AND parcel.by_own_fleet)
                           AS own_fleet_delivered_count,
                       COUNT(*) FILTER (WHERE parcel.by_own_fleet) AS own_fleet_parcel_count,
                       COUNT(*) FILTER (WHERE parcel.failed AND NOT parcel.delivered)
                           AS failed_count,
                       COUNT(*) FILTER (WHERE NOT parcel.delivered AND NOT parcel.failed
                                          AND NOT parcel.cancelled)
                           AS under_way_count,
                       percentile_cont(0.5) WITHIN GROUP (
                           ORDER BY EXTRACT(EPOCH FROM parcel.delivered_at - parcel.first_at)
                       ) FILTER (WHERE parcel.delivered AND parcel.booking_count > 0
                                   AND parcel.delivered_at IS NOT NULL) / 3600.0
                           AS median_hours,
                       SUM(parcel.cost) AS courier_cost
                  FROM parcel
                 WHERE parcel.agency_id IS NOT NULL
                 GROUP BY parcel.agency_id, 2
            ), rates AS (
                SELECT figures.*,
                       100.0 * figures.delivered_count
                           / NULLIF(figures.delivered_count + figures.failed_count, 0)
                           AS success_rate
                  FROM figures
            )
            SELECT rates.agency_id * 100000
                       + EXTRACT(YEAR FROM rates.month)::int * 12
                       + EXTRACT(MONTH FROM rates.month)::int AS id,
                   rates.agency_id, rates.month, rates.parcel_count, rates.booking_count,
                   rates.delivered_count, rates.officer_confirmed_count,
                   rates.courier_delivered_count, rates.own_fleet_delivered_count,
                   rates.own_fleet_parcel_count,
                   rates.failed_count, rates.under_way_count, rates.success_rate,
                   rates.median_hours, rates.courier_cost,
                   (SELECT id FROM res_currency WHERE name = 'IDR') AS currency_id,
                   rates.courier_cost / NULLIF(rates.courier_delivered_count, 0)
                       AS cost_per_delivery,
                   COALESCE(agency.own_fleet_monthly_cost, 0) AS own_fleet_cost,
                   CASE WHEN rates.courier_delivered_count > 0
                             AND rates.own_fleet_parcel_count = 0
                             AND COALESCE(agency.own_fleet_monthly_cost, 0) > 0
                        THEN agency.own_fleet_monthly_cost - rates.courier_cost
                   END AS saving,
                   COALESCE(rates.courier_delivered_count > 0
                            AND rates.own_fleet_parcel_count = 0
                            AND agency.own_fleet_monthly_cost > 0, false) AS has_saving,
                   previous.delivered_count AS previous_delivered_count,
                   previous.success_rate AS previous_success_rate,
                   previous.courier_cost AS previous_courier_cost
              FROM rates
              JOIN pemkab_agency agency ON agency.id = rates.agency_id
              LEFT JOIN rates previous
                ON previous.agency_id = rates.agency_id
               AND previous.month = (rates.month - INTERVAL '1 month')::date
            """,
            documents=self._document_query(),
            tz=CITIZEN_TZ,
        )

    def _compute_display_name(self):
        for row in self:
            month = row.month.strftime("%m/%Y") if row.month else ""
            row.display_name = f"{row.agency_id.display_name} {month}".strip()
