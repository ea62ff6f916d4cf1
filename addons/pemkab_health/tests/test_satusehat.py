# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Delivered prescriptions reported to SATUSEHAT (the sandbox's, on loopback), driven by
the pharmacist over JSON-RPC: KFA codes required, the report queued at delivery and sent
by the exchange, refused with SATUSEHAT's OperationOutcome in Indonesian, retried without
reporting twice, corrected when the delivery fails after; the credential is the system
administrator's alone."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.pemkab_delivery.clients import clear_satusehat_tokens
from odoo.addons.pemkab_delivery.tests.common import PemkabPaperCase, PemkabRpcMixin

from .common import PemkabHealthCommon

DELIVERY = "pemkab.health.delivery"
FACILITY = "pemkab.health.satusehat.facility"
REPORT = "pemkab.health.satusehat.report"


@tagged("post_install", "-at_install")
class TestSatusehat(PemkabRpcMixin, PemkabPaperCase, PemkabHealthCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        config = cls.sandbox.config
        cls.facility = cls.env[FACILITY].create(
            {
                "shelter_id": cls.shelter_a.id,
                "organization_ihs": config["satusehat_organization_id"],
                "location_ihs": config["satusehat_location_id"],
                "location_name": "Instalasi Farmasi",
                "host": cls.sandbox.url + "/satusehat",
                "client_id": config["satusehat_client_id"],
                "client_secret": config["satusehat_client_secret"],
            }
        )
        cls.pharmacist_a.partner_id.nik = "3510010101900011"
        cls.kfa = cls.env.ref("pemkab_health.kfa_92000454")
        cls.user_system = new_test_user(
            cls.env,
            login="system_admin_ss",
            groups="base.group_system,pemkab_health.group_health_manager",
        )
        cls.Exchange = cls.env["pemkab.delivery.exchange"]

    def setUp(self):
        super().setUp()
        clear_satusehat_tokens()

    def _line(self, **vals):
        return dict(
            {
                "name": "Amlodipine",
                "strength": "5 mg",
                "quantity": 30,
                "uom": "tablet",
                "instructions": "1x1 pagi",
                "kfa_id": self.kfa.id,
            },
            **vals,
        )

    def _delivered_by_the_pharmacist(self, lines=None):
        """The pharmacist enters, verifies, readies and confirms the delivery (the
        patient received it), over JSON-RPC."""
        self.authenticate("pharmacist_a", "pharmacist_a")
        [delivery_id] = self.rpc_ok(
            DELIVERY,
            "create",
            [
                {
                    "shelter_id": self.shelter_a.id,
                    "patient_id": self.patient.id,
                    "prescription_number": f"RX-SS-{self._prescription_seq}",
                    "counselled": True,
                    "line_ids": [(0, 0, line) for line in (lines or [self._line()])],
                }
            ],
        )
        type(self)._prescription_seq += 1
        self.rpc_ok(DELIVERY, "action_verify", [delivery_id])
        self.rpc_ok(DELIVERY, "action_mark_ready", [delivery_id])
        self.rpc_ok(
            DELIVERY,
            "write",
            [delivery_id],
            {"receiver_type": "recipient", "receiver_partner_id": self.patient.id},
        )
        self.rpc_ok(DELIVERY, "action_confirm_delivered", [delivery_id])
        return self.Delivery.browse(delivery_id)

    def _report(self, delivery):
        return self.env[REPORT].search([("delivery_id", "=", delivery.id)])

    def _run(self):
        self.env.flush_all()
        self.Exchange._cron_satusehat()
        self.env.invalidate_all()

    # ------------------------------------------------------------------
    def test_kfa_code_required_where_the_facility_reports(self):
        self.authenticate("pharmacist_a", "pharmacist_a")
        free_text = self._delivery(lines=[self._line(kfa_id=False, name="Obat bebas")])
        message = self.rpc_refused(UserError, DELIVERY, "action_verify", free_text.ids)
        self.assertIn("KFA Code", message)
        self.assertIn("Obat bebas", message)
        # a compounded medicine (racikan) has no KFA code of its own
        racikan = self._delivery(lines=[self._line(kfa_id=False, compounded=True, name="Puyer")])
        self.rpc_ok(DELIVERY, "action_verify", racikan.ids)
        # a facility that does not report is not asked
        other = self._delivery(
            user=self.pharmacist_b, shelter=self.shelter_b, lines=[self._line(kfa_id=False)]
        )
        other.with_user(self.pharmacist_b).action_verify()
        # the KFA list is searched by name
        self.authenticate("pharmacist_a", "pharmacist_a")
        found = self.rpc_ok("pemkab.health.kfa", "name_search", "amlodipine")
        self.assertIn(self.kfa.id, [row[0] for row in found])

    def test_delivered_prescription_is_reported_once(self):
        delivery = self._delivered_by_the_pharmacist()
        report = self._report(delivery)
        self.assertEqual(report.state, "waiting")
        self._run()
        self.assertEqual(report.state, "sent", report.answer)
        ref = f"{delivery.prescription_number}-1"
        self.assertEqual(self.sandbox.satusehat_count(ref), 1)
        dispense = self.sandbox.satusehat_resources("MedicationDispense")[0]
        self.assertEqual(dispense["receiver"][0]["reference"], dispense["subject"]["reference"])
        handed = fields.Datetime.to_string(delivery.delivered_at).replace(" ", "T") + "+00:00"
        self.assertEqual(dispense["whenHandedOver"], handed)
        # the IHS numbers found by NIK are kept; the pharmacist reads the state
        self.assertTrue(self.patient.health_ihs_number.startswith("P"))
        self.assertTrue(self.pharmacist_a.partner_id.health_ihs_number)
        self.authenticate("pharmacist_a", "pharmacist_a")
        read = self.rpc_ok(DELIVERY, "read", delivery.ids, ["satusehat_state"])
        self.assertEqual(read[0]["satusehat_state"], "sent")
        # nobody writes a report: not the pharmacist, not a client's context
        self.rpc_refused(AccessError, REPORT, "write", report.ids, {"state": "waiting"})
        # nor the IHS number SATUSEHAT gave; a new NIK forgets it
        message = self.rpc_refused(
            UserError, "res.partner", "write", self.patient.ids, {"health_ihs_number": "P1"}
        )
        self.assertIn("IHS Number", message)
        self.rpc_ok("res.partner", "write", self.patient.ids, {"nik": "3510165708450021"})
        self.assertFalse(self.patient.health_ihs_number)
        # the exchange again: nothing more is sent
        self._run()
        self.assertEqual(self.sandbox.satusehat_count(ref), 1)
        # what was reported stays: the facility is archived, not deleted
        self.authenticate("system_admin_ss", "system_admin_ss")
        message = self.rpc_refused(UserError, FACILITY, "unlink", self.facility.ids)
        self.assertIn("archive", message)

    def test_refused_in_indonesian_then_sent_again(self):
        self._load_indonesian(("pemkab_delivery", "pemkab_health"))
        self.env["ir.default"].set("res.partner", "lang", "id_ID")
        self.sandbox.configure(satusehat_location_id="another-location")
        delivery = self._delivered_by_the_pharmacist()
        self._run()
        report = self._report(delivery)
        self.assertEqual(report.state, "refused")
        self.assertIn("SATUSEHAT menolak laporan", report.answer)
        self.assertIn("MedicationDispense.location", report.answer)
        # the head sends it again once the facility's Location is right
        self.sandbox.configure(satusehat_location_id=self.facility.location_ihs)
        self.authenticate("health_head_a", "health_head_a")
        self.rpc_ok(REPORT, "action_send_again", report.ids)
        self._run()
        self.assertEqual(report.state, "sent", report.answer)

    def test_retried_after_an_unknown_outcome_without_reporting_twice(self):
        delivery = self._delivered_by_the_pharmacist(
            lines=[self._line(), self._line(kfa_id=False, compounded=True, name="Puyer")]
        )
        report = self._report(delivery)
        self.sandbox.satusehat_fail_next(429)
        self._run()
        self.assertEqual(report.state, "waiting")
        self.assertIn("429", report.answer)
        self.assertTrue(report.next_attempt_at)
        # the first dispense is made, its answer lost (504): the next attempt looks first
        self.sandbox.satusehat_fail_next(lose_answers=1)
        report.sudo().next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self._run()
        self.assertEqual(report.state, "waiting")
        report.sudo().next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self._run()
        self.assertEqual(report.state, "sent", report.answer)
        number = delivery.prescription_number
        self.assertEqual(self.sandbox.satusehat_count(f"{number}-1"), 1)
        self.assertEqual(self.sandbox.satusehat_count(f"{number}-2"), 1)

    def test_failed_after_reported_is_corrected(self):
        delivery = self._delivered_by_the_pharmacist()
        self._run()
        report = self._report(delivery)
        self.assertEqual(report.state, "sent")
        # the workflow's own move (a courier's late news, a correction by the office)
        delivery._delivery_write_state(
            "failed", {"failure_reason": "other", "failure_message": "Tidak diterima"}
        )
        self.assertEqual(report.action, "correct")
        self._run()
        self.assertEqual(report.state, "corrected")
        statuses = {d["status"] for d in self.sandbox.satusehat_resources("MedicationDispense")}
        self.assertEqual(statuses, {"entered-in-error"})

    def test_monthly_view_for_heads(self):
        delivery = self._delivered_by_the_pharmacist()
        self._run()
        self.authenticate("health_head_a", "health_head_a")
        groups = self.rpc_ok(
            REPORT,
            "read_group",
            [],
            ["count_sent:sum", "count_refused:sum", "count_waiting:sum"],
            ["shelter_id", "handed_over_at:month"],
            lazy=False,
        )
        mine = [g for g in groups if g["shelter_id"] and g["shelter_id"][0] == self.shelter_a.id]
        self.assertEqual(mine[0]["count_sent"], 1)
        # the other agency's head sees none of it
        self.authenticate("health_head_b", "health_head_b")
        self.assertFalse(self.rpc_ok(REPORT, "search", [("delivery_id", "=", delivery.id)]))

    def test_credential_is_the_system_administrators(self):
        for login in ("pharmacist_a", "health_admin"):
            self.authenticate(login, login)
            self.rpc_refused(AccessError, FACILITY, "read", self.facility.ids, ["client_secret"])
            self.rpc_refused(
                AccessError, FACILITY, "write", self.facility.ids, {"host": "https://evil.example"}
            )
            form = self.rpc_ok(FACILITY, "read", self.facility.ids, ["environment_notice"])
            self.assertIn("Staging", form[0]["environment_notice"])
        self.authenticate("system_admin_ss", "system_admin_ss")
        message = self.rpc_refused(
            UserError, FACILITY, "export_data", self.facility.ids, ["client_secret"]
        )
        self.assertIn("never exported", message)
        self.assertNotIn("sandbox-satusehat-secret", message)
        copied = self.env[FACILITY].browse(
            self.rpc_ok(FACILITY, "copy", self.facility.ids, {"active": False})
        )
        self.assertFalse(copied.client_secret or copied.client_id)
        # neutralisation clears it
        from odoo.modules.neutralize import get_neutralization_queries

        self.env.flush_all()
        for query in get_neutralization_queries(["pemkab_health"]):
            self.env.cr.execute(query)
        self.facility.invalidate_recordset()
        self.assertFalse(self.facility.client_secret or self.facility.client_id)

    def test_secret_not_in_answers_nor_logs(self):
        self.facility.client_secret = "wrong-secret-7741"
        delivery = self._delivered_by_the_pharmacist()
        with self.assertLogs("pemkab_delivery.clients", level="DEBUG") as logs:
            self._run()
            logging_text = "\n".join(logs.output)
        report = self._report(delivery)
        self.assertEqual(report.state, "waiting")
        self.assertIn("credential", report.answer)
        self.assertNotIn("wrong-secret-7741", report.answer + logging_text)

    def test_answer_recorded_only_by_the_run_holding_the_claim(self):
        delivery = self._delivered_by_the_pharmacist()
        report = self._report(delivery)
        self.env.flush_all()
        jobs = self.Exchange._satusehat_claim(10)
        self.assertEqual([job["report_id"] for job in jobs], report.ids)
        prepared = self.Exchange._satusehat_prepare(jobs)
        # its lease ended meanwhile and another run claimed it
        self.env.cr.execute(
            "UPDATE pemkab_health_satusehat_report SET claim_token = 'other' WHERE id = %s",
            report.ids,
        )
        result = self.Exchange._satusehat_call(prepared[0])
        recorded, _left = self.Exchange._satusehat_record(prepared[0], result, False)
        self.assertFalse(recorded)
        report.invalidate_recordset()
        self.assertEqual(report.state, "waiting")
        # and nothing was made twice when the other run looks first
        self.env.cr.execute(
            "UPDATE pemkab_health_satusehat_report SET claim_token = NULL, claimed_until = NULL"
            " WHERE id = %s",
            report.ids,
        )
        self.env.invalidate_all()
        self._run()
        self.assertEqual(report.state, "sent", report.answer)
        self.assertEqual(self.sandbox.satusehat_count(f"{delivery.prescription_number}-1"), 1)

    def test_neutralised_database_never_calls_production(self):
        self.facility.sudo().environment = "production"
        self.facility.sudo().host = self.sandbox.url + "/satusehat"
        self.env["ir.config_parameter"].set_param("database.is_neutralized", True)
        delivery = self._delivered_by_the_pharmacist()
        self._run()
        report = self._report(delivery)
        self.assertEqual(report.state, "refused")
        self.assertIn("neutralised", report.answer)
        self.assertFalse(self.sandbox.satusehat_resources("MedicationDispense"))
