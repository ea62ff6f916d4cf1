# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from markupsafe import Markup

from odoo import api, fields, models, modules
from odoo.exceptions import UserError, ValidationError

from odoo.addons.pemkab_delivery.orm.demo import demo_drive_own_fleet, demo_xmlids

from .pemkab_social_shipment import SHIPMENT_STATES

PERIOD_STATES = [
    ("draft", "Draft"),
    ("approved", "Approved"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]

# a period with more submitted shipments (or eligible households) than this (system
# parameter) is approved (or generated) in the background, in batches, its progress on
# the form
BACKGROUND_PARAM = "pemkab_social.background_after"
BACKGROUND_AFTER = 5000
JOB_BATCH = 2000

# how many shipments of the demo period end where: (outcome, count), in priority order;
# the rest is delivered
DEMO_OUTCOMES = (
    ("cancelled", 2),
    ("approved", 8),
    ("requested", 8),
    ("driver_assigned", 5),
    ("picked_up", 6),
    ("not_home", 4),
    ("returned", 3),
    ("packed_cancelled", 1),
)


class PemkabSocialPeriod(models.Model):
    """One distribution round of a program (a month, or a one-off relief).

    Its shipments are generated for the eligible households while it is a draft. The
    head of the Dinas Sosial approves it, which approves its submitted shipments in bulk
    and freezes its beneficiary list: each shipment keeps the name, address and decile
    copied from the registry at generation, so later registry edits do not change it.
    """

    _name = "pemkab.social.period"
    _description = "Social Aid Period"
    _inherit = ["mail.thread", "mail.activity.mixin", "pemkab.workflow.mixin"]
    _order = "date_start desc, id desc"
    # pemkab.workflow.mixin: only the period's buttons change these
    _workflow_protected_fields = (
        "state",
        "approved_by_id",
        "approved_at",
        "job_state",
        "job_user_id",
        "job_total",
        "job_done",
        "job_shelter_id",
        "job_package_type_id",
    )

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short code, prefix of the shipment references, e.g. SMB-2026-01.",
    )
    program_id = fields.Many2one(
        "pemkab.social.program", required=True, ondelete="restrict", index=True, tracking=True
    )
    agency_id = fields.Many2one(related="program_id.agency_id", store=True)
    periodicity = fields.Selection(related="program_id.periodicity")
    date_start = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    date_end = fields.Date(tracking=True)
    state = fields.Selection(
        PERIOD_STATES, required=True, default="draft", tracking=True, index=True, copy=False
    )
    shelter_id = fields.Many2one(
        "pemkab.shelter",
        string="Warehouse / Shelter",
        ondelete="restrict",
        help="Default place where the parcels are picked up.",
    )
    package_type_id = fields.Many2one(
        "pemkab.social.package.type",
        domain="[('program_id', '=', program_id)]",
        ondelete="restrict",
    )
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_at = fields.Datetime(string="Approved On", readonly=True, copy=False)
    shipment_ids = fields.One2many("pemkab.social.shipment", "period_id")
    # a long approval or generation in the background (scheduled action), its progress
    # on the form
    job_state = fields.Selection(
        [("approving", "Being Approved"), ("generating", "Shipments Being Generated")],
        string="In the Background",
        readonly=True,
        copy=False,
    )
    job_user_id = fields.Many2one(
        "res.users", string="Started By", readonly=True, copy=False, ondelete="set null"
    )
    job_total = fields.Integer(string="Shipments in the Job", readonly=True, copy=False)
    job_done = fields.Integer(string="Shipments Done So Far", readonly=True, copy=False)
    # what the generation in the background gives each shipment (chosen in the wizard)
    job_shelter_id = fields.Many2one(
        "pemkab.shelter", string="Generated From", readonly=True, copy=False, ondelete="set null"
    )
    job_package_type_id = fields.Many2one(
        "pemkab.social.package.type",
        string="Generated Package",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    job_progress = fields.Float(compute="_compute_job_progress", string="Progress")
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.ref("base.IDR", raise_if_not_found=False)
    )
    # dashboard
    shipment_count = fields.Integer(compute="_compute_dashboard", string="Shipments Count")
    draft_count = fields.Integer(compute="_compute_dashboard")
    submitted_count = fields.Integer(compute="_compute_dashboard")
    approved_count = fields.Integer(compute="_compute_dashboard")
    packed_count = fields.Integer(compute="_compute_dashboard")
    out_count = fields.Integer(compute="_compute_dashboard", string="Out for Delivery Count")
    delivered_count = fields.Integer(compute="_compute_dashboard")
    undelivered_count = fields.Integer(
        compute="_compute_dashboard", help="Failed or returned: back on the worklist."
    )
    cancelled_count = fields.Integer(compute="_compute_dashboard")
    package_cost = fields.Monetary(compute="_compute_dashboard", string="Package Costs")
    courier_cost = fields.Monetary(compute="_compute_dashboard", string="Courier Costs")
    summary_html = fields.Html(compute="_compute_dashboard", string="By Kecamatan")
    approve_blockers = fields.Text(
        compute="_compute_dashboard",
        string="Cannot Be Approved Yet",
        help="Why the period cannot be approved now; Approve Period shows only without it.",
    )

    _code_uniq = models.Constraint("UNIQUE(code)", "Another period already has this code.")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_dashboard(self):
        Shipment = self.env["pemkab.social.shipment"]
        by_state = {}
        costs = {}
        for period, state, count, package_cost, courier_cost in Shipment._read_group(
            [("period_id", "in", self.ids)],
            ["period_id", "state"],
            ["__count", "package_cost:sum", "courier_cost:sum"],
        ):
            by_state.setdefault(period.id, {})[state] = count
            total = costs.setdefault(period.id, [0.0, 0.0])
            total[0] += package_cost
            total[1] += courier_cost
        by_area = {}
        for period, kecamatan, state, count in Shipment._read_group(
            [("period_id", "in", self.ids)],
            ["period_id", "kecamatan_id", "state"],
            ["__count"],
        ):
            by_area.setdefault(period.id, {}).setdefault(kecamatan, {})[state] = count
        labels = dict(Shipment._fields["state"]._description_selection(self.env))
        for period in self:
            counts = by_state.get(period.id, {})
            period.shipment_count = sum(counts.values())
            period.draft_count = counts.get("draft", 0)
            period.submitted_count = counts.get("submitted", 0)
            period.approved_count = counts.get("approved", 0)
            period.packed_count = counts.get("packed", 0)
            period.out_count = counts.get("out_for_delivery", 0)
            period.delivered_count = counts.get("delivered", 0)
            period.undelivered_count = counts.get("failed", 0) + counts.get("returned", 0)
            period.cancelled_count = counts.get("cancelled", 0)
            period.package_cost, period.courier_cost = costs.get(period.id, (0.0, 0.0))
            period.summary_html = period._summary_table(by_area.get(period.id, {}), labels)
            period.approve_blockers = (
                "\n".join(period._approve_errors(counts)) if period.state == "draft" else False
            )

    @api.depends("job_total", "job_done")
    def _compute_job_progress(self):
        for period in self:
            period.job_progress = (
                100.0 * period.job_done / period.job_total if period.job_total else 0.0
            )

    def _summary_table(self, by_area, labels):
        if not by_area:
            return False
        no_kecamatan = self.env._("No kecamatan")
        kecamatan_label = self.env._("Kecamatan")
        total_label = self.env._("Total")
        states = [state for state, _label in SHIPMENT_STATES]
        used = [s for s in states if any(s in counts for counts in by_area.values())]
        head = Markup("").join(Markup("<th>%s</th>") % labels[s] for s in used)
        rows = []
        for kecamatan in sorted(by_area, key=lambda area: area.name or ""):
            counts = by_area[kecamatan]
            cells = Markup("").join(Markup("<td>%s</td>") % counts.get(s, 0) for s in used)
            rows.append(
                Markup("<tr><td>%s</td>%s<td>%s</td></tr>")
                % (kecamatan.name or no_kecamatan, cells, sum(counts.values()))
            )
        return Markup(
            "<table class='table table-sm'><thead><tr><th>%s</th>%s<th>%s</th></tr></thead>"
            "<tbody>%s</tbody></table>"
        ) % (kecamatan_label, head, total_label, Markup("").join(rows))

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for period in self:
            if period.date_end and period.date_end < period.date_start:
                raise ValidationError(
                    self.env._(
                        "%(period)s: the end date %(end)s is before the start date %(start)s.",
                        period=period.display_name,
                        end=period.date_end,
                        start=period.date_start,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_approved(self):
        if any(period.state != "draft" for period in self):
            raise UserError(self.env._("Only draft periods can be deleted."))
        self._check_no_job()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_open_generate_wizard(self):
        self.ensure_one()
        self._check_no_job()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Generate Shipments"),
            "res_model": "pemkab.social.generate.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_period_id": self.id},
        }

    def action_submit_all(self):
        """Submit every draft shipment of the periods, for approval."""
        self._check_no_job()
        drafts = self.env["pemkab.social.shipment"].search(
            [("period_id", "in", self.ids), ("state", "=", "draft")]
        )
        drafts.action_submit()
        return True

    def action_approve(self):
        """Head of the Dinas Sosial: approve the period, freezing its beneficiary list,
        and approve all of its submitted shipments at once. A period of thousands is
        approved in the background; the form shows its progress."""
        self._check_can_approve()
        submitted = self._submitted_counts()
        after = self._background_after()
        large = self.filtered(lambda period: submitted.get(period.id, 0) > after)
        if large:
            large._do_queue_approval(submitted)
        if self - large:
            (self - large)._do_approve()
        if large:
            message = self.env._(
                "%(count)s shipments are being approved in the background; the period's form "
                "shows how far it has come, and you will be told when it is done.",
                count=sum(submitted.get(period.id, 0) for period in large),
            )
        else:
            message = self.env._(
                "Period approved: %(count)s shipments approved.",
                count=sum(submitted.values()),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_dispatch(self):
        """Pack the approved shipments and request the couriers of all packed ones."""
        self._check_can_dispatch()
        self._do_dispatch()
        return True

    def action_close(self):
        open_states = ("draft", "submitted", "approved", "packed", "out_for_delivery")
        for period in self:
            if period.state != "approved":
                raise UserError(
                    self.env._(
                        "%(period)s: only an approved period can be closed.",
                        period=period.display_name,
                    )
                )
        busy = self.env["pemkab.social.shipment"].search_count(
            [("period_id", "in", self.ids), ("state", "in", open_states)]
        )
        if busy:
            raise UserError(
                self.env._(
                    "%(count)s shipments are still under way: deliver, return or cancel them "
                    "before closing.",
                    count=busy,
                )
            )
        self._workflow().write({"state": "closed"})
        return True

    def action_cancel(self):
        self._check_no_job()
        for period in self:
            if period.state != "draft":
                raise UserError(
                    self.env._(
                        "%(period)s: only a draft period can be cancelled.",
                        period=period.display_name,
                    )
                )
        shipments = self.env["pemkab.social.shipment"].search(
            [("period_id", "in", self.ids), ("state", "!=", "cancelled")]
        )
        shipments.with_context(tracking_disable=True)._workflow().write(
            {"state": "cancelled", "cancel_reason": self.env._("Period cancelled")}
        )
        self._workflow().write({"state": "cancelled"})
        return True

    def action_view_shipments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pemkab_social.pemkab_social_shipment_action"
        )
        action["domain"] = [("period_id", "=", self.id)]
        action["context"] = {"default_period_id": self.id, "search_default_group_state": 1}
        return action

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _check_can_approve(self):
        errors = []
        if not self.env.user.has_group("pemkab_social.group_social_head"):
            errors.append(self.env._("Only the head of the Dinas Sosial approves aid periods."))
        counts = {}
        for period, state, count in self.env["pemkab.social.shipment"]._read_group(
            [("period_id", "in", self.ids)], ["period_id", "state"], ["__count"]
        ):
            counts.setdefault(period.id, {})[state] = count
        for period in self:
            if period.job_state == "approving":
                errors.append(
                    self.env._(
                        "%(period)s is already being approved in the background.",
                        period=period.display_name,
                    )
                )
            elif period.job_state:
                errors.append(period._job_busy_message())
            elif period.state != "draft":
                errors.append(self.env._("%(period)s is not a draft.", period=period.display_name))
            errors += period._approve_errors(counts.get(period.id, {}))
        if errors:
            raise UserError("\n".join(errors))

    def _approve_errors(self, counts):
        """Why this draft period cannot be approved, given its shipments' ``counts`` by
        state: checked by the button, and shown on the form before anyone clicks."""
        self.ensure_one()
        errors = []
        if not counts.get("submitted"):
            errors.append(
                self.env._(
                    "%(period)s has no submitted shipment to approve.",
                    period=self.display_name,
                )
            )
        if counts.get("draft"):
            errors.append(
                self.env._(
                    "%(period)s still has %(count)s draft shipments: submit or cancel them first.",
                    period=self.display_name,
                    count=counts["draft"],
                )
            )
        return errors

    def _check_can_dispatch(self):
        errors = []
        for period in self:
            if period.job_state == "approving":
                errors.append(
                    self.env._(
                        "%(period)s is still being approved in the background (%(done)s of "
                        "%(total)s shipments): dispatch it once that is done.",
                        period=period.display_name,
                        done=period.job_done,
                        total=period.job_total,
                    )
                )
            elif period.job_state:
                errors.append(period._job_busy_message())
            elif period.state != "approved":
                errors.append(
                    self.env._(
                        "%(period)s: only an approved period can be dispatched.",
                        period=period.display_name,
                    )
                )
        if (
            not self.env["pemkab.delivery.trigger"]
            .sudo()
            .search_count(
                [("model_name", "=", "pemkab.social.shipment"), ("state_value", "=", "packed")],
                limit=1,
            )
        ):
            errors.append(
                self.env._(
                    "No delivery trigger books a courier when a shipment is packed: an "
                    "administrator sets one in Settings > Courier Deliveries > Delivery "
                    "Triggers."
                )
            )
        if errors:
            raise UserError("\n".join(errors))

    def _check_no_job(self):
        """Refuse what would change a period while the scheduled action works on it
        (generating its shipments, or approving them)."""
        errors = [period._job_busy_message() for period in self if period.job_state]
        if errors:
            raise UserError("\n".join(errors))

    def _job_busy_message(self):
        self.ensure_one()
        if self.job_state == "generating":
            return self.env._(
                "%(period)s: its shipments are being generated in the background (%(done)s of "
                "%(total)s): wait until that is done; you will be told.",
                period=self.display_name,
                done=self.job_done,
                total=self.job_total,
            )
        return self.env._(
            "%(period)s: its shipments are being approved in the background (%(done)s of "
            "%(total)s): wait until that is done; you will be told.",
            period=self.display_name,
            done=self.job_done,
            total=self.job_total,
        )

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _do_approve(self):
        shipments = self.env["pemkab.social.shipment"].search(
            [("period_id", "in", self.ids), ("state", "=", "submitted")]
        )
        self._approve_period()
        self._approve_shipments(shipments)
        counts = self._shipment_counts(shipments)
        for period in self:
            period._post_approved(counts.get(period, 0))

    def _approve_period(self):
        """The period's own approval: by whom, when; its list is frozen from now on."""
        self._workflow().write(
            {
                "state": "approved",
                "approved_by_id": self.env.uid,
                "approved_at": fields.Datetime.now(),
            }
        )

    def _approve_shipments(self, shipments):
        """Freeze the beneficiary data of ``shipments`` as the registry stands now, and
        approve them (set-based: one batch of thousands is a few statements)."""
        # the list is frozen as the registry stands at approval, not at generation
        shipments.with_context(tracking_disable=True)._snapshot_refresh()
        shipments._do_approve()

    def _post_approved(self, count):
        self.ensure_one()
        self.message_post(
            body=self.env._(
                "Period approved by %(user)s: beneficiary list frozen, %(count)s shipments "
                "approved.",
                user=self.env.user.name,
                count=count,
            ),
            message_type="notification",
        )

    def _submitted_counts(self):
        return {
            period.id: count
            for period, count in self.env["pemkab.social.shipment"]._read_group(
                [("period_id", "in", self.ids), ("state", "=", "submitted")],
                ["period_id"],
                ["__count"],
            )
        }

    @api.model
    def _background_after(self):
        """How many shipments a period's approval or generation does at once; above it,
        the scheduled action does them in batches (system parameter)."""
        param = self.env["ir.config_parameter"].sudo().get_param(BACKGROUND_PARAM)
        return int(param) if (param or "").strip().isdigit() else BACKGROUND_AFTER

    def _do_queue_approval(self, submitted):
        """Hand the approval of these large periods to the scheduled action."""
        for period in self:
            period._workflow().write(
                {
                    "job_state": "approving",
                    "job_user_id": self.env.uid,
                    "job_total": submitted.get(period.id, 0),
                    "job_done": 0,
                }
            )
        self.env.ref("pemkab_social.ir_cron_period_jobs")._trigger()

    def _do_queue_generation(self, shelter, package, count):
        """Hand the generation of this period's ``count`` shipments (from ``shelter``,
        of ``package``) to the scheduled action."""
        self.ensure_one()
        self._workflow().write(
            {
                "job_state": "generating",
                "job_user_id": self.env.uid,
                "job_total": count,
                "job_done": 0,
                "job_shelter_id": shelter.id,
                "job_package_type_id": package.id,
            }
        )
        self.env.ref("pemkab_social.ir_cron_period_jobs")._trigger()

    @api.model
    def _cron_run_jobs(self, batch_size=JOB_BATCH):
        """The scheduled action: approve, or generate the shipments of, the periods
        handed to it, a batch at a time, each batch committed with its progress (on the
        form, and the scheduler's ``_commit_progress``), as the user who clicked. Stops
        when the scheduler's time budget is spent; the next run goes on where this one
        stopped. Under tests nothing is committed (as the courier outbox)."""
        auto_commit = not modules.module.current_test
        Cron = self.env["ir.cron"]

        def progress(processed=0, **kwargs):
            return Cron._commit_progress(processed, **kwargs) if auto_commit else float("inf")

        periods = self.search([("job_state", "in", ("approving", "generating"))])
        progress(remaining=sum(periods.mapped("job_total")) - sum(periods.mapped("job_done")))
        for period in periods:
            if period.job_state == "generating":
                finished = period._run_generation(batch_size, progress)
            else:
                finished = period._run_approval(batch_size, progress)
            if not finished:
                return
            progress()

    def _run_approval(self, batch_size, progress):
        """Approve this period's submitted shipments in batches as its head; False when
        the time budget ran out before the end."""
        self.ensure_one()
        head = self.job_user_id
        as_head = self.with_user(head)
        if self.state == "draft":
            as_head._approve_period()
        while True:
            batch = (
                self.env["pemkab.social.shipment"]
                .with_user(head)
                .search(
                    [("period_id", "=", self.id), ("state", "=", "submitted")],
                    limit=batch_size,
                    order="id",
                )
            )
            if not batch:
                break
            as_head._approve_shipments(batch)
            self._workflow().write({"job_done": self.job_done + len(batch)})
            if progress(len(batch)) <= 0:
                return False
        as_head._post_approved(self.job_done)
        self._workflow().write({"job_state": False})
        self._notify_job_user(
            self._job_user_env()._(
                "%(period)s is approved: %(count)s shipments.",
                period=self.display_name,
                count=self.job_done,
            )
        )
        return True

    def _run_generation(self, batch_size, progress):
        """Generate this period's shipments as the user who clicked, a batch of
        households at a time in priority order; each batch takes the households that
        have no shipment yet, so a run after an interruption creates no duplicate. False
        when the time budget ran out before the end."""
        self.ensure_one()
        wizard = (
            self.env["pemkab.social.generate.wizard"]
            .with_user(self.job_user_id)
            .create(
                {
                    "period_id": self.id,
                    "shelter_id": self.job_shelter_id.id,
                    "package_type_id": self.job_package_type_id.id,
                }
            )
        )
        while True:
            households = wizard._generate_batch(batch_size)
            if not households:
                break
            self._workflow().write({"job_done": self.job_done + len(households)})
            if progress(len(households)) <= 0:
                return False
        wizard._post_generated(self.job_done)
        self._workflow().write(
            {"job_state": False, "job_shelter_id": False, "job_package_type_id": False}
        )
        self._notify_job_user(
            self._job_user_env()._(
                "%(period)s: %(count)s shipments generated.",
                period=self.display_name,
                count=self.job_done,
            )
        )
        return True

    def _job_user_env(self):
        """The environment in the language of the user who started the job."""
        return self.with_context(lang=self.job_user_id.lang).env

    def _notify_job_user(self, body):
        """Tell the user who started the job (``body``, in their language) it is done."""
        self.ensure_one()
        if self.job_user_id.partner_id:
            self.message_notify(body=body, partner_ids=self.job_user_id.partner_id.ids)

    def _do_dispatch(self):
        Shipment = self.env["pemkab.social.shipment"]
        approved = Shipment.search([("period_id", "in", self.ids), ("state", "=", "approved")])
        if approved:
            approved.action_pack()
        packed = Shipment.search([("period_id", "in", self.ids), ("state", "=", "packed")])
        drafts = (
            self.env["pemkab.delivery.booking"]
            .sudo()
            .search(
                [
                    ("res_model", "=", Shipment._name),
                    ("res_id", "in", packed.ids),
                    ("state", "=", "draft"),
                ]
            )
        )
        if drafts:
            # the workflow's own request, of packed shipments (frozen since their
            # approval): their bookings carry their values as they are
            drafts._check_can_request()
            drafts._do_request()
        counts = self._shipment_counts(approved)
        for period in self:
            period.message_post(
                body=self.env._(
                    "Dispatched: %(packed)s shipments packed, %(requested)s courier bookings "
                    "requested by the dispatcher.",
                    packed=counts.get(period, 0),
                    requested=len(drafts),
                ),
                message_type="notification",
            )

    def _shipment_counts(self, shipments):
        """{period: how many of ``shipments`` are its} (one query)."""
        if not shipments:
            return {}
        return dict(
            self.env["pemkab.social.shipment"]._read_group(
                [("id", "in", shipments.ids)], ["period_id"], ["__count"]
            )
        )

    # ------------------------------------------------------------------
    # Demo data (moved through the real workflow)
    # ------------------------------------------------------------------
    @api.model
    def _demo_run_workflow(self, period_id, next_period_id, head_id):
        """Demo data: the period of about fifty households generated, submitted, approved
        by the head and dispatched with the own fleet, its shipments ending in every state
        (approved, packed, out for delivery, delivered, failed, returned, cancelled); the
        next period generated, half of it submitted, the rest draft."""
        period = self.browse(period_id)
        head = self.env["res.users"].browse(head_id)
        Wizard = self.env["pemkab.social.generate.wizard"]
        shipments = Wizard.create({"period_id": period.id})._generate()
        period.action_submit_all()
        period.with_user(head).action_approve()
        groups, start = {}, 0
        for outcome, count in DEMO_OUTCOMES:
            groups[outcome] = shipments[start : start + count]
            start += count
        groups["delivered"] = shipments[start:]
        groups["cancelled"].action_cancel(self.env._("Household moved out of the regency"))
        to_pack = shipments - groups["cancelled"] - groups["approved"]
        to_pack.action_pack()
        bookings = to_pack._delivery_active_bookings()
        by_shipment = {booking.res_id: booking for booking in bookings}
        for outcome, group in groups.items():
            if outcome in ("cancelled", "approved", "packed_cancelled"):
                continue
            mine = bookings.browse([by_shipment[s.id].id for s in group])
            demo_drive_own_fleet(mine, outcome)
        groups["packed_cancelled"].action_cancel(self.env._("Duplicate registration found"))

        following = self.browse(next_period_id)
        upcoming = Wizard.create({"period_id": following.id})._generate()
        upcoming[: len(upcoming) // 2].action_submit()

        all_shipments = shipments | upcoming
        demo_xmlids(all_shipments, "pemkab_social", "demo_shipment")
        # the driver runs and their drivers too (before the bookings: an uninstallation
        # deletes the newest xmlids first, and a run holds its shelter and driver)
        demo_xmlids(bookings.fleet_run_id.driver_id, "pemkab_social", "demo_fleet_driver")
        demo_xmlids(bookings.fleet_run_id, "pemkab_social", "demo_fleet_run")
        demo_xmlids(bookings, "pemkab_social", "demo_booking")
        demo_xmlids(bookings.event_ids, "pemkab_social", "demo_booking_event")
        return True
