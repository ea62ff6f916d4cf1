# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

VULNERABILITY_FLAGS = ("elderly", "disability", "pregnant", "child_under_five")
# a phone as pemkab.address.base.mixin stores it (+62 and digits): copied as it is
E164_ID = r"^\+62[0-9]+$"


class PemkabSocialHousehold(models.Model):
    """A registered household (keluarga) receiving social aid.

    Its members are contacts (``res.partner``) carrying their NIK; the head of household
    is one of them. The No. KK is kept as history (:class:`PemkabSocialKkHistory`). The
    vulnerability flags of the members raise the household's priority.
    """

    _name = "pemkab.social.household"
    _description = "Beneficiary Household"
    _inherit = ["pemkab.address.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "priority desc, name, id"
    _rec_names_search = ["name", "dtsen_id", "kk_number", "head_nik"]
    _pemkab_phone_fields = {"phone": True}

    name = fields.Char(string="Household", required=True, tracking=True, index="trigram")
    active = fields.Boolean(default=True, tracking=True)
    head_id = fields.Many2one(
        "res.partner",
        string="Head of Household",
        tracking=True,
        domain="[('pemkab_social_household_id', '=', id)]",
        ondelete="set null",
        index="btree_not_null",
    )
    head_nik = fields.Char(related="head_id.nik", string="NIK of the Head")
    member_ids = fields.One2many("res.partner", "pemkab_social_household_id", string="Members")
    # the same members, by the stored field (the ORM's dependencies of the flags)
    stored_member_ids = fields.One2many(
        "res.partner",
        "pemkab_social_stored_household_id",
        string="Members (stored)",
        groups="base.group_system",
    )
    member_count = fields.Integer(compute="_compute_member_count", string="Members Count")
    kk_number = fields.Char(
        string="No. KK",
        tracking=True,
        index="btree_not_null",
        help="Current family card number (Kartu Keluarga). It changes when a family moves "
        "or splits: earlier numbers are kept in the history, it is never used as a key.",
    )
    kk_history_ids = fields.One2many(
        "pemkab.social.kk.history", "household_id", string="No. KK History"
    )
    dtsen_id = fields.Char(
        string="DTSEN/DTKS ID",
        tracking=True,
        copy=False,
        help="Identifier of the household in the national social-economic register "
        "(DTSEN, formerly DTKS).",
    )
    decile = fields.Integer(
        string="Welfare Decile",
        tracking=True,
        aggregator=False,
        help="Desil kesejahteraan from DTSEN: 1 is the poorest tenth, 10 the richest.",
    )
    street = fields.Char(string="Address")
    phone = fields.Char(tracking=True, help="Mobile number the courier calls.")
    has_elderly = fields.Boolean(string="Elderly", compute="_compute_flags", store=True, index=True)
    has_disability = fields.Boolean(
        string="Disability", compute="_compute_flags", store=True, index=True
    )
    has_pregnant = fields.Boolean(
        string="Pregnant", compute="_compute_flags", store=True, index=True
    )
    has_child_under_five = fields.Boolean(
        string="Child Under Five", compute="_compute_flags", store=True, index=True
    )
    priority = fields.Integer(
        compute="_compute_priority",
        store=True,
        aggregator=False,
        help="Higher first: one point per vulnerability flag, plus the poorer the decile "
        "the higher.",
    )
    shipment_ids = fields.One2many("pemkab.social.shipment", "household_id", string="Shipments")
    shipment_count = fields.Integer(compute="_compute_shipment_count")
    note = fields.Html()

    _dtsen_uniq = models.UniqueIndex(
        "(dtsen_id) WHERE dtsen_id IS NOT NULL",
        "Another household already has this DTSEN/DTKS ID.",
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_member_count(self):
        counts = dict(
            self.env["res.partner"]
            .sudo()
            ._read_group(
                [("pemkab_social_stored_household_id", "in", self.ids)],
                ["pemkab_social_stored_household_id"],
                ["__count"],
            )
        )
        for household in self:
            household.member_count = counts.get(household, 0)

    def _compute_shipment_count(self):
        counts = dict(
            self.env["pemkab.social.shipment"]._read_group(
                [("household_id", "in", self.ids)], ["household_id"], ["__count"]
            )
        )
        for household in self:
            household.shipment_count = counts.get(household, 0)

    @api.depends(
        "stored_member_ids.pemkab_social_stored_elderly",
        "stored_member_ids.pemkab_social_stored_disability",
        "stored_member_ids.pemkab_social_stored_pregnant",
        "stored_member_ids.pemkab_social_stored_child_under_five",
    )
    def _compute_flags(self):
        for household in self:
            members = household.stored_member_ids
            for flag in VULNERABILITY_FLAGS:
                household[f"has_{flag}"] = any(members.mapped(f"pemkab_social_stored_{flag}"))

    @api.depends("has_elderly", "has_disability", "has_pregnant", "has_child_under_five", "decile")
    def _compute_priority(self):
        for household in self:
            flags = sum(household[f"has_{flag}"] for flag in VULNERABILITY_FLAGS)
            poverty = 11 - household.decile if household.decile else 0
            household.priority = flags * 10 + poverty

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("decile")
    def _check_decile(self):
        for household in self:
            if household.decile and not 1 <= household.decile <= 10:
                raise ValidationError(
                    self.env._(
                        "%(household)s: Welfare Decile %(decile)s is not possible "
                        "(it must be between 1 and 10).",
                        household=household.display_name,
                        decile=household.decile,
                    )
                )

    @api.constrains("kk_number")
    def _check_kk_number(self):
        for household in self:
            if household.kk_number and not re.fullmatch(r"\d{16}", household.kk_number):
                raise ValidationError(
                    self.env._(
                        "%(household)s: No. KK “%(kk)s” must have 16 digits.",
                        household=household.display_name,
                        kk=household.kk_number,
                    )
                )

    @api.constrains("head_id", "member_ids")
    def _check_head_is_member(self):
        for household in self:
            head = household.head_id.sudo()
            if head and head.pemkab_social_stored_household_id != household:
                raise ValidationError(
                    self.env._(
                        "%(household)s: the head of household %(head)s must be one of its members.",
                        household=household.display_name,
                        head=household.head_id.display_name,
                    )
                )

    def _check_dtsen_free(self, dtsen_ids):
        """Name the household that already has the DTSEN ID (the index is the last guard)."""
        dtsen_ids = [dtsen for dtsen in dtsen_ids if dtsen]
        if not dtsen_ids:
            return
        if len(set(dtsen_ids)) != len(dtsen_ids):
            raise ValidationError(
                self.env._("The same DTSEN/DTKS ID is given to two households at once.")
            )
        others = (
            self.sudo()
            .with_context(active_test=False)
            .search([("dtsen_id", "in", dtsen_ids), ("id", "not in", self.ids)], limit=1)
        )
        if others:
            raise ValidationError(
                self.env._(
                    "DTSEN/DTKS ID %(dtsen)s is already registered for household %(other)s.",
                    dtsen=others.dtsen_id,
                    other=others.display_name,
                )
            )

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._pemkab_check_values(vals_list)  # before the values are used here
        self._check_dtsen_free([vals.get("dtsen_id") for vals in vals_list])
        for vals in vals_list:
            if vals.get("kk_number"):
                vals["kk_number"] = vals["kk_number"].replace(" ", "")
                vals.setdefault(
                    "kk_history_ids", [fields.Command.create({"kk_number": vals["kk_number"]})]
                )
        return super().create(vals_list)

    def write(self, vals):
        self._pemkab_check_values([vals])  # before the values are used here
        if vals.get("dtsen_id"):
            self._check_dtsen_free([vals["dtsen_id"]] * len(self))
        if vals.get("kk_number"):
            vals["kk_number"] = vals["kk_number"].replace(" ", "")
            changed = self.filtered(lambda h: h.kk_number != vals["kk_number"])
        else:
            changed = self.browse()
        res = super().write(vals)
        if changed:
            self.env["pemkab.social.kk.history"].create(
                [{"household_id": h.id, "kk_number": vals["kk_number"]} for h in changed]
            )
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _shipment_snapshot_vals(self):
        """What a shipment copies of the household: the beneficiary list of a period,
        frozen when the period is approved."""
        self.ensure_one()
        return {
            "recipient_name": self.head_id.name or self.name,
            "recipient_phone": self.phone,
            "street": self.street,
            "kecamatan_id": self.kecamatan_id.id,
            "desa_id": self.desa_id.id,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "decile": self.decile,
            "priority": self.priority,
            "dtsen_id": self.dtsen_id,
        }

    @api.model
    def _shipment_snapshot_sql(self):
        """:meth:`_shipment_snapshot_vals` in SQL, for many households at once: each
        value an expression over the household's row ``h``, its head's ``head``
        (``res_partner``, joined on ``h.head_id``) and ``fixed`` (the phones of
        :meth:`_shipment_fixed_phones`, joined on ``fixed.id = h.id``)."""
        return {
            "recipient_name": SQL("COALESCE(NULLIF(head.name, ''), h.name)"),
            "recipient_phone": SQL("COALESCE(fixed.phone, h.phone)"),
            "street": SQL("h.street"),
            "kecamatan_id": SQL("h.kecamatan_id"),
            "desa_id": SQL("h.desa_id"),
            "latitude": SQL("COALESCE(h.latitude, 0)"),
            "longitude": SQL("COALESCE(h.longitude, 0)"),
            "decile": SQL("COALESCE(h.decile, 0)"),
            "priority": SQL("COALESCE(h.priority, 0)"),
            "dtsen_id": SQL("h.dtsen_id"),
        }

    @api.model
    def _shipment_fixed_phones(self, households):
        """The SQL of ``fixed`` for :meth:`_shipment_snapshot_sql`: a household's phone
        is stored normalised (the shipment's mobile check), the rare one that is not
        (older data written around the ORM) goes through the shipment's check here.
        ``households``: SQL of the households' ids (an array)."""
        Shipment = self.env["pemkab.social.shipment"]
        odd = self.env.execute_query(
            SQL(
                "SELECT id, phone FROM %s WHERE id = ANY(%s) AND phone !~ %s",
                SQL.identifier(self._table),
                households,
                E164_ID,
            )
        )
        label = Shipment._fields["recipient_phone"]._description_string(self.env)
        phones = {
            hid: Shipment._pemkab_normalize_phone(phone, label, mobile=True) for hid, phone in odd
        }
        return SQL(
            "unnest(%s::int[], %s::varchar[]) AS fixed(id, phone)",
            list(phones),
            list(phones.values()),
        )

    def action_view_shipments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pemkab_social.pemkab_social_shipment_action"
        )
        action["domain"] = [("household_id", "=", self.id)]
        action["context"] = {}
        return action
