# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.1.1.0: aid shipments and periods take the shared delivery workflow's names.

- ``approved_date`` is ``approved_at`` (shipments and periods), ``received_at`` is
  ``delivered_at``, ``receiver_member_id`` is ``receiver_partner_id``;
- receiver types ``head``/``member`` are ``recipient``/``family``;
- the free-text ``failure_reason`` becomes the shared reason code (``returned`` for a
  returned shipment, else ``other``), its text kept in ``failure_message``.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column, rename_column

SHIPMENT = "pemkab_social_shipment"
PERIOD = "pemkab_social_period"
RENAMED = [
    (SHIPMENT, "approved_date", "approved_at"),
    (SHIPMENT, "received_at", "delivered_at"),
    (SHIPMENT, "receiver_member_id", "receiver_partner_id"),
    (PERIOD, "approved_date", "approved_at"),
]


def migrate(cr, version):
    if not version:
        return
    for table, old, new in RENAMED:
        if column_exists(cr, table, old) and not column_exists(cr, table, new):
            rename_column(cr, table, old, new)
    table = SQL.identifier(SHIPMENT)
    cr.execute(
        SQL(
            """UPDATE %s
                  SET receiver_type = CASE receiver_type WHEN 'head' THEN 'recipient'
                                                         WHEN 'member' THEN 'family'
                                                         ELSE receiver_type END
                WHERE receiver_type IN ('head', 'member')""",
            table,
        )
    )
    if not column_exists(cr, SHIPMENT, "failure_message"):
        create_column(cr, SHIPMENT, "failure_message", "varchar")
    cr.execute(
        SQL(
            """UPDATE %s
                  SET failure_message = left(failure_reason, 250),
                      failure_reason = CASE WHEN state = 'returned' THEN 'returned'
                                            ELSE 'other' END
                WHERE failure_reason IS NOT NULL""",
            table,
        )
    )
