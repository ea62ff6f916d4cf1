# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Random operations (hypothesis, derandomized): generated sequences of create, write,
copy, unlink and button calls on every model of pemkab_health and the courier bookings,
over JSON-RPC as each health role's user, each call checked against the invariants
(``PemkabOperationsMixin``): nothing past an approval it lacks, nothing out of the
writer's scope, no 5xx nor programming error."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin
from odoo.addons.pemkab_delivery.tests.properties import (
    PemkabOperationsMixin,
    own_models,
    set_indonesian,
)

from .common import PemkabHealthCommon

LOGINS = ["pharmacist_a", "health_head_a", "health_admin"]


@tagged("post_install", "-at_install")
class TestHealthOperations(PemkabRpcMixin, PemkabOperationsMixin, PemkabHealthCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule.create({"name": "Over 5 km", "min_distance_km": 5})
        set_indonesian(
            cls.env,
            ["pemkab_delivery", "pemkab_health"],
            cls.pharmacist_a | cls.health_head_a | cls.health_admin,
        )

    def test_random_operations(self):
        # documents in the states the buttons work on: one of the other agency, a draft,
        # a controlled one verified and awaiting the head, one the head approved, one
        # ready at the shelter (its courier asked for)
        self._delivery(user=self.pharmacist_b, shelter=self.shelter_b)
        self._delivery()
        waiting, approved, ready = (self._delivery(controlled=True) for _i in range(3))
        (waiting | approved | ready).with_user(self.pharmacist_a).action_verify()
        (approved | ready).with_user(self.health_head_a).action_approve()
        ready.with_user(self.pharmacist_a).action_mark_ready()
        models = [*own_models(self.env, "pemkab_health"), "pemkab.delivery.booking"]
        self._check_operations(models, LOGINS)

    # ------------------------------------------------------------------
    # Failing examples found by test_random_operations, kept as they were
    # ------------------------------------------------------------------
    def test_found_reason_wizard_on_another_agencys_delivery(self):
        """Found: pharmacist A's *Mark as Failed* called on a delivery of another agency
        (which he cannot read) answered the wizard's action instead of a refusal."""
        other = self._delivery(user=self.pharmacist_b, shelter=self.shelter_b)
        self.authenticate("pharmacist_a", "pharmacist_a")
        for button in ("action_open_failed_wizard", "action_open_cancel_wizard"):
            with self.subTest(button=button):
                message = self.rpc_refused(AccessError, "pemkab.health.delivery", button, other.ids)
                self.assertNotIn(other.name, message)
        own = self._delivery()
        action = self.rpc_ok("pemkab.health.delivery", "action_open_failed_wizard", own.ids)
        self.assertEqual(action["context"]["default_res_ids"], own.ids)

    def test_found_archive_of_a_document_without_archive(self):
        """Found: *Archive* (``action_archive``, callable on every model) on a
        prescription delivery, which has no archive, was Odoo's AssertionError (a
        programming error to the client); now a UserError that says so."""
        delivery = self._delivery()
        self.authenticate("pharmacist_a", "pharmacist_a")
        context = self.rpc_ok("res.users", "context_get")
        for button in ("action_archive", "action_unarchive"):
            with self.subTest(button=button):
                message = self.rpc_refused(
                    UserError, "pemkab.health.delivery", button, delivery.ids, context=context
                )
                self.assertIn("arsip", message.lower())
