# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The citizens' SMS go through the company's HTTP SMS gateway (here the sandbox's, over
real HTTP), never to Odoo's IAP service; one that could not be sent shows on the
document: a banner on its form, a filter of its list, the reason in the user's language."""

from lxml import etree

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin

from .common import SeedParcelCommon

PARCEL = "pemkab.test.seed.parcel"


@tagged("post_install", "-at_install")
class TestCitizenSmsGateway(PemkabRpcMixin, SeedParcelCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "sms_provider": "pemkab_gateway",
                "pemkab_sms_gateway_url": cls.sandbox.url + "/sms/reguler/api/sendsms/",
                "pemkab_sms_gateway_userkey": "sandbox-userkey",
                "pemkab_sms_gateway_passkey": "sandbox-passkey",
            }
        )

    def _queued(self, parcel):
        return self.env["sms.sms"].search(
            [("pemkab_res_model", "=", PARCEL), ("pemkab_res_id", "=", parcel.id)]
        )

    def _send_queue(self):
        """What the scheduled action *SMS: SMS Queue Manager* does with a batch (its
        commit aside): ``_send`` of the queued SMS, naming no API."""
        queued = self.env["sms.sms"].search([("state", "=", "outgoing")])
        queued._send(unlink_failed=False, unlink_sent=True, raise_exception=False)
        return queued

    def test_citizen_sms_reaches_the_gateway(self):
        parcel, _booking = self._sent()
        sms = self._queued(parcel)
        self.assertEqual(len(sms), 1, "booked: one SMS, about the parcel")
        self.assertEqual(sms.state, "outgoing")
        self._send_queue()
        self.assertEqual(sms.state, "pending", "the gateway took it (Sent)")
        self.assertTrue(sms.to_delete, "sent: left to the garbage collector, as Odoo does")
        [received] = self.sandbox.sms_messages()
        self.assertEqual(received["status"], "1")
        self.assertEqual(received["to"], "6281234567001")
        self.assertIn(parcel.access_token, received["message"])
        self.assertIn(parcel.name, received["message"])
        page = self.url_open(self.sandbox.url + "/sms")
        self.assertIn("6281234567001", page.text)
        parcel.invalidate_recordset()
        self.assertFalse(parcel.delivery_sms_failed)
        self.assertFalse(parcel.delivery_sms_failure)

    def test_refused_sms_shows_on_the_document(self):
        self.sandbox.configure(sms_refuse_numbers=["6281234567001"])
        parcel, _booking = self._sent()
        other, _other_booking = self._sent()
        self.env["sms.sms"].search([("pemkab_res_id", "=", other.id)]).number = "+6281234567002"
        sms = self._queued(parcel)
        self._send_queue()
        self.assertEqual(sms.state, "error")
        self.assertEqual(sms.failure_type, "pemkab_gateway_rejected")
        self.assertEqual(
            sorted((m["to"], m["status"]) for m in self.sandbox.sms_messages()),
            [("6281234567001", "0"), ("6281234567002", "1")],
            "refused, sent",
        )
        (parcel | other).invalidate_recordset()
        self.assertTrue(parcel.delivery_sms_failed)
        self.assertFalse(other.delivery_sms_failed)
        self.assertEqual(
            parcel.delivery_sms_failure,
            "+6281234567001: the SMS gateway or the operator refused the message",
        )
        self.assertEqual(self.Parcel.search([("delivery_sms_failed", "=", True)]), parcel)
        self.assertIn(other, self.Parcel.search([("delivery_sms_failed", "=", False)]))
        self.assertNotIn(parcel, self.Parcel.search([("delivery_sms_failed", "!=", True)]))
        # the officer's browser: the banner, the reason in Indonesian, the filter
        self.env["res.lang"]._activate_lang("id_ID")
        self.env["ir.module.module"]._load_module_terms(["pemkab_delivery"], ["id_ID"])
        self.authenticate("officer_a", "officer_a")
        views = self.rpc_ok(
            PARCEL, "get_views", [[False, "form"], [False, "search"]], context={"lang": "id_ID"}
        )
        form = etree.fromstring(views["views"]["form"]["arch"])
        [banner] = form.xpath("//div[hasclass('o_pemkab_sms_failed')]")
        self.assertEqual(banner.get("invisible"), "not delivery_sms_failed")
        self.assertIn("SMS ke warga tidak terkirim", "".join(banner.itertext()))
        search = etree.fromstring(views["views"]["search"]["arch"])
        [sms_filter] = search.xpath("//filter[@name='delivery_sms_failed']")
        self.assertEqual(sms_filter.get("string"), "SMS Tidak Terkirim")
        [read] = self.rpc_ok(
            PARCEL,
            "read",
            [parcel.id],
            ["delivery_sms_failed", "delivery_sms_failure"],
            context={"lang": "id_ID"},
        )
        self.assertTrue(read["delivery_sms_failed"])
        self.assertEqual(
            read["delivery_sms_failure"],
            "+6281234567001: gateway SMS atau operator seluler menolak pesan",
        )
        found = self.rpc_ok(PARCEL, "search", [("delivery_sms_failed", "=", True)])
        self.assertEqual(found, [parcel.id])

    def test_wrong_keys_and_no_gateway_fail_with_their_reason(self):
        self.company.pemkab_sms_gateway_passkey = "not-the-passkey"
        parcel, _booking = self._sent()
        self._send_queue()
        self.assertEqual(self._queued(parcel).failure_type, "pemkab_gateway_auth")
        self.assertFalse(self.sandbox.sms_messages(), "a wrong key sends nothing")
        parcel.invalidate_recordset()
        self.assertIn("refused its keys", parcel.delivery_sms_failure)
        self.company.pemkab_sms_gateway_url = False
        second, _booking = self._sent()
        self._send_queue()
        self.assertEqual(self._queued(second).failure_type, "pemkab_gateway_config")

    def test_gateway_chosen_in_settings(self):
        """General Settings > SMS: the provider's choice (sms_twilio's) offers the
        gateway, whose URL and keys the administrator enters there."""
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]
        form = etree.fromstring(arch["arch"])
        [block] = form.xpath("//div[@name='pemkab_sms_gateway']")
        self.assertEqual(block.get("invisible"), "sms_provider != 'pemkab_gateway'")
        self.assertEqual(
            block.xpath(".//field/@name"),
            ["pemkab_sms_gateway_url", "pemkab_sms_gateway_userkey", "pemkab_sms_gateway_passkey"],
        )
        self.assertEqual(
            block.xpath(".//field[@name='pemkab_sms_gateway_passkey']/@password"), ["True"]
        )
        self.company.sms_provider = "iap"
        settings = self.env["res.config.settings"].create(
            {
                "sms_provider": "pemkab_gateway",
                "pemkab_sms_gateway_url": "https://console.zenziva.net/reguler/api/sendsms/",
                "pemkab_sms_gateway_userkey": "key-1",
                "pemkab_sms_gateway_passkey": "key-2",
            }
        )
        settings.execute()
        self.assertEqual(self.company.sms_provider, "pemkab_gateway")
        self.assertEqual(
            self.company.pemkab_sms_gateway_url, "https://console.zenziva.net/reguler/api/sendsms/"
        )
        self.assertEqual(self.company.pemkab_sms_gateway_passkey, "key-2")

    def test_gateway_settings_are_the_administrators(self):
        with self.assertRaises(ValidationError):
            self.company.pemkab_sms_gateway_url = (
                self.sandbox.url + "/sms/reguler/api/sendsms/?userkey=sandbox-userkey"
            )
        self.authenticate("delivery_admin", "delivery_admin")
        self.rpc_refused(
            AccessError, "res.company", "read", [self.company.id], ["pemkab_sms_gateway_passkey"]
        )
        self.rpc_refused(
            AccessError,
            "res.company",
            "write",
            [self.company.id],
            {"pemkab_sms_gateway_url": "http://127.0.0.1:9/sms"},
        )

    def test_unreachable_gateway_is_tried_again_until_the_sms_goes(self):
        """The gateway down (no answer): the SMS fails with "could not be reached" and shows
        on the document, then the scheduled action queues it again after 15 minutes and it
        goes once the gateway answers; a refusal is never tried again, and after the last
        delay an SMS stays in error."""
        retry_cron = self.env.ref("pemkab_delivery.ir_cron_sms_gateway_retry")
        sandbox_url = self.company.pemkab_sms_gateway_url
        self.company.pemkab_sms_gateway_url = "http://127.0.0.1:9/sms/reguler/api/sendsms/"
        parcel, _booking = self._sent()
        sms = self._queued(parcel)
        self._send_queue()
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_server"))
        parcel.invalidate_recordset()
        self.assertTrue(parcel.delivery_sms_failed)

        def age(minutes):
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE sms_sms SET write_date = now() at time zone 'UTC' - %s * interval "
                "'1 minute' WHERE id = %s",
                (minutes, sms.id),
            )
            sms.invalidate_recordset()

        retry_cron.method_direct_trigger()
        self.assertEqual(sms.state, "error", "not before 15 minutes")
        age(16)
        retry_cron.method_direct_trigger()
        self.assertEqual((sms.state, sms.pemkab_retry_count), ("outgoing", 1))
        self.company.pemkab_sms_gateway_url = sandbox_url
        self._send_queue()
        self.assertEqual(sms.state, "pending", "the gateway took it")
        [received] = self.sandbox.sms_messages()
        self.assertEqual(received["to"], "6281234567001")
        parcel.invalidate_recordset()
        self.assertFalse(parcel.delivery_sms_failed)

        # a refusal stays refused; the third failed retry is the last
        self.sandbox.configure(sms_refuse_numbers=["6281234567001"])
        refused_parcel, _booking = self._sent()
        refused = self._queued(refused_parcel)
        self._send_queue()
        self.assertEqual(refused.failure_type, "pemkab_gateway_rejected")
        self.company.pemkab_sms_gateway_url = "http://127.0.0.1:9/sms/reguler/api/sendsms/"
        down_parcel, _booking = self._sent()
        sms = self._queued(down_parcel)
        self._send_queue()
        for tries, minutes in ((1, 16), (2, 61), (3, 241)):
            age(minutes)
            retry_cron.method_direct_trigger()
            self.assertEqual((sms.state, sms.pemkab_retry_count), ("outgoing", tries))
            self._send_queue()
            self.assertEqual(sms.state, "error")
        age(24 * 60)
        retry_cron.method_direct_trigger()
        self.assertEqual((sms.state, sms.pemkab_retry_count), ("error", 3), "no fourth retry")
        refused.invalidate_recordset()
        self.assertEqual(refused.state, "error")
        self.assertEqual(refused.pemkab_retry_count, 0)
