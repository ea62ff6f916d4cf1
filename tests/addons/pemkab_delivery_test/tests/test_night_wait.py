# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The night wait (issue 16): a parcel set ready while its shelter is closed waits for
the opening, and every place the officer looks says so, in the officer's language and in
WIB: the document's form, the boards' cards, the title of the shelter's board of the day,
the notification after *Ready at Shelter*. *Retry Now* is hidden and refused while the
shelter is closed. A shelter open 24 hours (a hospital's emergency pharmacy) never makes a
parcel wait. The scheduled actions write in the company's language."""

from datetime import datetime, timedelta

import pytz
from lxml import etree

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin

from .common import SeedParcelCommon

PARCEL = "pemkab.test.seed.parcel"
BOOKING = "pemkab.delivery.booking"
WIB = pytz.timezone("Asia/Jakarta")
DAYS_ID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS_ID = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
    "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip
MONTHS_EN = [
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
]  # fmt: skip


@tagged("post_install", "-at_install")
class TestNightWait(SeedParcelCommon, PemkabRpcMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("id_ID")
        cls.env["ir.module.module"]._load_module_terms(
            ["pemkab_delivery", "pemkab_delivery_test"], ["id_ID"]
        )
        cls.shelter_a.staff_ids = [fields.Command.link(cls.user_officer_a.id)]

    def _open_only_in(self, days):
        """Shelter A opens only ``days`` days from today (WIB), 07:30-14:00: closed now,
        whatever the time of the test. Returns that opening (local, naive)."""
        today = pytz.utc.localize(fields.Datetime.now()).astimezone(WIB).date()
        day = today + timedelta(days=days)
        self.shelter_a.write(
            {
                "opening_ids": [
                    fields.Command.clear(),
                    fields.Command.create(
                        {"dayofweek": str(day.weekday()), "hour_from": 7.5, "hour_to": 14.0}
                    ),
                ]
            }
        )
        return datetime(day.year, day.month, day.day, 7, 30)

    def _read(self, model, ids, names, lang="id_ID"):
        return self.rpc_ok(model, "read", ids, names, context={"lang": lang})

    # ------------------------------------------------------------------
    # The shelter
    # ------------------------------------------------------------------
    def test_open_24_hours_is_always_open(self):
        """A shelter open 24 hours is open at every hour, on its holidays too; its hours
        read "Open 24 hours"."""
        self._open_only_in(2)
        calendar = self.env["resource.calendar"].create({"name": "Libur"})
        today = pytz.utc.localize(fields.Datetime.now()).astimezone(WIB).date()
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Cuti bersama",
                "calendar_id": calendar.id,
                "date_from": datetime.combine(today, datetime.min.time()) - timedelta(days=1),
                "date_to": datetime.combine(today, datetime.min.time()) + timedelta(days=3),
            }
        )
        self.shelter_a.holiday_calendar_id = calendar
        now = fields.Datetime.now().replace(microsecond=0)
        self.assertFalse(self.shelter_a._is_open_at(now))
        self.shelter_a.open_24h = True
        for hours in (0, 5, 11, 17, 23):
            self.assertTrue(self.shelter_a._is_open_at(now + timedelta(hours=hours)))
        self.assertEqual(self.shelter_a._next_open_at(now), now)
        self.assertEqual(self.shelter_a.opening_summary, "Open 24 hours")
        self.assertEqual(self.shelter_a.with_context(lang="id_ID").opening_summary, "Buka 24 jam")

    # ------------------------------------------------------------------
    # The document's form
    # ------------------------------------------------------------------
    def test_form_tells_when_the_closed_shelter_opens(self):
        opens = self._open_only_in(2)
        parcel = self._parcel()
        parcel.action_dispatch()
        self.authenticate("officer_a", "officer_a")
        views = self.rpc_ok(PARCEL, "get_views", [[False, "form"]], context={"lang": "id_ID"})
        form = etree.fromstring(views["views"]["form"]["arch"])
        [banner] = form.xpath("//sheet/div[@name='pemkab_delivery_night_wait']")
        self.assertEqual(banner.get("invisible"), "not delivery_shelter_wait_label")
        self.assertIn("kurir dipesan saat shelter buka", " ".join(banner.itertext()))
        [values] = self._read(
            PARCEL, [parcel.id], ["delivery_shelter_opens_at", "delivery_shelter_wait_label"]
        )
        utc = WIB.localize(opens).astimezone(pytz.utc).replace(tzinfo=None)
        self.assertEqual(values["delivery_shelter_opens_at"], fields.Datetime.to_string(utc))
        self.assertEqual(
            values["delivery_shelter_wait_label"],
            f"Shelter buka {DAYS_ID[opens.weekday()]}, {opens.day} "
            f"{MONTHS_ID[opens.month - 1]} pukul 07.30",
        )
        [english] = self._read(PARCEL, [parcel.id], ["delivery_shelter_wait_label"], "en_US")
        self.assertEqual(
            english["delivery_shelter_wait_label"],
            f"Shelter opens on {DAYS_EN[opens.weekday()]}, {opens.day} "
            f"{MONTHS_EN[opens.month - 1]} at 07:30",
        )
        # tomorrow reads as tomorrow
        self._open_only_in(1)
        [values] = self._read(PARCEL, [parcel.id], ["delivery_shelter_wait_label"])
        self.assertEqual(values["delivery_shelter_wait_label"], "Shelter buka besok pukul 07.30")
        # open: nothing to tell
        self.shelter_a.open_24h = True
        [values] = self._read(
            PARCEL, [parcel.id], ["delivery_shelter_opens_at", "delivery_shelter_wait_label"]
        )
        self.assertFalse(values["delivery_shelter_opens_at"])
        self.assertFalse(values["delivery_shelter_wait_label"])

    def test_ready_click_says_the_courier_waits_for_the_opening(self):
        self._open_only_in(1)
        parcel = self._parcel()
        self.authenticate("officer_a", "officer_a")
        answer = self.rpc_ok(PARCEL, "action_dispatch", [parcel.id], context={"lang": "id_ID"})
        self.assertEqual(parcel.state, "ready")
        self.assertEqual(answer["tag"], "display_notification", answer)
        self.assertEqual(answer["params"]["type"], "warning", answer)
        self.assertEqual(answer["params"]["title"], "Shelter tutup")
        self.assertIn("Shelter buka besok pukul 07.30", answer["params"]["message"])
        self.assertIn("kurir akan dipesan saat shelter buka", answer["params"]["message"])
        # an open shelter: the click needs no word
        self.shelter_a.open_24h = True
        other = self._parcel()
        answer = self.rpc_ok(PARCEL, "action_dispatch", [other.id])
        self.assertEqual(answer["params"]["type"], "success", answer)

    def test_ready_click_of_many_names_those_that_wait(self):
        """A selection of parcels at two shelters, one closed: the notification counts
        and names those that wait, in the selection's order; the parcels are grouped by
        shelter in one query, not one parcel at a time (a period's 100,000)."""
        opens = self._open_only_in(1)
        open_shelter = self.env["pemkab.shelter"].create(
            {
                "name": "Shelter A 24h",
                "code": "SH-A24",
                "agency_id": self.agency_a.id,
                "latitude": -8.2150,
                "longitude": 114.3650,
                "phone": "0333 421119",
                "open_24h": True,
            }
        )
        parcels = self.Parcel.browse()
        for _i in range(4):
            parcels |= self._parcel()
        parcels[1].shelter_id = open_shelter
        waiting = parcels - parcels[1]
        self.env.flush_all()
        with self.assertQueryCount(1):
            groups = parcels._delivery_shelter_groups()
        self.assertEqual(
            {shelter: sorted(ids) for shelter, ids in groups.items()},
            {self.shelter_a: waiting.ids, open_shelter: parcels[1].ids},
        )
        for parcel in parcels:
            self.assertIn(parcel.id, groups[parcel._delivery_shelter()])
        answer = parcels.with_context(lang="en_US").action_dispatch()
        self.assertEqual(answer["params"]["type"], "warning", answer)
        message = answer["params"]["message"]
        self.assertIn("3 of the 4 parcels wait at a closed shelter", message)
        label = self.env["pemkab.shelter"]._opening_label(
            WIB.localize(opens).astimezone(pytz.utc).replace(tzinfo=None)
        )
        self.assertIn(f"{label}: {', '.join(waiting.mapped('display_name'))}", message)

    # ------------------------------------------------------------------
    # The boards
    # ------------------------------------------------------------------
    def test_boards_show_the_night_wait(self):
        self._open_only_in(1)
        parcel = self._parcel()
        parcel.action_dispatch()
        booking = self._current(parcel)
        self.assertEqual(booking.state, "requested")
        self.authenticate("officer_a", "officer_a")
        # the cards of the shelter's board of the day
        action = self.rpc_ok(
            "pemkab.shelter", "action_open_today_board", [self.shelter_a.id],
            context={"lang": "id_ID"},
        )  # fmt: skip
        self.assertEqual(
            action["display_name"], "Hari ini di Shelter A (Shelter buka besok pukul 07.30)"
        )
        views = self.rpc_ok(
            BOOKING, "get_views", [[action["views"][0][0], "kanban"]], context={"lang": "id_ID"}
        )
        card = etree.fromstring(views["views"]["kanban"]["arch"])
        self.assertTrue(card.xpath("//field[@name='shelter_wait_label']"))
        [values] = self._read(BOOKING, [booking.id], ["shelter_opens_at", "shelter_wait_label"])
        self.assertEqual(values["shelter_wait_label"], "Shelter buka besok pukul 07.30")
        # the menu's board (no shelter named): the title of the officer's one shelter
        action = self.rpc_ok(
            "pemkab.shelter", "action_open_today_board", [], context={"lang": "id_ID"}
        )
        self.assertEqual(
            action["display_name"], "Hari Ini di Shelter (Shelter buka besok pukul 07.30)"
        )
        # open again: the board reads as before
        self.shelter_a.open_24h = True
        action = self.rpc_ok("pemkab.shelter", "action_open_today_board", [self.shelter_a.id])
        self.assertEqual(action["display_name"], "Today at Shelter A")
        [values] = self._read(BOOKING, [booking.id], ["shelter_wait_label"])
        self.assertFalse(values["shelter_wait_label"])

    # ------------------------------------------------------------------
    # Retry Now
    # ------------------------------------------------------------------
    def test_retry_now_hidden_and_refused_while_the_shelter_is_closed(self):
        self._open_only_in(1)
        parcel = self._parcel()
        parcel.action_dispatch()
        booking = self._current(parcel)
        held_until = booking.next_attempt_at
        self.assertTrue(held_until, "held for the opening")
        self.authenticate("officer_a", "officer_a")
        views = self.rpc_ok(BOOKING, "get_views", [[False, "form"]])
        form = etree.fromstring(views["views"]["form"]["arch"])
        [retry] = form.xpath("//button[@name='action_retry_now']")
        self.assertIn("or shelter_opens_at", retry.get("invisible"))
        [values] = self._read(BOOKING, [booking.id], ["shelter_opens_at"])
        self.assertEqual(values["shelter_opens_at"], fields.Datetime.to_string(held_until))
        message = self.rpc_refused(
            UserError, BOOKING, "action_retry_now", [booking.id], context={"lang": "id_ID"}
        )
        self.assertIn("Shelter buka besok pukul 07.30", message)
        self.assertIn(booking.name, message)
        booking.invalidate_recordset()
        self.assertEqual(booking.next_attempt_at, held_until, "still waiting for the opening")
        # once the shelter is open, Retry Now sends it with the next run
        self.shelter_a.open_24h = True
        self.assertIs(self.rpc_ok(BOOKING, "action_retry_now", [booking.id]), True)
        booking.invalidate_recordset()
        self.assertFalse(booking.next_attempt_at)

    # ------------------------------------------------------------------
    # Scheduled actions write in the company's language
    # ------------------------------------------------------------------
    def test_scheduled_action_writes_in_the_company_language(self):
        """The outbox, run by the scheduler (no language in its context), holds a booking
        of a closed shelter: its history says so in the company's language."""
        self._open_only_in(1)
        self.env.company.partner_id.lang = "id_ID"
        parcel = self._parcel()
        parcel.action_dispatch()
        booking = self._current(parcel)
        self._make_due(booking)
        cron = self.env.ref("pemkab_delivery.ir_cron_booking_outbox")
        self.env.flush_all()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["ir.cron"].browse(cron.id)._callback(cron.cron_name, cron.ir_actions_server_id.id)
        self.env.invalidate_all()
        notes = booking.event_ids.sorted("id").mapped("note")
        self.assertIn("Shelter [SH-A] Shelter A sedang tutup", notes[-1])
        self.assertEqual(booking.state, "requested")
