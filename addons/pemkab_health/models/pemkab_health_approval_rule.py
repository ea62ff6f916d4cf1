# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PemkabHealthApprovalRule(models.Model):
    """Which prescription deliveries need the head's approval (Kepala Dinas, hospital
    director). A rule matches a delivery when all of its conditions hold; a delivery
    needs approval when any active rule open to its agency matches. Deliveries with a
    controlled substance always need an approval, rule or not."""

    _name = "pemkab.health.approval.rule"
    _description = "Health Delivery Approval Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    agency_ids = fields.Many2many(
        "pemkab.agency",
        "pemkab_health_approval_rule_agency_rel",
        "rule_id",
        "agency_id",
        string="Agencies",
        help="The rule applies to deliveries of these agencies only. Empty: all agencies.",
    )
    controlled_substance = fields.Boolean(
        help="Matches deliveries with a narkotika or psikotropika line.",
    )
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.ref("base.IDR", raise_if_not_found=False)
    )
    min_fee = fields.Monetary(
        string="Fee Above", help="Matches deliveries whose fee is above this amount."
    )
    min_distance_km = fields.Float(
        string="Distance Above (km)",
        digits=(6, 1),
        help="Matches deliveries going farther than this from the facility (straight line).",
    )
    note = fields.Text()

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("name", "controlled_substance", "min_fee", "min_distance_km")
    def _check_conditions(self):
        for rule in self:
            if rule.min_fee < 0 or rule.min_distance_km < 0:
                raise ValidationError(
                    self.env._(
                        "Approval rule “%(rule)s”: the fee and the distance cannot be negative.",
                        rule=rule.name,
                    )
                )
            if not (rule.controlled_substance or rule.min_fee or rule.min_distance_km):
                raise ValidationError(
                    self.env._(
                        "Approval rule “%(rule)s”: give at least one condition (controlled "
                        "substance, fee above or distance above).",
                        rule=rule.name,
                    )
                )

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _matches(self, delivery):
        """Whether this rule asks for an approval of ``delivery`` (all conditions hold)."""
        self.ensure_one()
        if self.agency_ids and delivery.agency_id not in self.agency_ids:
            return False
        checks = []
        if self.controlled_substance:
            checks.append(delivery.controlled)
        if self.min_fee:
            checks.append(delivery.fee > self.min_fee)
        if self.min_distance_km:
            checks.append(delivery.distance_km > self.min_distance_km)
        return bool(checks) and all(checks)

    @api.model
    def _approval_reasons(self, deliveries):
        """Why each delivery needs an approval: ``{delivery id: [reason, ...]}``; an empty
        list means it passes straight through. One search for the whole batch."""
        rules = self.sudo().search([("active", "=", True)])
        controlled_reason = self.env._("contains a controlled substance (narkotika/psikotropika)")
        result = {}
        for delivery in deliveries:
            matched = rules.filtered(lambda rule, d=delivery: rule._matches(d))
            reasons = matched.mapped("name")
            if delivery.controlled and not any(matched.mapped("controlled_substance")):
                reasons.insert(0, controlled_reason)  # always, rule or not
            result[delivery.id] = reasons
        return result
