# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The seed parcel's form declares no delivery button: the officer's browser gets them
all from pemkab.deliverable.mixin, and they work from there."""

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import DeliverableFormCase, PemkabRpcMixin

from .common import SeedParcelCommon

PARCEL = "pemkab.test.seed.parcel"


@tagged("post_install", "-at_install")
class TestSeedParcelForm(DeliverableFormCase, PemkabRpcMixin, SeedParcelCommon, HttpCase):
    def test_own_form_declares_no_delivery_part(self):
        view = self.env.ref("pemkab_delivery_test.pemkab_test_seed_parcel_view_form")
        own = etree.fromstring(view.arch_db)
        self.assertFalse(own.xpath("//button"), "the document's own form has no button")
        self.assertFalse(own.xpath("//notebook"))

    def test_officer_form_has_every_delivery_part(self):
        self.authenticate("officer_a", "officer_a")
        form = self.delivery_form(PARCEL)
        self.assert_delivery_form(
            form,
            dispatch_from=("draft",),
            live=("ready", "out_for_delivery"),
            stop=("delivered", "cancelled", "out_for_delivery"),
        )
        [redispatch] = form.xpath("//header/button[@name='action_redispatch']")
        self.assertEqual(redispatch.get("invisible"), "state not in ['failed']")

    def test_dispatch_button_runs_the_dispatch_checks(self):
        """The form's Ready at Shelter is the public door: its checks refuse a parcel
        already at the shelter, the way a dinas copying the example gets them."""
        parcel = self._parcel()
        parcel.action_dispatch()
        self.assertEqual(parcel.state, "ready")
        self.authenticate("officer_a", "officer_a")
        message = self.rpc_refused(UserError, PARCEL, "action_dispatch", [parcel.id])
        self.assertIn("cannot go to the shelter from the state Ready at Shelter", message)

    def test_officer_reads_the_parts_in_indonesian(self):
        """The parts are the mixin's own terms, translated once in pemkab_delivery."""
        self.env["res.lang"]._activate_lang("id_ID")
        self.env["ir.module.module"]._load_module_terms(["pemkab_delivery"], ["id_ID"])
        self.authenticate("officer_a", "officer_a")
        views = self.rpc_ok(PARCEL, "get_views", [[False, "form"]], context={"lang": "id_ID"})
        form = etree.fromstring(views["views"]["form"]["arch"])
        labels = {b.get("name"): b.get("string") for b in form.iterfind("header/button")}
        self.assertEqual(
            labels,
            {
                "action_dispatch": "Siap di Shelter",
                "action_redispatch": "Kirim Ulang",
                "action_confirm_delivered": "Konfirmasi Terkirim",
                "action_open_failed_wizard": "Tidak Terkirim",
                "action_open_cancel_wizard": "Batal",
            },
        )
        [confirm] = form.xpath("//header/button[@name='action_confirm_delivered']/@confirm")
        self.assertEqual(
            confirm, "Konfirmasi bahwa orang yang tercantum di Diterima Oleh sudah menerima paket?"
        )
        [page] = form.xpath("//page[@name='pemkab_delivery']/@string")
        self.assertEqual(page, "Kurir dan Bukti")
