# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a deliverable document shows and says outside the back office: the citizen's
page (one unguessable link per document), the messages to the recipient and named
proxies, and the proof of delivery on paper.

The link carries ``portal.mixin``'s ``access_token`` of the *document* (not of a
booking), so it stays the same across *Book Again* and re-dispatches. The public page
(``/lacak/<token>``, see ``controllers/tracking.py``) shows only what
:meth:`_delivery_citizen_page_values` returns: states, the shelter, an estimated arrival,
the driver while on the way, the receiver once delivered; never what is inside the
parcel, nor the recipient's NIK, BPJS or aid data.

The recipient (the booking's phone) and the named proxies get an SMS and, where they
have an address, a mail when the courier is booked, a driver assigned, the parcel
delivered or not. The templates (``data/pemkab_citizen_notification_data.xml``) are on
the courier booking, which every document has: a new document gets them with nothing to
write; an administrator edits them. A neutralised database queues nothing.
"""

import logging
import uuid
from collections import defaultdict
from datetime import timedelta
from urllib.parse import quote

import pytz
from babel.dates import format_date as babel_format_date

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import babel_locale_parse

from ..tools.geo import haversine_km
from .pemkab_address_base_mixin import indonesian_e164

_logger = logging.getLogger(__name__)

# the regency's time zone (Banyuwangi is in WIB)
CITIZEN_TZ = "Asia/Jakarta"
# days a link keeps working once its document reached a final state (Settings)
TRACKING_DAYS_PARAM = "pemkab_delivery.tracking_days"
TRACKING_DAYS_DEFAULT = 30
# a driver's pace on Banyuwangi's roads: km of road per km of straight line, and km/h
ROAD_FACTOR = 1.3
DRIVER_SPEED_KMH = 25.0
# minutes a driver needs to reach the shelter and take the parcel
PICKUP_MINUTES = 15

# what the citizen hears of, and the templates that say it
NOTIFY_TEMPLATES = {
    "booked": ("sms_template_citizen_booked", "mail_template_citizen_booked"),
    "driver_assigned": ("sms_template_citizen_driver", "mail_template_citizen_driver"),
    "delivered": ("sms_template_citizen_delivered", "mail_template_citizen_delivered"),
    "failed": ("sms_template_citizen_failed", "mail_template_citizen_failed"),
}


class PemkabDeliverableMixin(models.AbstractModel):
    _name = "pemkab.deliverable.mixin"
    _inherit = ["pemkab.deliverable.mixin", "portal.mixin"]

    access_token = fields.Char(index="btree_not_null")
    delivery_state_since = fields.Datetime(
        string="In This State Since",
        default=fields.Datetime.now,
        readonly=True,
        copy=False,
        help="When the document reached its current state (citizen link expiry, "
        "alerts on parcels waiting too long).",
    )
    delivery_citizen_url = fields.Char(
        string="Citizen Link",
        compute="_compute_delivery_citizen_url",
        help="The public page on which the recipient follows the parcel.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("access_token")
    def _compute_access_url(self):
        for record in self:
            record.access_url = f"/lacak/{record.access_token}" if record.access_token else "#"

    @api.depends("access_token")
    def _compute_delivery_citizen_url(self):
        base_url = self[:1].get_base_url() if self else ""
        for record in self:
            record.delivery_citizen_url = (
                f"{base_url}/lacak/{record.access_token}" if record.access_token else False
            )

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    def write(self, vals):
        self._pemkab_check_values([vals])
        field = self._delivery_state_field
        entering = self.browse()
        if field in vals:
            entering = self.filtered(lambda record: record[field] != vals[field])
        res = super().write(vals)
        if entering:
            entering._delivery_on_state_entered(vals[field])
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_delivery_send_whatsapp(self):
        """Open WhatsApp (``wa.me``) on the officer's device with the citizen's message
        and link, addressed to the document's recipient, else to the first named proxy
        with a valid mobile number. Nobody else: the number comes from the document."""
        self.ensure_one()
        self.check_access("read")
        self._check_can_send_whatsapp()
        number, lang, name = self._delivery_whatsapp_contact()
        text = self._delivery_whatsapp_text(lang)
        if "message_ids" in self._fields:
            self.message_post(
                body=self.env._("Citizen's message prepared in WhatsApp for %(name)s.", name=name),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        return {
            "type": "ir.actions.act_url",
            "url": f"https://wa.me/{number.removeprefix('+')}?text={quote(text, safe='')}",
            "target": "new",
        }

    def _check_can_send_whatsapp(self):
        for record in self:
            if not record.access_token:
                raise UserError(
                    self.env._(
                        "%(ref)s has no citizen link yet: it gets one when its parcel is ready "
                        "at the shelter.",
                        ref=record.display_name,
                    )
                )

    def _delivery_whatsapp_contact(self):
        """``(E.164 mobile number, language, name)`` of the recipient, else of the first
        named proxy with a valid mobile; a UserError when none has one."""
        self.ensure_one()
        booking = self.delivery_booking_id.sudo()
        default_lang = self._delivery_citizen_lang()
        candidates = self._delivery_receiver_candidates()
        recipients = [c for c in candidates if c["type"] == "recipient"]
        proxies = [c for c in candidates if c["type"] == "proxy" and c.get("partner")]
        numbers = []
        for candidate in recipients:
            partner = (candidate.get("partner") or self.env["res.partner"]).sudo()
            phone = booking.recipient_phone or (
                self["recipient_phone"] if "recipient_phone" in self._fields else False
            )
            name = candidate.get("name") or partner.name or booking.recipient_name
            numbers.append((phone or self._delivery_partner_phone(partner), partner, name))
        for candidate in proxies:
            partner = candidate["partner"].sudo()
            numbers.append((self._delivery_partner_phone(partner), partner, partner.name))
        for phone, partner, name in numbers:
            e164, _problem = indonesian_e164(phone or "", mobile=True)
            if e164:
                return e164, partner.lang or default_lang, name or ""
        raise UserError(
            self.env._(
                "%(ref)s: neither the recipient nor a named proxy has a valid mobile number "
                "(08… or +628…) to send a WhatsApp message to.",
                ref=self.display_name,
            )
        )

    def _delivery_whatsapp_text(self, lang):
        """The citizen's message of the parcel's current step (the SMS template's text,
        in ``lang``), with the link to the page."""
        self.ensure_one()
        booking = self.delivery_booking_id.sudo()
        state = self[self._delivery_state_field]
        if state == self._delivery_delivered_state:
            kind = "delivered"
        elif state in self._delivery_returned_states():
            kind = "failed"
        elif booking.state in ("driver_assigned", "picked_up"):
            kind = "driver_assigned"
        else:
            kind = "booked"
        template = self._delivery_template("sms.template", NOTIFY_TEMPLATES[kind][0])
        if booking and template:
            booking.invalidate_recordset(["citizen_tracking_url"])
            body = template.sudo()._render_field("body", booking.ids, set_lang=lang)[booking.id]
            if self.delivery_citizen_url in body:
                return body
        return self.with_context(lang=lang).env._(
            "Pemkab Banyuwangi: follow your parcel %(reference)s here: %(url)s",
            reference=self.name,
            url=self.delivery_citizen_url,
        )

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _delivery_on_state_entered(self, state):
        """These documents just reached ``state``: note when, and tell the citizens of a
        delivery or a failure."""
        res = super().write({"delivery_state_since": fields.Datetime.now()})
        if state == self._delivery_ready_state:
            self._delivery_ensure_citizen_url()
        elif state == self._delivery_delivered_state:
            self._delivery_notify_citizens("delivered")
        elif state in self._delivery_returned_states():
            self._delivery_notify_citizens("failed")
        return res

    def _delivery_ensure_citizen_url(self):
        """Give every document its citizen link (once: it never changes afterwards). The
        tokens go with the documents' pending write (their new state): one UPDATE of each
        row for both, not a second pass over a whole period's rows."""
        missing = self.filtered(lambda record: not record.access_token)
        if missing:
            # one value per record, into the cache as write() puts it (no business
            # override has anything to check on a token); flushed with the state
            field = self._fields["access_token"]
            for record in missing:
                field.write(record, str(uuid.uuid4()))
            missing.modified(["access_token"])
        return self

    @api.model
    def _delivery_find_by_token(self, token):
        """The document (sudo) whose citizen link carries ``token``, in any deliverable
        model, or None: also None once the link has expired."""
        if not token or len(token) > 64:
            return None
        for model_name in self.env.registry.descendants([self._name], "_inherit"):
            model = self.env[model_name]
            if model._abstract or not model._auto:
                continue
            record = model.sudo().search([("access_token", "=", token)], limit=1)
            if record:
                return None if record._delivery_citizen_link_expired() else record
        return None

    def _delivery_citizen_link_expired(self):
        """Whether the document has been in a final state (delivered, cancelled, not
        delivered) for longer than the administrator's number of days."""
        self.ensure_one()
        final = (*self._delivery_closed_states, *self._delivery_returned_states())
        if self[self._delivery_state_field] not in final or not self.delivery_state_since:
            return False
        days = self._delivery_tracking_days()
        return fields.Datetime.now() > self.delivery_state_since + timedelta(days=days)

    @api.model
    def _delivery_tracking_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param(TRACKING_DAYS_PARAM)
        try:
            return max(int(value), 0) if value not in (None, False, "") else TRACKING_DAYS_DEFAULT
        except ValueError:
            return TRACKING_DAYS_DEFAULT

    # ------------------------------------------------------------------
    # The citizen page
    # ------------------------------------------------------------------
    def _delivery_citizen_page_values(self):
        """Everything the public page shows, as plain strings in the environment's
        language: the page reads nothing else of the document. Never medicines, NIK, BPJS
        or aid data.

        Timing is only ever what can happen: while the parcel has not left, when it leaves
        (its shelter's next opening when the shelter is closed now); an estimated arrival
        only once a driver is on the way, never before the shelter opens."""
        self.ensure_one()
        booking = self.delivery_booking_id.sudo()
        state = self[self._delivery_state_field]
        delivered = state == self._delivery_delivered_state
        failed = state in self._delivery_returned_states()
        cancelled = state in self._delivery_closed_states and not delivered
        out = state == self._delivery_out_state
        live = state in self._delivery_live_states()
        on_the_way = live and booking.state in ("driver_assigned", "picked_up")
        shelter = (
            booking.shelter_id
            or (self["shelter_id"] if "shelter_id" in self._fields else booking.shelter_id)
        ).sudo()
        agency = self._delivery_agency().sudo()
        status = self._delivery_citizen_status(delivered, failed, cancelled, out, booking)
        not_left = live and not out and booking.state != "picked_up"
        values = {
            "reference": self.name,
            "title": self.env._("Parcel %(reference)s", reference=self.name),
            "government": self.env.company.name or "",
            "agency": agency.name or "",
            "status": status,
            "status_kind": (
                "success"
                if delivered
                else "danger"
                if failed or cancelled
                else "info"
                if live
                else "secondary"
            ),
            "final": delivered or failed or cancelled,
            "shelter": shelter.name or "",
            "shelter_street": shelter.street or "",
            "timeline": self._delivery_citizen_timeline(booking, delivered, failed, cancelled),
            "leaves": not_left and self._delivery_citizen_leaves(shelter) or "",
            "eta": on_the_way and self._delivery_citizen_eta(booking, shelter) or "",
            "driver_name": on_the_way and booking.driver_name or "",
            "driver_plate": on_the_way and booking.driver_plate or "",
            "receiver_name": delivered and self.receiver_name or "",
            "delivered_at": (
                delivered
                and self.delivered_at
                and f"{self._delivery_citizen_time(self.delivered_at)} WIB"
                or ""
            ),
            "failure": failed and self._delivery_citizen_failure() or "",
            **agency._citizen_contact_values(),
        }
        values.update(self._delivery_citizen_survey_values(delivered))
        return values

    def _delivery_citizen_survey_values(self, delivered):
        """The satisfaction survey (SKM) of the page: offered once the parcel is
        delivered; the citizen's answer, and whether a tap may still change it."""
        self.ensure_one()
        if not delivered:
            return {"survey": False}
        Rating = self.env["pemkab.citizen.rating"].sudo()
        rating = Rating._for_document(self)
        labels = dict(Rating._fields["rating"]._description_selection(self.env))
        return {
            "survey": True,
            "survey_url": f"/lacak/{self.access_token}/skm",
            "survey_choices": sorted(labels.items(), reverse=True),
            "survey_rating": rating.rating or "",
            "survey_comment": rating.comment or "",
            "survey_answer": (
                self.env._("Thank you. Your rating: %(rating)s.", rating=labels[rating.rating])
                if rating
                else ""
            ),
            "survey_open": not rating or rating._can_change(),
        }

    def _delivery_citizen_status(self, delivered, failed, cancelled, out, booking):
        if delivered:
            return self.env._("Delivered")
        if failed:
            return self.env._("Not delivered yet")
        if cancelled:
            return self.env._("Cancelled")
        if out:
            return self.env._("On the way to you")
        if booking.state == "driver_assigned":
            return self.env._("A driver is coming to the shelter")
        if booking.state in ("requested", "booked"):
            return self.env._("Waiting for a courier at the shelter")
        if self[self._delivery_state_field] == self._delivery_ready_state:
            return self.env._("Ready at the shelter")
        return self.env._("Being prepared")

    def _delivery_citizen_failure(self):
        labels = dict(self._fields["failure_reason"]._description_selection(self.env))
        reason = labels.get(self.failure_reason) or self.env._("the courier could not deliver")
        return self.env._(
            "%(reason)s. An officer will contact you to arrange a new delivery.", reason=reason
        )

    def _delivery_citizen_timeline(self, booking, delivered, failed, cancelled):
        """The steps of the parcel's way, each ``{"label", "time", "done"}``: times from
        the current booking's history."""
        first = {}
        for event in booking.event_ids.sorted(lambda e: (e.date, e.id)):
            if event.applied and event.status and event.status not in first:
                first[event.status] = event.date
        steps = [
            (self.env._("Ready at the shelter"), booking.create_date or False),
            (self.env._("Courier booked"), first.get("booked")),
            (self.env._("Driver assigned"), first.get("driver_assigned")),
            (self.env._("Picked up, on the way"), first.get("picked_up")),
        ]
        if delivered:
            steps.append((self.env._("Delivered"), self.delivered_at))
        elif failed or cancelled:
            label = self.env._("Not delivered") if failed else self.env._("Cancelled")
            steps.append((label, self.delivery_state_since))
        else:
            steps.append((self.env._("Delivered"), False))
        # a later step done means the earlier ones are done (own fleet skips "booked")
        reached = max((index for index, (_label, date) in enumerate(steps) if date), default=-1)
        if not booking:
            reached = -1
        return [
            {
                "label": label,
                "time": f"{self._delivery_citizen_time(date)} WIB" if date else "",
                "done": index <= reached,
            }
            for index, (label, date) in enumerate(steps)
        ]

    def _delivery_citizen_leaves(self, shelter, now=None):
        """When the parcel leaves the shelter, in words: today as soon as a driver has
        it while the shelter is open, else the shelter's next opening ("Leaves at the
        earliest on Monday, 7 December 2026 at 07:30 WIB")."""
        now = now or fields.Datetime.now()
        opens = shelter._next_open_at(now) if shelter else now
        if not opens:
            return ""  # closed for longer than the opening hours look ahead: no promise
        if opens <= now:
            return self.env._("Leaves today, as soon as a driver collects it")
        return self.env._(
            "Leaves at the earliest on %(when)s WIB",
            when=self._delivery_citizen_time(opens, long=True),
        )

    def _delivery_citizen_eta(self, booking, shelter=None, now=None):
        """Estimated arrival, from the straight-line distance at a driver's pace, counted
        from the pickup, or from when the driver can have the parcel: now (or the
        shelter's next opening, if later) plus the time to reach the shelter. Empty while
        the parcel has no driver."""
        shelter = shelter or booking.shelter_id
        if not (booking.latitude and booking.longitude and shelter.latitude and shelter.longitude):
            return ""
        km = haversine_km(shelter.latitude, shelter.longitude, booking.latitude, booking.longitude)
        minutes = max(10, round(km * ROAD_FACTOR / DRIVER_SPEED_KMH * 60))
        picked = booking.event_ids.filtered(lambda e: e.applied and e.status == "picked_up")
        if picked:
            start = min(picked.mapped("date"))
        else:
            now = now or fields.Datetime.now()
            opens = shelter._next_open_at(now) or now
            start = max(now, opens) + timedelta(minutes=PICKUP_MINUTES)
        return self.env._(
            "around %(time)s WIB",
            time=self._delivery_citizen_time(start + timedelta(minutes=minutes)),
        )

    def _delivery_citizen_time(self, value, long=False):
        """``value`` (naive UTC) in WIB, in the environment's language with its month and
        day names ("7 Des 2026, 07.30"; ``long``: "Senin, 7 Desember 2026 pukul 07.30").
        Babel's own locale data: English reads right even where en_US is not an active
        language of the database."""
        if not value:
            return ""
        lang = self.env.lang or "en_US"
        locale = babel_locale_parse(lang)
        local = pytz.utc.localize(value).astimezone(pytz.timezone(CITIZEN_TZ))
        clock = local.strftime("%H.%M" if locale.language == "id" else "%H:%M")
        if long:
            return self.env._(
                "%(day)s at %(time)s",
                day=babel_format_date(local.date(), "EEEE, d MMMM y", locale=locale),
                time=clock,
            )
        return f"{babel_format_date(local.date(), 'd MMM y', locale=locale)}, {clock}"

    # ------------------------------------------------------------------
    # Courier news and state changes that the citizen hears of
    # ------------------------------------------------------------------
    def _delivery_on_booking_update(self, booking, old_state):
        res = super()._delivery_on_booking_update(booking, old_state)
        if booking.state in ("booked", "driver_assigned") and not booking.released:
            state = self[self._delivery_state_field]
            if state in self._delivery_live_states():
                if booking == self._delivery_current_bookings().get(self.id):
                    self._delivery_notify_citizens(booking.state, {self.id: booking})
        return res

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _delivery_notify_citizens(self, kind, bookings=None):
        """Queue the SMS and mails of ``kind`` (a key of ``NOTIFY_TEMPLATES``) for these
        documents' recipients and proxies, with the citizen link.

        :param bookings: {document id: booking} to render on; each document's latest
            booking by default (documents with none are skipped)
        """
        if not self or self.env.context.get("pemkab_no_citizen_notify"):
            return
        if self.env["ir.config_parameter"].sudo().get_param("database.is_neutralized"):
            _logger.info("Neutralised database: no %s message to citizens for %s", kind, self)
            return
        sms_xmlid, mail_xmlid = NOTIFY_TEMPLATES[kind]
        sms_template = self._delivery_template("sms.template", sms_xmlid)
        mail_template = self._delivery_template("mail.template", mail_xmlid)
        bookings = bookings or {record.id: record.delivery_booking_id for record in self}
        self._delivery_ensure_citizen_url()
        all_bookings = self.env["pemkab.delivery.booking"].sudo()
        for booking in bookings.values():
            all_bookings |= booking
        all_bookings.invalidate_recordset(["citizen_tracking_url"])
        # who gets what: (booking, contact), then one rendering per language
        plan = [
            (booking.sudo(), contact)
            for record in self
            if (booking := bookings.get(record.id))
            for contact in record._delivery_notify_contacts(booking.sudo())
        ]
        if sms_template:
            by_lang = defaultdict(set)
            for booking, contact in plan:
                if contact["phone"]:
                    by_lang[contact["lang"]].add(booking.id)
            bodies = {
                lang: sms_template.sudo()._render_field("body", list(ids), set_lang=lang)
                for lang, ids in by_lang.items()
            }
            sms_vals = [
                {
                    "number": contact["phone"],
                    "partner_id": contact["partner"].id or False,
                    "body": bodies[contact["lang"]][booking.id],
                    "state": "outgoing",
                }
                for booking, contact in plan
                if contact["phone"]
            ]
            if sms_vals:
                self.env["sms.sms"].sudo().create(sms_vals)
        if mail_template:
            for booking, contact in plan:
                partner = contact["partner"]
                if partner.email:
                    recipients = {"recipient_ids": [fields.Command.link(partner.id)]}
                    mail_template.sudo().with_context(lang=contact["lang"]).send_mail(
                        booking.id, email_values=recipients
                    )

    def _delivery_template(self, model, xmlid):
        """The template of this addon named ``xmlid``, or None, without a query each time
        (the courier's answers record one booking at a time: the xmlid's lookup is cached,
        and a deleted template takes its xmlid with it)."""
        res_id = self.env["ir.model.data"]._xmlid_to_res_id(
            f"pemkab_delivery.{xmlid}", raise_if_not_found=False
        )
        return self.env[model].browse(res_id) if res_id else None

    def _delivery_notify_contacts(self, booking):
        """Who hears of the parcel: the recipient (the booking's phone) and the named
        proxies, each ``{"partner", "phone", "lang"}``; one message per phone number."""
        self.ensure_one()
        default_lang = self._delivery_citizen_lang()
        candidates = [
            candidate
            for candidate in self._delivery_receiver_candidates()
            if candidate["type"] in ("recipient", "proxy")
        ]
        contacts, seen = [], set()
        recipient = next((c["partner"] for c in candidates if c["type"] == "recipient"), None)
        partners = [(recipient, booking.recipient_phone)] if booking.recipient_phone else []
        partners += [
            (c["partner"], self._delivery_partner_phone(c["partner"]))
            for c in candidates
            if c["type"] == "proxy" and c["partner"]
        ]
        for partner, phone in partners:
            partner = (partner or self.env["res.partner"]).sudo()
            key = (phone or "").replace(" ", "") or f"partner-{partner.id}"
            if key in seen:
                continue
            seen.add(key)
            contacts.append(
                {"partner": partner, "phone": phone or False, "lang": partner.lang or default_lang}
            )
        return contacts

    def _delivery_partner_phone(self, partner):
        """The number an SMS reaches ``partner`` on (documents with a field of their own
        for it override this)."""
        return partner.phone

    def _delivery_citizen_lang(self):
        """Indonesian when it is installed, else the database's default language."""
        langs = dict(self.env["res.lang"].get_installed())
        if "id_ID" in langs:
            return "id_ID"
        return self.env["ir.default"]._get("res.partner", "lang") or "en_US"

    # ------------------------------------------------------------------
    # The proof of delivery (report/pemkab_delivery_report_templates.xml)
    # ------------------------------------------------------------------
    def _delivery_proof_values(self):
        """The proof of delivery, as plain strings: who was to receive, who received,
        when, from which shelter, by which courier; never what is inside the parcel."""
        self.ensure_one()
        booking = self.delivery_booking_id.sudo()
        recipient = next(
            (c for c in self._delivery_receiver_candidates() if c["type"] == "recipient"), None
        )
        labels = dict(self._fields["receiver_type"]._description_selection(self.env))
        sources = dict(self._fields["proof_source"]._description_selection(self.env))
        states = dict(self._fields[self._delivery_state_field]._description_selection(self.env))
        shelter = booking.shelter_id or (
            self["shelter_id"] if "shelter_id" in self._fields else booking.shelter_id
        )
        return {
            "reference": self.name,
            "document": self._description,
            "state": states.get(self[self._delivery_state_field], ""),
            "delivered": self[self._delivery_state_field] == self._delivery_delivered_state,
            "agency": self._delivery_agency().sudo().name or "",
            "shelter": shelter.sudo().name or "",
            "recipient": (recipient and (recipient.get("name") or recipient["partner"].name) or ""),
            "receiver_name": self.receiver_name or "",
            "receiver_type": labels.get(self.receiver_type, ""),
            "receiver_relation": self.receiver_relation or "",
            "delivered_at": self._delivery_citizen_time(self.delivered_at),
            "proof_source": sources.get(self.proof_source, ""),
            "booking": booking.name or "",
            "courier": booking.provider_id.name or "",
            "courier_order": booking.courier_order_ref or "",
            "driver": " · ".join(p for p in (booking.driver_name, booking.driver_plate) if p),
            "photo": self.proof_photo or booking.proof_photo or False,
        }
