# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The own fleet: drivers chosen from a list, many parcels given to one driver run,
picked up and delivered for all at once, the proof in one dialog, the run sheet; each
role tried as its own user over JSON-RPC."""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from .common import PemkabCourierCommon, PemkabPaperCase, PemkabRpcMixin

BOOKING = "pemkab.delivery.booking"
RUN = "pemkab.fleet.run"
DRIVER = "pemkab.fleet.driver"
REPORT = "pemkab_delivery.action_report_fleet_run"


@tagged("post_install", "-at_install")
class TestFleet(PemkabRpcMixin, PemkabPaperCase, PemkabCourierCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_indonesian()
        cls.driver_a = cls.env[DRIVER].create(
            {
                "name": "Slamet  Riyadi",
                "phone": "0812-3300-9001",
                "plate": "p 4521 ua",
                "agency_id": cls.agency_a.id,
            }
        )
        cls.driver_b = cls.env[DRIVER].create(
            {"name": "Joko", "phone": "0813 3300 9002", "agency_id": cls.agency_b.id}
        )

    def _parcels(self, count=3, shelter=None, provider=None):
        shelter = shelter or self.shelter_a
        bookings = self.Booking
        for index in range(count):
            bookings |= self._booking(
                provider=provider or self.own_fleet,
                shelter_id=shelter.id,
                agency_id=shelter.agency_id.id,
                recipient_name=f"Penerima {index + 1}",
                package_code=f"PKG-{index + 1:04d}",
            )
        bookings.action_request()
        return bookings

    def _assign_over_rpc(self, bookings, driver=None, run=None):
        """What the dispatcher's list does: Assign to a Driver Run, then Assign."""
        action = self.rpc_ok(BOOKING, "action_open_fleet_assign_wizard", bookings.ids)
        wizard_id = action["res_id"]
        vals = {"run_id": run.id} if run else {"driver_id": driver.id}
        self.rpc_ok("pemkab.fleet.assign.wizard", "write", [wizard_id], vals)
        return self.rpc_ok("pemkab.fleet.assign.wizard", "action_confirm", [wizard_id])

    # ------------------------------------------------------------------
    # Drivers
    # ------------------------------------------------------------------
    def test_driver_values_normalised(self):
        self.assertEqual(self.driver_a.phone, "+6281233009001")
        self.assertEqual(self.driver_a.plate, "P 4521 UA")
        self.assertEqual(self.driver_a.name, "Slamet Riyadi")
        self.assertEqual(self.driver_a.display_name, "Slamet Riyadi · P 4521 UA")
        with self.assertRaisesRegex(ValidationError, "Phone: .*not a mobile number"):
            self.env[DRIVER].create(
                {"name": "X", "phone": "0333 421118", "agency_id": self.agency_a.id}
            )

    def test_drivers_by_agency(self):
        """An officer lists and adds the drivers of the agency, not another agency's."""
        self.authenticate("officer_a", "officer_a")
        found = self.rpc_ok(DRIVER, "search_read", [], ["name"])
        self.assertEqual([row["id"] for row in found], [self.driver_a.id])
        new_id = self.rpc_ok(
            DRIVER,
            "create",
            [{"name": "Budi", "phone": "0857 3300 9003", "agency_id": self.agency_a.id}],
        )[0]
        self.assertEqual(self.env[DRIVER].browse(new_id).agency_id, self.agency_a)
        self.rpc_refused(
            AccessError,
            DRIVER,
            "create",
            [{"name": "Budi", "phone": "0857 3300 9004", "agency_id": self.agency_b.id}],
        )
        self.rpc_refused(AccessError, DRIVER, "read", [self.driver_b.id], ["name", "phone"])
        self.rpc_refused(AccessError, DRIVER, "write", [self.driver_b.id], {"name": "X"})
        self.rpc_refused(AccessError, DRIVER, "unlink", [self.driver_a.id])

    # ------------------------------------------------------------------
    # The whole run, as the dispatcher's browser does it
    # ------------------------------------------------------------------
    def test_run_from_assignment_to_proof(self):
        bookings = self._parcels(3)
        first, second, third = bookings
        self.authenticate("officer_a", "officer_a")
        action = self._assign_over_rpc(bookings, driver=self.driver_a)
        run = self.env[RUN].browse(action["res_id"])
        self.assertEqual(run.driver_id, self.driver_a)
        self.assertEqual((run.shelter_id, run.agency_id), (self.shelter_a, self.agency_a))
        self.assertEqual(run.booking_ids, bookings)
        self.assertEqual(set(bookings.mapped("state")), {"driver_assigned"})
        self.assertEqual(set(bookings.mapped("driver_name")), {"Slamet Riyadi"})
        self.assertEqual(set(bookings.mapped("driver_phone")), {"+6281233009001"})
        self.assertEqual(set(bookings.mapped("driver_plate")), {"P 4521 UA"})
        self.assertEqual(bookings.fleet_driver_id, self.driver_a)
        self.assertEqual((run.parcel_count, run.open_count), (3, 3))

        # one more parcel joins the draft run
        fourth = self._parcels(1)
        self._assign_over_rpc(fourth, run=run)
        self.assertEqual(len(run.booking_ids), 4)

        self.rpc_ok(RUN, "action_mark_picked_up", [run.id])
        self.assertEqual(run.state, "on_the_way")
        self.assertEqual(set(run.booking_ids.mapped("state")), {"picked_up"})

        action = self.rpc_ok(RUN, "action_open_proof_wizard", [run.id])
        wizard_id = action["res_id"]
        lines = self.rpc_ok(
            "pemkab.fleet.proof.wizard.line",
            "search_read",
            [("wizard_id", "=", wizard_id)],
            ["booking_id", "receiver", "outcome"],
        )
        by_booking = {line["booking_id"][0]: line for line in lines}
        self.assertEqual(len(lines), 4)
        self.assertEqual(by_booking[first.id]["receiver"], "Penerima 1")
        self.rpc_ok(
            "pemkab.fleet.proof.wizard",
            "write",
            [wizard_id],
            {
                "line_ids": [
                    (1, by_booking[second.id]["id"], {"receiver": "Bu Lastri (tetangga)"}),
                    (1, by_booking[third.id]["id"], {"outcome": "returned"}),
                ]
            },
        )
        self.rpc_ok("pemkab.fleet.proof.wizard", "action_confirm", [wizard_id])
        self.assertEqual(
            (first | second | fourth).mapped("state"), ["delivered", "delivered", "delivered"]
        )
        self.assertEqual(second.receiver_name, "Bu Lastri (tetangga)")
        self.assertEqual(first.receiver_name, "Penerima 1")
        self.assertTrue(first.delivered_at)
        self.assertEqual((third.state, third.failure_reason), ("failed", "not_home"))
        self.assertEqual(run.state, "done", "every parcel is final: the run closes")
        self.assertEqual((run.delivered_count, run.open_count), (3, 0))

    def test_proof_needs_a_receiver(self):
        bookings = self._parcels(2)
        self.authenticate("officer_a", "officer_a")
        run = self.env[RUN].browse(self._assign_over_rpc(bookings, driver=self.driver_a)["res_id"])
        self.rpc_ok(RUN, "action_mark_picked_up", [run.id])
        wizard_id = self.rpc_ok(RUN, "action_open_proof_wizard", [run.id])["res_id"]
        line_ids = self.rpc_ok(
            "pemkab.fleet.proof.wizard.line", "search", [("wizard_id", "=", wizard_id)]
        )
        self.rpc_ok(
            "pemkab.fleet.proof.wizard",
            "write",
            [wizard_id],
            {"line_ids": [(1, line_ids[0], {"receiver": "  "})]},
        )
        message = self.rpc_refused(
            UserError, "pemkab.fleet.proof.wizard", "action_confirm", [wizard_id]
        )
        self.assertIn("Received By: say who received the parcel", message)
        self.assertEqual(set(bookings.mapped("state")), {"picked_up"}, "nothing changed")
        self.rpc_refused(UserError, RUN, "action_done", [run.id])

    # ------------------------------------------------------------------
    # The booking stays the workflow's
    # ------------------------------------------------------------------
    def test_nobody_types_the_driver_of_an_own_fleet_parcel(self):
        booking = self._parcels(1)
        run = self.env[RUN].create(
            {
                "agency_id": self.agency_a.id,
                "shelter_id": self.shelter_a.id,
                "driver_id": self.driver_a.id,
            }
        )
        self.authenticate("officer_a", "officer_a")
        for vals in (
            {"driver_name": "Siapa Saja"},
            {"driver_phone": "0812 0000 0000"},
            {"fleet_run_id": run.id},
            {"fleet_driver_id": self.driver_a.id},
        ):
            with self.subTest(vals=vals):
                self.rpc_refused(UserError, BOOKING, "write", booking.ids, vals)
        self.rpc_refused(UserError, RUN, "write", [run.id], {"state": "done"})
        self.rpc_refused(ValidationError, BOOKING, "action_assign_driver", booking.ids)
        self.assertEqual((booking.state, booking.driver_name), ("requested", False))

    def test_assignment_refused_with_every_reason(self):
        own = self._parcels(1)
        other_shelter = self.env["pemkab.shelter"].create(
            {"name": "Shelter A2", "code": "SH-A2", "agency_id": self.agency_a.id}
        )
        elsewhere = self._parcels(1, shelter=other_shelter)
        courier = self._booking()
        run = self.env[RUN].create(
            {
                "agency_id": self.agency_a.id,
                "shelter_id": self.shelter_a.id,
                "driver_id": self.driver_a.id,
            }
        )
        self.authenticate("officer_a", "officer_a")
        message = self.rpc_refused(
            UserError, BOOKING, "action_open_fleet_assign_wizard", (own | elsewhere).ids
        )
        self.assertIn("A driver run collects at one shelter", message)
        message = self.rpc_refused(
            UserError, BOOKING, "action_open_fleet_assign_wizard", courier.ids
        )
        self.assertIn("not with the own fleet", message)
        self._assign_over_rpc(own, run=run)
        message = self.rpc_refused(UserError, BOOKING, "action_open_fleet_assign_wizard", own.ids)
        self.assertIn("not possible in state", message)
        # a run of another shelter, a run that left: refused by the server, whatever the
        # client sends to the wizard
        wizard = (
            self.env["pemkab.fleet.assign.wizard"]
            .with_user(self.user_officer_a)
            .create({"booking_ids": [(6, 0, elsewhere.ids)], "run_id": run.id})
        )
        with self.assertRaisesRegex(UserError, "not at the run's shelter"):
            wizard.action_confirm()
        with self.assertRaisesRegex(ValidationError, "choose a driver of Agency A"):
            self.env[RUN].create(
                {
                    "agency_id": self.agency_a.id,
                    "shelter_id": self.shelter_a.id,
                    "driver_id": self.driver_b.id,
                }
            )

    # ------------------------------------------------------------------
    # Who sees the runs
    # ------------------------------------------------------------------
    def test_runs_by_agency(self):
        bookings = self._parcels(2)
        run = self.env[RUN].create(
            {
                "agency_id": self.agency_a.id,
                "shelter_id": self.shelter_a.id,
                "driver_id": self.driver_a.id,
            }
        )
        bookings._do_fleet_assign(run)
        operations = {
            "read": lambda: self.rpc(RUN, "read", [run.id], ["name", "parcel_count"]),
            "pick up": lambda: self.rpc(RUN, "action_mark_picked_up", [run.id]),
        }
        self.assert_access_matrix(
            operations,
            [
                ("officer_b", "read", False),
                ("head_b", "read", False),
                ("officer_b", "pick up", False),
                ("plain_internal", "read", False),
                ("head_a", "read", True),
                ("delivery_admin", "read", True),
                ("officer_a", "read", True),
                ("officer_a", "pick up", True),
            ],
        )
        self.assertEqual(run.state, "on_the_way")

    # ------------------------------------------------------------------
    # The run sheet
    # ------------------------------------------------------------------
    def test_run_sheet_in_indonesian(self):
        bookings = self._parcels(2)
        run = self.env[RUN].create(
            {
                "agency_id": self.agency_a.id,
                "shelter_id": self.shelter_a.id,
                "driver_id": self.driver_a.id,
            }
        )
        bookings._do_fleet_assign(run)
        kind, text = self._print_over_http("officer_a", REPORT, run)
        self.assertEqual(kind, "pdf", text)
        for shown in (
            "LEMBAR PERJALANAN ARMADA",
            run.name,
            "Slamet Riyadi",
            "P 4521 UA",
            "Penerima 1",
            "Penerima 2",
            "Jl. Kepiting No. 5",
            "Pengemudi",
            "Banyuwangi,",
        ):
            self.assertIn(shown, text)
        for login in ("head_a", "delivery_admin"):
            with self.subTest(login=login):
                kind, text = self._print_over_http(login, REPORT, run)
                self.assertEqual(kind, "pdf", text)
                self.assertIn("Penerima 1", text)
        for login in ("officer_b", "head_b"):
            with self.subTest(login=login):
                kind, message = self._print_over_http(login, REPORT, run)
                self.assertEqual(kind, "AccessError")
                self.assertNotIn("Penerima", message)
