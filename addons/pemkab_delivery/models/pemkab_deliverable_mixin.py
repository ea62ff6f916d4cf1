# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The one workflow by which a business document becomes deliverable by courier.

A document (a prescription delivery, an aid shipment, the next dinas's seeds or ID
cards) inherits ``pemkab.deliverable.mixin``, names its states in a few class
attributes and implements :meth:`_delivery_booking_values`. The mixin then does the
rest, the same way for every document and for every booking of it (the first one, a
*Book Again*, a re-dispatch):

- a state named by a delivery trigger books the courier;
- the booking's news moves the document: picked up -> out for delivery, delivered ->
  delivered (with the proof), failed -> failed or returned (with the reason), booked
  again -> back at the shelter;
- an officer confirms a delivery by hand (a live courier order is cancelled through
  the outbox), marks it failed or returned, cancels it, or dispatches it again, which
  books or says why it cannot.

The citizen's side is here too: the citizen's page (one unguessable link per document),
the messages to the recipient and named proxies, and the proof of delivery on paper.
The link carries ``portal.mixin``'s ``access_token`` of the *document* (not of a
booking), so it stays the same across *Book Again* and re-dispatches. The public page
(``/lacak/<token>``, see ``controllers/tracking.py``) shows only what
:meth:`_delivery_citizen_page_values` returns: states, the shelter, an estimated arrival,
the driver while on the way, the receiver once delivered; never what is inside the
parcel, nor the recipient's NIK, BPJS or aid data. The recipient (the booking's phone)
and the named proxies get an SMS and, where they have an address, a mail when the
courier is booked, a driver assigned, the parcel delivered or not. The templates
(``data/pemkab_citizen_notification_data.xml``) are on the courier booking, which every
document has: a new document gets them with nothing to write; an administrator edits
them. A neutralised database queues nothing.

One model, one file, in sections: fields; the workflow (buttons, checks, what they
do); the bookings of a document and what their news does to it; delivery triggers; the
citizen (link, page, messages, proof); the hooks a document implements.
"""

import logging
import re
import uuid
from collections import defaultdict
from datetime import timedelta
from urllib.parse import quote

import pytz
from babel.dates import format_date as babel_format_date
from lxml import etree

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL
from odoo.tools.misc import babel_locale_parse

from ..const import (
    ACTIVE_STATES,
    BOOKING_STATES,
    CANCELLABLE_STATES,
    FAILURE_REASONS,
    FINAL_STATES,
    ON_ITS_WAY_STATES,
    RECEIVER_TYPES,
)
from ..orm.bulk import ids_in, insert_rows, insert_select, log_tracking
from ..tools.geo import haversine_km
from .pemkab_address_base_mixin import indonesian_e164
from .pemkab_workflow_mixin import refuse_nul_characters

_logger = logging.getLogger(__name__)

# who received the parcel, and when: written by the officer before a confirmation or by
# the courier's news, frozen once the document is closed
PROOF_FIELDS = frozenset(
    {
        "receiver_type",
        "receiver_partner_id",
        "receiver_name",
        "receiver_relation",
        "delivered_at",
        "proof_photo",
    }
)


# the classes whose create() the bookings' bulk insert stands for, outermost first (a
# test compares them with the model's: a new override must be added to the bulk path)
BOOKING_CREATE_OVERRIDES = (
    "pemkab_delivery_booking.PemkabDeliveryBooking",
    "pemkab_document_mixin.PemkabDocumentMixin",
    "pemkab_address_base_mixin.PemkabAddressBaseMixin",
    # pemkab_delivery's (a client's silencing keys dropped: the bulk path is the workflow's)
    "mail_thread.MailThread",
    # mail's
    "mail_thread.MailThread",
    "pemkab_workflow_mixin.PemkabWorkflowMixin",
    "base.Base",
    "models.BaseModel",
)

# a phone as pemkab.address.base.mixin stores it (+62 and digits): copied as it is
E164_ID = r"^\+62[0-9]+$"
# the address fields whose constraints (pemkab.address.mixin) a booking shares with a
# document that is an address itself: copied from it as they are, they hold already
ADDRESS_CHECKED = ("kecamatan_id", "desa_id", "latitude", "longitude")

# what a receiver's relation, as couriers and officers write it, says of the receiver
SELF_RELATIONS = {"self", "recipient", "patient", "head", "sendiri", "penerima", "pasien"}
FAMILY_RELATIONS = {
    "family",
    "member",
    "spouse",
    "child",
    "parent",
    "keluarga",
    "suami",
    "istri",
    "anak",
    "orang tua",
}

# what a citizen link's token can be (a UUID; portal.mixin's own are too): anything
# else, a NUL character, a very long string, is no document's and never reaches the database
CITIZEN_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
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


def insert_bookings(model, vals_list):
    """``model`` is ``pemkab.delivery.booking`` (sudo): its ``create(vals_list)`` of a
    batch, without tracking (the bulk paths' context), as one INSERT per thousand
    rows instead of the ORM's per-record work (a district's 100,000 bookings).

    It does what each ``create`` override of the bookings does (in the order of
    :data:`BOOKING_CREATE_OVERRIDES`): closed bookings dated (retention), the states
    of this transaction flushed for the partial unique index, the courier checked
    for the agencies and the documents for the user (booking), references from the
    sequence (document), phones normalised (address), no chatter message nor
    follower (mail.thread without tracking), NUL characters and workflow fields
    refused (workflow), values no column holds refused (base); then the ORM's insert
    (:func:`insert_rows`).
    """
    now = fields.Datetime.now()
    for vals in vals_list:
        if vals.get("state") in FINAL_STATES:
            vals.setdefault("closed_at", now)
    model.flush_model(["state"])
    placeholders = {"New", model.env._("New")}
    unnamed = [vals for vals in vals_list if vals.get("name") in (None, False, *placeholders)]
    for vals, name in zip(unnamed, model._next_references(len(unnamed)), strict=True):
        vals["name"] = name
    for vals in vals_list:
        model._pemkab_normalize_phone_vals(vals)
    refuse_nul_characters(model, vals_list)
    model._workflow_check_vals(vals_list, creating=True)
    model._pemkab_check_values(vals_list)
    bookings = insert_rows(model._workflow_plain(), vals_list)
    for provider, agency in {(b.provider_id, b.agency_id) for b in bookings}:
        provider._check_usable_by(agency)
    bookings._check_documents_writable()
    return bookings


def insert_bookings_select(model, documents, values, provider, request):
    """``model`` is ``pemkab.delivery.booking`` (sudo): one booking of ``provider`` for
    each of ``documents`` that has none under way, as ``create`` then ``action_request``
    (with ``request``) make them in the bulk paths (no tracking), with one
    ``INSERT ... SELECT`` from the documents' rows and a constant number of other
    queries, whatever the number of documents; return the bookings (id order).

    ``values`` is the SQL form of the documents' booking values
    (:meth:`PemkabDeliverableMixin._delivery_booking_values_sql`, alias ``d``). As
    :func:`insert_bookings`, it does what each ``create`` override of the bookings does,
    in SQL: references from the sequence (``nextval`` in the SELECT), phones normalised
    (a document stores its phone normalised: the rare one that is not goes through the
    check), the courier checked for the agencies; the values come from stored columns
    (no NUL character, nothing a client sent). A requested booking is inserted in that
    state with its courier terms (``_courier_terms_join_sql``), its request checked
    (:meth:`_request_errors`) and recorded (:meth:`_do_request_inserted`), with the
    same route verdicts, as ``action_request`` does; its document waits at the shelter,
    where a booking requested has nothing to tell it.
    """
    Booking = model._workflow_plain()
    env = model.env
    fields_ = Booking._fields
    next_number = Booking._next_number_sql()
    env.flush_all()
    doc_table = SQL.identifier(documents._table)
    phone = values["recipient_phone"]
    odd = env.execute_query(
        SQL(
            "SELECT d.id, %s FROM %s d WHERE d.id = ANY(%s) AND %s !~ %s",
            phone,
            doc_table,
            documents.ids,
            phone,
            E164_ID,
        )
    )
    label = fields_["recipient_phone"]._description_string(env)
    fixed = {
        doc_id: Booking._pemkab_normalize_phone(number, label, mobile=True)
        for doc_id, number in odd
        if number
    }
    state = "requested" if request else "draft"
    columns = {
        **values,
        "recipient_phone": SQL("COALESCE(fixed.phone, %s)", phone),
        "name": Booking._reference_sql(SQL("d.pemkab_next_number")),
        "res_model": SQL("%s", documents._name),
        "res_id": SQL("d.id"),
        "provider_id": SQL("%s", provider.id),
        "responsible_user_id": SQL(
            "COALESCE(%s, %s)", values.get("responsible_user_id", SQL("NULL")), env.uid
        ),
        "state": SQL("%s", state),
        # the stored computed stage, from the booking's own compute
        "board_stage": SQL("%s", Booking.new({"state": state}).board_stage or None),
    }
    if request:
        columns.update(
            (fname, SQL("%s", fields_[fname].convert_to_column(value, Booking)))
            for fname, value in Booking._request_vals().items()
        )
    columns.setdefault("service_type", SQL("%s", provider.service_type))
    columns.setdefault("currency_id", SQL("d.currency_id"))
    terms_join = SQL()
    if request:
        # planned in the insert: an UPDATE of the rows just inserted would cost as much
        # again (a new version of each row, and PostgreSQL checks every foreign key of a
        # row updated in the transaction that inserted it)
        terms_join, terms = Booking._courier_terms_join_sql(provider, documents, columns)
        columns.update(terms)
    checked = ()
    if isinstance(documents, env.registry["pemkab.address.mixin"]):
        checked = tuple(
            fname for fname in ADDRESS_CHECKED if values.get(fname) == SQL.identifier("d", fname)
        )
    bookings = insert_select(
        Booking,
        columns,
        SQL(
            """
            FROM (SELECT d.*, %(next_number)s AS pemkab_next_number
                    FROM %(documents)s d
                   WHERE d.id = ANY(%(ids)s)
                     AND NOT EXISTS (
                             SELECT 1 FROM %(bookings)s b
                              WHERE b.res_model = %(model)s AND b.res_id = d.id
                                AND b.state IN %(active)s)
                   ORDER BY d.id) AS d
       LEFT JOIN unnest(%(fixed_ids)s::int[], %(fixed_phones)s::varchar[])
                 AS fixed(id, phone) ON fixed.id = d.id
                 %(terms_join)s
           ORDER BY d.id
            """,
            next_number=next_number,
            terms_join=terms_join,
            documents=doc_table,
            fixed_ids=list(fixed),
            fixed_phones=list(fixed.values()),
            ids=documents.ids,
            bookings=SQL.identifier(Booking._table),
            model=documents._name,
            active=ACTIVE_STATES,
        ),
        checked=checked,
    )
    if not bookings:
        return bookings
    for agency in Booking._read_group(ids_in(bookings.ids), ["agency_id"]):
        provider._check_usable_by(agency[0])
    bookings._check_documents_writable()
    if request:
        verdicts = bookings._route_verdicts_sql()
        errors = bookings._request_errors(verdicts=verdicts)
        if errors:
            raise UserError("\n".join(errors))
        bookings._do_request_inserted(verdicts)
    return bookings


class PemkabDeliverableMixin(models.AbstractModel):
    """Makes a business document deliverable by courier.

    Declare, as class attributes, the values of the document's state field:

    - ``_delivery_ready_state``: the parcel waits at the shelter for its courier (a
      delivery trigger on it books one; a re-dispatch returns here);
    - ``_delivery_out_state``: the driver has the parcel;
    - ``_delivery_delivered_state``, ``_delivery_failed_state``,
      ``_delivery_returned_state`` (a parcel back at the shelter; the failed state when
      None), ``_delivery_cancelled_state``;
    - ``_delivery_closed_states``: states after which nothing moves any more.

    Implement :meth:`_delivery_booking_values` (who gets what, from which shelter), and
    optionally :meth:`_delivery_dispatch_errors` (what must hold before a courier is
    called) and :meth:`_delivery_receiver_candidates` (who may receive the parcel).
    """

    # ==================================================================
    # FIELDS
    # ==================================================================
    _name = "pemkab.deliverable.mixin"
    _inherit = ["pemkab.document.mixin", "pemkab.workflow.mixin", "portal.mixin"]
    _description = "Deliverable by Courier"
    # pemkab.workflow.mixin: what the document adds to the state and the fields below,
    # which only the workflow writes (e.g. its approvals)
    _workflow_protected_fields = ()

    _delivery_state_field = "state"
    _delivery_ready_state = "ready"
    _delivery_out_state = "out_for_delivery"
    _delivery_delivered_state = "delivered"
    _delivery_failed_state = "failed"
    _delivery_returned_state = None
    _delivery_cancelled_state = "cancelled"
    _delivery_closed_states = ("delivered", "cancelled")
    # states from which a parcel is first put at the shelter (action_dispatch)
    _delivery_dispatch_from_states = ()
    # an officer's confirmation must name a registered person (a contact)
    _delivery_receiver_registered = False

    delivery_booking_ids = fields.One2many(
        "pemkab.delivery.booking",
        compute="_compute_delivery_booking_ids",
        string="Courier Bookings",
    )
    delivery_booking_id = fields.Many2one(
        "pemkab.delivery.booking",
        compute="_compute_delivery_booking_ids",
        string="Current Booking",
    )
    delivery_booking_count = fields.Integer(compute="_compute_delivery_booking_ids")
    delivery_status = fields.Selection(
        BOOKING_STATES, compute="_compute_delivery_booking_ids", string="Courier Status"
    )
    delivery_tracking_url = fields.Char(compute="_compute_delivery_booking_ids", string="Tracking")
    # the night wait: a parcel ready at a closed shelter waits for its opening
    delivery_shelter_opens_at = fields.Datetime(
        compute="_compute_delivery_shelter_opens_at",
        string="Shelter Opens",
        help="The parcel waits at its shelter, closed now: when the shelter opens (the "
        "courier is booked then).",
    )
    delivery_shelter_wait_label = fields.Char(
        compute="_compute_delivery_shelter_opens_at",
        string="Shelter Closed",
        help="When the closed shelter opens, in words.",
    )
    # proof of delivery
    receiver_type = fields.Selection(
        RECEIVER_TYPES,
        string="Received By",
        copy=False,
        tracking=True,
        help="Who took the parcel: the recipient, a family member or a named proxy.",
    )
    receiver_partner_id = fields.Many2one(
        "res.partner",
        string="Receiving Person",
        copy=False,
        tracking=True,
        help="The recipient, family member or proxy who took the parcel, when registered.",
    )
    receiver_name = fields.Char(copy=False, tracking=True)
    receiver_relation = fields.Char(
        copy=False, help="Who received, as the recipient's: self, spouse, child, neighbour..."
    )
    delivered_at = fields.Datetime(string="Delivered On", copy=False, tracking=True)
    proof_photo = fields.Image(copy=False, max_width=1024, max_height=1024, attachment=True)
    proof_photo_url = fields.Char(string="Courier's Proof Photo", copy=False, readonly=True)
    proof_source = fields.Selection(
        [("courier", "Courier"), ("officer", "Confirmed by an Officer")],
        string="Proof From",
        copy=False,
        readonly=True,
    )
    # failure, cancellation
    failure_reason = fields.Selection(
        FAILURE_REASONS, string="Why Not Delivered", copy=False, readonly=True, tracking=True
    )
    failure_message = fields.Char(
        string="Failure Details",
        copy=False,
        readonly=True,
        help="The courier's or the officer's own words.",
    )
    cancel_reason = fields.Text(copy=False, readonly=True, tracking=True)
    # the citizen's link
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
    # the citizen's SMS that could not be sent (sms.sms of this document in error)
    delivery_sms_failed = fields.Boolean(
        string="SMS Not Sent",
        compute="_compute_delivery_sms_failure",
        search="_search_delivery_sms_failed",
        help="An SMS to the recipient or a named proxy could not be sent.",
    )
    delivery_sms_failure = fields.Char(
        string="Why the SMS Was Not Sent", compute="_compute_delivery_sms_failure"
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_delivery_booking_ids(self):
        bookings = self.env["pemkab.delivery.booking"].search(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)], order="id desc"
        )
        by_record = bookings.grouped("res_id")
        for record in self:
            mine = by_record.get(record.id, bookings.browse())
            current = mine[:1]
            record.delivery_booking_ids = mine
            record.delivery_booking_id = current
            record.delivery_booking_count = len(mine)
            record.delivery_status = current.state
            record.delivery_tracking_url = current.tracking_url

    @api.depends_context("lang")
    def _compute_delivery_shelter_opens_at(self):
        """A parcel ready at the shelter (its driver has not taken it: that is the out
        state), while its shelter is closed: when the shelter opens. One look at each
        shelter, none at the bookings (a board reads thousands of parcels)."""
        now = fields.Datetime.now()
        cache = {}
        Shelter = self.env["pemkab.shelter"]
        for record in self:
            opens = False
            if record[self._delivery_state_field] == self._delivery_ready_state:
                opens = record._delivery_shelter().sudo()._closed_until(now, cache)
            record.delivery_shelter_opens_at = opens
            record.delivery_shelter_wait_label = Shelter._opening_label(opens, now)

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

    def _compute_delivery_sms_failure(self):
        """The SMS about these documents that could not be sent (one query), each as
        "number: why", in the user's language; the newest three."""
        ids = [record._origin.id for record in self if record._origin.id]
        failed = self.env["sms.sms"]._pemkab_failed_by_document(self._name, ids)
        reasons = self._delivery_sms_failure_reasons()
        for record in self:
            sms = failed.get(record._origin.id)
            record.delivery_sms_failed = bool(sms)
            record.delivery_sms_failure = sms and "; ".join(
                f"{message.number or '-'}: {reasons.get(message.failure_type, reasons['unknown'])}"
                for message in sms[:3]
            )

    def _search_delivery_sms_failed(self, operator, value):
        if operator != "in":
            return NotImplemented
        wanted = set(value)
        if wanted >= {True, False}:
            return [(1, "=", 1)]
        groups = (
            self.env["sms.sms"]
            .sudo()
            ._read_group(
                [
                    ("pemkab_res_model", "=", self._name),
                    ("state", "=", "error"),
                    ("to_delete", "=", False),
                ],
                ["pemkab_res_id"],
            )
        )
        ids = [res_id for (res_id,) in groups]
        return [("id", "in" if True in wanted else "not in", ids)]

    def _delivery_sms_failure_reasons(self):
        """Why an SMS was not sent, by ``sms.sms`` failure type, as an officer reads it."""
        labels = dict(self.env["sms.sms"]._fields["failure_type"]._description_selection(self.env))
        return labels | {
            "unknown": self.env._("unknown error"),
            "sms_number_missing": self.env._("no mobile number"),
            "sms_number_format": self.env._("not a mobile number the SMS gateway sends to"),
            "sms_credit": self.env._("the SMS account has no credit left"),
            "sms_server": self.env._("the SMS gateway could not be reached"),
            "sms_acc": self.env._("the SMS account is not registered"),
            "pemkab_gateway_config": self.env._("the SMS gateway is not configured"),
            "pemkab_gateway_auth": self.env._("the SMS gateway refused its keys"),
            "pemkab_gateway_rejected": self.env._(
                "the SMS gateway or the operator refused the message"
            ),
        }

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("receiver_partner_id")
    def _check_receiver_partner_id(self):
        for record in self.filtered("receiver_partner_id"):
            allowed = [c["partner"] for c in record._delivery_receiver_candidates() if c["partner"]]
            if allowed and record.receiver_partner_id not in allowed:
                raise ValidationError(
                    self.env._(
                        "%(ref)s: Receiving Person: %(person)s is neither the recipient nor "
                        "one of the recipient's family or proxies.",
                        ref=record.display_name,
                        person=record.receiver_partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._pemkab_check_values(vals_list)
        records = super().create(vals_list)
        state_field = self._delivery_state_field
        if any(state_field in vals for vals in vals_list):
            records._delivery_apply_triggers()
        return records

    def write(self, vals):
        self._pemkab_check_values([vals])
        self._check_proof_frozen(vals)
        field = self._delivery_state_field
        entering = self.browse()
        if field in vals:
            entering = self.filtered(lambda record: record[field] != vals[field])
        res = super().write(vals)
        if field in vals:
            self._workflow_plain()._delivery_apply_triggers()
        if entering:
            entering._delivery_on_state_entered(vals[field])
        return res

    def _check_proof_frozen(self, vals):
        """Who received the parcel, and when, is the record a head signs for: once the
        document is closed (delivered, cancelled...) only the workflow writes it."""
        touched = PROOF_FIELDS.intersection(vals)
        if not touched or self._workflow_is_trusted():
            return
        closed = self.filtered(
            lambda record: record[self._delivery_state_field] in self._delivery_closed_states
        )
        if closed:
            raise UserError(
                self.env._(
                    "%(refs)s: the proof of delivery (%(fields)s) cannot change once the "
                    "document is delivered, cancelled or closed.",
                    refs=", ".join(closed[:10].mapped("display_name")),
                    fields=", ".join(
                        sorted(self._fields[name]._description_string(self.env) for name in touched)
                    ),
                )
            )

    def _workflow_guarded_fields(self):
        """The state and what the workflow records of the delivery's outcome."""
        return super()._workflow_guarded_fields() | {
            self._delivery_state_field,
            "proof_source",
            "proof_photo_url",
            "failure_reason",
            "failure_message",
            "cancel_reason",
            # the citizen's link and its clock (it expires some days after the end)
            "access_token",
            "delivery_state_since",
        }

    # ------------------------------------------------------------------
    # Views: the delivery's parts of every document's form
    # ------------------------------------------------------------------
    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """Every deliverable document's form gets the delivery's buttons, the banner of an
        SMS not sent, the bookings' smart button and the *Courier and Proof* page (and its
        search view the *SMS Not Sent* filter) from one template
        (``views/pemkab_deliverable_mixin_templates.xml``), the way OCA's
        ``base_tier_validation`` adds its own: one set of labels, one confirmation, one
        read-only rule for the proof, whatever the document. The document's own form
        declares none of them."""
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "form" and not self._abstract:
            self._delivery_add_form_parts(arch)
        elif view_type == "search" and not self._abstract:
            self._delivery_add_search_filters(arch)
        return arch, view

    @api.model
    def _delivery_add_search_filters(self, search):
        """The delivery's filters in the document's search view (once)."""
        if search.tag != "search" or search.xpath("//filter[@name='delivery_sms_failed']"):
            return
        search.extend(self._delivery_render_form_part("deliverable_search_filters", {}))

    @api.model
    def _delivery_add_form_parts(self, form):
        """Put the delivery's parts into ``form`` (an etree ``<form>`` with a sheet):
        the buttons in the header before the status bar, the smart button in the button
        box, the night wait's banner after it, the page in the notebook (each made when
        the form has none)."""
        sheet = form.find("sheet")
        if sheet is None or form.xpath("//page[@name='pemkab_delivery']"):
            return
        values = {"rules": self._delivery_form_rules()}
        header = form.find("header")
        if header is None:
            header = etree.Element("header")
            sheet.addprevious(header)
        statusbar = header.find("field[@widget='statusbar']")
        for button in self._delivery_render_form_part("deliverable_form_buttons", values):
            if statusbar is not None:
                statusbar.addprevious(button)
            else:
                header.append(button)
        for banner in self._delivery_render_form_part("deliverable_form_banner", values):
            sheet.addprevious(banner)
        box = sheet.find("div[@name='button_box']")
        if box is None:
            box = etree.Element("div", {"class": "oe_button_box", "name": "button_box"})
            sheet.insert(0, box)
        box.extend(self._delivery_render_form_part("deliverable_form_smart_button", values))
        for banner in self._delivery_render_form_part("deliverable_form_night_wait", values):
            box.addnext(banner)
        notebook = sheet.find("notebook")
        if notebook is None:
            notebook = etree.SubElement(sheet, "notebook")
        notebook.extend(self._delivery_render_form_part("deliverable_form_page", values))

    @api.model
    def _delivery_render_form_part(self, template, values):
        """The nodes of one of the form's parts (a template of this addon, in the
        user's language)."""
        markup = self.env["ir.qweb"]._render(f"pemkab_delivery.{template}", values)
        return list(etree.fromstring(str(markup)))

    @api.model
    def _delivery_form_rules(self):
        """The form's ``invisible`` and ``readonly`` expressions, made from the
        document's declared states: the same rule for every document."""
        field = self._delivery_state_field

        def among(states):
            return f"{field} in {sorted(set(states))!r}"

        def not_among(states):
            return f"{field} not in {sorted(set(states))!r}"

        live = self._delivery_live_states()
        dispatch_from = self._delivery_dispatch_from_states
        return {
            # the buttons show where the server lets them act (_check_can_*)
            "dispatch": dispatch_from and not_among(dispatch_from),
            "redispatch": not_among(self._delivery_returned_states()),
            "live": not_among(live),
            "cancel": among((*self._delivery_closed_states, self._delivery_out_state)),
            # the officer writes who received the parcel while it is at the shelter or
            # on its way (before Confirm Delivered); after, the workflow alone does
            "proof_readonly": not_among(live),
        }

    # ==================================================================
    # WORKFLOW: BUTTONS, CHECKS, WHAT THEY DO
    # ==================================================================
    # ------------------------------------------------------------------
    # Actions (buttons)
    # ------------------------------------------------------------------
    def action_view_delivery_bookings(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pemkab_delivery.pemkab_delivery_booking_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "in", self.ids)]
        action["context"] = {}
        if len(self.delivery_booking_ids) == 1:
            action.update(
                view_mode="form", res_id=self.delivery_booking_ids.id, views=[(False, "form")]
            )
        return action

    def action_dispatch(self):
        """The parcel waits at the shelter: its delivery trigger books the courier. Says
        how many parcels went (a list's selection of dozens), or, when their shelter is
        closed now, when the courier will be booked."""
        self._check_can_dispatch()
        self._do_dispatch()
        return self._delivery_night_wait_notification() or self._delivery_notify_done(
            self._delivery_ready_state
        )

    def action_confirm_delivered(self):
        """An officer confirms by hand who received the parcel, and when. A courier
        order still live is cancelled through the outbox."""
        self._check_can_confirm_delivered()
        self._do_confirm_delivered()
        return True

    def action_redispatch(self):
        """Send a failed or returned parcel out again: books a courier, or says why not."""
        self._check_can_redispatch()
        self._do_redispatch()
        return self._delivery_notify_done(self._delivery_ready_state)

    def action_mark_failed(self, reason, failure_reason="other"):
        """An officer records that the parcel did not reach the recipient (the reason
        wizard calls this); the courier order, if still live, is cancelled."""
        self._check_can_mark_failed(reason, failure_reason)
        self._do_mark_failed(reason, failure_reason)
        return True

    def action_cancel(self, reason):
        """Cancel with a reason (the reason wizard calls this), and the courier booking."""
        self._check_can_cancel()
        self._check_reason(reason)
        self._do_cancel(reason)
        return True

    def action_open_cancel_wizard(self):
        self._check_can_cancel()
        return self._delivery_open_reason_wizard("cancel")

    def action_open_failed_wizard(self):
        return self._delivery_open_reason_wizard(self.env.context.get("pemkab_reason_kind", "fail"))

    def action_delivery_assign_driver_run(self):
        """Give the own-fleet parcels of these documents (waiting at one shelter) to a
        driver run of the agency (pemkab.fleet.assign.wizard)."""
        return self.env["pemkab.fleet.assign.wizard"]._open_for_documents(self)

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

    # ------------------------------------------------------------------
    # Checks: every reason at once
    # ------------------------------------------------------------------
    def _check_can_dispatch(self):
        labels = dict(self._fields[self._delivery_state_field]._description_selection(self.env))
        wrong = self._delivery_among(
            [(self._delivery_state_field, "not in", self._delivery_dispatch_from_states)]
        )
        errors = [
            self.env._(
                "%(ref)s cannot go to the shelter from the state %(state)s.",
                ref=record.display_name,
                state=labels.get(record[self._delivery_state_field]),
            )
            for record in wrong
        ]
        self._raise_errors(errors + self._delivery_dispatch_errors())

    def _check_can_confirm_delivered(self):
        errors = []
        for record in self:
            if record[self._delivery_state_field] not in self._delivery_live_states():
                errors.append(
                    self.env._(
                        "%(ref)s: only a parcel at the shelter or on its way can be confirmed "
                        "delivered.",
                        ref=record.display_name,
                    )
                )
            elif not (record.receiver_type or record.receiver_partner_id):
                errors.append(
                    self.env._(
                        "%(ref)s: Received By: say who received the parcel.",
                        ref=record.display_name,
                    )
                )
            elif self._delivery_receiver_registered and not record.receiver_partner_id:
                errors.append(
                    self.env._(
                        "%(ref)s: Receiving Person: choose the recipient or one of the "
                        "registered family members or proxies.",
                        ref=record.display_name,
                    )
                )
            elif not (
                record.receiver_partner_id
                or record.receiver_name
                or record.receiver_type == "recipient"
            ):
                errors.append(
                    self.env._(
                        "%(ref)s: Receiving Person: name the person who received the parcel.",
                        ref=record.display_name,
                    )
                )
        self._raise_errors(errors)

    def _check_can_redispatch(self):
        returned = self._delivery_returned_states()
        errors = [
            self.env._(
                "%(ref)s: only a parcel that failed or came back can be dispatched again.",
                ref=record.display_name,
            )
            for record in self
            if record[self._delivery_state_field] not in returned
        ]
        self._raise_errors(errors + self._delivery_dispatch_errors())

    def _check_can_mark_failed(self, reason, failure_reason):
        self._check_reason(reason)
        if failure_reason not in dict(FAILURE_REASONS):
            raise ValidationError(
                self.env._("Why Not Delivered: “%s” is not a known reason.", failure_reason)
            )
        errors = [
            self.env._(
                "%(ref)s: only a parcel at the shelter or on its way can be marked not delivered.",
                ref=record.display_name,
            )
            for record in self
            if record[self._delivery_state_field] not in self._delivery_live_states()
        ]
        self._raise_errors(errors)

    def _check_can_cancel(self):
        errors = []
        field = self._delivery_state_field
        for record in self:
            if record[field] in self._delivery_closed_states:
                errors.append(
                    self.env._(
                        "%(ref)s is delivered, cancelled or closed already.",
                        ref=record.display_name,
                    )
                )
            elif record[field] == self._delivery_out_state:
                errors.append(
                    self.env._(
                        "%(ref)s: the driver already has the parcel; ask the courier to return it.",
                        ref=record.display_name,
                    )
                )
        self._raise_errors(errors)

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

    def _check_reason(self, reason):
        if not (reason or "").strip():
            raise ValidationError(self.env._("Reason: give the reason."))

    def _raise_errors(self, errors, limit=30):
        """Refuse the whole call, every reason at once: a selection of many documents
        (a board's list) changes all of them or none."""
        if errors:
            more = len(errors) - limit
            lines = errors[:limit]
            if more > 0:
                lines.append(self.env._("… and %s more.", more))
            if len(self) > 1:
                lines.insert(
                    0,
                    self.env._(
                        "Nothing was changed: the %(count)s selected documents stay as they "
                        "are, because:",
                        count=len(self),
                    ),
                )
            raise UserError("\n".join(lines))

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _do_confirm_delivered(self):
        now = fields.Datetime.now()
        for record in self:
            record._delivery_write_state(
                self._delivery_delivered_state,
                {
                    **record._delivery_receiver_vals(),
                    "delivered_at": record.delivered_at or now,
                    "proof_source": "officer",
                    "failure_reason": False,
                    "failure_message": False,
                },
            )
        self._delivery_release_bookings(
            self.env._("Delivered, confirmed by an officer."), deliver_own_fleet=True
        )

    def _do_dispatch(self):
        # one write for a whole batch (a period of thousands of parcels), and one
        # statement for the chatter line of each (who, when, from which state)
        self._delivery_bulk_tracked("_delivery_dispatch")

    def _do_redispatch(self):
        self._delivery_bulk_tracked("_delivery_dispatch")

    def _delivery_bulk_tracked(self, method):
        """Run ``method`` (the name of a method writing the state of all of ``self`` at
        once). One record: the ORM's tracking writes its chatter line. Many: written
        without the ORM's tracking (record by record), then every record's line (who,
        when, the state left and entered) logged by one statement. A caller's
        ``tracking_disable`` (an import, the demo) logs nothing."""
        field = self._delivery_state_field
        quiet = self.env.context.get("tracking_disable")
        if len(self) <= 1 or quiet or "message_ids" not in self._fields:
            records = self if len(self) <= 1 or quiet else self.with_context(tracking_disable=True)
            return getattr(records, method)()
        old = {record.id: record[field] for record in self}
        result = getattr(self.with_context(tracking_disable=True), method)()
        log_tracking(self.filtered(lambda record: record[field] != old[record.id]), field, old)
        return result

    def _delivery_notify_done(self, state):
        """The web client's notice after a button: how many documents are in ``state``
        now ("12 parcels: Ready at Shelter"); the view then reloads."""
        labels = dict(self._fields[self._delivery_state_field]._description_selection(self.env))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(document)s: %(count)s now “%(state)s”.",
                    count=len(self),
                    document=self._description,
                    state=labels.get(state, state),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _do_mark_failed(self, reason, failure_reason):
        # the state first: a booking cancelled at once must not find its parcel still
        # waiting at the shelter (that would book a new courier)
        reason = reason.strip()
        for record in self:
            record._delivery_write_state(
                record._delivery_failure_state(failure_reason),
                {"failure_reason": failure_reason, "failure_message": reason[:250]},
            )
        self._delivery_release_bookings(reason)

    def _do_cancel(self, reason):
        reason = reason.strip()
        self._delivery_write_state(self._delivery_cancelled_state, {"cancel_reason": reason})
        self._delivery_release_bookings(reason)

    def _delivery_dispatch(self):
        """Put the parcels at the shelter (the ready state): its trigger books the
        couriers. Every parcel gets a booking, or waits for a booking being cancelled, or
        the whole call is refused saying why, before anything changes: it never silently
        does nothing."""
        waiting = self._delivery_check_bookable()
        vals = {"failure_reason": False, "failure_message": False}
        if self._delivery_set_based():
            vals[self._delivery_state_field] = self._delivery_ready_state
            self._delivery_write_states_sql(vals)
        else:
            self._delivery_write_state(self._delivery_ready_state, vals)
        for booking in waiting:
            record = self.browse(booking.res_id)
            if hasattr(record, "message_post"):
                record.message_post(
                    body=self.env._(
                        "The courier is still cancelling booking %(ref)s: a new courier is "
                        "booked as soon as that cancellation is confirmed.",
                        ref=booking.name,
                    ),
                    message_type="notification",
                )

    def _delivery_night_wait_notification(self):
        """The notification after *Ready at Shelter* for parcels whose shelter is closed
        now (the courier is booked when it opens), or None when every shelter is open.
        One look at each shelter, whatever the number of parcels (a period's thousands)."""
        now = fields.Datetime.now()
        cache = {}
        Shelter = self.env["pemkab.shelter"]
        waiting_ids = defaultdict(set)  # label: the parcels' ids
        for shelter, ids in self._delivery_shelter_groups().items():
            opens = shelter.sudo()._closed_until(now, cache)
            if opens:
                waiting_ids[Shelter._opening_label(opens, now)].update(ids)
        if not waiting_ids:
            return None
        # the parcels of each label in the order of the selection
        waiting = {
            label: self.browse(record_id for record_id in self._ids if record_id in ids)
            for label, ids in waiting_ids.items()
        }
        if len(self) == 1:
            message = self.env._(
                "%(opens)s. The shelter is closed now: the parcel waits there, and the "
                "courier will be booked when it opens.",
                opens=next(iter(waiting)),
            )
        else:
            lines = [
                self.env._(
                    "%(count)s of the %(total)s parcels wait at a closed shelter: their "
                    "courier will be booked when it opens.",
                    count=sum(len(records) for records in waiting.values()),
                    total=len(self),
                )
            ]
            for label, records in waiting.items():
                shown = ", ".join(records[:10].mapped("display_name"))
                lines.append(f"{label}: {shown}" + (" …" if len(records) > 10 else ""))
            message = "\n".join(lines)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Shelter closed"),
                "message": message,
                "type": "warning",
                "sticky": True,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _delivery_check_bookable(self):
        """Refuse when a delivery trigger would book no courier for a parcel put at the
        shelter; return the bookings still under way (being cancelled) that parcels will
        wait for."""
        active = self._delivery_active_bookings()
        # a parcel that waits for a booking being cancelled still needs a trigger then
        busy = {booking.res_id for booking in active if not booking.released}
        triggers = self._delivery_triggers([self._delivery_ready_state])
        missing = self.browse(
            record_id
            for (_state, agency), ids in self._delivery_ids_by_state_agency().items()
            if not any(trigger._applies_to(agency) for trigger in triggers)
            for record_id in ids
            if record_id not in busy
        )
        if missing:
            labels = dict(self._fields[self._delivery_state_field]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "No courier booking could be made for %(refs)s: no delivery trigger books "
                    "a courier when a %(document)s becomes “%(state)s” for its agency. An "
                    "administrator adds one in Settings > Courier Deliveries > Delivery "
                    "Triggers.",
                    refs=", ".join(missing[:10].mapped("display_name")),
                    document=self._description,
                    state=labels.get(self._delivery_ready_state, self._delivery_ready_state),
                )
            )
        return active.filtered("released")

    def _delivery_receiver_vals(self):
        """Name, relation and contact of the receiver an officer gave: completed from the
        registered recipient, family members and proxies."""
        self.ensure_one()
        candidates = self._delivery_receiver_candidates()
        person = self.receiver_partner_id
        match = next((c for c in candidates if person and c["partner"] == person), None)
        if not match and not person and self.receiver_type == "recipient":
            match = next((c for c in candidates if c["type"] == "recipient"), None)
        vals = {}
        if match:
            vals["receiver_partner_id"] = match["partner"].id
            vals["receiver_type"] = self.receiver_type or match["type"]
            vals["receiver_relation"] = self.receiver_relation or match.get("relation") or False
        vals["receiver_name"] = (
            self.receiver_name
            or (match and (match["partner"].name or match.get("name")))
            or person.name
        )
        return vals

    def _delivery_write_state(self, state, vals=None):
        """The workflow's own write of the document's state."""
        if self:
            self._workflow().write(dict(vals or {}, **{self._delivery_state_field: state}))

    def _delivery_set_based(self):
        """Whether these documents move in SQL, set-based (:meth:`_delivery_write_states_sql`,
        the bookings by ``INSERT ... SELECT``): many of them at once in a bulk path (no
        tracking), of a document that declares its booking values in SQL."""
        return (
            len(self) > 1
            and bool(self.env.context.get("tracking_disable"))
            and self._delivery_booking_values_sql(SQL.identifier("d")) is not None
        )

    def _delivery_write_states_sql(self, vals):
        """The workflow's write of a new state with ``vals`` (plain column values) for
        many documents at once (a period's thousands, written without tracking): one
        ``UPDATE`` of their rows, doing what the ORM's write does for such a state and
        nothing more: access rights, the values checked, the time each document entered
        the state, the citizen link of a parcel put at the shelter, the log columns,
        the fields that depend on them marked for recomputation, the constraints, and
        the delivery triggers of the new state (which book couriers, set-based for a
        document that declares its booking values in SQL).

        Not for the states whose entry tells the citizens (delivered, not delivered):
        those go through ``write``.
        """
        state_field = self._delivery_state_field
        state = vals[state_field]
        self.check_access("write")
        self._pemkab_check_values([vals])
        fnames = [*vals, "delivery_state_since", "write_uid", "write_date"]
        entering = SQL("%s IS DISTINCT FROM %s", SQL.identifier(state_field), state)
        assignments = [
            SQL(
                "%s = %s", SQL.identifier(fname), self._fields[fname].convert_to_column(value, self)
            )
            for fname, value in vals.items()
        ]
        if state == self._delivery_ready_state:
            # the citizen link, once (_delivery_ensure_citizen_url): a random UUID too
            fnames.append("access_token")
            assignments.append(
                SQL(
                    "access_token = CASE WHEN %s THEN COALESCE(access_token, "
                    "gen_random_uuid()::text) ELSE access_token END",
                    entering,
                )
            )
        self.flush_recordset()
        self.modified(fnames, before=True)
        self.env.execute_query(
            SQL(
                """
                UPDATE %(table)s
                   SET %(assignments)s,
                       delivery_state_since = CASE WHEN %(entering)s THEN %(since)s
                                                   ELSE delivery_state_since END,
                       write_uid = %(uid)s,
                       write_date = %(now)s
                 WHERE id = ANY(%(ids)s)
                """,
                table=SQL.identifier(self._table),
                assignments=SQL(", ").join(assignments),
                entering=entering,
                since=fields.Datetime.now(),
                uid=self.env.uid,
                now=self.env.cr.now(),
                ids=self.ids,
            )
        )
        self.invalidate_recordset(fnames)
        self.modified(fnames)
        self._validate_fields(fnames)
        self._workflow_plain()._delivery_apply_triggers(state=state)

    def _delivery_open_reason_wizard(self, kind):
        # a button called on documents the user may not change opens nothing
        self.check_access("write")
        wizard = self.env["pemkab.delivery.reason.wizard"]
        return {
            "type": "ir.actions.act_window",
            "name": dict(wizard._fields["kind"]._description_selection(self.env))[kind],
            "res_model": wizard._name,
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_kind": kind,
                "default_res_model": self._name,
                "default_res_ids": self.ids,
            },
        }

    def _delivery_failure_state(self, failure_reason):
        if failure_reason == "returned" and self._delivery_returned_state:
            return self._delivery_returned_state
        return self._delivery_failed_state

    @api.model
    def _delivery_live_states(self):
        """States in which the parcel is with (or waits for) a courier."""
        return (self._delivery_ready_state, self._delivery_out_state)

    @api.model
    def _delivery_returned_states(self):
        """States of a parcel that failed or came back: it may be dispatched again."""
        return tuple({self._delivery_failed_state, self._delivery_returned_state} - {None})

    def _delivery_on_state_entered(self, state):
        """These documents just reached ``state``: note when, and tell the citizens of a
        delivery or a failure."""
        res = super(PemkabDeliverableMixin, self._workflow()).write(
            {"delivery_state_since": fields.Datetime.now()}
        )
        if state == self._delivery_ready_state:
            self._delivery_ensure_citizen_url()
        elif state == self._delivery_delivered_state:
            self._delivery_notify_citizens("delivered")
        elif state in self._delivery_returned_states():
            self._delivery_notify_citizens("failed")
        return res

    # ==================================================================
    # BOOKINGS OF THE DOCUMENTS, AND WHAT THEIR NEWS DOES
    # ==================================================================
    # ------------------------------------------------------------------
    # Bookings of the documents
    # ------------------------------------------------------------------
    def _delivery_release_bookings(self, reason, deliver_own_fleet=False):
        """The documents no longer wait for their bookings: mark them released (their
        news is kept on the booking only) and cancel what can be cancelled, through the
        outbox when the courier has the order. With ``deliver_own_fleet``, a booking of
        the regency's own fleet on its way is marked delivered instead."""
        bookings = self._delivery_active_bookings()
        if not bookings:
            return bookings
        bookings.write({"released": True})
        if deliver_own_fleet:
            own_fleet = bookings.filtered(
                lambda b: not b.provider_id._has_api() and b.state in ON_ITS_WAY_STATES
            )
            by_record = {record.id: record for record in self}
            for booking in own_fleet:
                record = by_record[booking.res_id]
                booking.write(
                    {
                        "receiver_name": record.receiver_name,
                        "receiver_relation": record.receiver_relation,
                        "delivered_at": record.delivered_at,
                    }
                )
                booking._set_state("delivered", source="user", note=reason)
            bookings -= own_fleet
        cancellable = bookings.filtered(lambda b: b.state in CANCELLABLE_STATES)
        if cancellable:
            cancellable.with_context(cancel_reason=reason).action_cancel()
        return bookings

    def _delivery_bookings(self, domain=(), order=None):
        """The bookings of these documents matching ``domain`` (one query; sudo: a
        document's workflow sees its bookings whoever may read them)."""
        return (
            self.env["pemkab.delivery.booking"]
            .sudo()
            .search(
                Domain("res_model", "=", self._name)
                & ids_in(self.ids, "res_id")
                & Domain(list(domain)),
                order=order,
            )
        )

    def _delivery_active_bookings(self):
        """The bookings of these documents that are not final."""
        return self._delivery_bookings([("state", "in", ACTIVE_STATES)])

    def _delivery_active_booking(self):
        self.ensure_one()
        return self._delivery_active_bookings()[:1]

    def _delivery_current_bookings(self):
        """{document id: the booking whose news moves it}: its latest booking that it
        has not released."""
        bookings = self._delivery_bookings([("released", "=", False)], order="id desc")
        current = {}
        for booking in bookings:
            current.setdefault(booking.res_id, booking)
        return current

    # ------------------------------------------------------------------
    # Courier news (called by pemkab.delivery.booking)
    # ------------------------------------------------------------------
    def _delivery_on_booking_update(self, booking, old_state):
        """A booking of this record changed state: move the record the same way, whoever
        started the booking, and tell the citizens of a courier booked or a driver
        assigned. News of a booking the record released, or of an older one, is kept on
        that booking only.

        :param booking: the ``pemkab.delivery.booking``
        :param old_state: its state before the change
        """
        self.ensure_one()
        self._delivery_follow_booking(booking)
        if booking.state in ("booked", "driver_assigned") and not booking.released:
            state = self[self._delivery_state_field]
            if state in self._delivery_live_states():
                if booking == self._delivery_current_bookings().get(self.id):
                    self._delivery_notify_citizens(booking.state, {self.id: booking})

    def _delivery_follow_booking(self, booking):
        """Move the record as its current booking's new state says."""
        self.ensure_one()
        vals = self._delivery_news_vals(booking)
        if vals is None:
            ready = self[self._delivery_state_field] == self._delivery_ready_state
            if ready and booking.released and booking.state in FINAL_STATES:
                # a booking being cancelled kept a re-dispatched parcel waiting
                self._delivery_apply_triggers()
            return
        if not vals and booking.state not in FINAL_STATES:
            return  # nothing to do here: spare the query below (bulk requests)
        if booking != self._delivery_current_bookings().get(self.id):
            return
        if vals:
            state = vals.pop(self._delivery_state_field)
            self._delivery_write_state(state, vals)
        if hasattr(self, "message_post") and booking.state in FINAL_STATES:
            self.message_post(
                body=self.env._(
                    "Courier booking %(ref)s: %(state)s.",
                    ref=booking.name,
                    state=dict(booking._fields["state"]._description_selection(self.env))[
                        booking.state
                    ],
                ),
                message_type="notification",
            )

    def _delivery_news_vals(self, booking):
        """What the booking's new state does to this record: the values to write (with
        the state), ``{}`` for news that changes nothing here but is this record's, or
        None when the news is not for this record."""
        if booking.released:
            return None
        state = self[self._delivery_state_field]
        ready, out = self._delivery_ready_state, self._delivery_out_state
        returned = self._delivery_returned_states()
        field = self._delivery_state_field
        news = booking.state
        if news in ("requested", "booked", "driver_assigned"):
            if state in returned:  # booked again (Book Again, a dispatcher's request)
                return {field: ready, "failure_reason": False, "failure_message": False}
            return {} if state == ready else None
        if news == "picked_up":
            return {field: out} if state in (ready, *returned) else None
        if news == "delivered":
            if state in (ready, out, *returned):
                return dict(
                    self._delivery_proof_from_booking(booking),
                    **{field: self._delivery_delivered_state},
                )
            return None
        if news in ("failed", "cancelled") and state in (ready, out):
            # a booking cancelled in Odoo carries its canceller's reason; one cancelled
            # by the courier does not
            reason = booking.failure_reason or (
                "other" if news == "failed" or booking.cancel_reason else "cancelled_by_courier"
            )
            message = booking.failure_message or (news == "cancelled" and booking.cancel_reason)
            return {
                field: self._delivery_failure_state(reason),
                "failure_reason": reason,
                "failure_message": (message or "")[:250] or False,
            }
        return None

    def _delivery_proof_from_booking(self, booking):
        """The proof of delivery the courier reported, matched to the recipient, a family
        member or a proxy of this document."""
        self.ensure_one()
        vals = {
            "receiver_name": booking.receiver_name or self.receiver_name,
            "receiver_relation": booking.receiver_relation or self.receiver_relation,
            "delivered_at": booking.delivered_at or fields.Datetime.now(),
            "proof_source": self.proof_source or "courier",
            "proof_photo_url": booking.proof_photo_url or self.proof_photo_url,
            "failure_reason": False,
            "failure_message": False,
        }
        if booking.proof_photo and not self.proof_photo:
            vals["proof_photo"] = booking.proof_photo
        if not self.receiver_type:
            vals.update(
                self._delivery_match_receiver(booking.receiver_name, booking.receiver_relation)
            )
        return vals

    def _delivery_match_receiver(self, name, relation):
        """``receiver_type`` and ``receiver_partner_id`` for the person a courier named:
        a registered recipient, family member or proxy of that name, else what the
        relation says (a stranger counts as a proxy)."""
        self.ensure_one()
        wanted = (name or "").strip().casefold()
        for candidate in self._delivery_receiver_candidates():
            known = candidate["partner"].name or candidate.get("name") or ""
            if wanted and candidate["partner"] and known.strip().casefold() == wanted:
                return {
                    "receiver_type": candidate["type"],
                    "receiver_partner_id": candidate["partner"].id,
                }
        words = (relation or "").strip().casefold()
        if words in SELF_RELATIONS:
            kind = "recipient"
        elif words in FAMILY_RELATIONS:
            kind = "family"
        elif not name and not words:
            return {}
        else:
            kind = "proxy"
        return {"receiver_type": kind}

    # ------------------------------------------------------------------
    # Triggers
    # ------------------------------------------------------------------
    def _delivery_apply_triggers(self, state=None):
        """Create (and request) the bookings that the records' new state asks for
        (``state``: the state all of them are in now, when the caller just wrote it).

        Set-based: one search for triggers, one for bookings under way, one create and
        one request for the whole batch, so that a period of thousands of shipments
        reaching "packed" at once books them in seconds.
        """
        if self._delivery_set_based():
            self._delivery_apply_triggers_sql(state)
            return
        state_field = self._delivery_state_field
        candidates = self.filtered(lambda record: record[state_field])
        if not candidates:
            return
        triggers = self._delivery_triggers(set(candidates.mapped(state_field)))
        if not triggers:
            return
        busy = set(candidates._delivery_active_bookings().mapped("res_id"))
        by_trigger = {}
        for record in candidates:
            if record.id in busy:
                continue
            agency = record._delivery_agency()
            trigger = next(
                (
                    trigger
                    for trigger in triggers
                    if trigger.state_value == record[state_field] and trigger._applies_to(agency)
                ),
                None,
            )
            if trigger:
                by_trigger.setdefault(trigger, []).append(record.id)
        for trigger, ids in by_trigger.items():
            self.browse(ids)._delivery_create_bookings(trigger.provider_id, trigger.dispatch_mode)

    def _delivery_apply_triggers_sql(self, state=None):
        """:meth:`_delivery_apply_triggers` in a constant number of queries: the
        documents grouped by state and agency, the first trigger of each group, one
        ``INSERT ... SELECT`` of the bookings of each trigger (documents with a booking
        under way are left out, as there). Documents all in a ``state`` no trigger
        watches (a period's submission, its approval) are not even grouped."""
        if state is not None and not self._delivery_triggers({state}):
            return
        groups = self._delivery_ids_by_state_agency()
        triggers = self._delivery_triggers({state for state, _agency in groups if state})
        by_trigger = defaultdict(list)
        Booking = self.env["pemkab.delivery.booking"].sudo()
        for (state, agency), ids in groups.items():
            trigger = next(
                (t for t in triggers if t.state_value == state and t._applies_to(agency)), None
            )
            if trigger:
                by_trigger[trigger].extend(ids)
        for trigger, ids in by_trigger.items():
            documents = self.browse(sorted(ids))
            if (
                trigger.state_value in self._delivery_returned_states()
                or Booking._next_number_sql() is None
            ):
                # a booking requested moves such a document back to the shelter (the
                # per-record path tells it); references not from a plain sequence
                busy = documents._delivery_active_bookings().mapped("res_id")
                (documents - documents.browse(busy))._delivery_create_bookings(
                    trigger.provider_id, trigger.dispatch_mode
                )
                continue
            insert_bookings_select(
                Booking,
                documents,
                documents._delivery_booking_values_sql(SQL.identifier("d")),
                trigger.provider_id,
                request=trigger.dispatch_mode == "auto",
            )
            documents._delivery_invalidate()

    def _delivery_ids_by_state_agency(self):
        """``{(state, agency): ids}`` of these documents, in one query (the grouping of
        :meth:`_delivery_agency`: a document that overrides it overrides this too)."""
        state_field = self._delivery_state_field
        records = self.sudo().with_context(active_test=False)
        if "agency_id" not in self._fields:
            return {
                (state, self.env["pemkab.agency"]): ids
                for state, ids in records._read_group(
                    ids_in(self.ids), [state_field], ["id:array_agg"]
                )
            }
        return {
            (state, agency): ids
            for state, agency, ids in records._read_group(
                ids_in(self.ids), [state_field, "agency_id"], ["id:array_agg"]
            )
        }

    def _delivery_shelter_groups(self):
        """``{shelter: ids}`` of these documents, the grouping of :meth:`_delivery_shelter`:
        one query for the documents' own shelters (a period's thousands of parcels), the
        current booking's shelter for those that have none."""
        if not self:
            return {}
        groups = defaultdict(list)
        without = self.browse()
        field = self._fields.get("shelter_id")
        if field and field.store:
            records = self.sudo().with_context(active_test=False)
            for shelter, ids in records._read_group(
                ids_in(self.ids), ["shelter_id"], ["id:array_agg"]
            ):
                if shelter:
                    groups[shelter.with_env(self.env)].extend(ids)
                else:
                    without |= self.browse(ids)
        else:
            without = self
        for record in without:
            # the booking summary is computed for all of them at once (prefetch)
            groups[record.delivery_booking_id.shelter_id].append(record.id)
        return dict(groups)

    def _delivery_among(self, domain):
        """Those of these documents that match ``domain``, in id order (one query)."""
        return self.browse(
            self.sudo()
            .with_context(active_test=False)
            .search(ids_in(self.ids) & Domain(domain), order="id")
            .ids
        )

    def _delivery_triggers(self, states):
        """The active delivery triggers of this document for these states (sudo: they
        are an administrator's settings that act for the agency)."""
        return (
            self.env["pemkab.delivery.trigger"]
            .sudo()
            .search([("model_name", "=", self._name), ("state_value", "in", list(states))])
        )

    def _delivery_create_bookings(self, provider, dispatch_mode="auto"):
        """Create the courier bookings of these records (one each); request them unless a
        dispatcher must. Returns the bookings (sudo: the trigger acts for the agency)."""
        if not self:
            return self.env["pemkab.delivery.booking"].sudo()
        busy = self._delivery_active_bookings()[:1]
        if busy:
            raise UserError(
                self.env._(
                    "%(record)s already has a courier booking under way.",
                    record=self.browse(busy.res_id).display_name,
                )
            )
        vals_list = []
        for record in self:
            values = dict(record._delivery_booking_values())
            values.update(
                res_model=self._name,
                res_id=record.id,
                provider_id=provider.id,
                responsible_user_id=values.get("responsible_user_id") or self.env.user.id,
            )
            values.setdefault("service_type", provider.service_type)
            values.setdefault("currency_id", record.currency_id.id)
            vals_list.append(values)
        Booking = self.env["pemkab.delivery.booking"].sudo()
        if len(vals_list) > 1 and self.env.context.get("tracking_disable"):
            bookings = insert_bookings(Booking, vals_list)
        else:
            bookings = Booking.create(vals_list)
        self._delivery_invalidate()
        if dispatch_mode == "auto":
            # made from the documents' values this instant: nothing to refresh
            bookings._check_can_request()
            bookings._do_request()
        return bookings

    def _delivery_invalidate(self):
        """Forget the cached booking summary (bookings are found by search, not by a
        stored relation the ORM would keep up to date)."""
        self.invalidate_recordset(
            [
                "delivery_booking_ids",
                "delivery_booking_id",
                "delivery_booking_count",
                "delivery_status",
                "delivery_tracking_url",
            ]
        )

    # ==================================================================
    # THE CITIZEN: LINK, PAGE, MESSAGES, PROOF OF DELIVERY
    # ==================================================================
    # ------------------------------------------------------------------
    # The citizen's link
    # ------------------------------------------------------------------
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
        if not isinstance(token, str) or not CITIZEN_TOKEN_RE.fullmatch(token):
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
        on_the_way = self._delivery_citizen_on_the_way(booking)
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
            **self._delivery_citizen_driver_values(booking, on_the_way),
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

    def _delivery_citizen_on_the_way(self, booking):
        """A driver has the parcel or is coming for it, and the document still waits
        for it: the only time the driver's photo and position are shown."""
        state = self[self._delivery_state_field]
        return state in self._delivery_live_states() and booking.state in (
            "driver_assigned",
            "picked_up",
        )

    def _delivery_citizen_driver_values(self, booking, on_the_way):
        """The driver's photo (served by ``/lacak/<token>/pengemudi``, which checks the
        token and the way again: never an attachment's URL) and the driver's last
        position the courier told (GrabExpress only: GoSend tells none), with its time."""
        values = {"driver_photo_url": "", "driver_position_url": "", "driver_position_at": ""}
        if not on_the_way:
            return values
        if booking.with_context(bin_size=True).driver_photo:
            values["driver_photo_url"] = f"/lacak/{self.access_token}/pengemudi"
        if booking.driver_position_at and (booking.driver_latitude or booking.driver_longitude):
            lat, lng = booking.driver_latitude, booking.driver_longitude
            values["driver_position_url"] = (
                f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lng:.5f}"
                f"#map=16/{lat:.5f}/{lng:.5f}"
            )
            values["driver_position_at"] = (
                f"{self._delivery_citizen_time(booking.driver_position_at)} WIB"
            )
        return values

    def _delivery_citizen_driver_photo(self):
        """The driver's photo (base64) for the citizen page, or None: only while the
        parcel is on its way."""
        self.ensure_one()
        booking = self.delivery_booking_id.sudo()
        if not booking or not self._delivery_citizen_on_the_way(booking):
            return None
        return booking.driver_photo or None

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
    # Messages to the citizens
    # ------------------------------------------------------------------
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
            (record, booking.sudo(), contact)
            for record in self
            if (booking := bookings.get(record.id))
            for contact in record._delivery_notify_contacts(booking.sudo())
        ]
        if sms_template:
            by_lang = defaultdict(set)
            for _record, booking, contact in plan:
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
                    # the document shows the SMS that could not be sent
                    "pemkab_res_model": record._name,
                    "pemkab_res_id": record.id,
                }
                for record, booking, contact in plan
                if contact["phone"]
            ]
            if sms_vals:
                self.env["sms.sms"].sudo().create(sms_vals)
        if mail_template:
            for _record, booking, contact in plan:
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

    # ==================================================================
    # HOOKS FOR THE BUSINESS MODEL
    # ==================================================================
    def _delivery_booking_values(self):
        """Values of the booking for this record.

        Must return at least ``agency_id``, ``shelter_id``, ``recipient_name``,
        ``recipient_phone``, ``package_code``, and the address (``street``,
        ``kecamatan_id``, ``desa_id``, ``latitude``, ``longitude``). ``package_description``
        goes to the courier: never put medicine names or other sensitive data in it.
        """
        raise NotImplementedError(f"{self._name} must implement _delivery_booking_values()")

    @api.model
    def _delivery_booking_values_sql(self, alias):
        """The SQL form of :meth:`_delivery_booking_values`, for many documents at once:
        ``{field name: SQL}``, the same fields, each an expression over a row of this
        model's table aliased ``alias`` (an ``SQL.identifier``), in the booking column's
        format. None (the default): the document books through the Python values only.

        A document that implements it moves set-based in the bulk paths (its state
        written in one ``UPDATE``, its bookings inserted with one ``INSERT ... SELECT``,
        see :meth:`_delivery_write_states_sql`): its ``write`` must then do nothing of
        its own when only the state changes. A test proves both forms give the same
        values for the same document.
        """
        return None

    def _delivery_dispatch_errors(self):
        """What keeps these documents from being handed to a courier now, as a list of
        messages (empty: they may go). Re-checked at every dispatch and re-dispatch."""
        return []

    def _delivery_receiver_candidates(self):
        """Who may receive this document's parcel: a list of dicts with ``partner`` (a
        ``res.partner``, possibly empty), ``name``, ``type`` (a ``RECEIVER_TYPES`` value:
        recipient, family, proxy) and ``relation``."""
        return []

    def _delivery_shelter(self):
        """The shelter where the parcel waits: the record's ``shelter_id`` (the one its
        bookings are made for), else its current booking's."""
        self.ensure_one()
        if "shelter_id" in self._fields and self["shelter_id"]:
            return self["shelter_id"]
        return self.delivery_booking_id.shelter_id

    def _delivery_agency(self):
        """The agency the record belongs to (``agency_id`` by default)."""
        self.ensure_one()
        return self["agency_id"] if "agency_id" in self._fields else self.env["pemkab.agency"]
