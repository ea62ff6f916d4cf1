# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a citizen sees and hears of a document that is neither health nor social: the
mixin gives the seed parcel its page, its messages and its staff alerts with nothing
written for them."""

import json
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabPaperCase

from .common import SeedParcelCommon


@tagged("post_install", "-at_install")
class TestCitizenSeedParcel(SeedParcelCommon, PemkabPaperCase, HttpCase):
    farmer_values = {
        "name": "Pak Darmo",
        "street": "Dusun Krajan, Glagah",
        "email": "darmo@example.com",
        "lang": "en_US",
    }

    def _sms(self, parcel):
        parcel.invalidate_recordset()
        return (
            self.env["sms.sms"]
            .search([("body", "like", parcel.access_token)], order="id")
            .filtered(lambda sms: sms.state == "outgoing")
        )

    # ------------------------------------------------------------------
    # The page
    # ------------------------------------------------------------------
    def test_link_made_once_at_the_shelter(self):
        parcels = self._parcel() | self._parcel()
        self.assertFalse(any(parcels.mapped("delivery_citizen_url")), "a draft has no link")
        parcels.action_dispatch()
        tokens = parcels.mapped("access_token")
        self.assertEqual(len(set(tokens)), 2, "one link each, made as they reach the shelter")
        self.assertTrue(all(len(token) == 36 for token in tokens))
        self._run_outbox()
        parcels.invalidate_recordset()
        self.assertEqual(parcels.mapped("access_token"), tokens, "booking keeps the link")

    def test_page_follows_the_parcel_on_one_link(self):
        parcel, booking = self._sent()
        url = parcel.delivery_citizen_url
        self.assertTrue(url and parcel.access_token in url, "booked: the parcel has its link")
        self.assertEqual(len(parcel.access_token), 36)
        page = self._page(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("width=device-width", page.text)
        self.assertIn(parcel.name, page.text)
        self.assertIn("Shelter A", page.text)
        self.assertIn("Waiting for a courier", page.text)
        self.assertIn("Leaves today, as soon as a driver collects it", page.text)
        self.assertNotIn("Expected at your address", page.text, "no driver: no arrival time")
        self._courier(booking, "driver_assigned")
        self.assertTrue(booking.driver_name and booking.driver_plate)
        page = self._page(url)
        self.assertIn("Expected at your address", page.text)
        self.assertIn(booking.driver_name, page.text)
        self.assertIn(booking.driver_plate, page.text)
        # no driver after all: not delivered; dispatched again, the link stays the same
        self._courier(booking, "no_driver")
        self.assertEqual(parcel.state, "failed")
        page = self._page(url)
        self.assertIn("Not delivered yet", page.text)
        self.assertNotIn(booking.driver_name, page.text, "no driver shown once off the road")
        token = parcel.access_token
        parcel.action_redispatch()
        self._run_outbox()
        second = self._current(parcel)
        self.assertNotEqual(second, booking)
        self.assertEqual(parcel.access_token, token, "one link across re-dispatches")
        self._courier(second, "delivered")
        self.assertEqual(parcel.state, "delivered")
        page = self._page(url)
        self.assertIn("Delivered", page.text)
        self.assertIn(parcel.receiver_name, page.text)
        self.assertIn("Handed over", page.text)
        self.assertNotIn(second.driver_name, page.text)
        for private in ("0812", "+62812", "Dusun Krajan", "darmo@example.com", booking.name):
            self.assertNotIn(private, page.text, "no phone, address or booking reference")

    def test_wrong_or_expired_token_is_404(self):
        parcel, booking = self._sent()
        token = parcel.access_token
        for url in (
            f"/lacak/{token[:-1]}x",
            "/lacak/not-a-token",
            "/lacak/" + "a" * 200,
        ):
            self.assertEqual(self._page(url).status_code, 404, url)
        self._courier(booking, "delivered")
        self.assertEqual(parcel.state, "delivered")
        self.env["ir.config_parameter"].set_param("pemkab_delivery.tracking_days", "7")
        parcel.delivery_state_since = fields.Datetime.now() - timedelta(days=6)
        self.assertEqual(self._page(f"/lacak/{token}").status_code, 200, "within the days")
        parcel.delivery_state_since = fields.Datetime.now() - timedelta(days=8)
        page = self._page(f"/lacak/{token}")
        self.assertEqual(page.status_code, 404, "expired after the administrator's days")
        self.assertNotIn(parcel.name, page.text)

    def test_page_in_indonesian_by_default(self):
        parcel, _booking = self._sent()
        self.env["res.lang"]._activate_lang("id_ID")
        self.assertIn('lang="id"', self._page(parcel.delivery_citizen_url).text)
        self.assertIn('lang="en"', self._page(parcel.delivery_citizen_url + "?lang=en").text)

    # ------------------------------------------------------------------
    # Messages
    # ------------------------------------------------------------------
    def test_sms_and_mail_at_each_step_with_the_link(self):
        parcel, booking = self._sent()
        link = parcel.delivery_citizen_url
        sms = self._sms(parcel)
        self.assertEqual(len(sms), 1, "booked: one SMS")
        self.assertEqual(sms.number, "+6281234567001")
        self.assertEqual(sms.partner_id, self.farmer)
        self.assertIn(link, sms.body)
        self.assertIn(parcel.name, sms.body)
        mails = self.env["mail.mail"].search(
            [("model", "=", "pemkab.delivery.booking"), ("res_id", "=", booking.id)]
        )
        self.assertEqual(len(mails), 1, "booked: one mail to the farmer's address")
        self.assertEqual(mails.state, "outgoing")
        self.assertEqual(mails.recipient_ids, self.farmer)
        self.assertIn(link, mails.body_html)
        self._courier(booking, "driver_assigned")
        self.assertEqual(len(self._sms(parcel)), 2)
        self.assertIn(booking.driver_plate, self._sms(parcel)[-1].body)
        self._courier(booking, "picked_up")
        self.assertEqual(len(self._sms(parcel)), 2, "picked up: no message")
        self._courier(booking, "delivered")
        sms = self._sms(parcel)
        self.assertEqual(len(sms), 3)
        self.assertIn("delivered", sms[-1].body)
        self.assertIn(link, sms[-1].body)

    def test_failure_by_officer_tells_the_citizen(self):
        parcel, _booking = self._sent()
        parcel.action_mark_failed("Alamat tidak ditemukan", "wrong_address")
        sms = self._sms(parcel)
        self.assertEqual(len(sms), 2)
        self.assertIn("could not be delivered", sms[-1].body)

    def test_neutralised_database_queues_nothing(self):
        self.env["ir.config_parameter"].set_param("database.is_neutralized", True)
        self.provider.environment = "test"
        parcel, booking = self._sent()
        self._courier(booking, "delivered")
        self.assertEqual(parcel.state, "delivered")
        self.assertFalse(self._sms(parcel))
        self.assertFalse(
            self.env["mail.mail"].search(
                [("model", "=", "pemkab.delivery.booking"), ("res_id", "=", booking.id)]
            )
        )

    def test_neutralize_script_cancels_queued_sms(self):
        """... and forgets the SMS gateway's URL and keys."""
        from odoo.modules.neutralize import get_neutralization_queries

        self.env.company.write(
            {
                "sms_provider": "pemkab_gateway",
                "pemkab_sms_gateway_url": "https://console.zenziva.net/reguler/api/sendsms/",
                "pemkab_sms_gateway_userkey": "userkey-of-production",
                "pemkab_sms_gateway_passkey": "passkey-of-production",
            }
        )
        parcel, _booking = self._sent()
        self.env.flush_all()
        for query in get_neutralization_queries(["pemkab_delivery"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertFalse(self._sms(parcel))
        company = self.env.company
        self.assertFalse(
            company.pemkab_sms_gateway_url
            or company.pemkab_sms_gateway_userkey
            or company.pemkab_sms_gateway_passkey
        )

    def _public_rpc(self, url, params):
        response = self.url_open(
            url,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}),
            headers={"Content-Type": "application/json"},
        )
        return response.json()

    def test_link_reads_no_chatter(self):
        parcel, _booking = self._sent()
        parcel.message_post(
            body="Pesan untuk petugas", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.env.flush_all()
        fetched = self._public_rpc(
            "/mail/chatter_fetch",
            {"thread_model": parcel._name, "thread_id": parcel.id, "token": parcel.access_token},
        )
        self.assertNotIn("Pesan untuk petugas", json.dumps(fetched))
        self.assertIn("error", fetched, "the citizen link opens the tracking page only")

    def test_link_posts_nothing(self):
        parcel, _booking = self._sent()
        self.env.flush_all()
        posted = self._public_rpc(
            "/mail/message/post",
            {
                "thread_model": parcel._name,
                "thread_id": parcel.id,
                "token": parcel.access_token,
                "post_data": {"body": "spam", "message_type": "comment"},
            },
        )
        self.assertIn("error", posted)
        self.env.invalidate_all()
        self.assertNotIn("spam", "".join(parcel.message_ids.mapped("body")))
