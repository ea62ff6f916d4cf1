# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
# One concern of the delivery per file, by design (demo data apart from the workflow).
# pylint: disable=consider-merging-classes-inherited
"""The demo's prescription deliveries, moved through the real workflow (demo data only)."""

from odoo import api, models

from odoo.addons.pemkab_delivery.orm.demo import demo_drive_own_fleet, demo_xmlids

# outcomes after "ready at the shelter" that the own fleet's driver brings about
DRIVEN = ("requested", "driver_assigned", "picked_up", "delivered", "not_home")


class PemkabHealthDelivery(models.Model):
    _inherit = "pemkab.health.delivery"

    @api.model
    def _demo_run_workflow(self, plan):
        """Demo data: move each delivery of ``plan`` ({outcome: [ids]}) to its outcome by
        the buttons of the pharmacist, the head, the officer and the dispatcher."""
        deliveries = {outcome: self.browse(ids) for outcome, ids in plan.items()}
        empty = self.browse()
        deliveries.get("cancelled", empty).action_cancel(self.env._("Patient collected it"))
        skipped = ("draft", "cancelled")
        verified = self.browse(
            [i for outcome, ids in plan.items() if outcome not in skipped for i in ids]
        )
        verified.action_verify()
        # the heads decide what a rule held back; the one left in the queue waits
        waiting = verified.filtered(lambda d: d.state == "to_approve") - deliveries.get(
            "to_approve", empty
        )
        rejected = deliveries.get("rejected", empty)
        for delivery in waiting:
            head = delivery.with_user(delivery.agency_id.head_ids[:1])
            if delivery in rejected:
                head.action_reject(self.env._("Patient admitted: dispensed on the ward"))
            else:
                head.action_approve()
        ready = self.browse(
            [i for outcome in (*DRIVEN, "confirmed") for i in plan.get(outcome, [])]
        )
        ready.action_mark_ready()
        for delivery in deliveries.get("confirmed", empty):
            proxy = delivery.patient_id.patient_proxy_ids[:1]
            delivery.write({"receiver_type": "proxy", "receiver_partner_id": proxy.id})
        deliveries.get("confirmed", empty).action_confirm_delivered()
        bookings = ready._delivery_bookings()
        by_delivery = {booking.res_id: booking for booking in bookings if not booking.released}
        for outcome in DRIVEN:
            own_fleet = bookings.browse(
                [by_delivery[i].id for i in plan.get(outcome, []) if i in by_delivery]
            ).filtered(lambda b: not b.provider_id._has_api())
            demo_drive_own_fleet(own_fleet, outcome)
        demo_xmlids(bookings, "pemkab_health", "demo_booking")
        demo_xmlids(bookings.event_ids, "pemkab_health", "demo_booking_event")
        return True
