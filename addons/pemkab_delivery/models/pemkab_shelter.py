# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import datetime, time, timedelta

import pytz
from babel.dates import format_date as babel_format_date

from odoo import api, fields, models
from odoo.tools.misc import babel_locale_parse

from ..const import ACTIVE_STATES
from .pemkab_shelter_opening import DAYS_OF_WEEK
from .res_users import clear_rule_cache_if_scope_changes

# who may see what: the record rules read these (see res_users.py)
RULE_SCOPE = {"staff_ids"}

SHELTER_TZ = "Asia/Jakarta"  # Banyuwangi is on WIB (UTC+7)


class PemkabShelter(models.Model):
    """A pickup point where couriers collect parcels: a hospital pharmacy, a
    Puskesmas, a warehouse or an office."""

    _name = "pemkab.shelter"
    _description = "Shelter (Pickup Point)"
    _inherit = ["pemkab.address.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "agency_id, sequence, name"
    _rec_names_search = ["name", "code"]
    _pemkab_phone_fields = {"phone": False}

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(required=True, tracking=True, help="Short unique code, e.g. RSUD-BLB.")
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [
            ("hospital", "Hospital (RSUD)"),
            ("puskesmas", "Puskesmas"),
            ("warehouse", "Warehouse"),
            ("office", "Office"),
        ],
        required=True,
        default="puskesmas",
        tracking=True,
    )
    agency_id = fields.Many2one(
        "pemkab.agency",
        string="Owning Agency",
        required=True,
        ondelete="restrict",
        index=True,
        tracking=True,
    )
    street = fields.Char()
    street2 = fields.Char()
    zip = fields.Char()
    city = fields.Char(default="Banyuwangi")
    phone = fields.Char(string="Contact Phone", tracking=True)
    open_24h = fields.Boolean(
        string="Open 24 Hours",
        tracking=True,
        help="Open every hour of every day, holidays included, as a hospital's emergency "
        "pharmacy: its opening hours and holiday calendar do not hold couriers back.",
    )
    opening_ids = fields.One2many(
        "pemkab.shelter.opening", "shelter_id", string="Opening Hours", copy=True
    )
    opening_summary = fields.Char(compute="_compute_opening_summary", string="Open")
    today_booking_count = fields.Integer(
        compute="_compute_today_booking_count", string="Parcels Today"
    )
    holiday_calendar_id = fields.Many2one(
        "resource.calendar",
        help="Its time off (public holidays, cuti bersama) closes the shelter for every day "
        "it touches; couriers are then booked for the next opening.",
    )
    staff_ids = fields.Many2many(
        "res.users",
        "pemkab_shelter_staff_rel",
        "shelter_id",
        "user_id",
        help="Officers who hand parcels to couriers at this shelter.",
    )
    active = fields.Boolean(default=True, tracking=True)
    color = fields.Integer()
    note = fields.Html(string="Pickup Instructions")

    _code_uniq = models.Constraint("UNIQUE(code)", "Another shelter already has this code.")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_today_booking_count(self):
        saved = self.filtered("id")  # a shelter being created has no parcel yet
        counts = (
            dict(
                self.env["pemkab.delivery.booking"]._read_group(
                    saved._today_board_domain(), ["shelter_id"], ["__count"]
                )
            )
            if saved
            else {}
        )
        for shelter in self:
            shelter.today_booking_count = counts.get(shelter, 0)

    @api.depends(
        "open_24h", "opening_ids.dayofweek", "opening_ids.hour_from", "opening_ids.hour_to"
    )
    @api.depends_context("lang")
    def _compute_opening_summary(self):
        days = dict(DAYS_OF_WEEK)
        day_labels = dict(
            self.env["pemkab.shelter.opening"]._fields["dayofweek"]._description_selection(self.env)
        )
        for shelter in self:
            if shelter.open_24h:
                shelter.opening_summary = self.env._("Open 24 hours")
                continue
            parts = []
            for line in shelter.opening_ids.sorted(lambda r: (r.dayofweek, r.hour_from)):
                parts.append(
                    "%s %s-%s"
                    % (
                        day_labels.get(line.dayofweek, days[line.dayofweek])[:3],
                        _float_to_hhmm(line.hour_from),
                        _float_to_hhmm(line.hour_to),
                    )
                )
            shelter.opening_summary = ", ".join(parts)

    @api.depends("name", "code")
    def _compute_display_name(self):
        for shelter in self:
            shelter.display_name = (
                f"[{shelter.code}] {shelter.name}" if shelter.code else shelter.name
            )

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._pemkab_check_values(vals_list)
        self.env["pemkab.agency"].browse(
            {
                vals["agency_id"]
                for vals in vals_list
                if vals.get("staff_ids") and vals.get("agency_id")
            }
        )._check_can_change_staffing()
        records = super().create(vals_list)
        clear_rule_cache_if_scope_changes(records, RULE_SCOPE, vals_list)
        return records

    def write(self, vals):
        self._pemkab_check_values([vals])
        if "staff_ids" in vals or ("agency_id" in vals and self.staff_ids):
            agencies = self.agency_id | self.env["pemkab.agency"].browse(vals.get("agency_id"))
            agencies._check_can_change_staffing()
        res = super().write(vals)
        clear_rule_cache_if_scope_changes(self, RULE_SCOPE, [vals])
        return res

    def unlink(self):
        res = super().unlink()
        clear_rule_cache_if_scope_changes(self, RULE_SCOPE, [RULE_SCOPE])
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_open_today_board(self):
        """Today at the shelter: the parcels of these shelters (all the user may see when
        called on none) booked since midnight, or still under way, by column: ready,
        waiting for a driver, picked up, failed."""
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pemkab_delivery.pemkab_delivery_booking_action_today"
        )
        action["domain"] = self._today_board_domain()
        if len(self) == 1:
            action["display_name"] = self.env._("Today at %s", self.name)
            action["context"] = {"default_shelter_id": self.id}
        # the night wait in the board's title: the shelter (the one the user works at,
        # on the menu's board) is closed now
        shelter = self or self.search([("staff_ids", "in", self.env.uid)])
        if len(shelter) == 1:
            label = self._opening_label(shelter.sudo()._closed_until())
            if label:
                action["display_name"] = self.env._(
                    "%(board)s (%(opens)s)",
                    board=action.get("display_name") or action["name"],
                    opens=label,
                )
        return action

    def _today_board_domain(self):
        """Bookings on the shelters' board of the day (the shelters' time zone)."""
        zone = pytz.timezone(SHELTER_TZ)
        today = fields.Datetime.now().replace(tzinfo=pytz.utc).astimezone(zone).date()
        midnight = zone.localize(datetime.combine(today, time.min)).astimezone(pytz.utc)
        domain = [
            ("board_stage", "!=", False),
            "|",
            ("create_date", ">=", fields.Datetime.to_string(midnight.replace(tzinfo=None))),
            ("state", "in", ACTIVE_STATES),
        ]
        if self:
            domain.insert(0, ("shelter_id", "in", self.ids))
        return domain

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _is_open_at(self, when=None):
        """Whether the shelter is open at ``when`` (naive UTC datetime, default now).

        A shelter with no opening hours is taken as always open, except on its holidays;
        one open 24 hours is open, holidays included.
        """
        self.ensure_one()
        when = when or fields.Datetime.now()
        return self._next_open_at(when) == when

    def _next_open_at(self, when=None, horizon_days=31):
        """The first moment from ``when`` (naive UTC, default now) the shelter is open:
        ``when`` itself when it is open then; False when it does not open within
        ``horizon_days`` (its bookings are then not held back)."""
        self.ensure_one()
        when = (when or fields.Datetime.now()).replace(microsecond=0)
        if self.open_24h:
            return when
        tz = pytz.timezone(SHELTER_TZ)
        local = pytz.utc.localize(when).astimezone(tz).replace(tzinfo=None)
        holidays = self._holiday_dates(local.date(), local.date() + timedelta(days=horizon_days))
        periods = {}
        for line in self.opening_ids:
            periods.setdefault(int(line.dayofweek), []).append((line.hour_from, line.hour_to))
        for offset in range(horizon_days + 1):
            day = local.date() + timedelta(days=offset)
            if day in holidays:
                continue
            day_periods = sorted(periods.get(day.weekday(), [])) if periods else [(0.0, 24.0)]
            midnight = datetime.combine(day, time.min)
            for hour_from, hour_to in day_periods:
                if local < midnight + timedelta(hours=hour_to):
                    moment = max(midnight + timedelta(hours=hour_from), local)
                    return tz.localize(moment).astimezone(pytz.utc).replace(tzinfo=None)
        return False

    def _closed_until(self, now=None, cache=None):
        """When the shelter opens next if it is closed at ``now`` (naive UTC, default
        now), else False; False too when it does not open within the horizon of
        :meth:`_next_open_at` (nothing waits for it then). ``cache``: {shelter id: answer},
        shared by a batch."""
        if not self:
            return False
        self.ensure_one()
        now = now or fields.Datetime.now()
        cache = {} if cache is None else cache
        if self.id not in cache:
            opens = self._next_open_at(now)
            cache[self.id] = opens if opens and opens > now else False
        return cache[self.id]

    @api.model
    def _opening_label(self, opens, now=None):
        """``opens`` (naive UTC) in words, in the environment's language and the shelter's
        time zone: "Shelter opens tomorrow at 07:30" ("Shelter buka besok pukul 07.30")."""
        if not opens:
            return False
        now = now or fields.Datetime.now()
        tz = pytz.timezone(SHELTER_TZ)
        local = pytz.utc.localize(opens).astimezone(tz)
        today = pytz.utc.localize(now).astimezone(tz).date()
        locale = babel_locale_parse(self.env.lang or "en_US")
        clock = local.strftime("%H.%M" if locale.language == "id" else "%H:%M")
        if local.date() == today:
            return self.env._("Shelter opens today at %(time)s", time=clock)
        if local.date() == today + timedelta(days=1):
            return self.env._("Shelter opens tomorrow at %(time)s", time=clock)
        return self.env._(
            "Shelter opens on %(day)s at %(time)s",
            day=babel_format_date(local.date(), "EEEE, d MMMM", locale=locale),
            time=clock,
        )

    def _holiday_dates(self, first, last):
        """The local dates between ``first`` and ``last`` that the holiday calendar's
        time off touches (the calendar's own and the company-wide ones)."""
        self.ensure_one()
        if not self.holiday_calendar_id:
            return set()
        tz = pytz.timezone(SHELTER_TZ)
        start = tz.localize(datetime.combine(first, time.min)).astimezone(pytz.utc)
        stop = tz.localize(datetime.combine(last, time.max)).astimezone(pytz.utc)
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search(
                [
                    ("calendar_id", "in", (self.holiday_calendar_id.id, False)),
                    ("resource_id", "=", False),
                    ("date_from", "<=", stop.replace(tzinfo=None)),
                    ("date_to", ">=", start.replace(tzinfo=None)),
                ]
            )
        )
        dates = set()
        for leave in leaves:
            day = pytz.utc.localize(leave.date_from).astimezone(tz).date()
            end = pytz.utc.localize(leave.date_to).astimezone(tz).date()
            while day <= end:
                dates.add(day)
                day += timedelta(days=1)
        return dates


def _float_to_hhmm(value):
    hours, minutes = divmod(round(value * 60), 60)
    return f"{int(hours):02d}:{int(minutes):02d}"
