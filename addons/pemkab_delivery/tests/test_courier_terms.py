# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the couriers offer and a regency needs (issue 19), booked over real HTTP with the
courier sandbox: the vehicle by the parcel's weight (a car where the account has one,
else a refusal before booking), GrabExpress's pickup window from the agency's hour,
GoSend's insurance of costly parcels from the agency's threshold; and the booking's new
fields, the workflow's, refused to a courier officer over JSON-RPC."""

from datetime import timedelta

import pytz

from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged

from .common import PemkabCourierCommon, PemkabRpcMixin

BOOKING = "pemkab.delivery.booking"


@tagged("post_install", "-at_install")
class TestCourierTerms(PemkabCourierCommon):
    def test_heavy_parcel_goes_by_car_at_grab_in_the_agency_window(self):
        self.provider_grab.car_service = True
        self.agency_a.courier_pickup_hour = 8.0
        booking = self._booking(provider=self.provider_grab, weight_kg=25.0)
        booking.action_request()
        self.assertEqual(booking.state, "requested")
        self.assertEqual(booking.vehicle, "car")
        start = pytz.utc.localize(booking.pickup_from).astimezone(pytz.timezone("Asia/Jakarta"))
        self.assertEqual((start.hour, start.minute), (8, 0))
        self.assertEqual(booking.pickup_until - booking.pickup_from, timedelta(hours=2))
        self.assertLess(booking.pickup_from - booking.create_date, timedelta(hours=25))
        self.assertFalse(booking.insured, "Grab insures nothing of ours")
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        terms = self.sandbox.orders(booking.name)[0]["terms"]
        self.assertEqual(terms["vehicleType"], "CAR")
        self.assertTrue(terms["schedule"]["pickupTimeFrom"].endswith("T08:00:00+07:00"))
        self.assertTrue(terms["schedule"]["pickupTimeTo"].endswith("T10:00:00+07:00"))

    def test_light_parcel_goes_by_motorbike_at_once(self):
        self.provider_grab.car_service = True
        booking = self._booking(provider=self.provider_grab, weight_kg=5.0)
        booking.action_request()
        self.assertEqual(booking.vehicle, "bike")
        self.assertFalse(booking.pickup_from or booking.pickup_until)
        self._run_outbox()
        self.assertEqual(booking.state, "booked")
        self.assertEqual(self.sandbox.orders(booking.name)[0]["terms"], {"vehicleType": "BIKE"})

    def test_heavy_parcel_refused_without_car_service(self):
        grab = self._booking(provider=self.provider_grab, weight_kg=25.0)
        with self.assertRaisesRegex(UserError, "at most 20 kg; this one weighs 25 kg"):
            grab.action_request()
        self.assertEqual(grab.state, "draft")
        self.assertFalse(grab.vehicle)
        self.env["res.lang"]._activate_lang("id_ID")
        self.env["ir.module.module"]._load_module_terms(["pemkab_delivery"], ["id_ID"])
        with self.assertRaisesRegex(UserError, "hanya menerima paket paling berat 20 kg"):
            grab.with_context(lang="id_ID").action_request()
        # GoSend (the sandbox) has a car for Instant only: its car service takes it
        gosend = self._booking(weight_kg=25.0)
        self.provider.car_service = True
        gosend.action_request()
        self.assertEqual(gosend.vehicle, "car")
        self._run_outbox()
        self.assertEqual(self.sandbox.orders(gosend.name)[0]["service_type"], "InstantCar")
        self.assertEqual(self.sandbox.count(grab.name), 0)

    def test_costly_parcel_insured_at_gosend_as_the_agency_decides(self):
        self.provider.insurance_fee = 2500
        self.agency_a.courier_insure_from = 500000
        costly = self._booking(package_code="PKG-COSTLY", declared_value=750000)
        cheap = self._booking(package_code="PKG-CHEAP", declared_value=120000)
        (costly | cheap).action_request()
        self.assertTrue(costly.insured)
        self.assertFalse(cheap.insured)
        self.assertEqual((costly | cheap).mapped("vehicle"), ["bike", "bike"])
        self.assertFalse(costly.pickup_from, "GoSend takes no pickup window")
        self._run_outbox()
        self.assertEqual(
            self.sandbox.orders(costly.name)[0]["terms"]["insuranceDetails"],
            {
                "applied": "true",
                "fee": "2500",
                "product_description": "Paket PKG-COSTLY",
                "product_price": "750000",
            },
        )
        self.assertNotIn("insuranceDetails", self.sandbox.orders(cheap.name)[0]["terms"])
        # nothing is insured while the agency sets no threshold
        self.agency_a.courier_insure_from = 0
        again = self._booking(package_code="PKG-COSTLY-2", declared_value=750000)
        again.action_request()
        self.assertFalse(again.insured)

    def test_agency_terms_are_checked(self):
        with self.assertRaisesRegex(ValidationError, "Courier Pickup From"):
            self.agency_a.courier_pickup_hour = 24.5
        with self.assertRaisesRegex(ValidationError, "Insure Parcels Worth at Least"):
            self.agency_b.courier_insure_from = -1


@tagged("post_install", "-at_install")
class TestCourierTermsAreTheWorkflows(PemkabRpcMixin, PemkabCourierCommon, HttpCase):
    def test_terms_refused_on_write_to_a_courier_officer(self):
        self.provider.insurance_fee = 2500
        self.agency_a.courier_insure_from = 500000
        booking = self._booking(declared_value=750000, weight_kg=5.0)
        self.authenticate("officer_a", "officer_a")
        self.rpc_ok(BOOKING, "action_request", booking.ids)
        self.assertEqual((booking.vehicle, booking.insured), ("bike", True))
        tomorrow = "2026-12-31 01:00:00"
        for context in ({}, {"pemkab_workflow": True}):
            for vals in (
                {"vehicle": "car"},
                {"pickup_from": tomorrow},
                {"pickup_until": tomorrow},
                {"declared_value": 10},
                {"insured": False},
            ):
                self.rpc_refused(UserError, BOOKING, "write", booking.ids, vals, context=context)
        self.assertEqual((booking.vehicle, booking.insured), ("bike", True))
        self.assertEqual(booking.declared_value, 750000)
        self.assertFalse(booking.pickup_from)
