# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fields that only a workflow's own methods change.

A document's state, its approvals and what its workflow records of them are written by
its ``action_*`` -> ``_check_can_*`` -> ``_do_*`` path, never by a client: a direct
``write``/``create`` of them over JSON-RPC is refused with a clear message, whatever the
client sends. The workflow's methods write through :meth:`_workflow`, which marks the
environment with a token no JSON client can send (it is not a JSON value).
"""

from odoo import api, models
from odoo.exceptions import UserError, ValidationError

WORKFLOW_CONTEXT_KEY = "pemkab_workflow"
# an object, not a JSON value: a client's context can never carry it
_WORKFLOW_TOKEN = object()


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

    def _workflow_guarded_fields(self):
        """The names of the fields only the workflow writes."""
        return set(self._workflow_protected_fields)

    def _workflow(self):
        """These records, as the workflow's own methods write them."""
        return self.with_context(**{WORKFLOW_CONTEXT_KEY: _WORKFLOW_TOKEN})

    def _workflow_plain(self):
        """These records without the workflow's mark (it stays with one write)."""
        if WORKFLOW_CONTEXT_KEY not in self.env.context:
            return self
        context = dict(self.env.context)
        del context[WORKFLOW_CONTEXT_KEY]
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

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._pemkab_check_values(vals_list)
        refuse_nul_characters(self, vals_list)
        self._workflow_check_vals(vals_list, creating=True)
        return super(PemkabWorkflowMixin, self._workflow_plain()).create(vals_list)

    def write(self, vals):
        self._pemkab_check_values([vals])
        refuse_nul_characters(self, [vals])
        self._workflow_check_vals([vals])
        return super(PemkabWorkflowMixin, self._workflow_plain()).write(vals)
