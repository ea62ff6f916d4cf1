# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The Dinas Sosial's bulk actions as its own users over JSON-RPC: a bulk *Mark
Packed* keeps a line in each shipment's chatter and says how many; *Approve Period*
is offered only when it can succeed, with the reason shown before anyone clicks."""

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin

from .common import PemkabSocialCommon

SHIPMENT = "pemkab.social.shipment"
PERIOD = "pemkab.social.period"


@tagged("post_install", "-at_install")
class TestSocialDailyWork(PemkabRpcMixin, PemkabSocialCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.households = cls._make_households(4)

    def test_bulk_pack_logs_who_and_when_and_says_how_many(self):
        shipments = self._generate()
        self.period.action_submit_all()
        self.period.with_user(self.user_social_head).action_approve()
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        answer = self.rpc_ok(SHIPMENT, "action_pack", shipments.ids)
        self.assertEqual(answer["tag"], "display_notification")
        self.assertIn("4", answer["params"]["message"])
        lines = self.env["mail.message"].search(
            [
                ("model", "=", SHIPMENT),
                ("res_id", "in", shipments.ids),
                ("tracking_value_ids.field_id.name", "=", "state"),
            ]
        )
        self.assertEqual(sorted(lines.mapped("res_id")), sorted(shipments.ids))
        self.assertEqual(lines.author_id, self.user_officer_bwi.partner_id)
        self.assertEqual(set(lines.tracking_value_ids.mapped("old_value_char")), {"Approved"})
        self.assertEqual(set(lines.tracking_value_ids.mapped("new_value_char")), {"Packed"})

    def test_approve_period_is_not_offered_while_drafts_remain(self):
        shipments = self._generate()
        shipments[:2].action_submit()
        self.authenticate("social_head", "social_head")
        [values] = self.rpc_ok(PERIOD, "read", self.period.ids, ["approve_blockers"])
        self.assertIn("2 draft shipments", values["approve_blockers"])
        view = self.rpc_ok(PERIOD, "get_views", [[False, "form"]])
        arch = etree.fromstring(view["views"]["form"]["arch"])
        [button] = arch.xpath("//button[@name='action_approve']")
        self.assertIn("approve_blockers", button.get("invisible"))
        self.period.action_submit_all()
        [values] = self.rpc_ok(PERIOD, "read", self.period.ids, ["approve_blockers"])
        self.assertFalse(values["approve_blockers"])
        self.rpc_ok(PERIOD, "action_approve", self.period.ids)
        self.assertEqual(self.period.state, "approved")

    def test_same_words_as_the_health_side(self):
        """One word for each state in both dinas: Terkirim, Sedang Diantar."""
        self.env["res.lang"]._activate_lang("id_ID")
        self.env["ir.module.module"]._load_module_terms(["pemkab_social"], ["id_ID"])
        id_env = self.env(context=dict(self.env.context, lang="id_ID"))
        labels = dict(id_env[SHIPMENT]._fields["state"]._description_selection(id_env))
        self.assertEqual(labels["delivered"], "Terkirim")
        self.assertEqual(labels["out_for_delivery"], "Sedang Diantar")
        fields_info = id_env[PERIOD].fields_get(["delivered_count", "out_count"], ["string"])
        self.assertEqual(fields_info["delivered_count"]["string"], "Jumlah Terkirim")
        self.assertEqual(fields_info["out_count"]["string"], "Jumlah Sedang Diantar")

    def test_worklist_shows_why_and_whom_to_call(self):
        action = self.env.ref("pemkab_social.pemkab_social_shipment_action_worklist")
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        views = self.rpc_ok(SHIPMENT, "get_views", [[action.view_ids.view_id.id, "list"]])
        arch = etree.fromstring(views["views"]["list"]["arch"])
        shown = [f.get("name") for f in arch.xpath("//list/field") if f.get("optional") != "hide"]
        for fname in ("recipient_name", "recipient_phone", "failure_reason", "failure_message"):
            self.assertIn(fname, shown)

    def test_columns_in_workflow_order(self):
        """The kanban's columns (the web client asks with read_group_expand)."""
        shipments = self._generate()
        shipments[:2].action_submit()
        self.authenticate("social_head", "social_head")
        answer = self.rpc_ok(
            SHIPMENT,
            "web_read_group",
            [("id", "in", shipments.ids)],
            ["state"],
            ["__count"],
            context={"read_group_expand": True},
        )
        self.assertEqual([g["state"] for g in answer["groups"]], ["draft", "submitted"])

    def test_large_period_is_approved_in_the_background(self):
        """Above the threshold, Approve Period hands the work to the scheduled action,
        which approves the shipments in batches as the head, its progress on the form;
        the head is told when it is done."""
        shipments = self._generate()
        self.period.action_submit_all()
        self.env["ir.config_parameter"].set_param("pemkab_social.background_after", 2)
        self.authenticate("social_head", "social_head")
        answer = self.rpc_ok(PERIOD, "action_approve", self.period.ids)
        self.assertIn("in the background", answer["params"]["message"])
        self.assertEqual(self.period.job_state, "approving")
        self.assertEqual((self.period.job_done, self.period.job_total), (0, 4))
        self.assertEqual(set(shipments.mapped("state")), {"submitted"}, "nothing yet")
        message = self.rpc_refused(UserError, PERIOD, "action_approve", self.period.ids)
        self.assertIn("already being approved", message)
        self.env["pemkab.social.period"]._cron_run_jobs(batch_size=3)  # two batches
        self.period.invalidate_recordset()
        self.assertFalse(self.period.job_state)
        self.assertEqual(self.period.job_progress, 100.0)
        self.assertEqual(self.period.state, "approved")
        self.assertEqual(self.period.approved_by_id, self.user_social_head)
        self.assertEqual(set(shipments.mapped("state")), {"approved"})
        self.assertEqual(shipments.approved_by_id, self.user_social_head)
        told = self.env["mail.notification"].search(
            [("res_partner_id", "=", self.user_social_head.partner_id.id)]
        )
        self.assertIn("is approved: 4 shipments", " ".join(told.mail_message_id.mapped("body")))

    def test_large_period_is_generated_in_the_background(self):
        """Above the threshold, Generate hands the shipments to the scheduled action,
        which creates them in batches of households as the head, its progress on the
        form; what would conflict is refused meanwhile; a run again after an
        interruption creates no duplicate; the head is told when it is done."""
        self.env["ir.config_parameter"].set_param("pemkab_social.background_after", 2)
        # the later registered, the poorer: numbering by id would be the reverse of priority
        for decile, household in zip((4, 3, 2, 1), self.households.sorted("id"), strict=True):
            household.decile = decile
        eligible = self.Household.search_count(self.program._eligibility_domain())
        self.assertGreater(eligible, 2)
        self.authenticate("social_head", "social_head")
        wizard_id = self.rpc_ok(
            "pemkab.social.generate.wizard", "create", [{"period_id": self.period.id}]
        )
        wizard_ids = wizard_id if isinstance(wizard_id, list) else [wizard_id]
        answer = self.rpc_ok("pemkab.social.generate.wizard", "action_generate", wizard_ids)
        self.assertIn("in the background", answer["params"]["message"])
        self.assertEqual(self.period.job_state, "generating")
        self.assertEqual((self.period.job_done, self.period.job_total), (0, eligible))
        self.assertFalse(self.period.shipment_ids, "nothing yet")
        for method in ("action_open_generate_wizard", "action_submit_all", "action_cancel"):
            message = self.rpc_refused(UserError, PERIOD, method, self.period.ids)
            self.assertIn("being generated in the background", message)
        message = self.rpc_refused(
            UserError, "pemkab.social.generate.wizard", "action_generate", wizard_ids
        )
        self.assertIn("being generated in the background", message)
        # an interrupted run: one household's shipment committed before the stop
        self.env["pemkab.social.generate.wizard"].create(
            {"period_id": self.period.id}
        )._generate_batch(1)
        self.period.invalidate_recordset()
        self.assertEqual(len(self.period.shipment_ids), 1)
        self.env["pemkab.social.period"]._cron_run_jobs(batch_size=3)
        self.period.invalidate_recordset()
        self.assertFalse(self.period.job_state)
        shipments = self.period.shipment_ids
        self.assertEqual(len(shipments), eligible)
        self.assertEqual(len(shipments.household_id), eligible, "one per household")
        self.assertEqual(len(set(shipments.mapped("name"))), eligible, "numbered once")
        priorities = [shipment.household_id.priority for shipment in shipments.sorted("name")]
        self.assertGreater(len(set(priorities)), 1)
        self.assertEqual(
            priorities,
            sorted(priorities, reverse=True),
            "numbered by priority across the whole period, not within each batch",
        )
        self.assertEqual(self.period.job_done, eligible - 1, "the run did what was left")
        by_head = shipments.filtered(lambda s: s.create_uid == self.user_social_head)
        self.assertEqual(len(by_head), eligible - 1, "as the head who clicked")
        self.assertEqual(set(shipments.mapped("state")), {"draft"})
        self.assertIn(f"{eligible - 1} shipments generated", self.period.message_ids[:1].body)
        told = self.env["mail.notification"].search(
            [("res_partner_id", "=", self.user_social_head.partner_id.id)]
        )
        self.assertIn(
            f"{eligible - 1} shipments generated",
            " ".join(told.mail_message_id.mapped("body")),
        )
        # a second run finds nothing left to do
        self.env["pemkab.social.period"]._cron_run_jobs(batch_size=3)
        self.period.invalidate_recordset()
        self.assertEqual(len(self.period.shipment_ids), eligible)

    def test_small_period_is_generated_at_once_and_says_how_many(self):
        eligible = self.Household.search_count(self.program._eligibility_domain())
        self.authenticate("social_head", "social_head")
        wizard_id = self.rpc_ok(
            "pemkab.social.generate.wizard", "create", [{"period_id": self.period.id}]
        )
        wizard_ids = wizard_id if isinstance(wizard_id, list) else [wizard_id]
        answer = self.rpc_ok("pemkab.social.generate.wizard", "action_generate", wizard_ids)
        self.assertEqual(answer["params"]["message"], f"{eligible} shipments generated")
        self.assertEqual(answer["params"]["next"]["res_model"], SHIPMENT)
        self.assertFalse(self.period.job_state)
        self.assertEqual(len(self.period.shipment_ids), eligible)

    def test_small_period_is_approved_at_once_and_says_how_many(self):
        self._generate()
        self.period.action_submit_all()
        self.authenticate("social_head", "social_head")
        answer = self.rpc_ok(PERIOD, "action_approve", self.period.ids)
        self.assertIn("4 shipments approved", answer["params"]["message"])
        self.assertEqual(self.period.state, "approved")
        self.assertFalse(self.period.job_state)
