# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.1.1.0: prescription deliveries take the shared delivery workflow's names.

- state ``out`` is ``out_for_delivery``; proof source ``manual`` is ``officer``;
- the free-text ``failure_reason`` becomes the shared reason code, its text kept in
  ``failure_message``;
- ``receiver_type`` says whether the patient or a proxy received the parcel.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

TABLE = "pemkab_health_delivery"
# the labels pemkab_delivery wrote in front of the courier's words, and their codes
FAILURE_LABELS = {
    "No driver found": "no_driver",
    "Rejected by the courier": "rejected",
    "Returned to the shelter": "returned",
    "Cancelled by the courier": "cancelled_by_courier",
    "Could not be booked": "error",
}


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL("UPDATE %s SET state = 'out_for_delivery' WHERE state = 'out'", SQL.identifier(TABLE))
    )
    cr.execute(
        SQL(
            "UPDATE %s SET proof_source = 'officer' WHERE proof_source = 'manual'",
            SQL.identifier(TABLE),
        )
    )
    if not column_exists(cr, TABLE, "failure_message"):
        create_column(cr, TABLE, "failure_message", "varchar")
    cases = SQL(" ").join(
        SQL("WHEN failure_reason LIKE %s THEN %s", f"{label}%", code)
        for label, code in FAILURE_LABELS.items()
    )
    cr.execute(
        SQL(
            """UPDATE %(table)s
                  SET failure_message = left(failure_reason, 250),
                      failure_reason = CASE %(cases)s ELSE 'other' END
                WHERE failure_reason IS NOT NULL
                  AND failure_reason NOT IN %(codes)s""",
            table=SQL.identifier(TABLE),
            cases=cases,
            codes=(*FAILURE_LABELS.values(), "other"),
        )
    )
    if not column_exists(cr, TABLE, "receiver_type"):
        create_column(cr, TABLE, "receiver_type", "varchar")
    cr.execute(
        SQL(
            """UPDATE %s
                  SET receiver_type = CASE WHEN receiver_partner_id = patient_id
                                           THEN 'recipient' ELSE 'proxy' END
                WHERE receiver_partner_id IS NOT NULL AND receiver_type IS NULL""",
            SQL.identifier(TABLE),
        )
    )
