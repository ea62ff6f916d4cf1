# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from ..const import FAILURE_REASONS


class PemkabFleetProofWizardLine(models.TransientModel):
    """One parcel of the run's proof dialog: delivered to whom, or brought back why."""

    _name = "pemkab.fleet.proof.wizard.line"
    _description = "Parcel in the Proof of a Driver Run"

    wizard_id = fields.Many2one("pemkab.fleet.proof.wizard", required=True, ondelete="cascade")
    booking_id = fields.Many2one(
        "pemkab.delivery.booking", string="Parcel", required=True, readonly=True
    )
    recipient_name = fields.Char(related="booking_id.recipient_name", string="Recipient")
    package_code = fields.Char(related="booking_id.package_code", string="Parcel Code")
    outcome = fields.Selection(
        [("delivered", "Delivered"), ("returned", "Brought Back")],
        required=True,
        default="delivered",
    )
    receiver = fields.Char(
        string="Received By",
        help="Who took the parcel: the recipient's name is proposed; type another name "
        "(a family member, a proxy) when someone else received it.",
    )
    failure_reason = fields.Selection(
        [
            (code, label)
            for code, label in FAILURE_REASONS
            if code in ("not_home", "wrong_address", "refused", "damaged", "returned", "other")
        ],
        string="Why Not Delivered",
        default="not_home",
    )
