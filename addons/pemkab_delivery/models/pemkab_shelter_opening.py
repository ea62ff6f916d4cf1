# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

DAYS_OF_WEEK = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]


class PemkabShelterOpening(models.Model):
    """One opening period of a shelter on a day of the week (local time, WIB)."""

    _name = "pemkab.shelter.opening"
    _description = "Shelter Opening Hours"
    _order = "shelter_id, dayofweek, hour_from"

    shelter_id = fields.Many2one("pemkab.shelter", required=True, ondelete="cascade", index=True)
    dayofweek = fields.Selection(DAYS_OF_WEEK, string="Day", required=True, default="0")
    hour_from = fields.Float(string="Opens", required=True, default=7.0)
    hour_to = fields.Float(string="Closes", required=True, default=14.0)

    @api.constrains("hour_from", "hour_to")
    def _check_hours(self):
        for line in self:
            if not (0.0 <= line.hour_from < line.hour_to <= 24.0):
                raise ValidationError(
                    self.env._(
                        "Opening hours of %(shelter)s: a period must open before it closes, "
                        "between 00:00 and 24:00.",
                        shelter=line.shelter_id.display_name,
                    )
                )
