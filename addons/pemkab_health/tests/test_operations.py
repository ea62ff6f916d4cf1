# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Random operations (hypothesis, derandomized): generated sequences of create, write,
copy, unlink and button calls on every model of pemkab_health and the courier bookings,
over JSON-RPC as each health role's user, each call checked against the invariants
(``PemkabOperationsMixin``): nothing past an approval it lacks, nothing out of the
writer's scope, no 5xx nor programming error."""

from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin
from odoo.addons.pemkab_delivery.tests.properties import PemkabOperationsMixin, own_models

from .common import PemkabHealthCommon

LOGINS = ["pharmacist_a", "health_head_a", "health_admin"]


@tagged("post_install", "-at_install")
class TestHealthOperations(PemkabRpcMixin, PemkabOperationsMixin, PemkabHealthCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule.create({"name": "Over 5 km", "min_distance_km": 5})

    def test_random_operations(self):
        # documents in the states the buttons work on: a draft, a controlled one
        # verified and awaiting the head, one of the other agency
        self._delivery()
        self._delivery(controlled=True).with_user(self.pharmacist_a).action_verify()
        self._delivery(user=self.pharmacist_b, shelter=self.shelter_b)
        models = [*own_models(self.env, "pemkab_health"), "pemkab.delivery.booking"]
        self._check_operations(models, LOGINS)
