# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Random operations (hypothesis, derandomized): generated sequences of create, write,
copy, unlink and button calls on every model of pemkab_delivery, over JSON-RPC as each
courier role's user, each call checked against the invariants
(``PemkabOperationsMixin``): nothing out of the writer's scope, no booking asked for
past its document's checks, no 5xx nor programming error."""

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import PemkabCourierCommon, PemkabRpcMixin
from .properties import PemkabOperationsMixin, own_models, set_indonesian

LOGINS = ["officer_a", "head_a", "delivery_admin", "plain_internal"]


@tagged("post_install", "-at_install")
class TestDeliveryOperations(PemkabRpcMixin, PemkabOperationsMixin, PemkabCourierCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        users = cls.env["res.users"].search([("login", "in", LOGINS)])
        set_indonesian(cls.env, ["pemkab_delivery"], users)

    def test_random_operations(self):
        self._check_operations(own_models(self.env, "pemkab_delivery"), LOGINS)

    def test_kept_smart_buttons_need_the_record_read(self):
        """Found at 300 examples: a user who may not read an agency pressed its
        *Shelters* button over JSON-RPC and got the window action back; the shelter's
        *Today at the Shelter* button had the same gap."""
        self.authenticate("plain_internal", "plain_internal")
        self.rpc_refused(AccessError, "pemkab.agency", "action_view_shelters", self.agency_b.ids)
        self.rpc_refused(
            AccessError, "pemkab.shelter", "action_open_today_board", self.shelter_b.ids
        )
