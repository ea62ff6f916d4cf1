# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Random operations (hypothesis, derandomized): generated sequences of create, write,
copy, unlink and button calls on every model of pemkab_delivery, over JSON-RPC as each
courier role's user, each call checked against the invariants
(``PemkabOperationsMixin``): nothing out of the writer's scope, no booking asked for
past its document's checks, no 5xx nor programming error."""

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
