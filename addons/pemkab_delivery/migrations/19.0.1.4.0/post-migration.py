# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""19.0.1.4.0: the scheduled work with couriers belongs to the exchange.

The four scheduled actions keep their xml ids, but their records are ``noupdate``: an
upgrade would leave them calling the booking's and the inbox's old methods. They now run
``pemkab.delivery.exchange``'s.
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)

CRONS = {
    "ir_cron_booking_outbox": "model._cron_send()",
    "ir_cron_webhook_inbox": "model._cron_apply_news()",
    "ir_cron_booking_poll": "model._cron_poll()",
    "ir_cron_booking_purge": "model._cron_purge()",
}


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    model_id = env["ir.model"]._get_id("pemkab.delivery.exchange")
    for xmlid, code in CRONS.items():
        cron = env.ref(f"pemkab_delivery.{xmlid}", raise_if_not_found=False)
        if cron:
            cron.write({"model_id": model_id, "code": code})
            _logger.info("pemkab_delivery %s: %s runs %s", version, xmlid, code)
