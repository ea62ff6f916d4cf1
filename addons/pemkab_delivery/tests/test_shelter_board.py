# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A shelter's board of the day, read as the shelter's officer over JSON-RPC: the
parcels booked since midnight or still under way, by column, and only those the
officer may see."""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..orm.demo import demo_drive_own_fleet
from .common import PemkabCourierCommon, PemkabRpcMixin

BOOKING = "pemkab.delivery.booking"


@tagged("post_install", "-at_install")
class TestShelterBoard(PemkabRpcMixin, PemkabCourierCommon, HttpCase):
    def _parcel(self, outcome, shelter=None, days_ago=0):
        shelter = shelter or self.shelter_a
        booking = self._booking(
            provider=self.own_fleet, shelter_id=shelter.id, agency_id=shelter.agency_id.id
        )
        booking.action_request()
        demo_drive_own_fleet(booking, outcome)
        if days_ago:
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE pemkab_delivery_booking SET create_date = %s WHERE id = %s",
                [fields.Datetime.now() - timedelta(days=days_ago), booking.id],
            )
            booking.invalidate_recordset(["create_date"])
        return booking

    def test_today_board_by_column(self):
        ready = self._parcel("requested")
        waiting = self._parcel("driver_assigned")
        waiting_since_yesterday = self._parcel("driver_assigned", days_ago=1)
        picked = self._parcel("picked_up")
        delivered = self._parcel("delivered")
        failed = self._parcel("not_home")
        self._parcel("delivered", days_ago=2)  # yesterday's: off the board
        released = self._parcel("requested")
        released._workflow().write({"released": True})
        released.action_cancel()  # its document was delivered by hand: on no column
        other = self._parcel("requested", shelter=self.shelter_b)
        expected = {
            "ready": [ready.id],
            "waiting": sorted([waiting.id, waiting_since_yesterday.id]),
            "picked_up": sorted([picked.id, delivered.id]),
            "failed": [failed.id],
        }

        self.authenticate("officer_a", "officer_a")
        # from the shelter's form (smart button)
        action = self.rpc_ok("pemkab.shelter", "action_open_today_board", [self.shelter_a.id])
        self.assertEqual(action["res_model"], BOOKING)
        self.assertIn("Shelter A", action["display_name"])
        groups = self.rpc_ok(
            BOOKING,
            "formatted_read_group",
            action["domain"],
            ["board_stage"],
            ["__count"],
            context={"read_group_expand": True},
        )
        counts = {group["board_stage"]: group["__count"] for group in groups}
        self.assertEqual(
            counts, {stage: len(ids) for stage, ids in expected.items()}, "all four columns"
        )
        found = {}
        for row in self.rpc_ok(BOOKING, "search_read", action["domain"], ["board_stage"]):
            found.setdefault(row["board_stage"], []).append(row["id"])
        self.assertEqual({stage: sorted(ids) for stage, ids in found.items()}, expected)
        shelter = self.rpc_ok(
            "pemkab.shelter", "read", [self.shelter_a.id], ["today_booking_count"]
        )
        self.assertEqual(shelter[0]["today_booking_count"], 6)

        # from the menu (no shelter): every shelter the officer may see, not agency B's
        action = self.rpc_ok("pemkab.shelter", "action_open_today_board", [])
        ids = {row["id"] for row in self.rpc_ok(BOOKING, "search_read", action["domain"], ["id"])}
        self.assertEqual(ids, {i for stage in expected.values() for i in stage})
        self.assertNotIn(other.id, ids)

        self.authenticate("officer_b", "officer_b")
        ids = {row["id"] for row in self.rpc_ok(BOOKING, "search_read", action["domain"], ["id"])}
        self.assertEqual(ids, {other.id})

    def test_menu_opens_the_board(self):
        """The menu's server action returns the board's window action."""
        self.authenticate("officer_a", "officer_a")
        server_action = self.env.ref("pemkab_delivery.pemkab_delivery_booking_action_server_today")
        self.env.flush_all()
        response = self.url_open(
            "/web/action/run",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {"action_id": server_action.id},
            },
        )
        action = response.json()["result"]
        self.assertEqual(action["res_model"], BOOKING)
        self.assertIn(["board_stage", "!=", False], action["domain"])
