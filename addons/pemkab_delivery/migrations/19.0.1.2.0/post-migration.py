# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Bookings already final when retention arrived are dated from their last news (or
last change), so that their courier data is purged a retention period after it."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE pemkab_delivery_booking
           SET closed_at = COALESCE(last_news_at, write_date)
         WHERE closed_at IS NULL
           AND state IN ('delivered', 'cancelled', 'failed')
        """
    )
