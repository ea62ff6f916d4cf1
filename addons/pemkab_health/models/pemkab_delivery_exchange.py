# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The exchange's SATUSEHAT job: the reports of delivered prescriptions
(``pemkab.health.satusehat.report``), sent the way the exchange sends courier bookings
(``pemkab_delivery/models/pemkab_delivery_exchange.py``): claim the due reports with
``FOR NO KEY UPDATE SKIP LOCKED``, a lease and a claim token, commit; prepare each job in
the main thread (the client, the plain values of the report), commit; call SATUSEHAT with
no row locked, through the facility's rate limit shared by every server
(``outbox/limiter.py``: a bucket keyed by minus the facility's id, beside the courier
accounts'); record each answer in its own transaction, if the run still holds the claim.
A second attempt (an earlier one may have reached SATUSEHAT) first looks the
prescription's dispenses up by subject: nothing is reported twice.
"""

import functools
import logging
import uuid
from datetime import timezone

import psycopg2.errors

from odoo import api, fields, models, modules
from odoo.exceptions import UserError
from odoo.tools import SQL, mute_logger

from odoo.addons.pemkab_delivery.clients.satusehat import (
    DispenseItem,
    DispenseReport,
    report_dispenses,
)
from odoo.addons.pemkab_delivery.models.pemkab_delivery_exchange import _limiter_cursor
from odoo.addons.pemkab_delivery.outbox.limiter import SharedRateLimiter

from .pemkab_health_satusehat_report import LEASE

_logger = logging.getLogger(__name__)

CONFLICTS = (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected)


def _utc(moment):
    return moment.replace(tzinfo=timezone.utc) if moment else None


class PemkabDeliveryExchange(models.AbstractModel):
    _inherit = "pemkab.delivery.exchange"

    # ==================================================================
    # SATUSEHAT: CLAIM, PREPARE, CALL, RECORD
    # ==================================================================
    @api.model
    def _cron_satusehat(self, batch_size=20, max_batches=50):
        """Send the due SATUSEHAT reports. Safe on several servers at once. Returns how
        many answers were recorded."""
        auto_commit = not modules.module.current_test
        # the answers are written in the regency's language (its contacts' default)
        lang = self.env["ir.default"]._get("res.partner", "lang") or self.env.user.lang
        self = self.with_context(lang=lang)
        done = 0
        for _batch in range(max_batches):
            jobs = self._satusehat_claim(batch_size)
            if not jobs:
                break
            if auto_commit:
                self.env["ir.cron"]._commit_progress()
            prepared = self._satusehat_prepare(jobs)
            if auto_commit:
                self.env["ir.cron"]._commit_progress()
            time_left = float("inf")
            for job in prepared:
                result = self._satusehat_call(job)
                recorded, time_left = self._satusehat_record(job, result, auto_commit)
                done += recorded
                if time_left <= 0:
                    break
            if len(jobs) < batch_size or time_left <= 0:
                break
        if auto_commit:
            self.env["ir.cron"]._commit_progress(remaining=self._satusehat_due_count())
        return done

    @api.model
    def _satusehat_due_sql(self, now):
        return SQL(
            """
                r.state = 'waiting'
            AND (r.next_attempt_at IS NULL OR r.next_attempt_at <= %(now)s)
            AND (r.claimed_until IS NULL OR r.claimed_until < %(now)s)
            """,
            now=now,
        )

    @api.model
    def _satusehat_due_count(self):
        self.env["pemkab.health.satusehat.report"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM pemkab_health_satusehat_report r WHERE %s",
                self._satusehat_due_sql(fields.Datetime.now()),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _satusehat_claim(self, limit):
        now = fields.Datetime.now()
        Report = self.env["pemkab.health.satusehat.report"]
        Report.flush_model()
        with mute_logger("odoo.sql_db"):
            try:
                self.env.cr.execute(
                    SQL(
                        """
                        SELECT r.id FROM pemkab_health_satusehat_report r
                         WHERE %s
                         ORDER BY r.next_attempt_at NULLS FIRST, r.id
                         LIMIT %s
                           FOR NO KEY UPDATE SKIP LOCKED
                        """,
                        self._satusehat_due_sql(now),
                        limit,
                    )
                )
            except psycopg2.errors.SerializationFailure:
                if modules.module.current_test:
                    raise
                self.env.cr.rollback()
                return []
        ids = [row[0] for row in self.env.cr.fetchall()]
        if not ids:
            return []
        token = uuid.uuid4().hex
        self.env.cr.execute(
            SQL(
                """
                UPDATE pemkab_health_satusehat_report
                   SET claimed_until = %s, claim_token = %s,
                       attempt_count = COALESCE(attempt_count, 0) + 1
                 WHERE id IN %s
             RETURNING id, attempt_count
                """,
                now + LEASE,
                token,
                tuple(ids),
            )
        )
        rows = self.env.cr.fetchall()
        Report.invalidate_model(["claimed_until", "claim_token", "attempt_count"])
        return [
            {"report_id": report_id, "attempts": attempts, "claim_token": token}
            for report_id, attempts in sorted(rows)
        ]

    @api.model
    def _satusehat_prepare(self, jobs):
        """Add to each job, in the main thread, its client and its plain report; a job
        that cannot be sent (a missing credential, NIK or KFA code) gets a
        ``setup_error`` instead and is recorded as refused, saying why."""
        reports = (
            self.env["pemkab.health.satusehat.report"]
            .sudo()
            .browse([job["report_id"] for job in jobs])
        )
        reports.fetch(["delivery_id", "facility_id", "action", "dispense_refs"])
        rates = {}
        limiter = SharedRateLimiter(functools.partial(_limiter_cursor, self.env.cr.dbname), rates)
        clients = {}
        for job, report in zip(jobs, reports, strict=True):
            facility = report.facility_id
            try:
                if facility not in clients:
                    clients[facility] = facility._satusehat_client()
                    if facility.rate_limit_per_s and not modules.module.current_test:
                        rates[-facility.id] = facility.rate_limit_per_s
                        clients[facility].before_request = functools.partial(limiter, -facility.id)
                job["client"] = clients[facility]
                job["report"] = self._satusehat_values(report, job)
            except UserError as error:
                job["client"] = None
                job["setup_error"] = str(error)
        if rates:
            limiter.rates.update(rates)
            limiter.ensure_buckets()
        return jobs

    @api.model
    def _satusehat_values(self, report, job):
        """The plain ``DispenseReport`` of one report; raises UserError naming what is
        missing."""
        delivery = report.delivery_id.sudo()
        facility = report.facility_id
        patient = delivery.patient_id
        pharmacist = delivery.pharmacist_id.partner_id
        errors = []
        if not (patient.health_ihs_number or patient.nik):
            errors.append(self.env._("Patient %(name)s has no NIK.", name=patient.display_name))
        if not (pharmacist.health_ihs_number or pharmacist.nik):
            errors.append(
                self.env._(
                    "Pharmacist %(name)s has neither a NIK nor an IHS number.",
                    name=pharmacist.display_name,
                )
            )
        items = []
        for index, line in enumerate(delivery.line_ids, start=1):
            if not (line.kfa_id or line.compounded):
                errors.append(
                    self.env._("Medicine %(name)s has no KFA code.", name=line.name or "-")
                )
            items.append(
                DispenseItem(
                    ref=f"{delivery.prescription_number}-{index}",
                    kfa_code=line.kfa_id.code or None,
                    kfa_display=line.kfa_id.name or None,
                    name=" ".join(part for part in (line.name, line.strength) if part),
                    compounded=line.compounded,
                    quantity=line.quantity,
                    unit=line.uom or "",
                    instructions=line.instructions or "",
                )
            )
        if errors:
            raise UserError("\n".join(errors))
        handed_over = _utc(report.handed_over_at or delivery.delivered_at)
        prepared = _utc(delivery.verified_at) or handed_over
        return DispenseReport(
            organization_id=facility.organization_ihs,
            location_id=facility.location_ihs,
            location_name=facility.location_name or None,
            prescription=delivery.prescription_number,
            patient_nik=patient.nik,
            patient_ihs=patient.health_ihs_number or None,
            practitioner_nik=pharmacist.nik,
            practitioner_ihs=pharmacist.health_ihs_number or None,
            items=items,
            when_prepared=min(prepared, handed_over),
            when_handed_over=handed_over,
            receiver_is_patient=delivery.receiver_partner_id == patient,
            lookup_first=job["attempts"] > 1,
            dispense_ids=report._dispense_ids() if report.action == "correct" else None,
        )

    @api.model
    def _satusehat_call(self, job):
        """SATUSEHAT's answer to one job (plain Python, no row locked); None without a
        client."""
        if not job.get("client"):
            return None
        return report_dispenses(job["client"], job["report"])

    @api.model
    def _satusehat_record(self, job, result, auto_commit):
        """Record one answer in its own transaction, if this run still holds the claim.
        Returns (recorded, seconds left in the scheduler's budget)."""
        Report = self.env["pemkab.health.satusehat.report"].sudo()
        try:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT claim_token FROM pemkab_health_satusehat_report
                     WHERE id = %s FOR NO KEY UPDATE
                    """,
                    job["report_id"],
                )
            )
            row = self.env.cr.fetchone()
            recorded = bool(row) and row[0] == job["claim_token"]
            if recorded:
                report = Report.browse(job["report_id"])
                report.invalidate_recordset()
                report._exchange_settle(job, result)
                if result is not None and (result.patient_ihs or result.practitioner_ihs):
                    self._satusehat_cache_ihs(report, result)
            if auto_commit:
                return recorded, self.env["ir.cron"]._commit_progress(1)
            return recorded, float("inf")
        except CONFLICTS:
            if not auto_commit:
                raise
            self.env.cr.rollback()
            _logger.warning("SATUSEHAT: report %s conflicted; its lease will end", job["report_id"])
            return False, float("inf")

    @api.model
    def _satusehat_cache_ihs(self, report, result):
        """The IHS numbers found by NIK, kept on the patient and the pharmacist."""
        delivery = report.delivery_id
        for partner, ihs in (
            (delivery.patient_id, result.patient_ihs),
            (delivery.pharmacist_id.partner_id, result.practitioner_ihs),
        ):
            if ihs and partner.health_ihs_number != ihs:
                partner.sudo().health_ihs_number = ihs

    @api.model
    def _trigger_satusehat(self, at=None):
        """Run :meth:`_cron_satusehat` at once (or at ``at``)."""
        self._trigger_cron("pemkab_health.ir_cron_satusehat", at)
