# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
# One concern of the delivery per file, by design (the pharmacy counter's scanner).
# pylint: disable=consider-merging-classes-inherited
"""The pharmacy counter's barcode scanner: a scanner types the prescription's code then
Enter. Into the focused Prescription No. field, or anywhere on the form (Odoo's
``barcodes`` service, ``on_barcode_scanned``): the number is cleaned of what the scanner
adds, and a number the facility already has names the delivery that holds it."""

from odoo import api, models

from .pemkab_health_delivery import normalize_prescription_number


class PemkabHealthDelivery(models.Model):
    _name = "pemkab.health.delivery"
    _inherit = ["pemkab.health.delivery", "barcodes.barcode_events_mixin"]

    def on_barcode_scanned(self, barcode):
        """A code scanned on the form: it is the prescription number of a draft."""
        if self.state not in (False, "draft"):
            return {
                "warning": {
                    "title": self.env._("Prescription No."),
                    "message": self.env._(
                        "%(ref)s is no longer a draft: its prescription number stays %(number)s.",
                        ref=self.name or "",
                        number=self.prescription_number or "",
                    ),
                }
            }
        number = normalize_prescription_number(barcode)
        if number == self.prescription_number:
            return self._prescription_number_warning()
        self.prescription_number = number  # its onchange warns of a number already taken
        return None

    @api.onchange("prescription_number")
    def _onchange_prescription_number(self):
        if not self.prescription_number:
            return None
        number = normalize_prescription_number(self.prescription_number)
        if number != self.prescription_number:
            self.prescription_number = number
        return self._prescription_number_warning()

    def _prescription_number_warning(self):
        """The onchange warning naming the delivery that already has this number at this
        facility (the constraint refuses saving it a second time)."""
        self.ensure_one()
        if not (self.prescription_number and self.shelter_id):
            return None
        domain = [
            ("shelter_id", "=", self.shelter_id.id),
            ("prescription_number", "=", self.prescription_number),
            ("state", "!=", "cancelled"),
        ]
        if self._origin.id:
            domain.append(("id", "!=", self._origin.id))
        existing = self.sudo().search(domain, limit=1)
        if not existing:
            return None
        labels = dict(existing._fields["state"]._description_selection(self.env))
        return {
            "warning": {
                "title": self.env._("Prescription already registered"),
                "message": self.env._(
                    "Prescription No. %(number)s of %(facility)s is already on delivery "
                    "%(other)s (%(state)s, patient %(patient)s): open that delivery instead "
                    "of registering the prescription twice.",
                    number=existing.prescription_number,
                    facility=existing.shelter_id.display_name,
                    other=existing.name,
                    state=labels.get(existing.state),
                    patient=existing.patient_id.display_name,
                ),
            }
        }
