# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Property-based tests (hypothesis): random values at what a pharmacist may create and
write over JSON-RPC. Never a 500 nor a programming error; a refused call changes
nothing; the workflow's fields never change by a write."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin
from odoo.addons.pemkab_delivery.tests.properties import (
    PemkabModelPropertiesMixin,
    own_models,
    set_indonesian,
)

from .common import PemkabHealthCommon

CLEAN_REFUSALS = {
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.AccessError",
}
SETTINGS = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
WORKFLOW = ("state", "approval_required", "approved_by_id", "controlled_approved", "verified_by_id")
texts = st.text(max_size=30)
digits = st.text(alphabet="0123456789 .-+", max_size=20)


@tagged("post_install", "-at_install")
class TestHealthProperties(PemkabRpcMixin, PemkabHealthCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self.Rule.create({"name": "Fee above Rp 75.000", "min_fee": 75000})
        self.delivery = self._delivery()
        self.authenticate("pharmacist_a", "pharmacist_a")

    def _snapshot(self, record, fnames):
        self.env.invalidate_all()
        return record.sudo().read(list(fnames))[0]

    def _check(self, answer, record, fnames, before):
        if "error" in answer:
            self.assertIn(answer["error"]["data"]["name"], CLEAN_REFUSALS, answer["error"])
            self.assertEqual(self._snapshot(record, fnames), before, "a refused call changed it")

    @SETTINGS
    @given(
        vals=st.fixed_dictionaries(
            {},
            optional={
                "state": st.sampled_from(["draft", "to_approve", "approved", "ready", "delivered"]),
                "approval_required": st.booleans(),
                "approved_by_id": st.sampled_from([False, 1, 2]),
                "controlled_approved": st.booleans(),
                "fee": st.floats(min_value=-1e6, max_value=1e7),
                "counselled": st.booleans(),
                "recipient_note": texts,
                "prescription_number": texts,
                "prescriber_name": texts,
            },
        ),
        verified=st.booleans(),
    )
    def test_random_writes(self, vals, verified):
        delivery = self.delivery
        if verified and delivery.state == "draft":
            delivery.with_user(self.pharmacist_a).action_verify()
        fnames = (*WORKFLOW, *vals, "fee")
        before = self._snapshot(delivery, fnames)
        answer = self.rpc("pemkab.health.delivery", "write", delivery.ids, vals)
        self._check(answer, delivery, fnames, before)
        after = self._snapshot(delivery, fnames)
        for fname in WORKFLOW:
            self.assertEqual(after[fname], before[fname], f"{fname} changed by a write")

    @SETTINGS
    @given(
        vals=st.fixed_dictionaries(
            {"name": st.text(min_size=1, max_size=20)},
            optional={
                "nik": digits | texts,
                "bpjs_number": digits | texts,
                "patient_mobile": digits | texts,
                "is_patient": st.booleans(),
                "health_relation": texts,
                "partner_latitude": st.floats(min_value=-200, max_value=200),
            },
        )
    )
    def test_random_contacts(self, vals):
        count = self.env["res.partner"].search_count([])
        answer = self.rpc("res.partner", "create", [vals])
        if "error" in answer:
            self.assertIn(answer["error"]["data"]["name"], CLEAN_REFUSALS, answer["error"])
            self.env.invalidate_all()
            self.assertEqual(self.env["res.partner"].search_count([]), count)


@tagged("post_install", "-at_install")
class TestHealthModelProperties(
    PemkabRpcMixin, PemkabModelPropertiesMixin, PemkabHealthCommon, HttpCase
):
    """Random values at the create and write of every model of pemkab_health, as a
    health administrator working in Indonesian."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        set_indonesian(cls.env, ["pemkab_delivery", "pemkab_health"], cls.health_admin)
        cls.Rule.create({"name": "Fee above Rp 75.000", "min_fee": 75000})

    def test_every_model(self):
        self._delivery()
        self.authenticate("health_admin", "health_admin")
        models = own_models(self.env, "pemkab_health")
        self.assertEqual(
            set(models),
            {
                "pemkab.health.delivery",
                "pemkab.health.delivery.line",
                "pemkab.health.approval.rule",
                "pemkab.health.kfa",
                "pemkab.health.satusehat.facility",
                "pemkab.health.satusehat.report",
            },
        )
        for model_name in models:
            record = self.env[model_name].sudo().search([], limit=1, order="id desc")
            self._check_model_properties(model_name, record)

    def test_values_used_before_they_are_checked(self):
        """Regression found by test_every_model: a prescription number that is no text
        was an AttributeError ('bool' object has no attribute 'strip'), a delivery that is
        no id an SQL error (integer = boolean)."""
        delivery = self._delivery()
        self.authenticate("health_admin", "health_admin")
        for vals in ({"prescription_number": True}, {"prescription_number": "RX\x00"}):
            with self.subTest(vals=vals):
                self.rpc_refused(
                    ValidationError, "pemkab.health.delivery", "write", delivery.ids, vals
                )
                self.rpc_refused(
                    ValidationError,
                    "pemkab.health.delivery",
                    "create",
                    [{"patient_id": self.patient.id, "shelter_id": self.shelter_a.id, **vals}],
                )
        self.rpc_refused(
            ValidationError,
            "pemkab.health.delivery.line",
            "create",
            [{"name": "X", "delivery_id": True}],
        )
