# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The report to SATUSEHAT of one delivered prescription: queued when the delivery is
delivered (at a facility that reports), sent by the exchange (``_cron_satusehat`` of
``pemkab.delivery.exchange``, ``models/pemkab_delivery_exchange.py``) with retries, and
corrected (the dispenses' status patched) when the delivery fails after being reported.

Nobody writes it but the workflow: users read it (the pharmacy its facility's, heads
their agency's, health administrators all) and a head or an administrator asks for a
refused report to be sent again once the data is fixed (*Send Again*).
"""

import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.pemkab_delivery.clients import AuthError, PermanentError
from odoo.addons.pemkab_delivery.clients.satusehat import outcome_issues

STATES = [
    ("waiting", "Waiting"),
    ("sent", "Reported"),
    ("refused", "Refused"),
    ("corrected", "Corrected"),
]
BACKOFF_S = 30
BACKOFF_MAX_S = 30 * 60
LEASE = timedelta(minutes=10)


class PemkabHealthSatusehatReport(models.Model):
    # ==================================================================
    # FIELDS
    # ==================================================================
    _name = "pemkab.health.satusehat.report"
    _description = "SATUSEHAT Report"
    _order = "handed_over_at desc, id desc"
    _rec_name = "delivery_id"

    delivery_id = fields.Many2one(
        "pemkab.health.delivery", required=True, readonly=True, index=True, ondelete="cascade"
    )
    # cascade for an uninstallation; a person deleting a facility with reports is refused
    # (pemkab.health.satusehat.facility._unlink_without_reports): archive it instead
    facility_id = fields.Many2one(
        "pemkab.health.satusehat.facility", required=True, readonly=True, ondelete="cascade"
    )
    shelter_id = fields.Many2one(
        related="delivery_id.shelter_id", store=True, index=True, string="Facility"
    )
    agency_id = fields.Many2one(related="delivery_id.agency_id", store=True, index=True)
    environment = fields.Selection(related="facility_id.environment")
    prescription_number = fields.Char(related="delivery_id.prescription_number")
    state = fields.Selection(STATES, required=True, default="waiting", readonly=True, index=True)
    action = fields.Selection(
        [("report", "Report"), ("correct", "Correct")],
        required=True,
        default="report",
        readonly=True,
        help="Correct: the delivery failed after it was reported; its dispenses are marked "
        "entered in error.",
    )
    handed_over_at = fields.Datetime(
        string="Handed Over On", readonly=True, help="The proof of delivery's time."
    )
    sent_at = fields.Datetime(string="Reported On", readonly=True)
    attempt_count = fields.Integer(string="Attempts", default=0, readonly=True)
    next_attempt_at = fields.Datetime(readonly=True)
    claim_token = fields.Char(readonly=True, copy=False)
    claimed_until = fields.Datetime(readonly=True, copy=False)
    dispense_refs = fields.Text(
        string="MedicationDispense IDs",
        readonly=True,
        help="The MedicationDispense of each medicine in SATUSEHAT.",
    )
    answer = fields.Text(
        string="SATUSEHAT's Answer",
        readonly=True,
        help="What SATUSEHAT said, in the office's language.",
    )
    count_sent = fields.Integer(compute="_compute_counts", store=True, aggregator="sum")
    count_refused = fields.Integer(compute="_compute_counts", store=True, aggregator="sum")
    count_waiting = fields.Integer(compute="_compute_counts", store=True, aggregator="sum")

    _delivery_uniq = models.UniqueIndex("(delivery_id)", "A delivery is reported once.")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("state")
    def _compute_counts(self):
        for report in self:
            report.count_sent = int(report.state in ("sent", "corrected"))
            report.count_refused = int(report.state == "refused")
            report.count_waiting = int(report.state == "waiting")

    # ==================================================================
    # ACTIONS
    # ==================================================================
    def action_send_again(self):
        """A refused report, its data fixed (a KFA code, a NIK), is sent again."""
        self._check_can_send_again()
        self._do_send_again()
        return True

    def _check_can_send_again(self):
        self.check_access("read")
        user = self.env.user
        errors = []
        for report in self:
            if report.state != "refused":
                errors.append(
                    self.env._(
                        "%(ref)s: only a refused report is sent again.", ref=report.display_name
                    )
                )
            elif not (
                user.has_group("pemkab_health.group_health_manager")
                or report.agency_id in user.pemkab_head_agency_ids
            ):
                errors.append(
                    self.env._(
                        "%(ref)s: a head of its agency or a health administrator sends it again.",
                        ref=report.display_name,
                    )
                )
        if errors:
            raise UserError("\n".join(errors))

    def _do_send_again(self):
        self.sudo().write(
            {"state": "waiting", "attempt_count": 0, "next_attempt_at": False, "answer": False}
        )
        self.env["pemkab.delivery.exchange"]._trigger_satusehat()

    # ==================================================================
    # QUEUE: WHAT THE DELIVERY'S WORKFLOW CALLS
    # ==================================================================
    @api.model
    def _queue(self, deliveries):
        """Queue the report of ``deliveries`` just delivered at a reporting facility."""
        facilities = self.env["pemkab.health.satusehat.facility"]._for_shelters(
            deliveries.shelter_id
        )
        reported = set(self.sudo().search([("delivery_id", "in", deliveries.ids)]).delivery_id.ids)
        vals_list = [
            {
                "delivery_id": delivery.id,
                "facility_id": facilities[delivery.shelter_id.id].id,
                "handed_over_at": delivery.delivered_at or fields.Datetime.now(),
            }
            for delivery in deliveries
            if delivery.shelter_id.id in facilities and delivery.id not in reported
        ]
        if vals_list:
            self.sudo().create(vals_list)
            self.env["pemkab.delivery.exchange"]._trigger_satusehat()

    @api.model
    def _queue_correction(self, deliveries):
        """The medicine of ``deliveries`` was not handed over after all: a report sent
        is corrected (its dispenses' status patched); one not sent yet is not sent."""
        reports = self.sudo().search([("delivery_id", "in", deliveries.ids)])
        sent = reports.filtered(lambda r: r.dispense_refs and r.state in ("sent", "waiting"))
        if sent:
            sent.write(
                {
                    "action": "correct",
                    "state": "waiting",
                    "attempt_count": 0,
                    "next_attempt_at": False,
                    "answer": False,
                }
            )
            self.env["pemkab.delivery.exchange"]._trigger_satusehat()
        (reports - sent).filtered(lambda r: r.state in ("waiting", "refused")).write(
            {
                "state": "corrected",
                "answer": self.env._("Not reported: the medicine was not handed over."),
            }
        )

    # ==================================================================
    # THE EXCHANGE'S DOOR: SETTLE ONE ANSWER
    # ==================================================================
    def _dispense_ids(self):
        self.ensure_one()
        return json.loads(self.dispense_refs) if self.dispense_refs else {}

    def _exchange_settle(self, job, result):
        """Apply one answer (``job``: what was prepared; ``result``: the client's
        ``ReportResult``, or None when no call was made): sent, refused with SATUSEHAT's
        words, or waiting for the next attempt."""
        self.ensure_one()
        now = fields.Datetime.now()
        vals = {"claim_token": False, "claimed_until": False}
        if result is None:
            vals.update(state="refused", answer=job["setup_error"])
            return self.write(vals)
        if result.dispense_ids:
            vals["dispense_refs"] = json.dumps(result.dispense_ids, sort_keys=True)
        error = result.error
        if error is None and result.not_found:
            nik_owner = (
                self.env._("the patient")
                if result.not_found == "patient"
                else self.env._("the pharmacist")
            )
            vals.update(
                state="refused",
                answer=self.env._(
                    "SATUSEHAT knows no one with the NIK of %(who)s: check the NIK.", who=nik_owner
                ),
            )
        elif error is None:
            vals.update(
                state="corrected" if self.action == "correct" else "sent",
                sent_at=now,
                answer=False,
                next_attempt_at=False,
            )
        elif isinstance(error, PermanentError) and not isinstance(error, AuthError):
            vals.update(state="refused", answer=self._outcome_text(error))
        elif self.attempt_count >= self.facility_id.max_attempts:
            vals.update(
                state="refused",
                answer=self.env._(
                    "Not sent after %(count)s attempts: %(error)s",
                    count=self.attempt_count,
                    error=self._outcome_text(error),
                ),
            )
        else:
            wait = min(BACKOFF_S * 2 ** max(self.attempt_count - 1, 0), BACKOFF_MAX_S)
            wait = max(wait, error.retry_after or 0)
            vals.update(
                state="waiting",
                next_attempt_at=now + timedelta(seconds=wait),
                answer=self._outcome_text(error),
            )
            self.env["pemkab.delivery.exchange"]._trigger_satusehat(vals["next_attempt_at"])
        return self.write(vals)

    def _outcome_text(self, error):
        """SATUSEHAT's answer as a person reads it, in the office's language: each issue
        of its OperationOutcome (where, what kind, its own words), else the error."""
        labels = {
            "required": self.env._("a mandatory element is missing"),
            "value": self.env._("a value is not valid"),
            "invalid": self.env._("the content is not valid"),
            "structure": self.env._("the structure is not valid"),
            "code-invalid": self.env._("the code is not known"),
            "not-found": self.env._("not found"),
            "security": self.env._("not allowed for this organization"),
            "login": self.env._("the credential was refused"),
            "duplicate": self.env._("already reported"),
        }
        issues = outcome_issues(error.response)
        if isinstance(error, AuthError):
            return self.env._(
                "SATUSEHAT refused the facility's credential (HTTP %(status)s): a system "
                "administrator checks the client id and secret.",
                status=error.status_code or "-",
            )
        if error.code == "rate_limited":
            return self.env._("SATUSEHAT asked to slow down (HTTP 429): sent again later.")
        if not issues:
            if error.retryable:
                return self.env._(
                    "SATUSEHAT could not be reached or did not answer (%(error)s): sent again "
                    "later.",
                    error=error.code,
                )
            return self.env._("SATUSEHAT refused the report: %(error)s", error=error.message)
        lines = [
            self.env._("SATUSEHAT refused the report (HTTP %(status)s):", status=error.status_code)
        ]
        for _severity, code, text, expression in issues:
            lines.append(
                "- %s: %s (%s)" % (expression or "-", labels.get(code, code or "-"), text)  # noqa: UP031
            )
        return "\n".join(lines)
