# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Property-based tests (hypothesis): random values at the create and write of every model
of pemkab_social, and at the social data of contacts, over JSON-RPC as the head of the
Dinas Sosial and as a social officer, in Indonesian. Never a 500 nor a programming
error; a refused call changes nothing."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin
from odoo.addons.pemkab_delivery.tests.properties import (
    RECORD_IDS,
    PemkabModelPropertiesMixin,
    own_models,
    set_indonesian,
)

from .common import PemkabSocialCommon

SOCIAL_MODELS = {
    "pemkab.social.household",
    "pemkab.social.kk.history",
    "pemkab.social.program",
    "pemkab.social.package.type",
    "pemkab.social.package.line",
    "pemkab.social.period",
    "pemkab.social.shipment",
    "pemkab.social.generate.wizard",
}
PARTNER_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@tagged("post_install", "-at_install")
class TestSocialModelProperties(
    PemkabRpcMixin, PemkabModelPropertiesMixin, PemkabSocialCommon, HttpCase
):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        set_indonesian(
            cls.env,
            ["pemkab_delivery", "pemkab_social"],
            cls.user_social_head | cls.user_officer_bwi,
        )
        cls.household_bwi = cls._make_households(1)
        cls.household_gtg = cls._make_households(1, kecamatan=cls.kec_genteng, start=50)

    def test_every_model(self):
        """Random values at every model, as the head of the Dinas Sosial."""
        self._generate()
        self.authenticate("social_head", "social_head")
        models = own_models(self.env, "pemkab_social")
        self.assertEqual(set(models), SOCIAL_MODELS)
        for model_name in models:
            record = self.env[model_name].sudo().search([], limit=1, order="id desc")
            self._check_model_properties(model_name, record)

    @PARTNER_SETTINGS
    @given(
        vals=st.fixed_dictionaries(
            {},
            optional={
                "pemkab_social_household_id": st.sampled_from([False, "own", "other"]) | RECORD_IDS,
                "pemkab_social_relation": st.sampled_from(["head", "child", "x", "", False]),
                "pemkab_social_elderly": st.booleans() | st.integers(-2, 2),
                "pemkab_social_pregnant": st.booleans(),
            },
        ),
        target=st.sampled_from(["own", "other"]),
    )
    def test_officer_writes_contacts(self, vals, target):
        """Random social data written by an officer on a member of the officer's
        kecamatan or of another: another kecamatan's member never changes."""
        households = {"own": self.household_bwi, "other": self.household_gtg}
        vals = {
            fname: households[value].id if value in households else value
            for fname, value in vals.items()
        }
        member = households[target].member_ids
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        fnames = ["pemkab_social_stored_household_id", "pemkab_social_stored_relation"]
        fnames += ["pemkab_social_stored_elderly", "pemkab_social_stored_pregnant"]
        before = self._snapshot(member, fnames)
        answer = self.rpc("res.partner", "write", member.ids, vals, context={"lang": "id_ID"})
        refused = self._properties_answer(answer)
        if refused or target == "other":
            if target == "other" and vals:
                self.assertTrue(refused, f"{vals} written on another kecamatan's member")
            self.assertEqual(self._snapshot(member, fnames), before)
        else:
            # the member as it was, for the next example
            member.sudo().write(
                {
                    fname: value[0] if isinstance(value, list) else value
                    for fname, value in before.items()
                    if fname in fnames
                }
            )

    def test_refusals_in_the_users_language(self):
        self.authenticate("social_head", "social_head")
        message = self.rpc_refused(
            ValidationError,
            "pemkab.social.household",
            "write",
            self.household_bwi.ids,
            {"decile": 11},
            context=self.rpc_ok("res.users", "context_get"),
        )
        self.assertIn("Desil Kesejahteraan 11 tidak mungkin", message)

    def test_values_used_before_they_are_checked(self):
        """Regression found by test_every_model: a No. KK that is no text was an
        AttributeError ('bool' object has no attribute 'replace'), a DTSEN ID with a NUL
        character a database error, a period that is no id an SQL error (integer ':')."""
        self.authenticate("social_head", "social_head")
        for vals in ({"kk_number": True}, {"dtsen_id": "DT\x00"}):
            with self.subTest(vals=vals):
                self.rpc_refused(
                    ValidationError, "pemkab.social.household", "create", [{"name": "K", **vals}]
                )
                self.rpc_refused(
                    ValidationError,
                    "pemkab.social.household",
                    "write",
                    self.household_bwi.ids,
                    vals,
                )
        self.rpc_refused(ValidationError, "pemkab.social.shipment", "create", [{"period_id": ":"}])
