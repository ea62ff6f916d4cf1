# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The prescription delivery's form, as the pharmacist's browser gets it: the delivery's
buttons, smart button and Courier and Proof page come from pemkab.deliverable.mixin,
once each, with the same labels, confirmation and proof rule as every document's."""

from lxml import etree

from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import DeliverableFormCase, PemkabRpcMixin

from .common import PemkabHealthCommon

DELIVERY_PARTS = {name for name, _label in DeliverableFormCase.DELIVERY_BUTTONS} | {
    "action_view_delivery_bookings"
}


@tagged("post_install", "-at_install")
class TestDeliveryForm(DeliverableFormCase, PemkabRpcMixin, PemkabHealthCommon, HttpCase):
    def test_pharmacist_form_has_the_delivery_parts_once(self):
        self.authenticate("pharmacist_a", "pharmacist_a")
        form = self.assert_delivery_form(
            self.delivery_form("pemkab.health.delivery"),
            dispatch_from=("approved",),
            live=("ready", "out_for_delivery"),
            stop=("delivered", "cancelled", "rejected", "out_for_delivery"),
        )
        # the pharmacy's own buttons stay, before the delivery's (a pharmacist is no head:
        # no Approve, no Reject)
        header = [b.get("name") for b in form.iterfind("header/button")]
        self.assertEqual(
            header[:4],
            [
                "action_verify",
                "action_reset_to_draft",
                "action_send_back_for_approval",
                "action_dispatch",
            ],
        )
        # the receiving person is the patient or one of the patient's proxies
        self.assertTrue(form.xpath("//field[@name='patient_proxy_ids']"))

    def test_own_form_declares_no_delivery_part(self):
        view = self.env.ref("pemkab_health.pemkab_health_delivery_view_form")
        own = etree.fromstring(view.arch_db)
        self.assertFalse(set(own.xpath("//button/@name")) & DELIVERY_PARTS)
        self.assertFalse(own.xpath("//field[@name='receiver_type']"))
