# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Random operations (hypothesis, derandomized): generated sequences of create, write,
copy, unlink and button calls on every model of pemkab_social and the courier bookings,
over JSON-RPC as each social role's user, each call checked against the invariants
(``PemkabOperationsMixin``): nothing past an approval it lacks (no courier asked for a
shipment of an unapproved period; an approved shipment's frozen fields unchanged unless
sent back), nothing out of the writer's scope, no 5xx nor programming error."""

from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin
from odoo.addons.pemkab_delivery.tests.properties import (
    PemkabOperationsMixin,
    own_models,
    set_indonesian,
)

from .common import PemkabSocialCommon

LOGINS = ["social_officer_bwi", "social_head"]


@tagged("post_install", "-at_install")
class TestSocialOperations(PemkabRpcMixin, PemkabOperationsMixin, PemkabSocialCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        set_indonesian(
            cls.env,
            ["pemkab_delivery", "pemkab_social"],
            cls.user_social_head | cls.user_officer_bwi,
        )
        cls._make_households(2)
        cls._make_households(1, kecamatan=cls.kec_genteng, start=50)

    def test_random_operations(self):
        # shipments in the states the buttons work on: a period's drafts, another
        # period approved by the head, one of its shipments packed (its courier asked)
        approved = self.period.copy({"name": "Periode Disetujui", "code": "T-OPS-01"})
        self._generate(approved)
        approved.action_submit_all()
        approved.with_user(self.user_social_head).action_approve()
        approved.shipment_ids[:1].with_user(self.user_officer_bwi).action_pack()
        self._generate()
        models = [*own_models(self.env, "pemkab_social"), "pemkab.delivery.booking"]
        self._check_operations(models, LOGINS)
