# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The citizens' satisfaction survey (Survei Kepuasan Masyarakat, SKM): one answer per
delivered document, given with one tap on the citizen's page.

The scale is the SKM's four levels of perception (PermenPANRB No. 14 Tahun 2017,
Pedoman Penyusunan Survei Kepuasan Masyarakat): 1 Tidak Baik, 2 Kurang Baik, 3 Baik,
4 Sangat Baik; the index converts the mean to 25-100 (value x 25).

Why not Odoo's ``rating`` module: its ``rating.rating`` is readable by every internal user
(an agency's heads only must read these), and its 1/3/5 scale is not the SKM's.
"""

from datetime import timedelta

import psycopg2

from odoo import api, fields, models

# the SKM's four levels of perception, best first on the page
SKM_SCALE = [
    ("1", "Poor"),
    ("2", "Fair"),
    ("3", "Good"),
    ("4", "Very Good"),
]
# a citizen who tapped the wrong answer may change it within this time; then it stays
CHANGE_MINUTES = 10
COMMENT_MAX = 1000


class PemkabCitizenRating(models.Model):
    _name = "pemkab.citizen.rating"
    _description = "Citizen Satisfaction Rating (SKM)"
    _order = "rated_at desc, id desc"
    _rec_name = "document_ref"

    res_model = fields.Char(string="Document Model", required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference(
        string="Document ID", model_field="res_model", required=True, readonly=True
    )
    document_ref = fields.Char(string="Document", readonly=True)
    agency_id = fields.Many2one(
        "pemkab.agency", required=True, readonly=True, index=True, ondelete="cascade"
    )
    shelter_id = fields.Many2one("pemkab.shelter", readonly=True, ondelete="set null")
    provider_id = fields.Many2one(
        "pemkab.courier.provider", string="Courier", readonly=True, ondelete="set null"
    )
    rating = fields.Selection(SKM_SCALE, required=True, readonly=True)
    rating_value = fields.Integer(
        string="Score (1-4)",
        compute="_compute_rating_value",
        store=True,
        aggregator="avg",
        help="The SKM's perception value: 1 Poor, 2 Fair, 3 Good, 4 Very Good.",
    )
    skm_index = fields.Float(
        string="SKM Index",
        compute="_compute_rating_value",
        store=True,
        aggregator="avg",
        digits=(5, 2),
        help="The score converted to the SKM's 25-100 index (score x 25); averaged, the "
        "unit's index: 88.31-100 very good (A), 76.61-88.30 good (B), 65-76.60 fair (C).",
    )
    comment = fields.Text(readonly=True)
    rated_at = fields.Datetime(
        string="Rated On", required=True, readonly=True, default=fields.Datetime.now
    )

    _document_uniq = models.Constraint(
        "UNIQUE(res_model, res_id)", "A document has one satisfaction rating."
    )

    @api.depends("rating")
    def _compute_rating_value(self):
        for record in self:
            value = int(record.rating or 0)
            record.rating_value = value
            record.skm_index = value * 25.0

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    @api.model
    def _for_document(self, document):
        """The rating of ``document`` (any deliverable record), or an empty recordset."""
        return self.search(
            [("res_model", "=", document._name), ("res_id", "=", document.id)], limit=1
        )

    def _can_change(self, now=None):
        """A rating may be changed for a few minutes after the first tap (a wrong
        button), never afterwards."""
        self.ensure_one()
        now = now or fields.Datetime.now()
        return now <= self.rated_at + timedelta(minutes=CHANGE_MINUTES)

    @api.model
    def _rate_document(self, document, rating, comment=""):
        """Record the citizen's answer for ``document`` (a delivered deliverable record,
        reached through its citizen link). Returns the rating; an answer given after
        the change window leaves the first one as it was. Raises ValueError on a value
        that is not on the SKM's scale."""
        if rating not in dict(SKM_SCALE):
            raise ValueError(rating)
        comment = (comment or "").strip()[:COMMENT_MAX]
        existing = self._for_document(document)
        if existing:
            if existing._can_change():
                existing.write({"rating": rating, "comment": comment})
            return existing
        booking = document.delivery_booking_id.sudo()
        shelter = booking.shelter_id or (
            document["shelter_id"] if "shelter_id" in document._fields else booking.shelter_id
        )
        vals = {
            "res_model": document._name,
            "res_id": document.id,
            "document_ref": document.name,
            "agency_id": document._delivery_agency().id,
            "shelter_id": shelter.id,
            "provider_id": booking.provider_id.id,
            "rating": rating,
            "comment": comment,
        }
        try:
            with self.env.cr.savepoint():
                return self.create(vals)
        except psycopg2.errors.UniqueViolation:
            # the same tap twice at once: the other request's answer stands
            return self._for_document(document)
