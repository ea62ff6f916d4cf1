# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the counter and the heads see of their bulk actions, as their own users over
JSON-RPC: every parcel of a bulk *Ready at Shelter* keeps a line in its chatter (who,
when, from which state), narcotics included, written by one statement; the button says
how many went; the pharmacist hears that the head approved."""

import ast

from lxml import etree

from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tests import HttpCase, tagged
from odoo.tools import convert_file

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin

from .common import PemkabHealthCommon

DELIVERY = "pemkab.health.delivery"


@tagged("post_install", "-at_install")
class TestDailyWork(PemkabRpcMixin, PemkabHealthCommon, HttpCase):
    def _approved_batch(self, size, controlled_every=2):
        deliveries = self.Delivery.browse()
        for index in range(size):
            deliveries |= self._delivery(controlled=index % controlled_every == 0)
        deliveries.with_user(self.pharmacist_a).action_verify()
        deliveries.filtered(lambda d: d.state == "to_approve").with_user(
            self.health_head_a
        ).action_approve()
        self.assertEqual(set(deliveries.mapped("state")), {"approved"})
        return deliveries

    def _state_lines(self, deliveries):
        return self.env["mail.message"].search(
            [
                ("model", "=", DELIVERY),
                ("res_id", "in", deliveries.ids),
                ("tracking_value_ids.field_id.name", "=", "state"),
                ("tracking_value_ids.new_value_char", "=", "Ready at Shelter"),
            ]
        )

    def test_bulk_ready_logs_who_and_when_and_says_how_many(self):
        deliveries = self._approved_batch(3)
        self.assertTrue(deliveries.filtered("controlled"), "narcotics included")
        self.authenticate("pharmacist_a", "pharmacist_a")
        answer = self.rpc_ok(DELIVERY, "action_mark_ready", deliveries.ids)
        self.assertEqual(answer["tag"], "display_notification")
        self.assertIn("3", answer["params"]["message"])
        self.assertIn("Ready at Shelter", answer["params"]["message"])
        lines = self._state_lines(deliveries)
        self.assertEqual(sorted(lines.mapped("res_id")), sorted(deliveries.ids))
        self.assertEqual(lines.author_id, self.pharmacist_a.partner_id)
        for line in lines:
            self.assertEqual(line.tracking_value_ids.old_value_char, "Approved")
            self.assertTrue(line.date)
        # the chatter shows it (what the form's chatter reads)
        delivery = deliveries[0].with_user(self.pharmacist_a)
        self.assertIn(lines.filtered(lambda m: m.res_id == delivery.id), delivery.message_ids)

    def test_bulk_ready_log_is_one_statement(self):
        def queries(size):
            deliveries = self._approved_batch(size)
            # as the web client calls it: with tracking (the test classes switch it off)
            as_pharmacist = deliveries.with_user(self.pharmacist_a).with_context(
                tracking_disable=False
            )
            as_pharmacist.env.invalidate_all()
            before = self.env.cr.sql_log_count
            as_pharmacist.action_mark_ready()
            as_pharmacist.env.flush_all()
            self.assertEqual(len(self._state_lines(deliveries)), size)
            return self.env.cr.sql_log_count - before

        small, large = queries(3), queries(30)
        self.assertLess(large - small, 20, f"3 parcels: {small} queries, 30: {large}")

    def test_head_approval_tells_the_pharmacist(self):
        deliveries = self._delivery(controlled=True) | self._delivery(controlled=True)
        deliveries.with_user(self.pharmacist_a).action_verify()
        self.assertEqual(set(deliveries.mapped("state")), {"to_approve"})
        self.authenticate("health_head_a", "health_head_a")
        answer = self.rpc_ok(DELIVERY, "action_approve", deliveries.ids)
        self.assertIn("2", answer["params"]["message"])
        told = self.env["mail.notification"].search(
            [("res_partner_id", "=", self.pharmacist_a.partner_id.id)]
        )
        bodies = " ".join(told.mail_message_id.mapped("body"))
        self.assertIn("approved 2 prescription deliveries you verified", bodies)
        for delivery in deliveries:
            self.assertIn(delivery.name, bodies)
        self.assertEqual(told.mail_message_id.author_id, self.health_head_a.partner_id)


@tagged("post_install", "-at_install")
class TestIndonesianWords(PemkabHealthCommon):
    """What an Indonesian user reads: no English or jargon left in the daily screens."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("id_ID")
        cls.env["ir.module.module"]._load_module_terms(
            ["base", "pemkab_delivery", "pemkab_health"], ["id_ID"]
        )
        cls.id_env = cls.env(context=dict(cls.env.context, lang="id_ID"))

    def test_approval_reasons_and_providers_in_indonesian(self):
        """The demo's approval rules and courier accounts read as an Indonesian
        administrator would have typed them: the approval queue shows the reason so."""
        for module, path in (
            ("pemkab_health", "demo/pemkab_health_approval_rule_demo.xml"),
            ("pemkab_delivery", "demo/pemkab_courier_provider_demo.xml"),
        ):
            convert_file(self.env, module, path, {}, mode="init", kind="demo")
        rule = self.id_env.ref("pemkab_health.approval_rule_far")
        self.assertEqual(rule.name, "Jarak lebih dari 25 km")
        delivery = self._delivery(patient=self.patient_far)
        delivery.with_user(self.pharmacist_a).with_context(lang="id_ID").action_verify()
        self.assertEqual(delivery.state, "to_approve")
        self.assertIn("Jarak lebih dari 25 km", delivery.approval_reason)
        providers = self.id_env.ref("pemkab_delivery.provider_sandbox") | self.id_env.ref(
            "pemkab_delivery.provider_own_fleet"
        )
        self.assertEqual(
            providers.mapped("name"), ["Kurir Uji Coba (sandbox demo)", "Armada Pemkab"]
        )

    def test_one_word_for_each_state(self):
        labels = dict(
            self.id_env["pemkab.health.delivery"]
            ._fields["state"]
            ._description_selection(self.id_env)
        )
        self.assertEqual(labels["delivered"], "Terkirim")
        self.assertEqual(labels["out_for_delivery"], "Sedang Diantar")
        booking_states = dict(
            self.id_env["pemkab.delivery.booking"]
            ._fields["state"]
            ._description_selection(self.id_env)
        )
        self.assertEqual(booking_states["draft"], "Draf")

    def test_contact_form_has_no_english_tab(self):
        """Odoo's "Sales & Purchase" and "Partner Assignment" tabs (English in Odoo's own
        Indonesian) are not on a pharmacist's contact form."""
        view = self.id_env["res.partner"].with_user(self.pharmacist_a).get_view(view_type="form")
        arch = etree.fromstring(view["arch"])
        for name in ("sales_purchases", "geo_location"):
            [page] = arch.xpath(f"//page[@name='{name}']")
            self.assertEqual(page.get("invisible"), "1", f"{name} is shown: {page.get('string')}")

    def test_geocoder_error_is_not_shown_raw(self):
        partner = self.patient.with_context(lang="id_ID")
        with self.assertRaises(UserError) as caught:
            partner.action_pemkab_geolocate()
        message = str(caught.exception)
        self.assertIn("servernya tidak menjawab", message)
        self.assertNotIn("Error with geolocation server", message)
        self.assertNotIn("HTTP", message)


@tagged("post_install", "-at_install")
class TestHealthBoards(PemkabRpcMixin, PemkabHealthCommon, HttpCase):
    """What each role's screen shows, read as the web client reads it (JSON-RPC)."""

    def test_kanban_columns_in_workflow_order(self):
        draft = self._delivery()
        waiting = self._delivery(controlled=True)
        approved = self._delivery()
        (waiting | approved).with_user(self.pharmacist_a).action_verify()
        self.authenticate("pharmacist_a", "pharmacist_a")
        answer = self.rpc_ok(
            DELIVERY,
            "web_read_group",
            [("id", "in", (draft | waiting | approved).ids)],
            ["state"],
            ["__count"],
            context={"read_group_expand": True},  # as the kanban asks
        )
        states = [group["state"] for group in answer["groups"]]
        self.assertEqual(states, ["draft", "to_approve", "approved"])

    def test_approval_queue_shows_reason_patient_and_medicines(self):
        self.Rule.create({"name": "Jarak lebih dari 15 km", "min_distance_km": 15})
        delivery = self._delivery(patient=self.patient_far, controlled=True)
        delivery.with_user(self.pharmacist_a).action_verify()
        action = self.env.ref("pemkab_health.pemkab_health_delivery_action_approval")
        self.authenticate("health_head_a", "health_head_a")
        views = self.rpc_ok(DELIVERY, "get_views", [[action.view_ids.view_id.id, "list"]])
        arch = etree.fromstring(views["views"]["list"]["arch"])
        shown = [
            field.get("name")
            for field in arch.xpath("//list/field")
            if field.get("column_invisible") != "1" and field.get("optional") != "hide"
        ]
        for fname in ("patient_id", "approval_reason", "medicine_summary"):
            self.assertIn(fname, shown)
        [row] = self.rpc_ok(
            DELIVERY,
            "web_search_read",
            [("id", "=", delivery.id)],
            {
                "patient_id": {"fields": {"display_name": {}}},
                "approval_reason": {},
                "medicine_summary": {},
            },
        )["records"]
        self.assertEqual(row["patient_id"]["display_name"], "Slamet Riyadi")
        self.assertIn("Jarak lebih dari 15 km", row["approval_reason"])
        self.assertIn("narkotika", row["approval_reason"])
        self.assertEqual(row["medicine_summary"], "Metformin 500 mg × 60; Codeine 10 mg × 10")

    def test_heads_and_administrators_land_on_the_dashboard(self):
        delivery = self._delivery()
        delivery.with_user(self.pharmacist_a).action_verify()
        action = self.env.ref("pemkab_health.pemkab_health_delivery_action_dashboard")
        self.assertEqual(action.view_mode.split(",")[0], "graph")
        for login in ("health_head_a", "health_admin"):
            self.authenticate(login, login)
            loaded = self.url_open(
                "/web/action/load",
                json={"jsonrpc": "2.0", "method": "call", "params": {"action_id": action.id}},
            ).json()
            self.assertEqual(loaded["result"]["res_model"], DELIVERY, loaded.get("error"))
            answer = self.rpc_ok(
                DELIVERY, "web_read_group", [], ["kecamatan_id", "state"], ["__count"]
            )
            kecamatans = {
                group["kecamatan_id"][1] for group in answer["groups"] if group["kecamatan_id"]
            }
            self.assertIn(self.kec_banyuwangi.name, kecamatans, f"{login} sees an empty dashboard")
        # failures by reason and month on month are groupings of the same dashboard
        search = self.env["pemkab.health.delivery"].get_view(view_type="search")["arch"]
        for grouping in ("group_kecamatan", "group_failure_reason", "group_month"):
            self.assertIn(f'name="{grouping}"', search)

    def test_activity_links_open_the_list_they_count(self):
        """The activities menu opens a model's list with the search filters
        filter_activities_my and activities_overdue/today/upcoming_all (mail's
        activity_menu.js): each model with activities has them, so the list shows the
        records counted, not every record."""
        held = self._delivery(controlled=True)
        other = self._delivery()
        (held | other).with_user(self.pharmacist_a).action_verify()
        for model in (DELIVERY, "pemkab.delivery.booking", "pemkab.social.shipment"):
            if model not in self.env:
                continue
            arch = etree.fromstring(self.env[model].get_view(view_type="search")["arch"])
            names = set(arch.xpath("//filter/@name"))
            for name in (
                "filter_activities_my",
                "activities_overdue",
                "activities_today",
                "activities_upcoming_all",
            ):
                self.assertIn(name, names, f"{model} lacks {name}")
        arch = etree.fromstring(self.Delivery.get_view(view_type="search")["arch"])
        [today] = arch.xpath("//filter[@name='activities_today']")
        [mine] = arch.xpath("//filter[@name='filter_activities_my']")
        head = self.Delivery.with_user(self.health_head_a)
        counted = head.search(
            Domain.AND(
                [
                    Domain(ast.literal_eval(mine.get("domain").replace("uid", str(head.env.uid)))),
                    Domain(ast.literal_eval(today.get("domain"))),
                ]
            )
        )
        self.assertEqual(counted, held)
