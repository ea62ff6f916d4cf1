# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

import phonenumbers

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .res_users import clear_rule_cache_if_scope_changes

# who may see what: the record rules read these (see res_users.py)
RULE_SCOPE = {"head_ids", "member_ids"}
# who heads an agency and works for it: set by the agency's own dinas administration
STAFFING_FIELDS = ("head_ids", "member_ids")


class PemkabAgency(models.Model):
    """A regency agency (dinas / OPD) that sends deliveries.

    Its heads approve deliveries; its members (officers) prepare them. Record rules
    use both lists so that nobody sees another agency's data.
    """

    _name = "pemkab.agency"
    _description = "Agency (Dinas/OPD)"
    _inherit = ["mail.thread"]
    _order = "sequence, name"

    name = fields.Char(required=True, tracking=True, translate=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short code of the agency, e.g. DINKES, DINSOS, RSUD-BLB.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        help="Postal address, e-mail and phone of the agency's office.",
    )
    head_ids = fields.Many2many(
        "res.users",
        "pemkab_agency_head_rel",
        "agency_id",
        "user_id",
        string="Heads",
        tracking=True,
        help="Head(s) of the agency (Kepala Dinas, hospital director): they approve "
        "deliveries and see all of the agency's records.",
    )
    member_ids = fields.Many2many(
        "res.users",
        "pemkab_agency_member_rel",
        "agency_id",
        "user_id",
        string="Members",
        help="Civil servants of the agency who prepare and follow deliveries.",
    )
    helpline_phone = fields.Char(
        string="Helpline",
        tracking=True,
        help="The number citizens call about their parcels: shown on the citizen's page.",
    )
    whatsapp_number = fields.Char(
        string="WhatsApp",
        tracking=True,
        help="The agency's WhatsApp number (a mobile number): the citizen's page links to "
        "it (wa.me).",
    )
    courier_recipient_sms = fields.Boolean(
        string="Courier Texts the Recipient at Pickup",
        tracking=True,
        help="Couriers that offer it (GrabExpress) send the recipient an SMS when the "
        "driver picks the parcel up, besides the agency's own messages.",
    )
    # what the couriers offer, as the agency decides (issue 19)
    courier_pickup_hour = fields.Float(
        string="Courier Pickup From (hour)",
        tracking=True,
        help="Couriers that take a pickup window (GrabExpress) come for the agency's "
        "parcels in a two-hour window from this hour (shelter time), today if it is still "
        "ahead, else tomorrow: aid packages packed during the day leave the next morning. "
        "0: the courier comes at once.",
    )
    courier_insure_from = fields.Monetary(
        string="Insure Parcels Worth at Least",
        tracking=True,
        help="A parcel whose declared value (a prescription's medicines) reaches this "
        "amount is insured with couriers that insure (GoSend), for the account's fee. "
        "0: nothing is insured.",
    )
    # the letterhead (kop surat) and the signature of the agency's papers
    logo = fields.Image(
        max_width=512,
        max_height=512,
        help="Printed in the letterhead (kop surat) of the agency's papers; the regency's "
        "(the company's) logo when empty.",
    )
    signatory_id = fields.Many2one(
        "res.users",
        string="Signs the Papers",
        help="Who signs the agency's papers (Berita Acara Serah Terima, service report) with "
        "name and NIP: the agency's first head when empty.",
    )
    shelter_ids = fields.One2many("pemkab.shelter", "agency_id", string="Shelters")
    courier_fallback_ids = fields.One2many(
        "pemkab.agency.courier.fallback",
        "agency_id",
        string="Fallback Courier Accounts",
        help="When a courier finds no driver or refuses the route as out of its range, the "
        "next account of this order is booked, each account once. Empty: a failed "
        "booking waits for an officer.",
    )
    shelter_count = fields.Integer(compute="_compute_shelter_count")
    color = fields.Integer()
    note = fields.Html()
    waiting_alert_hours = fields.Integer(
        string="Alert After (hours)",
        default=4,
        help="A parcel waiting at the shelter, or on its way, for longer than this gives its "
        "officer an activity. 0: no alert.",
    )

    # what an own fleet would cost the agency per month (Rupiah), beside the couriers
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.ref("base.IDR", raise_if_not_found=False)
    )
    own_fleet_vehicle_cost = fields.Monetary(
        string="Motorbikes (per month)",
        help="Purchase spread over the bikes' life, or their lease, per month.",
    )
    own_fleet_driver_cost = fields.Monetary(string="Drivers' Pay (per month)")
    own_fleet_fuel_cost = fields.Monetary(string="Fuel (per month)")
    own_fleet_maintenance_cost = fields.Monetary(string="Maintenance and Insurance (per month)")
    own_fleet_monthly_cost = fields.Monetary(
        string="Own Fleet (per month)",
        compute="_compute_own_fleet_monthly_cost",
        store=True,
        help="What the agency's deliveries would cost per month with its own fleet: set by "
        "an administrator, compared with the couriers' cost in the service report.",
    )

    _code_uniq = models.Constraint("UNIQUE(code)", "Another agency already has this code.")
    _waiting_alert_hours_positive = models.Constraint(
        "CHECK(waiting_alert_hours >= 0)", "Alert After (hours) cannot be negative."
    )

    _own_fleet_costs_positive = models.Constraint(
        "CHECK(COALESCE(own_fleet_vehicle_cost, 0) >= 0 AND COALESCE(own_fleet_driver_cost, 0) >= 0"
        " AND COALESCE(own_fleet_fuel_cost, 0) >= 0"
        " AND COALESCE(own_fleet_maintenance_cost, 0) >= 0)",
        "An own fleet's costs cannot be negative.",
    )

    @api.depends(
        "own_fleet_vehicle_cost",
        "own_fleet_driver_cost",
        "own_fleet_fuel_cost",
        "own_fleet_maintenance_cost",
    )
    def _compute_own_fleet_monthly_cost(self):
        for agency in self:
            agency.own_fleet_monthly_cost = (
                agency.own_fleet_vehicle_cost
                + agency.own_fleet_driver_cost
                + agency.own_fleet_fuel_cost
                + agency.own_fleet_maintenance_cost
            )

    @api.depends("shelter_ids")
    def _compute_shelter_count(self):
        counts = dict(
            self.env["pemkab.shelter"]._read_group(
                [("agency_id", "in", self.ids)], ["agency_id"], ["__count"]
            )
        )
        for agency in self:
            agency.shelter_count = counts.get(agency, 0)

    def _pemkab_letterhead(self, facility=None):
        """The letterhead (kop surat) of the agency's papers: the regency, the agency (and
        the facility, a hospital's or Puskesmas' shelter, when it is not the agency
        itself), the office's address and phone, the logo. Public facts: read as the
        system, whoever prints."""
        agency = self.sudo()
        company = self.env.company.sudo()
        contact = agency.partner_id or company.partner_id
        address = ", ".join(
            part for part in (contact.street, contact.street2, contact.city, contact.zip) if part
        )
        contacts = ", ".join(
            part
            for part in (
                contact.phone and self.env._("Telephone %(phone)s", phone=contact.phone),
                contact.email,
                contact.website,
            )
            if part
        )
        facility = facility and facility.sudo()
        agency_name = (agency.name or "").upper()
        return {
            "regency": self.env._("GOVERNMENT OF BANYUWANGI REGENCY"),
            "agency": agency_name,
            "facility": (
                facility.name
                if facility and facility.name and facility.name.upper() != agency_name
                else ""
            ),
            "address": address,
            "contacts": contacts,
            "logo": agency.logo or company.logo or False,
        }

    def _pemkab_signatory(self):
        """Who signs the agency's papers: {name, title, nip}; empty names when nobody."""
        agency = self.sudo()
        user = agency.signatory_id or agency.head_ids[:1]
        return {
            "name": user.name or "",
            "title": user.partner_id.function
            or (agency.name and self.env._("Head of %(agency)s", agency=agency.name))
            or "",
            "nip": user._pemkab_nip_display() if user else "",
        }

    def action_view_shelters(self):
        self.ensure_one()
        # a button is a public method: the caller must be able to read the agency
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pemkab_delivery.pemkab_shelter_action"
        )
        action["domain"] = [("agency_id", "=", self.id)]
        action["context"] = {"default_agency_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("courier_pickup_hour", "courier_insure_from")
    def _check_courier_terms(self):
        for agency in self:
            if not 0 <= agency.courier_pickup_hour < 24:
                raise ValidationError(
                    self.env._(
                        "Courier Pickup From (hour): give an hour of the day, from 0 to 23.99 "
                        "(%(agency)s).",
                        agency=agency.display_name,
                    )
                )
            if agency.courier_insure_from < 0:
                raise ValidationError(
                    self.env._(
                        "Insure Parcels Worth at Least: the amount cannot be negative "
                        "(%(agency)s).",
                        agency=agency.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._pemkab_check_values(vals_list)
        for vals in vals_list:
            self._normalize_contact_phones(vals)
        records = super().create(vals_list)
        clear_rule_cache_if_scope_changes(records, RULE_SCOPE, vals_list)
        return records

    def write(self, vals):
        self._pemkab_check_values([vals])
        if any(fname in vals for fname in STAFFING_FIELDS):
            self._check_can_change_staffing()
        self._normalize_contact_phones(vals)
        res = super().write(vals)
        clear_rule_cache_if_scope_changes(self, RULE_SCOPE, [vals])
        return res

    def unlink(self):
        res = super().unlink()
        clear_rule_cache_if_scope_changes(self, RULE_SCOPE, [RULE_SCOPE])
        return res

    # ------------------------------------------------------------------
    # Staffing
    # ------------------------------------------------------------------
    def _staffing_group(self):
        """Hook: who sets this agency's heads and members and its shelters' staff.

        :return: ``(group xmlid, who in words)``, or None when the courier-deliveries
            administrator does (the rights on the model decide)
        """
        self.ensure_one()
        return None

    def _check_can_change_staffing(self):
        """Refuse a change of who heads, works for or staffs these agencies by a user
        outside each one's own administration (a health agency's by the health
        administrators, the Dinas Sosial's by its head)."""
        if self.env.su:
            return
        for agency in self.sudo():
            staffing = agency._staffing_group()
            if staffing and not self.env.user.has_group(staffing[0]):
                raise AccessError(
                    self.env._(
                        "%(agency)s: who heads it, works for it or staffs its shelters is set "
                        "by %(who)s.",
                        agency=agency.display_name,
                        who=staffing[1],
                    )
                )

    def _normalize_contact_phones(self, vals):
        """The helpline and the WhatsApp number in +62 form (phone_validation), or a
        ValidationError naming the field; WhatsApp needs a mobile number."""
        Address = self.env["pemkab.address.base.mixin"]
        for fname, mobile in (("helpline_phone", False), ("whatsapp_number", True)):
            if vals.get(fname):
                label = self._fields[fname]._description_string(self.env)
                vals[fname] = Address._pemkab_normalize_phone(vals[fname], label, mobile=mobile)

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _citizen_contact_values(self):
        """The helpline and WhatsApp links of the citizen's page: ``tel:`` and ``wa.me``
        targets, and the numbers as an Indonesian reads them."""
        self.ensure_one()

        def national(e164):
            try:
                parsed = phonenumbers.parse(e164)
            except phonenumbers.NumberParseException:
                return e164
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)

        helpline, whatsapp = self.helpline_phone or "", self.whatsapp_number or ""
        return {
            "helpline": helpline,
            "helpline_display": helpline and national(helpline),
            "whatsapp": whatsapp,
            "whatsapp_display": whatsapp and national(whatsapp),
            "whatsapp_url": whatsapp and f"https://wa.me/{whatsapp.removeprefix('+')}",
        }

    # ------------------------------------------------------------------
    # Scheduled actions
    # ------------------------------------------------------------------
    def _cron_parcel_waiting_alerts(self):
        """Activities for the parcels of every deliverable document that wait too long
        at the shelter or on their way, by each agency's own limit. Returns {model name:
        the late records}."""
        hours = {
            agency: agency.waiting_alert_hours
            for agency in self.sudo().search([("waiting_alert_hours", ">", 0)])
        }
        late = {}
        for model_name in self.env.registry.descendants(["pemkab.deliverable.mixin"], "_inherit"):
            model = self.env[model_name]
            if model._abstract or not model._auto or "agency_id" not in model._fields:
                continue
            late[model_name] = self._parcel_waiting_alerts(model, hours)
        return late

    @api.model
    def _parcel_waiting_alerts(self, model, hours_by_agency, now=None):
        """Give the officer of each parcel of ``model`` that waits in a live state longer
        than its agency allows an activity (one while it waits)."""
        now = now or fields.Datetime.now()
        activity_type = self.env.ref(
            "pemkab_delivery.mail_activity_parcel_waiting", raise_if_not_found=False
        )
        if not hours_by_agency or not activity_type or "activity_ids" not in model._fields:
            return model.browse()
        state_field = model._delivery_state_field
        oldest = now - timedelta(hours=min(hours_by_agency.values()))
        records = model.sudo().search(
            [
                (state_field, "in", list(model._delivery_live_states())),
                ("delivery_state_since", "<=", oldest),
                ("agency_id", "in", [agency.id for agency in hours_by_agency]),
            ]
        )
        late = records.filtered(
            lambda r: r.delivery_state_since
            <= now - timedelta(hours=hours_by_agency[r._delivery_agency()])
            and activity_type not in r.activity_ids.activity_type_id
        )
        labels = dict(model._fields[state_field]._description_selection(self.env))
        for record in late:
            state = labels.get(record[state_field])
            booking = record.delivery_booking_id
            user = booking.responsible_user_id or record._delivery_agency().head_ids[:1]
            record.activity_schedule(
                activity_type_id=activity_type.id,
                summary=self.env._(
                    "%(state)s for %(hours)s hours",
                    state=state,
                    hours=int((now - record.delivery_state_since).total_seconds() // 3600),
                ),
                note=self.env._(
                    "%(ref)s has been “%(state)s” since %(since)s (courier booking %(booking)s)."
                    " Call the courier or the recipient.",
                    ref=record.display_name,
                    state=state,
                    since=record._delivery_citizen_time(record.delivery_state_since),
                    booking=booking.name or "-",
                ),
                user_id=(user or self.env.user).id,
            )
        return late
