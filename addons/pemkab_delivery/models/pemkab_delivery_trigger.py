# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PemkabDeliveryTrigger(models.Model):
    """Which workflow state of which business model requests a courier, with which
    provider, and whether it books at once or waits for a dispatcher.

    Administrators edit these in Settings; no code changes when the regency switches
    courier or lets a dispatcher check each booking first.
    """

    _name = "pemkab.delivery.trigger"
    _description = "Delivery Trigger"
    _order = "sequence, id"

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    model_name = fields.Selection(
        selection="_selection_model_name",
        string="Document",
        required=True,
        help="The kind of record whose workflow books the courier.",
    )
    state_value = fields.Char(
        string="When State Becomes",
        required=True,
        help="Technical value of the state, e.g. 'ready' for a prescription delivery.",
    )
    allowed_states = fields.Char(compute="_compute_allowed_states", string="Possible States")
    provider_id = fields.Many2one(
        "pemkab.courier.provider", string="Courier", required=True, ondelete="restrict"
    )
    dispatch_mode = fields.Selection(
        [
            ("auto", "Book the courier at once"),
            ("dispatcher", "Wait for a dispatcher"),
        ],
        required=True,
        default="auto",
        help="At once: the booking is requested as soon as the state is reached. "
        "Dispatcher: the booking waits as a draft until a dispatcher requests it.",
    )
    agency_ids = fields.Many2many(
        "pemkab.agency", string="Agencies", help="Only for these agencies. Empty: all."
    )

    @api.model
    def _selection_model_name(self):
        children = self.env.registry["pemkab.deliverable.mixin"]._inherit_children
        return sorted(
            (name, self.env[name]._description)
            for name in children
            if name in self.env and not self.env[name]._abstract
        )

    @api.depends("model_name")
    def _compute_allowed_states(self):
        for trigger in self:
            trigger.allowed_states = ", ".join(
                f"{value} ({label})" for value, label in trigger._state_selection()
            )

    def _state_selection(self):
        self.ensure_one()
        if not self.model_name or self.model_name not in self.env:
            return []
        model = self.env[self.model_name]
        field = model._fields.get(model._delivery_state_field)
        if not field or field.type != "selection":
            return []
        return field._description_selection(self.env)

    @api.constrains("model_name", "state_value")
    def _check_state_value(self):
        for trigger in self:
            values = [value for value, _label in trigger._state_selection()]
            if trigger.state_value not in values:
                raise ValidationError(
                    self.env._(
                        "When State Becomes: “%(value)s” is not a state of %(model)s "
                        "(possible: %(states)s).",
                        value=trigger.state_value,
                        model=trigger.model_name,
                        states=", ".join(values),
                    )
                )

    def _applies_to(self, agency):
        """Whether this trigger books for documents of ``agency`` (no agency: all)."""
        self.ensure_one()
        return not self.agency_ids or agency in self.agency_ids

    @api.depends("model_name", "state_value", "provider_id")
    def _compute_display_name(self):
        models_labels = dict(self._selection_model_name())
        for trigger in self:
            trigger.display_name = "%s → %s (%s)" % (
                models_labels.get(trigger.model_name, trigger.model_name or ""),
                trigger.state_value or "",
                trigger.provider_id.name or "",
            )
