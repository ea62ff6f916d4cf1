# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Courier providers: one record per courier account.

Pluggable the way Odoo's ``delivery.carrier`` is: the base knows the regency's own fleet
(``manual``: no API, a dispatcher assigns a driver by hand). Each courier with an API adds,
in a file of its own, one ``selection_add`` on ``kind`` and its ``_<kind>_*`` methods:

- ``_<kind>_client_class()``: the plain-Python client of ``clients/``. Its ``quote``,
  ``book``, ``get_order`` (status) and ``cancel`` are what the outbox calls, in worker
  threads that never touch the database; its ``verify_webhook`` and ``parse_webhook``
  serve the webhook; the tracking page of a booking is the URL the courier answers with
  (``OrderInfo.tracking_url``);
- optionally ``_<kind>_api_url()`` when the API root is not the base URL as typed, and
  ``_<kind>_client_kwargs(kwargs)`` when its client takes more than the URL, credentials
  and timeouts (Biteship: the courier it books).
"""

import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..outbox.limiter import BUCKET_TABLE

_logger = logging.getLogger(__name__)

COURIER_METHODS = ("client_class",)
# where an account sends its calls, with its credentials: only a system administrator
# changes them
CONNECTION_FIELDS = ("kind", "environment", "base_url")
# never read but by system administrators, never copied nor exported
SECRET_FIELDS = ("client_id", "client_secret", "webhook_secret", "webhook_auth_id")


class PemkabCourierProvider(models.Model):
    _name = "pemkab.courier.provider"
    _description = "Courier Provider"
    _inherit = ["mail.thread"]
    _order = "sequence, name"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    kind = fields.Selection(
        [("manual", "Own fleet (manual dispatch)")],
        required=True,
        default="manual",
        tracking=True,
        help="Which courier this account books. The regency's own fleet has no API: "
        "a dispatcher assigns a driver by hand.",
    )
    environment = fields.Selection(
        [("test", "Test"), ("production", "Production")],
        required=True,
        default="test",
        tracking=True,
        help="Test accounts book nothing real. Databases neutralised for testing "
        "refuse to call production accounts.",
    )
    base_url = fields.Char(
        string="API Base URL",
        help="Root URL of the courier API for this environment.",
    )
    client_id = fields.Char(string="Client ID", groups="base.group_system", copy=False)
    client_secret = fields.Char(
        string="Client Secret / Pass Key", groups="base.group_system", copy=False
    )
    webhook_secret = fields.Char(
        groups="base.group_system",
        copy=False,
        help="Token or signing secret the courier uses on its status callbacks. "
        "A callback that does not carry it is refused.",
    )
    webhook_auth_id = fields.Char(
        string="Webhook Authorization-Id",
        groups="base.group_system",
        copy=False,
        help="The id given to the courier with the webhook token, when one was given "
        "(GrabExpress sends it back in its optional Authorization-Id header): a callback "
        "without it is refused.",
    )
    webhook_url = fields.Char(
        compute="_compute_webhook_url",
        string="Webhook URL",
        help="Give this address to the courier as the status callback URL.",
    )
    connect_timeout = fields.Float(default=5.0, help="Seconds to open a connection.")
    read_timeout = fields.Float(default=20.0, help="Seconds to wait for an answer.")
    service_type = fields.Selection(
        [("instant", "Instant"), ("same_day", "Same day")],
        required=True,
        default="instant",
    )
    agency_ids = fields.Many2many(
        "pemkab.agency",
        string="Agencies Allowed",
        help="Agencies whose deliveries may use this provider. Empty: all agencies.",
    )
    max_parallel = fields.Integer(
        string="Parallel Calls",
        default=4,
        help="At most this many calls to the courier at once, to respect its rate limit.",
    )
    rate_limit_per_s = fields.Float(
        string="Calls per Second",
        help="The courier's rate limit for this account (Grab: 33), held for all Odoo "
        "servers together. 0: no limit beyond the parallel calls.",
    )
    max_attempts = fields.Integer(
        default=6,
        help="A booking whose calls fail this many times with retryable errors is marked failed.",
    )
    poll_after_minutes = fields.Integer(
        string="Poll After (minutes)",
        default=15,
        help="A booking with no news from the courier for this long is looked up.",
    )
    lookup_by_reference = fields.Boolean(
        string="Lookup by Our Reference",
        compute="_compute_lookup_by_reference",
        store=True,
        readonly=False,
        help='The courier answers "do you have an order with our reference?". Without '
        "it, a booking call left without answer is never retried blindly: the booking "
        "waits for a person who checks with the courier.",
    )
    # off by default: the undone order stays at the courier as a cancelled one beside the
    # new order of the same reference, which the fault soak counts as a second order
    cancel_by_reference = fields.Boolean(
        string="Cancel by Our Reference",
        default=False,
        help="The courier cancels every order of our reference (GrabExpress: DELETE "
        "/v1/merchant/deliveries/{merchantOrderID}). A booking call left without answer "
        "is then undone that way and the booking sent again, instead of waiting for a "
        "person; the undone order stays at the courier as a cancelled one.",
    )
    # what the account's contract offers (issue 19)
    car_service = fields.Boolean(
        tracking=True,
        help="The account's contract has the courier's car (GrabExpress CAR, GoSend "
        "InstantCar): a parcel too heavy for a motorbike goes by car. Without it, such a "
        "parcel is refused before it is booked.",
    )
    offers_car = fields.Boolean(
        compute="_compute_courier_offers",
        help="The courier has a car for some of its services.",
    )
    offers_insurance = fields.Boolean(
        compute="_compute_courier_offers",
        help="The courier insures a parcel's declared value on request.",
    )
    booking_count = fields.Integer(compute="_compute_booking_count")
    can_edit_connection = fields.Boolean(
        compute="_compute_can_edit_connection",
        help="System administrators change where the account sends its calls.",
    )

    _max_parallel_positive = models.Constraint(
        "CHECK(max_parallel > 0)", "The number of parallel calls must be at least 1."
    )
    _rate_limit_positive = models.Constraint(
        "CHECK(rate_limit_per_s >= 0)", "The calls per second cannot be negative."
    )
    _timeouts_positive = models.Constraint(
        "CHECK(connect_timeout > 0 AND read_timeout > 0)", "Timeouts must be positive."
    )

    def init(self):
        # the rate limit's token buckets (outbox.limiter): plain rows, one per account,
        # written by the outbox's worker threads outside the ORM
        self.env.cr.execute(
            SQL(
                """
                CREATE TABLE IF NOT EXISTS %s (
                    provider_id integer PRIMARY KEY,
                    tokens double precision NOT NULL,
                    refreshed_at timestamp with time zone NOT NULL
                )
                """,
                SQL.identifier(BUCKET_TABLE),
            )
        )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("kind")
    def _compute_webhook_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for provider in self:
            provider.webhook_url = (
                f"{base}/pemkab_delivery/webhook/{provider.id}" if provider.id else False
            )

    @api.depends_context("uid")
    def _compute_can_edit_connection(self):
        self.can_edit_connection = self.env.is_system()

    @api.depends("kind")
    def _compute_courier_offers(self):
        for provider in self:
            client_class = provider._courier_client_class() if provider._has_api() else None
            provider.offers_car = bool(client_class and client_class.CAR_MAX_WEIGHT_KG)
            provider.offers_insurance = bool(client_class and client_class.INSURANCE)

    @api.depends("kind")
    def _compute_lookup_by_reference(self):
        for provider in self:
            client_class = provider._courier_client_class() if provider.kind else None
            provider.lookup_by_reference = bool(client_class and client_class.LOOKUP_BY_REFERENCE)

    def _compute_booking_count(self):
        counts = dict(
            self.env["pemkab.delivery.booking"]._read_group(
                [("provider_id", "in", self.ids)], ["provider_id"], ["__count"]
            )
        )
        for provider in self:
            provider.booking_count = counts.get(provider, 0)

    # ------------------------------------------------------------------
    # Constraints (the database's CHECKs stay as the last guard)
    # ------------------------------------------------------------------
    @api.constrains("max_parallel", "connect_timeout", "read_timeout")
    def _check_limits(self):
        for provider in self:
            if provider.max_parallel < 1:
                raise ValidationError(
                    self.env._("Parallel Calls: the number of parallel calls must be at least 1.")
                )
            if provider.connect_timeout <= 0 or provider.read_timeout <= 0:
                raise ValidationError(self.env._("Timeouts must be positive."))

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    def write(self, vals):
        self._pemkab_check_values([vals])
        self._check_connection_write(vals)
        return super().write(vals)

    def _check_connection_write(self, vals):
        """Only a system administrator points an account somewhere else: its pass key
        or client secret goes with the next call."""
        if self.env.su or self.env.is_system():
            return
        changed = [
            fname
            for fname in CONNECTION_FIELDS
            if fname in vals and any(provider[fname] != vals[fname] for provider in self)
        ]
        if changed:
            raise AccessError(
                self.env._(
                    "%(fields)s: only a system administrator changes where a courier account "
                    "sends its calls (its credentials go there).",
                    fields=", ".join(
                        self._fields[fname]._description_string(self.env) for fname in changed
                    ),
                )
            )

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        secrets = [path[0] for path in fields if path and path[0] in SECRET_FIELDS]
        if secrets:
            raise UserError(
                self.env._(
                    "%(fields)s: a courier account's credentials are never exported.",
                    fields=", ".join(
                        self._fields[fname]._description_string(self.env) for fname in secrets
                    ),
                )
            )
        return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_bookings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pemkab_delivery.pemkab_delivery_booking_action"
        )
        action["domain"] = [("provider_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Business: dispatch to the courier's _<kind>_* methods
    # ------------------------------------------------------------------
    def _has_api(self):
        """Whether the courier is booked over an API (the own fleet is not)."""
        self.ensure_one()
        return self.kind != "manual"

    def _courier_call(self, method, *args):
        """Call ``_<kind>_<method>`` of this provider with ``args``."""
        self.ensure_one()
        assert method in COURIER_METHODS, method
        impl = getattr(self, f"_{self.kind}_{method}", None)
        if impl is None:
            raise UserError(
                self.env._(
                    "Courier provider %(provider)s (%(kind)s) cannot %(method)s.",
                    provider=self.name,
                    kind=self.kind,
                    method=method,
                )
            )
        return impl(*args)

    def _check_usable_by(self, agency):
        """Raise when ``agency`` may not book with this provider."""
        self.ensure_one()
        if self.agency_ids and agency not in self.agency_ids:
            raise UserError(
                self.env._(
                    "Courier provider %(provider)s is not open to %(agency)s.",
                    provider=self.name,
                    agency=agency.display_name,
                )
            )

    def _is_neutralized_database(self):
        return bool(self.env["ir.config_parameter"].sudo().get_param("database.is_neutralized"))

    def _courier_client(self):
        """The HTTP client of this account (main thread: reads the credentials)."""
        self.ensure_one()
        if self.environment == "production" and self._is_neutralized_database():
            raise UserError(
                self.env._(
                    "This database is a neutralised copy: courier provider %(provider)s "
                    "is a production account and is not called.",
                    provider=self.name,
                )
            )
        kwargs = self._client_kwargs(self._courier_api_url())
        extra = getattr(self, f"_{self.kind}_client_kwargs", None)
        if extra is not None:
            kwargs = extra(kwargs)
        return self._courier_client_class()(**kwargs)

    def _courier_client_class(self):
        self.ensure_one()
        return self._courier_call("client_class")

    def _courier_api_url(self):
        self.ensure_one()
        impl = getattr(self, f"_{self.kind}_api_url", None)
        return impl() if impl else self.sudo().base_url

    def _client_kwargs(self, base_url=None):
        """Arguments shared by every client: URL, credentials, timeouts."""
        self.ensure_one()
        provider = self.sudo()
        if not (base_url or provider.base_url):
            raise UserError(
                self.env._("Courier provider %(provider)s has no API base URL.", provider=self.name)
            )
        return {
            "base_url": (base_url or provider.base_url).rstrip("/"),
            "credentials": {
                "client_id": provider.client_id or "",
                "client_secret": provider.client_secret or "",
                "pass_key": provider.client_secret or "",
            },
            "timeout": (provider.connect_timeout, provider.read_timeout),
        }

    # The regency's own fleet: nothing to call, a dispatcher works the booking by hand.
    def _manual_client_class(self):
        return None
