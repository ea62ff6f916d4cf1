# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The papers and figures a head of department gets, for any deliverable document: the
shelter's hand-over sheet, the Berita Acara Serah Terima, the monthly service report with
the couriers' cost beside an own fleet (figures worked out by hand). Papers print in
Indonesian, with the agency's letterhead, a number, the place and date, signers with NIP.
Every report of the suite is printed by the roles that may print it (here and in each
addon's test_papers.py), and refused to the others."""

from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.pemkab_delivery.tests.common import PemkabPaperCase

from .common import SeedParcelCommon

BAST = "pemkab_delivery_test.action_report_proof_of_delivery"
HANDOVER = "pemkab_delivery.action_report_handover"
SERVICE = "pemkab_delivery.action_report_service"
# every report of the suite, and the test that prints it as each role that may print it
PRINTED = {
    # here
    BAST,
    HANDOVER,
    SERVICE,
    # a citizen's own data, printed as the officer who answers the request
    # (pemkab_health/tests/test_data_request.py)
    "pemkab_delivery.action_report_citizen_data_request",
    # the run sheet of a driver run (pemkab_delivery/tests/test_fleet.py)
    "pemkab_delivery.action_report_fleet_run",
    # pemkab_health/tests/test_papers.py
    "pemkab_health.action_report_proof_of_delivery",
    "pemkab_health.action_report_handover",
    # pemkab_social/tests/test_papers.py
    "pemkab_social.action_report_proof_of_delivery",
    "pemkab_social.action_report_handover",
}


@tagged("post_install", "-at_install")
class TestPapers(SeedParcelCommon, PemkabPaperCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["pemkab.delivery.service.report"]
        cls._load_indonesian(["pemkab_delivery", "pemkab_delivery_test"])
        cls.user_head_a.write({"name": "Dr. Sri Wahyuni", "pemkab_nip": "19700101 199003 2 005"})
        cls.agency_a.partner_id = cls.env["res.partner"].create(
            {
                "name": "Agency A",
                "street": "Jl. Jend. A. Yani No. 1",
                "city": "Banyuwangi",
                "phone": "0333 424000",
            }
        )

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
        self.assertIn("SURAT JALAN", text)
        self.assertIn("PEMERINTAH KABUPATEN BANYUWANGI", text)
        self.assertIn("Nomor: SJ/SH-A/", text)
        for expected in (first.name, second.name, booking_1.name, booking_2.name, "Shelter A"):
            self.assertIn(expected, text)
        self.assertIn("Shelter B", text, "a sheet per shelter")
        self.assertIn("Diterima oleh (pengemudi)", text)
        self.assertIn("Diserahkan oleh (petugas shelter)", text)
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

    def _delivered(self):
        parcel, booking = self._sent()
        self._courier(booking, "delivered")
        self.assertEqual(parcel.state, "delivered")
        return parcel, booking

    def test_bast_reads_as_a_berita_acara_serah_terima(self):
        parcel, booking = self._delivered()
        parcel.delivered_at = "2026-12-04 03:00:00"  # 10:00 WIB, a Friday
        text = self._pdf_text(BAST, parcel)
        # the letterhead, the title and number
        self.assertIn("PEMERINTAH KABUPATEN BANYUWANGI", text)
        self.assertIn("AGENCY A", text)
        self.assertIn("Jl. Jend. A. Yani No. 1, Banyuwangi", text)
        self.assertIn("Telepon 0333 424000", text)
        self.assertIn("BERITA ACARA SERAH TERIMA", text)
        self.assertIn(f"Nomor: BAST/AG-A/{parcel.name}", text)
        # the opening, the parties, what was handed over
        self.assertIn(
            "Pada hari ini Jumat, tanggal empat bulan Desember tahun dua ribu dua puluh enam",
            text,
        )
        self.assertIn("PIHAK PERTAMA", text)
        self.assertIn("PIHAK KEDUA", text)
        self.assertIn("melalui kurir Sandbox", text)
        self.assertIn(parcel.receiver_name, text)
        self.assertIn("Pak Darmo", text, "the recipient")
        self.assertIn(f"Paket {parcel.name}", text)
        self.assertIn("Shelter A", text)
        self.assertIn(booking.name, text)
        # place and date, signers with name and NIP
        self.assertIn("Banyuwangi, 4 Desember 2026", text)
        self.assertIn("Dr. Sri Wahyuni", text)
        self.assertIn("NIP. 19700101 199003 2 005", text)
        self.assertIn("Kepala Agency A", text)
        for english in ("Received by", "Hand-over", "FIRST PARTY", "Number:"):
            self.assertNotIn(english, text)

    def test_bast_prints_only_once_delivered(self):
        parcel, _booking = self._sent()
        with self.assertRaisesRegex(UserError, "dicetak setelah paket diterima"):
            self._pdf_text(BAST, parcel)
        kind, message = self._print_over_http("head_a", BAST, parcel)
        self.assertEqual(kind, "UserError")
        self.assertIn(parcel.name, message)

    def test_bast_printed_by_its_roles_refused_to_the_others(self):
        """The test document is every internal user's (no record rule): a citizen's portal
        account is refused (the agencies' documents are refused across agencies: each
        addon's test_papers.py)."""
        parcel, _booking = self._delivered()
        new_test_user(self.env, login="citizen_portal", groups="base.group_portal")
        for login in ("officer_a", "head_a", "delivery_admin", "admin"):
            kind, text = self._print_over_http(login, BAST, parcel)
            self.assertEqual(kind, "pdf", f"{login}: {text[:300]}")
            self.assertIn(parcel.name, text, login)
            self.assertIn("Pak Darmo", text, login)
        for login in ("citizen_portal",):
            kind, text = self._print_over_http(login, BAST, parcel)
            self.assertEqual(kind, "AccessError", login)
            self.assertNotIn("Pak Darmo", text, login)
            self.assertNotIn(parcel.name, text, login)

    def test_handover_sheet_printed_by_its_roles_refused_to_the_others(self):
        parcel, booking = self._sent()
        for login in ("officer_a", "head_a", "delivery_admin"):
            kind, text = self._print_over_http(login, HANDOVER, booking)
            self.assertEqual(kind, "pdf", f"{login}: {text[:300]}")
            self.assertIn(parcel.name, text, login)
            self.assertIn(booking.name, text, login)
        for login in ("officer_b", "head_b", "plain_internal"):
            kind, text = self._print_over_http(login, HANDOVER, booking)
            self.assertEqual(kind, "AccessError", login)
            self.assertNotIn(parcel.name, text, login)

    def test_one_report_per_model(self):
        """A report name is looked up as one report: two reports sharing one printed
        one model's records for another's ids (another citizen's prescription for an aid
        shipment). Every report of the suite has a name of its own and its own rendering
        model, and this suite's tests print each one (PRINTED)."""
        reports = self.env["ir.actions.report"].search([])
        suite = reports.filtered(
            lambda r: r.get_external_id()[r.id].split(".")[0].startswith("pemkab_")
        )
        names = suite.mapped("report_name")
        self.assertEqual(len(names), len(set(names)), "one report name per report")
        for report in suite:
            self.assertEqual(
                reports.filtered(lambda r, name=report.report_name: r.report_name == name),
                report,
                f"{report.report_name}: no other report of the database has this name",
            )
        installed = {xmlid for xmlid in suite.get_external_id().values()}
        self.assertEqual(installed - PRINTED, set(), "every report is printed by a test")

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
        self.assertEqual(october.failed_count, 1)
        self.assertEqual(october.under_way_count, 0)
        self.assertAlmostEqual(october.success_rate, 75.0)
        self.assertAlmostEqual(october.median_hours, 4.0, msg="median of 2 h, 4 h, 6 h")
        self.assertAlmostEqual(october.courier_cost, 55_000)
        self.assertEqual(october.courier_delivered_count, 2)
        self.assertEqual(october.own_fleet_delivered_count, 1)
        self.assertAlmostEqual(october.cost_per_delivery, 27_500, msg="55 000 for P1 and P2")
        self.assertAlmostEqual(october.own_fleet_cost, 8_500_000)
        self.assertFalse(october.has_saving, "P4 went with the own fleet, paid for anyway")
        self.assertFalse(october.saving)
        november = self._row(self.agency_a, "2026-11-01")
        self.assertEqual((november.parcel_count, november.delivered_count), (1, 1))
        self.assertAlmostEqual(november.success_rate, 100.0)
        self.assertAlmostEqual(november.median_hours, 1.0)
        self.assertAlmostEqual(november.courier_cost, 15_000)
        self.assertTrue(november.has_saving, "couriers only: an own fleet would cost more")
        self.assertAlmostEqual(november.saving, 8_485_000)
        # the trend: October's figures beside November's
        self.assertEqual(november.previous_delivered_count, 3)
        self.assertAlmostEqual(november.previous_success_rate, 75.0)
        self.assertAlmostEqual(november.previous_courier_cost, 55_000)
        agency_b = self._row(self.agency_b, "2026-10-01")
        self.assertFalse(agency_b.has_saving, "no own fleet estimate: nothing to compare")
        # the monthly report says the same on paper, in Indonesian
        text = self._pdf_text(SERVICE, november)
        self.assertIn("PEMERINTAH KABUPATEN BANYUWANGI", text)
        self.assertIn("LAPORAN BULANAN LAYANAN PENGANTARAN", text)
        self.assertIn("Nomor: LAP/AG-A/2026-11", text)
        self.assertIn("November 2026", text)
        self.assertIn("Oktober 2026", text, "the previous month and the trend")
        for figure in ("100,0 %", "75,0 %", "1,0 jam", "4,0 jam", "Rp 15.000", "Rp 55.000"):
            self.assertIn(figure, text)
        self.assertIn("Rp 8.500.000", text)
        self.assertIn("menghemat Rp 8.485.000", text)
        self.assertIn("Dr. Sri Wahyuni", text)
        self.assertIn("NIP. 19700101 199003 2 005", text)
        self.assertIn("Banyuwangi, ", text)
        for english in ("Delivered", "Saving", "Number:", " h\n", "8,485,000"):
            self.assertNotIn(english, text)
        text = self._pdf_text(SERVICE, october)
        self.assertIn("Tidak ada penghematan: instansi mengantar dengan armada sendiri", text)
        self.assertNotIn("menghemat", text)

    def test_service_counts_officer_confirmed_deliveries(self):
        """A parcel whose delivery an officer confirmed (its courier order cancelled) is
        delivered: the report counts documents, not courier bookings."""
        parcel, booking = self._sent()
        parcel.write({"receiver_type": "recipient", "receiver_name": "Pak Darmo"})
        parcel.action_confirm_delivered()
        self.assertEqual(parcel.state, "delivered")
        self.assertEqual(parcel.proof_source, "officer")
        self.env.flush_all()
        row = self.Report.search([("agency_id", "=", self.agency_a.id)])
        self.assertEqual(len(row), 1)
        self.assertEqual(row.parcel_count, 1)
        self.assertEqual(row.delivered_count, 1)
        self.assertEqual(row.officer_confirmed_count, 1)
        self.assertAlmostEqual(row.success_rate, 100.0)

    def test_success_rate_leaves_out_parcels_under_way(self):
        delivered, booking = self._sent()
        self._courier(booking, "delivered")
        self._sent()  # booked, not yet collected
        failed, booking = self._sent()
        self._courier(booking, "failed")
        self.assertEqual(delivered.state, "delivered")
        self.assertEqual(failed.state, "failed")
        self.env.flush_all()
        row = self.Report.search([("agency_id", "=", self.agency_a.id)])
        self.assertEqual(
            (row.parcel_count, row.delivered_count, row.failed_count, row.under_way_count),
            (3, 1, 1, 1),
        )
        self.assertAlmostEqual(row.success_rate, 50.0, msg="1 delivered out of 1 + 1 failed")

    def test_no_saving_without_a_courier_delivery(self):
        """An agency with an own-fleet estimate but no parcel delivered by a courier in
        the month (all failed) saved nothing."""
        self.agency_a.own_fleet_vehicle_cost = 18_160_000
        self._past_booking("2026-10-05 01:00", "failed", parcel=9101, final_price=10_000)
        self._past_booking("2026-10-06 01:00", "failed", parcel=9102)
        self.env.invalidate_all()
        october = self._row(self.agency_a, "2026-10-01")
        self.assertEqual((october.delivered_count, october.failed_count), (0, 2))
        self.assertAlmostEqual(october.success_rate, 0.0)
        self.assertFalse(october.has_saving)
        self.assertFalse(october.saving)
        text = self._pdf_text(SERVICE, october)
        self.assertIn("Tidak ada penghematan: tidak ada paket yang diantar kurir", text)
        self.assertNotIn("18.160.000 bulan ini", text)

    def test_service_report_printed_by_heads_refused_to_officers(self):
        self._hand_worked_months()
        october = self._row(self.agency_a, "2026-10-01")
        for login in ("head_a", "delivery_admin"):
            kind, text = self._print_over_http(login, SERVICE, october)
            self.assertEqual(kind, "pdf", f"{login}: {text[:300]}")
            self.assertIn("Agency A", text, login)
            self.assertIn("Oktober 2026", text, login)
        for login in ("head_b", "officer_a", "plain_internal"):
            kind, text = self._print_over_http(login, SERVICE, october)
            self.assertEqual(kind, "AccessError", login)
            self.assertNotIn("Rp", text, login)

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

    def test_nip_is_eighteen_digits(self):
        self.assertEqual(self.user_head_a.pemkab_nip, "197001011990032005", "kept as digits")
        for wrong in ("12345", "1970010119900320051", "19701301199003 2 005", "197001011990033005"):
            with self.assertRaisesRegex(ValidationError, "NIP of Dr. Sri Wahyuni: 18 digits"):
                self.user_head_a.pemkab_nip = wrong
