# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The aid shipment's form, as the officer's browser gets it: the delivery's buttons,
smart button and Courier and Proof page come from pemkab.deliverable.mixin, once each,
with the same labels, confirmation and proof rule as every document's; one *Not
Delivered* (its reason says whether the parcel came back) instead of Failed and
Returned."""

from lxml import etree

from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import DeliverableFormCase, PemkabRpcMixin

from .common import PemkabSocialCommon

DELIVERY_PARTS = {name for name, _label in DeliverableFormCase.DELIVERY_BUTTONS} | {
    "action_view_delivery_bookings"
}


@tagged("post_install", "-at_install")
class TestShipmentForm(DeliverableFormCase, PemkabRpcMixin, PemkabSocialCommon, HttpCase):
    def test_officer_form_has_the_delivery_parts_once(self):
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        form = self.assert_delivery_form(
            self.delivery_form("pemkab.social.shipment"),
            dispatch_from=("approved",),
            live=("packed", "out_for_delivery"),
            stop=("delivered", "cancelled", "out_for_delivery"),
        )
        [redispatch] = form.xpath("//header/button[@name='action_redispatch']")
        self.assertEqual(redispatch.get("invisible"), "state not in ['failed', 'returned']")
        self.assertEqual(len(form.xpath("//button[@name='action_open_failed_wizard']")), 1)
        header = [b.get("name") for b in form.iterfind("header/button")]
        self.assertIn("action_out_for_delivery", header)

    def test_own_form_declares_no_delivery_part(self):
        view = self.env.ref("pemkab_social.pemkab_social_shipment_view_form")
        own = etree.fromstring(view.arch_db)
        self.assertFalse(set(own.xpath("//button/@name")) & DELIVERY_PARTS)
        self.assertFalse(own.xpath("//field[@name='receiver_type']"))
