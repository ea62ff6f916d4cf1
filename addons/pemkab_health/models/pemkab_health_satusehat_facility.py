# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A facility (a hospital or a Puskesmas: its shelter) that reports the medicines it
hands over at home to SATUSEHAT. Off until a system administrator configures one: its
IHS Organization id, its pharmacy's Location id, its credential and the environment.

One credential serves one Organization (SATUSEHAT's onboarding): each RSUD and Puskesmas
has its own. The credential is protected as a courier account's is
(``pemkab.courier.provider``): read and written by system administrators only
(``groups``), never copied, never exported, cleared by the database's neutralisation
(``data/neutralize.sql``), never in a log (``clients/satusehat.py`` redacts it).
"""

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.pemkab_delivery.clients.satusehat import (
    PRODUCTION_HOST,
    STAGING_HOST,
    SatusehatClient,
)

# never read but by system administrators, never copied nor exported
SECRET_FIELDS = ("client_id", "client_secret")
HOSTS = {"staging": STAGING_HOST, "production": PRODUCTION_HOST}


class PemkabHealthSatusehatFacility(models.Model):
    _name = "pemkab.health.satusehat.facility"
    _description = "SATUSEHAT Reporting Facility"
    _inherit = ["mail.thread"]
    _order = "shelter_id"
    _rec_name = "shelter_id"

    shelter_id = fields.Many2one(
        "pemkab.shelter",
        string="Facility",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
        domain="[('kind', 'in', ('hospital', 'puskesmas'))]",
        help="The hospital or Puskesmas whose delivered prescriptions are reported.",
    )
    agency_id = fields.Many2one(related="shelter_id.agency_id", store=True, index=True)
    active = fields.Boolean(default=True, tracking=True)
    environment = fields.Selection(
        [("staging", "Staging (until onboarded)"), ("production", "Production")],
        required=True,
        default="staging",
        tracking=True,
        help="The Pelayanan Kefarmasian module is documented for the staging (sandbox) "
        "environment: a facility reports there until it is onboarded. Databases "
        "neutralised for testing never call production.",
    )
    environment_notice = fields.Char(compute="_compute_environment_notice")
    host = fields.Char(
        string="API Host",
        compute="_compute_host",
        store=True,
        readonly=False,
        tracking=True,
        help="SATUSEHAT's host for the environment (the token is asked at "
        "{host}/oauth2/v1, resources at {host}/fhir-r4/v1); the project's sandbox on "
        "loopback in the demo.",
    )
    organization_ihs = fields.Char(
        string="IHS Organization ID",
        required=True,
        tracking=True,
        help="The facility's Organization id in SATUSEHAT (given at onboarding).",
    )
    location_ihs = fields.Char(
        string="Pharmacy Location ID",
        required=True,
        tracking=True,
        help="The SATUSEHAT Location id of the facility's pharmacy (Instalasi Farmasi).",
    )
    location_name = fields.Char(string="Pharmacy Name", help="e.g. Instalasi Farmasi RSUD.")
    client_id = fields.Char(string="Client ID", groups="base.group_system", copy=False)
    client_secret = fields.Char(groups="base.group_system", copy=False)
    max_attempts = fields.Integer(
        default=8,
        help="A report whose calls fail this many times with retryable errors waits for "
        "a person (it is shown as refused, with the last answer).",
    )
    rate_limit_per_s = fields.Float(
        string="Calls per Second",
        default=5.0,
        help="At most this many calls a second for all Odoo servers together.",
    )
    report_count = fields.Integer(compute="_compute_report_count")

    _shelter_uniq = models.UniqueIndex(
        "(shelter_id) WHERE active", "This facility reports to SATUSEHAT already."
    )
    _attempts_positive = models.Constraint(
        "CHECK(max_attempts > 0)", "The attempts must be at least 1."
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("environment")
    def _compute_host(self):
        for facility in self:
            facility.host = HOSTS[facility.environment or "staging"]

    @api.depends("environment", "host")
    def _compute_environment_notice(self):
        for facility in self:
            if facility.environment == "production":
                facility.environment_notice = self.env._(
                    "Production: the reports are the facility's official records."
                )
            else:
                facility.environment_notice = self.env._(
                    "Staging: SATUSEHAT documents the Pelayanan Kefarmasian module for its "
                    "sandbox environment; the reports are not official until the facility "
                    "is onboarded in production."
                )

    def _compute_report_count(self):
        counts = dict(
            self.env["pemkab.health.satusehat.report"]._read_group(
                [("facility_id", "in", self.ids)], ["facility_id"], ["__count"]
            )
        )
        for facility in self:
            facility.report_count = counts.get(facility, 0)

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.ondelete(at_uninstall=False)
    def _unlink_without_reports(self):
        """What was reported stays: a facility with reports is archived, not deleted."""
        used = self.filtered("report_count")
        if used:
            raise UserError(
                self.env._(
                    "%(facilities)s reported to SATUSEHAT already: archive it instead.",
                    facilities=", ".join(used.mapped("shelter_id.display_name")),
                )
            )

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        secrets = [path[0] for path in fields if path and path[0] in SECRET_FIELDS]
        if secrets:
            raise UserError(
                self.env._(
                    "%(fields)s: a SATUSEHAT credential is never exported.",
                    fields=", ".join(
                        self._fields[fname]._description_string(self.env) for fname in secrets
                    ),
                )
            )
        return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_reports(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pemkab_health.pemkab_health_satusehat_report_action"
        )
        action["domain"] = [("facility_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    @api.model
    def _for_shelters(self, shelters):
        """{shelter id: facility} of the active facilities of ``shelters``."""
        facilities = self.sudo().search([("shelter_id", "in", shelters.ids)])
        return {facility.shelter_id.id: facility for facility in facilities}

    def _satusehat_client(self):
        """The HTTP client of this facility's credential (main thread: reads it)."""
        self.ensure_one()
        facility = self.sudo()
        neutralized = self.env["ir.config_parameter"].sudo().get_param("database.is_neutralized")
        if facility.environment == "production" and neutralized:
            raise UserError(
                self.env._(
                    "This database is a neutralised copy: %(facility)s reports to production "
                    "and is not called.",
                    facility=facility.shelter_id.display_name,
                )
            )
        if not (facility.client_id and facility.client_secret and facility.host):
            raise UserError(
                self.env._(
                    "%(facility)s has no SATUSEHAT credential: a system administrator enters "
                    "its client id and secret.",
                    facility=facility.shelter_id.display_name,
                )
            )
        return SatusehatClient(facility.host, facility.client_id, facility.client_secret)
