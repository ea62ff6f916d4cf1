# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import tagged
from odoo.tools import SQL

from .common import PemkabSocialCommon

HOUSEHOLDS_BWI = 1500
HOUSEHOLDS_GTG = 1000
RETURNED = 25


@tagged("post_install", "-at_install")
class TestPeriodBulk(PemkabSocialCommon):
    """A period of several thousand households, from generation to delivery, against the
    courier sandbox over real HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bwi = cls._make_households(HOUSEHOLDS_BWI, desa=cls.kel_sobo)
        cls.gtg = cls._make_households(
            HOUSEHOLDS_GTG, kecamatan=cls.kec_genteng, start=HOUSEHOLDS_BWI
        )
        cls.rich = cls._make_households(20, decile=8, start=9000)

    def _queries(self, func, *args):
        cr = self.env.cr
        before = cr.sql_log_count
        result = func(*args)
        self.env.flush_all()
        return result, cr.sql_log_count - before

    def test_period_generation_to_delivery(self):
        total = HOUSEHOLDS_BWI + HOUSEHOLDS_GTG
        shipments, queries = self._queries(self._generate)
        self.assertEqual(len(shipments), total)
        self.assertLess(queries, 200, "generation is set-based, not per household")

        _res, queries = self._queries(self.period.action_submit_all)
        self.assertLess(queries, 100)
        head_period = self.period.with_user(self.user_social_head)
        _res, queries = self._queries(head_period.action_approve)
        self.assertLess(queries, 150, "bulk approval is set-based")
        self.assertEqual(self.period.approved_count, total)

        # dispatch: pack everything, the trigger books every shipment
        _res, pack_queries = self._queries(self.period.action_dispatch)
        self.period.invalidate_recordset()
        self.assertEqual(self.period.packed_count, total)
        bookings = self._bookings(shipments)
        self.assertEqual(len(bookings), total)
        self.assertEqual(self._run_outbox_all(batch_size=1000), total)
        self.assertEqual(set(bookings.mapped("state")), {"booked"})
        self.assertEqual(len(self.sandbox.orders()), total)

        # the courier delivers all but a few, which come back
        returned = bookings[:RETURNED]
        for booking in bookings:
            status = "returned" if booking in returned else "delivered"
            self.sandbox.advance(booking.name, status, webhook=False)
        self._poll_all(bookings)
        self.period.invalidate_recordset()
        self.assertEqual(self.period.delivered_count, total - RETURNED)
        self.assertEqual(self.period.undelivered_count, RETURNED)
        delivered = shipments.filtered(lambda s: s.state == "delivered")
        self.assertFalse(delivered.filtered(lambda s: not s.delivered_at or not s.receiver_name))
        self.assertIn("Genteng", self.period.summary_html)
        self.assertGreater(self.period.package_cost, 0)

    def _poll_all(self, bookings):
        self.Booking.flush_model()
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET last_news_at = now() - interval '1 hour' WHERE id = ANY(%s)",
                SQL.identifier(self.Booking._table),
                bookings.ids,
            )
        )
        self.Booking.invalidate_model(["last_news_at"])
        return self.env["pemkab.delivery.exchange"]._cron_poll(batch_size=len(bookings))
