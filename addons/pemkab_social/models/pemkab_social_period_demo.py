# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The demo's aid periods, moved through the real workflow (demo data only)."""

from odoo import api, models

from odoo.addons.pemkab_delivery.orm.demo import demo_drive_own_fleet, demo_xmlids

# how many shipments of the demo period end where: (outcome, count), in priority order;
# the rest is delivered
DEMO_OUTCOMES = (
    ("cancelled", 2),
    ("approved", 8),
    ("requested", 8),
    ("driver_assigned", 5),
    ("picked_up", 6),
    ("not_home", 4),
    ("returned", 3),
    ("packed_cancelled", 1),
)


class PemkabSocialPeriod(models.Model):
    _inherit = "pemkab.social.period"

    @api.model
    def _demo_run_workflow(self, period_id, next_period_id, head_id):
        """Demo data: the period of about fifty households generated, submitted, approved
        by the head and dispatched with the own fleet, its shipments ending in every state
        (approved, packed, out for delivery, delivered, failed, returned, cancelled); the
        next period generated, half of it submitted, the rest draft."""
        period = self.browse(period_id)
        head = self.env["res.users"].browse(head_id)
        Wizard = self.env["pemkab.social.generate.wizard"]
        shipments = Wizard.create({"period_id": period.id})._generate()
        period.action_submit_all()
        period.with_user(head).action_approve()
        groups, start = {}, 0
        for outcome, count in DEMO_OUTCOMES:
            groups[outcome] = shipments[start : start + count]
            start += count
        groups["delivered"] = shipments[start:]
        groups["cancelled"].action_cancel(self.env._("Household moved out of the regency"))
        to_pack = shipments - groups["cancelled"] - groups["approved"]
        to_pack.action_pack()
        bookings = to_pack._delivery_active_bookings()
        by_shipment = {booking.res_id: booking for booking in bookings}
        for outcome, group in groups.items():
            if outcome in ("cancelled", "approved", "packed_cancelled"):
                continue
            mine = bookings.browse([by_shipment[s.id].id for s in group])
            demo_drive_own_fleet(mine, outcome)
        groups["packed_cancelled"].action_cancel(self.env._("Duplicate registration found"))

        following = self.browse(next_period_id)
        upcoming = Wizard.create({"period_id": following.id})._generate()
        upcoming[: len(upcoming) // 2].action_submit()

        all_shipments = shipments | upcoming
        demo_xmlids(all_shipments, "pemkab_social", "demo_shipment")
        demo_xmlids(bookings, "pemkab_social", "demo_booking")
        demo_xmlids(bookings.event_ids, "pemkab_social", "demo_booking_event")
        return True
