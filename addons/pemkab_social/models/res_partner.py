# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from odoo import api, fields, models
from odoo.fields import Domain

RELATIONS = [
    ("head", "Head of Household"),
    ("spouse", "Spouse"),
    ("child", "Child"),
    ("parent", "Parent"),
    ("other", "Other Relative"),
]
FLAGS = ("elderly", "disability", "pregnant", "child_under_five")
# public field -> the stored field holding its value
SOCIAL_FIELDS = {
    "pemkab_social_household_id": "pemkab_social_stored_household_id",
    "pemkab_social_relation": "pemkab_social_stored_relation",
    **{f"pemkab_social_{flag}": f"pemkab_social_stored_{flag}" for flag in FLAGS},
}
OFFICER = "pemkab_social.group_social_officer"


class ResPartner(models.Model):
    """Members of beneficiary households are contacts: their NIK (validated and unique,
    from pemkab_delivery), their household, their relation to the head and the
    vulnerability flags that raise the household's priority.

    Need to know, twice over. Other dinas may meet the same person as a contact (a
    patient, say) without learning that the person receives aid: the social fields are
    the Dinas Sosial's only (field groups). And a social officer works on the households
    of the kecamatan assigned to the officer: the social data of a member of another
    kecamatan's household reads as none (no household, no relation, no flag), searches
    find it as such, and writing it is refused. The values are kept in the
    ``pemkab_social_stored_*`` fields (system administrators only); the public fields
    show them for the households the user may read (the households' record rules).
    """

    _inherit = "res.partner"

    pemkab_social_stored_household_id = fields.Many2one(
        "pemkab.social.household",
        string="Beneficiary Household (stored)",
        index="btree_not_null",
        ondelete="set null",
        tracking=True,
        groups="base.group_system",
    )
    pemkab_social_stored_relation = fields.Selection(
        RELATIONS, string="Relation to the Head (stored)", groups="base.group_system"
    )
    pemkab_social_stored_elderly = fields.Boolean(
        string="Elderly (60+) (stored)", groups="base.group_system"
    )
    pemkab_social_stored_disability = fields.Boolean(
        string="Person with Disability (stored)", groups="base.group_system"
    )
    pemkab_social_stored_pregnant = fields.Boolean(
        string="Pregnant (stored)", groups="base.group_system"
    )
    pemkab_social_stored_child_under_five = fields.Boolean(
        string="Child Under Five (stored)", groups="base.group_system"
    )

    pemkab_social_household_id = fields.Many2one(
        "pemkab.social.household",
        string="Beneficiary Household",
        compute="_compute_pemkab_social",
        inverse="_inverse_pemkab_social",
        search="_search_pemkab_social_household_id",
        readonly=False,
        groups=OFFICER,
    )
    pemkab_social_relation = fields.Selection(
        RELATIONS,
        string="Relation to the Head",
        compute="_compute_pemkab_social",
        inverse="_inverse_pemkab_social",
        search="_search_pemkab_social_relation",
        readonly=False,
        groups=OFFICER,
    )
    pemkab_social_elderly = fields.Boolean(
        string="Elderly (60+)",
        compute="_compute_pemkab_social",
        inverse="_inverse_pemkab_social",
        search="_search_pemkab_social_elderly",
        readonly=False,
        groups=OFFICER,
    )
    pemkab_social_disability = fields.Boolean(
        string="Person with Disability",
        compute="_compute_pemkab_social",
        inverse="_inverse_pemkab_social",
        search="_search_pemkab_social_disability",
        readonly=False,
        groups=OFFICER,
    )
    pemkab_social_pregnant = fields.Boolean(
        string="Pregnant",
        compute="_compute_pemkab_social",
        inverse="_inverse_pemkab_social",
        search="_search_pemkab_social_pregnant",
        readonly=False,
        groups=OFFICER,
    )
    pemkab_social_child_under_five = fields.Boolean(
        string="Child Under Five",
        compute="_compute_pemkab_social",
        inverse="_inverse_pemkab_social",
        search="_search_pemkab_social_child_under_five",
        readonly=False,
        groups=OFFICER,
    )

    # ------------------------------------------------------------------
    # Need to know: the households the user may read
    # ------------------------------------------------------------------
    def _pemkab_social_visible(self):
        """The contacts of ``self`` whose social data the user may see: those of no
        household and those of a household the user may read (one query)."""
        households = self.sudo().pemkab_social_stored_household_id
        if self.env.su or not households:
            return self
        readable = households.with_env(self.env).with_context(active_test=False)
        readable_ids = set(readable._filtered_access("read")._ids)
        return self.filtered(
            lambda partner: partner.sudo().pemkab_social_stored_household_id.id
            in readable_ids | {False}
        )

    @api.depends(*SOCIAL_FIELDS.values())
    @api.depends_context("uid")
    def _compute_pemkab_social(self):
        visible = self._pemkab_social_visible()
        Household = self.env["pemkab.social.household"]
        for partner in self:
            stored = partner.sudo()
            shown = partner in visible
            for fname, stored_fname in SOCIAL_FIELDS.items():
                if fname == "pemkab_social_household_id":
                    # with_env keeps the prefetch of the batch (display names read at once)
                    value = stored[stored_fname].with_env(self.env) if shown else Household
                else:
                    value = stored[stored_fname] if shown else False
                partner[fname] = value

    def _inverse_pemkab_social(self):
        """Written by the user only on contacts of households the user may write, and
        into such households; the stored fields get the values in one write per set of
        values."""
        if not self.env.su:
            before = self.sudo().pemkab_social_stored_household_id
            after = self.pemkab_social_household_id.sudo()
            households = (before | after).with_env(self.env).with_context(active_test=False)
            households.check_access("write")
        groups = defaultdict(list)
        for partner in self:
            vals = {
                stored_fname: partner[fname].id
                if fname == "pemkab_social_household_id"
                else partner[fname]
                for fname, stored_fname in SOCIAL_FIELDS.items()
            }
            groups[tuple(vals.items())].append(partner.id)
        for vals, ids in groups.items():
            self.browse(ids).sudo().write(dict(vals))
        # the households' members are those of the stored field: what is cached of them
        # (read through this computed field) is read again
        self.env["pemkab.social.household"].invalidate_model(["member_ids"])

    def _pemkab_social_search(self, fname, operator, value):
        """The contacts whose social data, as the user sees it, meet the condition: the
        stored value for those of no household or of a household the user may read,
        none for the others. Negative operators are the negation of this domain (the
        ORM's), so that another kecamatan's member looks like a contact of no household
        whatever the search."""
        if operator.startswith("not ") or operator in ("!=", "<>"):
            return NotImplemented
        condition = Domain(SOCIAL_FIELDS[fname], operator, value)
        if self.env.su:
            return condition
        households = self.env["pemkab.social.household"].with_context(active_test=False)
        household_fname = SOCIAL_FIELDS["pemkab_social_household_id"]
        visible = Domain(household_fname, "=", False) | Domain(
            household_fname, "in", households._search([])
        )
        condition &= visible
        values = value if operator == "in" else [value] if operator == "=" else ()
        if any(item in (False, None) for item in values):
            condition |= ~visible  # none is what the user sees of the others
        stored = self.sudo().with_context(active_test=False)
        return Domain("id", "in", stored._search(condition))

    def _search_pemkab_social_household_id(self, operator, value):
        return self._pemkab_social_search("pemkab_social_household_id", operator, value)

    def _search_pemkab_social_relation(self, operator, value):
        return self._pemkab_social_search("pemkab_social_relation", operator, value)

    def _search_pemkab_social_elderly(self, operator, value):
        return self._pemkab_social_search("pemkab_social_elderly", operator, value)

    def _search_pemkab_social_disability(self, operator, value):
        return self._pemkab_social_search("pemkab_social_disability", operator, value)

    def _search_pemkab_social_pregnant(self, operator, value):
        return self._pemkab_social_search("pemkab_social_pregnant", operator, value)

    def _search_pemkab_social_child_under_five(self, operator, value):
        return self._pemkab_social_search("pemkab_social_child_under_five", operator, value)

    # ------------------------------------------------------------------
    # Need to know: the NIK (pemkab_delivery's res.partner decides; this says whose)
    # ------------------------------------------------------------------
    @api.model
    def _pemkab_nik_scope_domain(self):
        """A social officer reads and enters the NIK of the members of the households he
        may read (his kecamatan's; the head's, every kecamatan's); the recipients of his
        shipments are such members."""
        households = self.env["pemkab.social.household"].with_context(active_test=False)
        return super()._pemkab_nik_scope_domain() | Domain(
            SOCIAL_FIELDS["pemkab_social_household_id"], "in", households._search([])
        )

    @api.depends("pemkab_stored_nik", "pemkab_social_stored_household_id")
    @api.depends_context("uid")
    def _compute_nik(self):
        return super()._compute_nik()

    # ------------------------------------------------------------------
    # Data requests
    # ------------------------------------------------------------------
    def _pemkab_data_request_sections(self):
        sections = super()._pemkab_data_request_sections()
        household = self.sudo().pemkab_social_stored_household_id
        rows = self._pemkab_data_rows(list(SOCIAL_FIELDS))
        if household:
            rows += [
                (household._fields[fname]._description_string(self.env), str(household[fname]))
                for fname in ("dtsen_id", "decile")
                if household[fname]
            ]
        sections.append({"title": self.env._("Social Aid"), "rows": rows})
        return sections

    def _pemkab_data_request_documents(self):
        household = self.sudo().pemkab_social_stored_household_id
        shipments = self.env["pemkab.social.shipment"].sudo().browse()
        if household:
            shipments = shipments.search([("household_id", "=", household.id)])
        return super()._pemkab_data_request_documents() + list(shipments)
