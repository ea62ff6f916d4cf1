# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The deliverable mixin tells people: the recipient (and named proxies) by SMS and,
where there is an address, by mail, when the courier is booked, when a driver is
assigned, when the parcel is delivered or not; staff by activities on parcels waiting
too long in a state.

The templates (``data/pemkab_citizen_notification_data.xml``) are on the courier
booking, which every document has: a new document gets them with nothing to write. An
administrator edits them (*Settings > Technical > Email/SMS Templates*). A neutralised
database queues nothing.
"""

import logging
from datetime import timedelta

from odoo import fields, models

_logger = logging.getLogger(__name__)

# what the citizen hears of, and the templates that say it
NOTIFY_TEMPLATES = {
    "booked": ("sms_template_citizen_booked", "mail_template_citizen_booked"),
    "driver_assigned": ("sms_template_citizen_driver", "mail_template_citizen_driver"),
    "delivered": ("sms_template_citizen_delivered", "mail_template_citizen_delivered"),
    "failed": ("sms_template_citizen_failed", "mail_template_citizen_failed"),
}


class PemkabDeliverableMixin(models.AbstractModel):
    _inherit = "pemkab.deliverable.mixin"

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

    def _delivery_on_state_entered(self, state):
        res = super()._delivery_on_state_entered(state)
        if state == self._delivery_delivered_state:
            self._delivery_notify_citizens("delivered")
        elif state in self._delivery_returned_states():
            self._delivery_notify_citizens("failed")
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
        sms_template = self.env.ref(f"pemkab_delivery.{sms_xmlid}", raise_if_not_found=False)
        mail_template = self.env.ref(f"pemkab_delivery.{mail_xmlid}", raise_if_not_found=False)
        bookings = bookings or {record.id: record.delivery_booking_id for record in self}
        self._delivery_ensure_citizen_url()
        sms_vals, mails = [], []
        for record in self:
            booking = bookings.get(record.id)
            if not booking:
                continue
            booking = booking.sudo()
            booking.invalidate_recordset(["citizen_tracking_url"])
            for contact in record._delivery_notify_contacts(booking):
                lang = contact["lang"]
                if sms_template and contact["phone"]:
                    body = sms_template.sudo()._render_field("body", booking.ids, set_lang=lang)[
                        booking.id
                    ]
                    sms_vals.append(
                        {
                            "number": contact["phone"],
                            "partner_id": contact["partner"].id or False,
                            "body": body,
                            "state": "outgoing",
                        }
                    )
                if mail_template and contact["partner"].email:
                    mails.append((mail_template, booking, contact["partner"], lang))
        if sms_vals:
            self.env["sms.sms"].sudo().create(sms_vals)
        for template, booking, partner, lang in mails:
            template.sudo().with_context(lang=lang).send_mail(
                booking.id,
                email_values={"recipient_ids": [fields.Command.link(partner.id)]},
            )

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
    # Staff: parcels waiting too long in a state
    # ------------------------------------------------------------------
    def _delivery_waiting_alerts(self, hours_by_agency, now=None):
        """Give the officer of each parcel that waits at the shelter or on its way
        longer than its agency allows an activity (one while it waits)."""
        now = now or fields.Datetime.now()
        if "activity_ids" not in self._fields:
            return self.browse()
        activity_type = self.env.ref(
            "pemkab_delivery.mail_activity_parcel_waiting", raise_if_not_found=False
        )
        oldest = now - timedelta(hours=min(hours_by_agency.values(), default=0))
        if not activity_type or not hours_by_agency:
            return self.browse()
        records = self.sudo().search(
            [
                (self._delivery_state_field, "in", list(self._delivery_live_states())),
                ("delivery_state_since", "<=", oldest),
                ("agency_id", "in", [agency.id for agency in hours_by_agency]),
            ]
        )
        late = records.filtered(
            lambda r: r.delivery_state_since
            <= now - timedelta(hours=hours_by_agency[r._delivery_agency()])
            and activity_type not in r.activity_ids.activity_type_id
        )
        labels = dict(self._fields[self._delivery_state_field]._description_selection(self.env))
        for record in late:
            hours = int((now - record.delivery_state_since).total_seconds() // 3600)
            booking = record.delivery_booking_id
            user = booking.responsible_user_id or record._delivery_agency().head_ids[:1]
            record.activity_schedule(
                activity_type_id=activity_type.id,
                summary=self.env._(
                    "%(state)s for %(hours)s hours",
                    state=labels.get(record[self._delivery_state_field]),
                    hours=hours,
                ),
                note=self.env._(
                    "%(ref)s has been “%(state)s” since %(since)s (courier booking %(booking)s)."
                    " Call the courier or the recipient.",
                    ref=record.display_name,
                    state=labels.get(record[self._delivery_state_field]),
                    since=record._delivery_citizen_time(record.delivery_state_since),
                    booking=booking.name or "-",
                ),
                user_id=(user or self.env.user).id,
            )
        return late
