# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Opening the bookings' list and kanban costs the same SQL queries for 80 bookings as
for 2,000: no query per booking (each booking names its document).

Two reads each: the page the web client opens (its first 80 records) among 80 and among
2,000 bookings; and every record at once, 80 and 1,000 (the ORM computes and fetches
1,000 records at a time: a query per booking would show as 920 more)."""

from odoo.tests import tagged

from odoo.addons.pemkab_delivery.tests.common import view_read_queries, view_specification

from .common import SeedParcelCommon


@tagged("post_install", "-at_install")
class TestBookingReadsDoNotGrow(SeedParcelCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        vals = {
            "agency_id": cls.agency_a.id,
            "shelter_id": cls.shelter_a.id,
            "farmer_id": cls.farmer.id,
            "farmer_phone": "0812 3456 7001",
            "latitude": -8.2050,
            "longitude": 114.3700,
        }
        parcels = cls.Parcel.create([dict(vals) for _index in range(2000)])
        parcels.action_dispatch()
        cls.large = parcels.delivery_booking_ids
        cls.small = cls.large[:80]
        cls.window = cls.large[:1000]

    def _queries(self, bookings, view_type, limit=None):
        Booking = self.env["pemkab.delivery.booking"].with_user(self.user_officer_a)
        return view_read_queries(
            Booking, [("id", "in", bookings.ids)], view_type, count=len(bookings), limit=limit
        )

    def _assert_reads_do_not_grow(self, view_type):
        self.assertEqual(len(self.large), 2000)
        self.assertEqual(
            self._queries(self.large, view_type, limit=80),
            self._queries(self.small, view_type, limit=80),
            "the page the web client opens",
        )
        self.assertEqual(
            self._queries(self.window, view_type),
            self._queries(self.small, view_type),
            "every record at once",
        )

    def test_list_of_bookings(self):
        self._assert_reads_do_not_grow("list")
        Booking = self.env["pemkab.delivery.booking"].with_user(self.user_officer_a)
        rows = Booking.web_search_read(
            [("id", "in", self.small.ids)], view_specification(Booking, "list"), limit=None
        )["records"]
        self.assertTrue(all(row["res_name"] for row in rows), "each booking names its document")

    def test_kanban_of_bookings(self):
        self._assert_reads_do_not_grow("kanban")
