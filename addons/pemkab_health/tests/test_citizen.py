# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The patient's side of a prescription delivery: the citizen page shows the parcel's
way and nothing of its health data; the patient and the named proxy hear of it; the
pharmacist is told of a parcel waiting too long."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabPaperCase

from .common import PemkabHealthCommon


@tagged("post_install", "-at_install")
class TestHealthCitizen(PemkabHealthCommon, PemkabPaperCase, HttpCase):
    def _dispatched(self):
        delivery = self._delivery(controlled=False)
        delivery.action_verify()
        delivery.action_mark_ready()
        self._run_outbox()
        delivery.invalidate_recordset()
        booking = delivery.delivery_booking_id
        self.assertEqual(booking.state, "booked")
        return delivery, booking

    def test_page_never_shows_medicines_nik_bpjs(self):
        delivery, booking = self._dispatched()
        self._courier(booking, "driver_assigned")
        self._courier(booking, "picked_up")
        self.assertEqual(delivery.state, "out_for_delivery")
        page = self._page(delivery.delivery_citizen_url)
        self.assertEqual(page.status_code, 200)
        self.assertIn(delivery.name, page.text)
        self.assertIn("On the way to you", page.text)
        self.assertIn(booking.driver_name, page.text)
        self._courier(booking, "delivered")
        page = self._page(delivery.delivery_citizen_url)
        self.assertIn(delivery.receiver_name, page.text)
        for private in (
            "Metformin",
            "500 mg",
            "2x1",
            self.patient.nik,
            "0001-2345-67890",
            "3300 1001",
            "+6281233001001",
            "Jl. Kepiting",
            delivery.prescription_number.strip(),
            "dr. Hadi",
        ):
            self.assertNotIn(private, page.text)

    def test_patient_and_proxy_get_the_sms_with_the_link(self):
        delivery, _booking = self._dispatched()
        sms = self.env["sms.sms"].search([("body", "like", delivery.access_token)])
        self.assertEqual(
            sorted(sms.mapped("number")), ["+6281233001001", "+6281233001002"], "patient, proxy"
        )
        self.assertEqual(sms.partner_id, self.patient | self.proxy)
        for message in sms:
            self.assertIn(delivery.delivery_citizen_url, message.body)
            self.assertNotIn("Metformin", message.body)

    def test_pharmacist_gets_an_activity_for_a_parcel_waiting_too_long(self):
        delivery, booking = self._dispatched()
        self.agency_a.waiting_alert_hours = 3
        Agency = self.env["pemkab.agency"]
        activity_type = self.env.ref("pemkab_delivery.mail_activity_parcel_waiting")
        delivery.sudo().delivery_state_since = fields.Datetime.now() - timedelta(hours=2)
        Agency._cron_parcel_waiting_alerts()
        self.assertNotIn(activity_type, delivery.activity_ids.activity_type_id, "2 h < 3 h")
        delivery.sudo().delivery_state_since = fields.Datetime.now() - timedelta(hours=5)
        late = Agency._cron_parcel_waiting_alerts()
        self.assertEqual(late["pemkab.health.delivery"], delivery)
        activity = delivery.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, booking.responsible_user_id)
        self.assertEqual(activity.user_id, self.pharmacist_a)
        self.assertIn("5 hours", activity.summary)
        # the next run adds none while the first is open; another agency's limit is its own
        Agency._cron_parcel_waiting_alerts()
        self.assertEqual(
            len(delivery.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)), 1
        )
        self.agency_a.waiting_alert_hours = 0
        activity.unlink()
        self.assertFalse(Agency._cron_parcel_waiting_alerts().get("pemkab.health.delivery"))

    def test_proof_of_delivery_pdf_names_the_delivery_not_the_medicines(self):
        delivery, booking = self._dispatched()
        self._courier(booking, "delivered")
        self.assertEqual(delivery.state, "delivered")
        text = self._pdf_text("pemkab_health.action_report_proof_of_delivery", delivery)
        self.assertIn(delivery.name, text)
        self.assertIn("Sumiati", text, "the patient, who was to receive")
        self.assertIn(delivery.receiver_name, text)
        for private in ("Metformin", self.patient.nik, "0001-2345-67890", "Jl. Kepiting"):
            self.assertNotIn(private, text)

    def test_send_by_whatsapp_to_the_patient_with_the_link(self):
        form = (
            self.env["pemkab.health.delivery"]
            .with_user(self.pharmacist_a)
            .get_view(view_type="form")
        )
        self.assertIn('name="action_delivery_send_whatsapp"', form["arch"], "the mixin's button")
        delivery, _booking = self._dispatched()
        action = delivery.with_user(self.pharmacist_a).action_delivery_send_whatsapp()
        self.assertEqual(action["type"], "ir.actions.act_url")
        url = urlparse(action["url"])
        self.assertEqual((url.netloc, url.path), ("wa.me", "/6281233001001"), "the patient")
        text = parse_qs(url.query)["text"][0]
        self.assertIn(delivery.delivery_citizen_url, text)
        self.assertNotIn("Metformin", text)
