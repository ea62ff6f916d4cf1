# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The papers and figures a head of department gets, for any deliverable document: the
shelter's hand-over sheet, the proof of delivery, the monthly service report with the
couriers' cost against an own fleet (figures worked out by hand)."""

from odoo.tests import HttpCase, tagged
from odoo.tools import SQL

from odoo.addons.pemkab_delivery.tests.common import PemkabPaperCase

from .common import SeedParcelCommon


@tagged("post_install", "-at_install")
class TestPapers(SeedParcelCommon, PemkabPaperCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["pemkab.delivery.service.report"]

    # ------------------------------------------------------------------
    # Papers
    # ------------------------------------------------------------------
    def test_handover_sheet_lists_the_parcels_with_barcodes(self):
        first, booking_1 = self._sent()
        second, booking_2 = self._sent()
        other = self._booking(shelter_id=self.shelter_b.id, agency_id=self.agency_b.id)
        text = self._pdf_text(
            "pemkab_delivery.action_report_handover", booking_1 | booking_2 | other
        )
        self.assertIn("Surat Jalan", text)
        for expected in (first.name, second.name, booking_1.name, booking_2.name, "Shelter A"):
            self.assertIn(expected, text)
        self.assertIn("Shelter B", text, "a sheet per shelter")
        self.assertIn("Collected by (driver)", text)
        self.assertIn("Handed over by (shelter officer)", text)
        # one sheet per shelter: the parcels of shelter A are on one page
        pages = text.split("\f")
        page_a = next(page for page in pages if "Shelter A" in page)
        self.assertIn(first.name, page_a)
        self.assertIn(second.name, page_a)
        self.assertNotIn(other.name, page_a)

    def test_handover_sheet_codes_are_barcodes(self):
        _parcel, booking = self._sent()
        self.env.flush_all()
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("pemkab_delivery.action_report_handover", booking.ids)[0]
            .decode()
        )
        self.assertIn('src="data:image/png;base64,', html, "the code as a barcode image")

    def test_proof_of_delivery_names_its_document(self):
        parcel, booking = self._sent()
        self._courier(booking, "delivered")
        self.assertEqual(parcel.state, "delivered")
        text = self._pdf_text("pemkab_delivery_test.action_report_proof_of_delivery", parcel)
        self.assertIn("Berita Acara Serah Terima", text)
        self.assertIn(parcel.name, text)
        self.assertIn(parcel.receiver_name, text)
        self.assertIn("Pak Darmo", text, "the recipient")
        self.assertIn("Agency A", text)
        self.assertIn("Shelter A", text)
        self.assertIn(booking.name, text)

    # ------------------------------------------------------------------
    # Service and cost against an own fleet
    # ------------------------------------------------------------------
    def _past_booking(self, created, state, delivered=None, parcel=None, provider=None, **prices):
        """A booking as it stands after the fact: times in UTC, prices in Rupiah."""
        booking = self._booking(provider=provider, **prices)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE pemkab_delivery_booking SET create_date = %s, state = %s, "
                "delivered_at = %s, res_model = %s, res_id = %s WHERE id = %s",
                created,
                state,
                delivered,
                parcel and "pemkab.test.seed.parcel",
                parcel,
                booking.id,
            )
        )
        return booking

    def _hand_worked_months(self):
        self.agency_a.write(
            {
                "own_fleet_vehicle_cost": 3_000_000,
                "own_fleet_driver_cost": 4_000_000,
                "own_fleet_fuel_cost": 1_000_000,
                "own_fleet_maintenance_cost": 500_000,
            }
        )
        self.assertEqual(self.agency_a.own_fleet_monthly_cost, 8_500_000)
        # October 2026 in Banyuwangi (WIB = UTC+7)
        # P1: ready 08:00, delivered 10:00 (2 h), charged 20 000
        self._past_booking(
            "2026-10-05 01:00", "delivered", "2026-10-05 03:00", parcel=9001, final_price=20_000
        )
        # P2: no driver at 09:00, booked again at 10:00, delivered 13:00: 4 h from ready,
        # charged its quote of 25 000 (no final price)
        self._past_booking("2026-10-06 02:00", "failed", parcel=9002)
        self._past_booking(
            "2026-10-06 03:00", "delivered", "2026-10-06 06:00", parcel=9002, quoted_price=25_000
        )
        # P3: 31 Oct 23:30 WIB, returned and charged 10 000: not delivered
        self._past_booking("2026-10-31 16:30", "failed", parcel=9003, final_price=10_000)
        # P4: the own fleet, 6 h, no courier cost
        self._past_booking(
            "2026-10-10 01:00",
            "delivered",
            "2026-10-10 07:00",
            parcel=9004,
            provider=self.own_fleet,
        )
        # November: 1 Nov 00:30 WIB (still 31 Oct in UTC), 1 h, charged 15 000
        self._past_booking(
            "2026-10-31 17:30", "delivered", "2026-10-31 18:30", parcel=9005, final_price=15_000
        )
        # agency B, no own fleet estimate: one delivery charged 30 000
        self._past_booking(
            "2026-10-07 01:00",
            "delivered",
            "2026-10-07 02:00",
            parcel=9006,
            final_price=30_000,
            agency_id=self.agency_b.id,
            shelter_id=self.shelter_b.id,
        )
        self.env.invalidate_all()

    def _row(self, agency, month):
        return self.Report.search([("agency_id", "=", agency.id), ("month", "=", month)])

    def test_service_and_cost_against_own_fleet_by_hand(self):
        self._hand_worked_months()
        october = self._row(self.agency_a, "2026-10-01")
        self.assertEqual(len(october), 1)
        self.assertEqual(october.parcel_count, 4)
        self.assertEqual(october.booking_count, 5)
        self.assertEqual(october.delivered_count, 3)
        self.assertAlmostEqual(october.success_rate, 75.0)
        self.assertAlmostEqual(october.median_hours, 4.0, msg="median of 2 h, 4 h, 6 h")
        self.assertAlmostEqual(october.courier_cost, 55_000)
        self.assertAlmostEqual(october.cost_per_delivery, 55_000 / 3)
        self.assertAlmostEqual(october.own_fleet_cost, 8_500_000)
        self.assertAlmostEqual(october.saving, 8_445_000)
        november = self._row(self.agency_a, "2026-11-01")
        self.assertEqual((november.parcel_count, november.delivered_count), (1, 1))
        self.assertAlmostEqual(november.success_rate, 100.0)
        self.assertAlmostEqual(november.median_hours, 1.0)
        self.assertAlmostEqual(november.courier_cost, 15_000)
        self.assertAlmostEqual(november.saving, 8_485_000)
        agency_b = self._row(self.agency_b, "2026-10-01")
        self.assertAlmostEqual(agency_b.saving, -30_000, msg="no estimate: couriers cost more")
        # the monthly report says the same on paper
        text = self._pdf_text("pemkab_delivery.action_report_service", october)
        self.assertIn("Monthly Service Report", text)
        self.assertIn("Agency A", text)
        self.assertIn("October 2026", text)
        for figure in ("75.0 %", "4.00 h", "55,000", "18,333", "8,500,000", "8,445,000"):
            self.assertIn(figure, text)

    def test_heads_see_their_agency_only_over_json_rpc(self):
        self._hand_worked_months()
        self.env.flush_all()
        self.authenticate("head_a", "head_a")
        rows = self.make_jsonrpc_request(
            "/web/dataset/call_kw/pemkab.delivery.service.report/search_read",
            {
                "model": "pemkab.delivery.service.report",
                "method": "search_read",
                "args": [[("agency_id", "in", (self.agency_a | self.agency_b).ids)]],
                "kwargs": {"fields": ["agency_id", "month", "saving"]},
            },
        )
        self.assertEqual({row["agency_id"][0] for row in rows}, {self.agency_a.id})
        self.assertEqual(len(rows), 2)
        self.authenticate("officer_a", "officer_a")
        with self.assertRaises(Exception) as caught:
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/pemkab.delivery.service.report/search_read",
                {
                    "model": "pemkab.delivery.service.report",
                    "method": "search_read",
                    "args": [[]],
                    "kwargs": {"fields": ["saving"]},
                },
            )
        self.assertIn("AccessError", str(caught.exception))

    def test_booking_dashboard_by_shelter_and_week_over_json_rpc(self):
        self._sent()
        self._sent()
        self._booking(shelter_id=self.shelter_b.id, agency_id=self.agency_b.id)
        self.env.flush_all()
        self.authenticate("head_a", "head_a")
        action = self.make_jsonrpc_request(
            "/web/action/load",
            {"action_id": "pemkab_delivery.pemkab_delivery_booking_action_analysis"},
        )
        views = self.make_jsonrpc_request(
            "/web/dataset/call_kw/pemkab.delivery.booking/get_views",
            {
                "model": "pemkab.delivery.booking",
                "method": "get_views",
                "args": [],
                "kwargs": {"views": action["views"]},
            },
        )
        self.assertEqual(set(views["views"]), {"graph", "pivot", "list", "form"})
        groups = self.make_jsonrpc_request(
            "/web/dataset/call_kw/pemkab.delivery.booking/formatted_read_group",
            {
                "model": "pemkab.delivery.booking",
                "method": "formatted_read_group",
                "args": [[]],
                "kwargs": {
                    "groupby": ["shelter_id", "create_date:week"],
                    "aggregates": ["__count"],
                },
            },
        )
        counts = {(g["shelter_id"][1], g["__count"]) for g in groups}
        self.assertEqual(
            counts, {("[SH-A] Shelter A", 2)}, "the head's agency only, by shelter and week"
        )
