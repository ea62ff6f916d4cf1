# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResPartner(models.Model):
    """Members of beneficiary households are contacts: their NIK (validated and unique,
    from pemkab_delivery), their household, their relation to the head and the
    vulnerability flags that raise the household's priority.

    The social fields are readable by the Dinas Sosial only (field groups): other dinas
    may meet the same person as a contact (a patient, say) without learning that the
    person receives aid.
    """

    _inherit = "res.partner"

    pemkab_social_household_id = fields.Many2one(
        "pemkab.social.household",
        string="Beneficiary Household",
        index="btree_not_null",
        ondelete="set null",
        tracking=True,
        groups="pemkab_social.group_social_officer",
    )
    pemkab_social_relation = fields.Selection(
        [
            ("head", "Head of Household"),
            ("spouse", "Spouse"),
            ("child", "Child"),
            ("parent", "Parent"),
            ("other", "Other Relative"),
        ],
        string="Relation to the Head",
        groups="pemkab_social.group_social_officer",
    )
    pemkab_social_elderly = fields.Boolean(
        string="Elderly (60+)",
        groups="pemkab_social.group_social_officer",
    )
    pemkab_social_disability = fields.Boolean(
        string="Person with Disability",
        groups="pemkab_social.group_social_officer",
    )
    pemkab_social_pregnant = fields.Boolean(
        string="Pregnant",
        groups="pemkab_social.group_social_officer",
    )
    pemkab_social_child_under_five = fields.Boolean(
        string="Child Under Five",
        groups="pemkab_social.group_social_officer",
    )

    def _pemkab_data_request_sections(self):
        sections = super()._pemkab_data_request_sections()
        fnames = ["pemkab_social_household_id", "pemkab_social_relation"]
        fnames += ["pemkab_social_elderly", "pemkab_social_disability"]
        fnames += ["pemkab_social_pregnant", "pemkab_social_child_under_five"]
        household = self.sudo().pemkab_social_household_id
        rows = self._pemkab_data_rows(fnames)
        if household:
            rows += [
                (household._fields[fname]._description_string(self.env), str(household[fname]))
                for fname in ("dtsen_id", "decile")
                if household[fname]
            ]
        sections.append({"title": self.env._("Social Aid"), "rows": rows})
        return sections

    def _pemkab_data_request_documents(self):
        household = self.sudo().pemkab_social_household_id
        shipments = self.env["pemkab.social.shipment"].sudo().browse()
        if household:
            shipments = shipments.search([("household_id", "=", household.id)])
        return super()._pemkab_data_request_documents() + list(shipments)
