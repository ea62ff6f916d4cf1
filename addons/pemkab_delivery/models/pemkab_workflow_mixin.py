# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fields that only a workflow's own methods change.

A document's state, its approvals and what its workflow records of them are written by
its ``action_*`` -> ``_check_can_*`` -> ``_do_*`` path, never by a client: a direct
``write``/``create`` of them over JSON-RPC is refused with a clear message, whatever the
client sends. The workflow's methods write through :meth:`_workflow`, which marks the
environment with a token no JSON client can send (it is not a JSON value).

What an approval saw is frozen with it: the fields a document names in
``_workflow_frozen_fields`` are refused on its approved records (``_workflow_frozen_records``)
until *Send Back for Approval* withdraws the approval, with its line in the chatter. A
client's ``tracking_disable`` (and the like) does not silence these models: only the
workflow's own writes may be quiet.
"""

from odoo import api, models
from odoo.exceptions import UserError, ValidationError

WORKFLOW_CONTEXT_KEY = "pemkab_workflow"
# an object, not a JSON value: a client's context can never carry it
_WORKFLOW_TOKEN = object()
# left by the workflow's write for the layers below it: the silencing keys are its own
QUIET_CONTEXT_KEY = "pemkab_workflow_quiet"
_QUIET_TOKEN = object()
# the context keys that silence the chatter: a client's are dropped on these models
SILENCING_CONTEXT_KEYS = (
    "tracking_disable",
    "mail_notrack",
    "mail_create_nolog",
    "mail_create_nosubscribe",
    "mail_auto_subscribe_no_notify",
)


def refuse_nul_characters(records, vals_list):
    """Refuse a text holding a NUL character (PostgreSQL cannot store it: without this
    check the database refuses the whole request with a programming error)."""
    for vals in vals_list:
        for fname, value in vals.items():
            if isinstance(value, str) and "\x00" in value and fname in records._fields:
                raise ValidationError(
                    records.env._(
                        "%(field)s: a text cannot contain a NUL character.",
                        field=records._fields[fname]._description_string(records.env),
                    )
                )


class PemkabWorkflowMixin(models.AbstractModel):
    """Refuses a client's write of the fields named by ``_workflow_protected_fields``.

    The document's own methods write them through ``self._workflow().write(vals)``; the
    superuser (setup, data files, the courier's news) is trusted. At creation, a value
    equal to the field's default (a form sends the default state) is accepted.
    """

    _name = "pemkab.workflow.mixin"
    _description = "Workflow-Guarded Fields"

    _workflow_protected_fields = ("state",)
    # what an approval saw: refused on approved records until they are sent back
    _workflow_frozen_fields = ()
    # the states from which "Send Back for Approval" withdraws the approval
    _workflow_send_back_states = ()

    def _workflow_guarded_fields(self):
        """The names of the fields only the workflow writes."""
        return set(self._workflow_protected_fields)

    def _workflow(self):
        """These records, as the workflow's own methods write them."""
        return self.with_context(**{WORKFLOW_CONTEXT_KEY: _WORKFLOW_TOKEN})

    def _workflow_plain(self):
        """These records without the workflow's mark (it stays with one write; what is
        below it in the same write may still be quiet if the workflow asked so)."""
        if WORKFLOW_CONTEXT_KEY not in self.env.context:
            return self
        context = dict(self.env.context)
        if context.pop(WORKFLOW_CONTEXT_KEY) is _WORKFLOW_TOKEN and any(
            key in context for key in SILENCING_CONTEXT_KEYS
        ):
            context[QUIET_CONTEXT_KEY] = _QUIET_TOKEN
        return self.with_env(self.env(context=context))

    def _workflow_is_trusted(self):
        """Whether the workflow's own methods (or the superuser) write now."""
        return self.env.su or self.env.context.get(WORKFLOW_CONTEXT_KEY) is _WORKFLOW_TOKEN

    def _workflow_check_vals(self, vals_list, creating=False):
        """Refuse the guarded fields in ``vals_list`` unless the workflow writes them."""
        if self._workflow_is_trusted():
            return
        guarded = self._workflow_guarded_fields()
        touched = set()
        defaults = None
        for vals in vals_list:
            names = guarded.intersection(vals)
            if creating and names:
                if defaults is None:
                    defaults = self.default_get(list(guarded))
                names = {
                    name for name in names if (vals[name] or False) != (defaults.get(name) or False)
                }
            touched |= names
        if touched:
            raise UserError(
                self.env._(
                    "%(document)s: %(fields)s: only the document's own buttons (its "
                    "workflow and its approvals) change this; it cannot be edited directly.",
                    document=self._description,
                    fields=", ".join(
                        sorted(self._fields[name]._description_string(self.env) for name in touched)
                    ),
                )
            )

    def _workflow_frozen_records(self):
        """Hook: those of these records whose approval froze ``_workflow_frozen_fields``.

        :return: a subset of ``self``
        """
        return self.browse()

    def _workflow_check_frozen(self, vals):
        """Refuse a change of a frozen field of an approved record by anyone but the
        workflow (a value equal to the stored one, as a form may send, is no change)."""
        names = set(self._workflow_frozen_fields).intersection(vals)
        # not even the superuser: an approval is withdrawn by its button, or the
        # workflow's own methods write
        if not names or self.env.context.get(WORKFLOW_CONTEXT_KEY) is _WORKFLOW_TOKEN:
            return
        frozen = self._workflow_frozen_records()
        if not frozen:
            return
        changed = set()
        for name in names:
            field = self._fields[name]
            if field.type in ("one2many", "many2many"):
                changed.add(name)
                continue
            for record in frozen:
                value = field.convert_to_cache(vals[name], record, validate=False)
                new = field.convert_to_write(field.convert_to_record(value, record), record)
                if field.convert_to_write(record[name], record) != new:
                    changed.add(name)
                    break
        if changed:
            raise UserError(
                self.env._(
                    "%(refs)s: %(fields)s are frozen by the approval: press Send Back for "
                    "Approval first (the approval is withdrawn and must be given again).",
                    refs=", ".join(frozen[:10].mapped("display_name")),
                    fields=", ".join(
                        sorted(self._fields[name]._description_string(self.env) for name in changed)
                    ),
                )
            )

    def _workflow_loud(self):
        """These records without a client's silencing keys: only the workflow's own
        writes (and the superuser's) may leave the chatter quiet."""
        quiet = self.env.context.get(QUIET_CONTEXT_KEY) is _QUIET_TOKEN
        if quiet or self._workflow_is_trusted():
            return self
        keys = [key for key in SILENCING_CONTEXT_KEYS if key in self.env.context]
        if not keys:
            return self
        context = {k: v for k, v in self.env.context.items() if k not in keys}
        return self.with_env(self.env(context=context))

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._pemkab_check_values(vals_list)
        refuse_nul_characters(self, vals_list)
        self._workflow_check_vals(vals_list, creating=True)
        records = self._workflow_loud()._workflow_plain()
        return super(PemkabWorkflowMixin, records).create(vals_list)

    def write(self, vals):
        self._pemkab_check_values([vals])
        refuse_nul_characters(self, [vals])
        self._workflow_check_vals([vals])
        self._workflow_check_frozen(vals)
        return super(PemkabWorkflowMixin, self._workflow_loud()._workflow_plain()).write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_send_back_for_approval(self):
        """Withdraw the approval so that what it saw may change: the approval must be
        given again, and the chatter says who sent it back."""
        self._check_can_send_back_for_approval()
        self._do_send_back_for_approval()
        return True

    def _check_can_send_back_for_approval(self):
        self.check_access("write")
        wrong = self.filtered(
            lambda record: record[self._workflow_state_field()]
            not in self._workflow_send_back_states
        )
        if wrong:
            raise UserError(
                self.env._(
                    "%(refs)s: only an approved document that no courier holds can be sent "
                    "back for approval.",
                    refs=", ".join(wrong[:10].mapped("display_name")),
                )
            )

    def _do_send_back_for_approval(self):
        self._workflow().write(self._workflow_send_back_vals())
        if hasattr(self, "message_post"):
            body = self.env._(
                "Sent back for approval by %(user)s: the approval is withdrawn; the document "
                "may be corrected and must be approved again.",
                user=self.env.user.name,
            )
            for record in self:
                record.message_post(body=body, message_type="notification")

    def _workflow_state_field(self):
        return getattr(self, "_delivery_state_field", "state")

    def _workflow_send_back_vals(self):
        """Hook: what the document writes when its approval is withdrawn.

        :return: a ``write`` dict
        """
        raise NotImplementedError(f"{self._name} has no Send Back for Approval")
