# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the citizen sees on the page of a seed parcel (issue 16): only times that can
happen, one language at a time, the agency's helpline and WhatsApp, a page that refreshes
while the parcel moves, the satisfaction survey (SKM) after delivery, and the officers'
"Send by WhatsApp"."""

import re
import uuid
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytz

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabPaperCase, PemkabRpcMixin

from .common import SeedParcelCommon

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
# the page's English words (the labels of the half-English page among them), never on
# the Indonesian page; and the Indonesian ones, never on the English page
ENGLISH_WORDS = [
    "Parcel",
    "Leaves",
    "Estimated arrival",
    "around",
    "Driver",
    "Received by",
    "Received on",
    "Keep this link",
    "Pickup point",
    "Departure",
    "Expected at",
    "Receiver",
    "Handed over",
    "Delivered",
    "Ready at the shelter",
    "How was our service",
    "Very Good",
    "Poor",
    "Your comment",
    "Helpline",
    "Questions",
    "updates itself",
]
INDONESIAN_WORDS = [
    "Paket",
    "Berangkat",
    "Titik",
    "Pengemudi",
    "Diterima",
    "Terkirim",
    "Bagaimana",
    "Sangat Baik",
    "Kurang Baik",
    "Tidak Baik",
    "Jangan",
    "sekitar",
    "Layanan",
    "Komentar",
    "Pertanyaan",
    "pukul",
]


@tagged("post_install", "-at_install")
class TestCitizenPage(SeedParcelCommon, PemkabPaperCase, PemkabRpcMixin, HttpCase):
    farmer_values = {"name": "Pak Darmo", "street": "Dusun Krajan, Glagah"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("id_ID")
        cls.env["ir.module.module"]._load_module_terms(
            ["pemkab_delivery", "pemkab_delivery_test"], ["id_ID"]
        )
        cls.agency_a.write({"helpline_phone": "0333 421118", "whatsapp_number": "0811 3500 4210"})

    def _text(self, url):
        """The page's visible text (tags and the style sheet left out)."""
        page = self._page(url)
        self.assertEqual(page.status_code, 200, page.text[:300])
        body = re.sub(r"<style.*?</style>", " ", page.text, flags=re.S)
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)), page.text

    def _close_shelter_until_the_day_after_tomorrow(self):
        """Shelter A opens only on the day after tomorrow (WIB), 07:30-14:00: closed now,
        whatever the time of the test. Returns that opening, local."""
        today = pytz.utc.localize(fields.Datetime.now()).astimezone(WIB).date()
        day = today + timedelta(days=2)
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

    # ------------------------------------------------------------------
    # Truthful timing
    # ------------------------------------------------------------------
    def test_closed_shelter_page_says_when_it_leaves_not_an_arrival(self):
        opens = self._close_shelter_until_the_day_after_tomorrow()
        parcel = self._parcel()
        parcel.action_dispatch()
        self._run_outbox()
        self.assertEqual(parcel.state, "ready")
        url = parcel.delivery_citizen_url
        english, _html = self._text(url + "?lang=en")
        self.assertNotIn("Estimated arrival", english, "no arrival time while nothing moves")
        self.assertNotIn("Expected at your address", english)
        self.assertIn(
            f"Leaves at the earliest on {DAYS_EN[opens.weekday()]}, {opens.day} "
            f"{MONTHS_EN[opens.month - 1]} {opens.year} at 07:30 WIB",
            english,
        )
        indonesian, _html = self._text(url)
        self.assertIn(
            f"Berangkat paling cepat {DAYS_ID[opens.weekday()]}, {opens.day} "
            f"{MONTHS_ID[opens.month - 1]} {opens.year} pukul 07.30 WIB",
            indonesian,
        )
        self.assertNotIn("sekitar", indonesian)

    def test_arrival_estimate_only_with_a_driver_and_never_before_the_opening(self):
        parcel, booking = self._sent()  # booked while the shelter is always open
        opens = self._close_shelter_until_the_day_after_tomorrow()
        english, _html = self._text(parcel.delivery_citizen_url + "?lang=en")
        self.assertNotIn("Expected at your address", english, "booked, no driver yet")
        self._courier(booking, "driver_assigned")
        english, html = self._text(parcel.delivery_citizen_url + "?lang=en")
        self.assertIn("Expected at your address", english)
        eta = re.search(r'id="pemkab-eta">around (\d+) (\w+) (\d{4}), (\d\d):(\d\d) WIB<', html)
        self.assertTrue(eta, html)
        day, month, year, hour, minute = eta.groups()
        self.assertEqual(month, MONTHS_EN[opens.month - 1][:3])
        arrival = datetime(int(year), opens.month, int(day), int(hour), int(minute))
        self.assertGreaterEqual(arrival, opens + timedelta(minutes=15), "after the opening")
        self.assertLess(arrival, opens + timedelta(hours=2))

    # ------------------------------------------------------------------
    # The driver's photo and position, while the parcel is on its way
    # ------------------------------------------------------------------
    def test_driver_photo_and_position_only_while_on_the_way(self):
        """GrabExpress tells where its driver is (webhook ``driver.currentLat/Lng``) and
        links the driver's photo, which the exchange keeps: the page shows both while the
        driver comes or rides, through a route that checks the token, never after."""
        self.trigger.provider_id = self.provider_grab
        parcel, booking = self._sent()
        photo_url = f"/lacak/{parcel.access_token}/pengemudi"
        self.assertEqual(self._page(photo_url).status_code, 404, "no driver yet")
        self._webhook(booking, "driver_assigned")
        self.assertEqual(self.Exchange._cron_fetch_photos(), 1)
        self.assertTrue(booking.driver_photo)
        english, html = self._text(parcel.delivery_citizen_url + "?lang=en")
        self.assertIn(f'src="{photo_url}"', html)
        self.assertNotIn("/web/image", html, "never an attachment's URL")
        self.assertIn("Driver's position", english)
        # the sandbox's driver waits at the pickup point until the parcel is on board
        self.assertIn(f"mlat={self.shelter_a.latitude:.5f}", html)
        indonesian, _html = self._text(parcel.delivery_citizen_url)
        self.assertIn("Posisi pengemudi", indonesian)
        photo = self._page(photo_url)
        self.assertEqual(photo.status_code, 200)
        self.assertIn(photo.headers["Content-Type"], ("image/jpeg", "image/png", "image/webp"))
        self.assertEqual(photo.headers["Cache-Control"], "no-store")
        for wrong in (str(uuid.uuid4()), parcel.access_token.upper(), "x" * 65):
            self.assertEqual(self._page(f"/lacak/{wrong}/pengemudi").status_code, 404, wrong)
        self._courier(booking, "picked_up")
        _english, html = self._text(parcel.delivery_citizen_url + "?lang=en")
        self.assertIn(f'src="{photo_url}"', html)
        self.assertNotIn(f"mlat={self.shelter_a.latitude:.5f}", html, "the driver moved")
        self._courier(booking, "delivered")
        self.assertEqual(parcel.state, "delivered")
        english, html = self._text(parcel.delivery_citizen_url + "?lang=en")
        self.assertNotIn("pengemudi", html)
        self.assertNotIn("Driver's position", english)
        self.assertEqual(self._page(photo_url).status_code, 404, "never after delivery")

    # ------------------------------------------------------------------
    # One language at a time
    # ------------------------------------------------------------------
    def _assert_one_language(self, url):
        indonesian, _html = self._text(url)
        for word in ENGLISH_WORDS:
            self.assertNotIn(word, indonesian, f"English “{word}” on the Indonesian page")
        english, _html = self._text(url + "?lang=en")
        for word in INDONESIAN_WORDS:
            self.assertNotIn(word, english, f"Indonesian “{word}” on the English page")
        return indonesian, english

    def test_page_in_one_language_at_a_time(self):
        parcel, booking = self._sent()
        self._courier(booking, "driver_assigned")
        indonesian, english = self._assert_one_language(parcel.delivery_citizen_url)
        self.assertIn("Pengemudi", indonesian)
        self.assertIn("Courier driver", english)
        self._courier(booking, "delivered")
        indonesian, english = self._assert_one_language(parcel.delivery_citizen_url)
        self.assertIn("Sangat Baik", indonesian)
        self.assertIn("Very Good", english)
        self.assertIn("Keep this link to yourself", english)

    def test_english_page_where_en_us_is_inactive(self):
        """A database made with --load-language=id_ID has en_US inactive: ?lang=en
        still gives the whole page in English."""
        parcel, _booking = self._sent()
        self.env.cr.execute("UPDATE res_lang SET active = (code = 'id_ID')")
        self.env.invalidate_all()
        self.env.registry.clear_cache("stable")
        self.assertEqual([code for code, _name in self.env["res.lang"].get_installed()], ["id_ID"])
        english, html = self._text(parcel.delivery_citizen_url + "?lang=en")
        self.assertIn('lang="en"', html)
        self.assertIn("Waiting for a courier", english)
        self.assertIn("Pickup point", english)
        for word in INDONESIAN_WORDS:
            self.assertNotIn(word, english)

    # ------------------------------------------------------------------
    # Helpline, WhatsApp, refresh
    # ------------------------------------------------------------------
    def test_helpline_and_whatsapp_links_and_refresh_while_moving(self):
        parcel, booking = self._sent()
        _text, html = self._text(parcel.delivery_citizen_url)
        self.assertEqual(self.agency_a.helpline_phone, "+62333421118")
        self.assertIn('href="tel:+62333421118"', html)
        self.assertIn('href="https://wa.me/6281135004210"', html)
        self.assertIn('http-equiv="refresh"', html, "the status reloads while it moves")
        self._courier(booking, "delivered")
        _text, html = self._text(parcel.delivery_citizen_url)
        self.assertNotIn('http-equiv="refresh"', html, "delivered: the page stays still")

    def test_agency_numbers_are_checked(self):
        with self.assertRaisesRegex(ValidationError, "WhatsApp"):
            self.agency_b.whatsapp_number = "0333 421118"  # a landline has no WhatsApp
        with self.assertRaisesRegex(ValidationError, "Helpline"):
            self.agency_b.helpline_phone = "12"
        self.assertFalse(self.agency_b.whatsapp_number)

    # ------------------------------------------------------------------
    # Satisfaction survey (SKM)
    # ------------------------------------------------------------------
    def _csrf(self, url):
        html = self._page(url).text
        found = re.search(r'name="csrf_token" value="([^"]+)"', html)
        return found and found.group(1)

    def _rate(self, parcel, rating, csrf, comment="", token=None):
        self.env.flush_all()
        data = {"rating": rating, "comment": comment, "lang": "en"}
        if csrf:
            data["csrf_token"] = csrf
        response = self.url_open(
            f"/lacak/{token or parcel.access_token}/skm", data=data, allow_redirects=False
        )
        self.env.invalidate_all()
        return response

    def test_one_tap_rating_after_delivery(self):
        waiting, _waiting_booking = self._sent()
        self.assertIsNone(self._csrf(waiting.delivery_citizen_url), "no survey before delivery")
        parcel, booking = self._sent()
        url = parcel.delivery_citizen_url
        self._courier(booking, "delivered")
        csrf = self._csrf(url + "?lang=en")
        self.assertTrue(csrf)
        response = self._rate(parcel, "3", csrf, comment="  Cepat, terima kasih  ")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self._rate(waiting, "4", csrf).status_code, 409, "not delivered yet")
        self.assertIn(f"/lacak/{parcel.access_token}?lang=en", response.headers["Location"])
        Rating = self.env["pemkab.citizen.rating"]
        rating = Rating.search([("res_model", "=", parcel._name), ("res_id", "=", parcel.id)])
        self.assertEqual(len(rating), 1)
        self.assertEqual((rating.rating, rating.skm_index), ("3", 75.0))
        self.assertEqual(rating.comment, "Cepat, terima kasih")
        self.assertEqual((rating.agency_id, rating.shelter_id), (self.agency_a, self.shelter_a))
        english, _html = self._text(url + "?lang=en")
        self.assertIn("Thank you. Your rating: Good.", english)
        # a wrong button: corrected within the minutes after the first tap
        self.assertEqual(self._rate(parcel, "4", csrf).status_code, 303)
        rating.invalidate_recordset()
        self.assertEqual(rating.rating, "4")
        # afterwards the answer stays, and the page offers no button
        rating.rated_at = fields.Datetime.now() - timedelta(minutes=11)
        self.assertEqual(self._rate(parcel, "1", csrf).status_code, 303)
        self.assertEqual(Rating.search_count([("res_id", "=", parcel.id)]), 1)
        rating.invalidate_recordset()
        self.assertEqual(rating.rating, "4")
        indonesian, html = self._text(url)
        self.assertIn("Sangat Baik", indonesian)
        self.assertNotIn('name="rating"', html)

    def test_bad_ratings_are_4xx(self):
        parcel, booking = self._sent()
        self._courier(booking, "delivered")
        csrf = self._csrf(parcel.delivery_citizen_url)
        for rating, token, with_csrf, status in (
            ("3", None, False, 400),  # no CSRF token: not from the page
            ("9", None, True, 400),
            ("", None, True, 400),
            ("Sangat Baik", None, True, 400),
            ("3", "not-a-token", True, 404),
            ("3", parcel.access_token[:-1] + "x", True, 404),
        ):
            with self.subTest(rating=rating, token=token, csrf=with_csrf):
                response = self._rate(parcel, rating, with_csrf and csrf, token=token)
                self.assertEqual(response.status_code, status, response.text[:300])
        self.assertFalse(self.env["pemkab.citizen.rating"].search([("res_id", "=", parcel.id)]))
        # a comment longer than the form allows is cut, not refused
        self.assertEqual(self._rate(parcel, "2", csrf, comment="x" * 5000).status_code, 303)
        rating = self.env["pemkab.citizen.rating"].search([("res_id", "=", parcel.id)])
        self.assertEqual(len(rating.comment), 1000)

    def test_heads_read_their_agencies_ratings_only(self):
        Rating = self.env["pemkab.citizen.rating"].sudo()
        mine = Rating.create(
            {
                "res_model": "pemkab.test.seed.parcel",
                "res_id": 1,
                "document_ref": "A-1",
                "agency_id": self.agency_a.id,
                "rating": "4",
            }
        )
        theirs = Rating.create(
            {
                "res_model": "pemkab.test.seed.parcel",
                "res_id": 2,
                "document_ref": "B-1",
                "agency_id": self.agency_b.id,
                "rating": "1",
                "comment": "Paket terlambat",
            }
        )
        self.authenticate("head_a", "head_a")
        found = self.rpc_ok("pemkab.citizen.rating", "search_read", [], ["document_ref"])
        self.assertEqual([row["id"] for row in found], [mine.id])
        self.rpc_refused(AccessError, "pemkab.citizen.rating", "read", [theirs.id])
        self.rpc_refused(
            AccessError,
            "pemkab.citizen.rating",
            "write",
            [mine.id],
            {"rating": "1"},
        )
        self.authenticate("officer_a", "officer_a")
        self.rpc_refused(AccessError, "pemkab.citizen.rating", "search_read", [], ["rating"])
        self.authenticate("delivery_admin", "delivery_admin")
        found = self.rpc_ok("pemkab.citizen.rating", "search_read", [], ["document_ref"])
        self.assertEqual({row["id"] for row in found}, {mine.id, theirs.id})

    # ------------------------------------------------------------------
    # Send by WhatsApp
    # ------------------------------------------------------------------
    def test_send_by_whatsapp_to_the_recipient(self):
        draft = self._parcel()
        with self.assertRaisesRegex(UserError, "no citizen link yet"):
            draft.with_user(self.user_officer_a).action_delivery_send_whatsapp()
        parcel, _booking = self._sent()
        action = parcel.with_user(self.user_officer_a).action_delivery_send_whatsapp()
        self.assertEqual(action["type"], "ir.actions.act_url")
        url = urlparse(action["url"])
        self.assertEqual((url.scheme, url.netloc, url.path), ("https", "wa.me", "/6281234567001"))
        text = parse_qs(url.query)["text"][0]
        self.assertIn(parcel.delivery_citizen_url, text)
        self.assertIn("a courier is booked", text)
        self.assertIn("prepared in WhatsApp for Pak Darmo", parcel.message_ids[:1].body)
        # a landline is no WhatsApp number (recorded before bookings checked for a
        # mobile): refused, saying why
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE pemkab_delivery_booking SET recipient_phone = '+62333421118' WHERE id = %s",
            [parcel.delivery_booking_id.id],
        )
        parcel.farmer_phone = "0333 421118"
        self.env.invalidate_all()
        with self.assertRaisesRegex(UserError, "valid mobile number"):
            parcel.with_user(self.user_officer_a).action_delivery_send_whatsapp()
