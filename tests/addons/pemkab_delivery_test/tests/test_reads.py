# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Opening the bookings' list costs the same SQL queries for 80 bookings as for 400: no
query per booking (each booking names its document in the list)."""

from .common import SeedParcelCommon


class TestBookingReadsDoNotGrow(SeedParcelCommon):
    def _parcels(self, count):
        vals = {
            "agency_id": self.agency_a.id,
            "shelter_id": self.shelter_a.id,
            "farmer_id": self.farmer.id,
            "farmer_phone": "0812 3456 7001",
            "latitude": -8.2050,
            "longitude": 114.3700,
        }
        parcels = self.Parcel.create([dict(vals) for _index in range(count)])
        parcels.action_send()
        return parcels

    def _list_queries(self, bookings):
        """The queries of the web client's read of the bookings' list view."""
        Booking = self.env["pemkab.delivery.booking"]
        arch_fields = Booking.get_views([(False, "list")])["models"][Booking._name]["fields"]
        spec = {
            name: {"fields": {"display_name": {}}} if Booking._fields[name].relational else {}
            for name in arch_fields
            if name in Booking._fields
        }
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        result = Booking.web_search_read([("id", "in", bookings.ids)], spec, limit=None)
        self.assertEqual(result["length"], len(bookings))
        self.assertTrue(all(row["res_name"] for row in result["records"]))
        return self.env.cr.sql_log_count - before

    def test_list_of_bookings(self):
        small = self._parcels(80).delivery_booking_ids
        large = small | self._parcels(320).delivery_booking_ids
        self.assertEqual(len(large), 400)
        self.assertEqual(self._list_queries(large), self._list_queries(small))
