# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Property-based tests (hypothesis): random and hostile payloads at the webhook, random
values at what a courier-deliveries administrator may write, over real HTTP. Never a
500; a refused call changes nothing; every refusal is a UserError, ValidationError or
AccessError."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from .common import SANDBOX_WEBHOOK_SECRET, PemkabCourierCommon, PemkabRpcMixin
from .properties import PemkabModelPropertiesMixin, own_models, set_indonesian

REF = "<booking>"  # replaced by the booking's reference in the test
CLEAN_REFUSALS = {
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.AccessError",
}
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=15,
)
statuses = st.sampled_from(
    [
        "confirmed",
        "allocated",
        "picked_up",
        "out_for_delivery",
        "delivered",
        "cancelled",
        "no_driver",
        "on_hold",
        "",
        "DELIVERED",
    ]
)
gosend_events = st.fixed_dictionaries(
    {},
    optional={
        "store_order_id": st.just(REF) | json_values,
        "booking_id": json_values,
        "status": statuses | json_values,
        "type": statuses | json_values,
        "event_id": st.text(max_size=20) | json_values,
        "event_date": json_values,
        "driver_name": json_values,
        "driver_phone": st.text(max_size=20) | json_values,
        "vehicle_number": json_values,
        "price": json_values,
        "receiver_name": json_values,
        "receiver_relation": json_values,
        "cancellation_reason": json_values,
        "proof_of_delivery_url": json_values,
        # GoSend's proof and driver photo fields as public integrations show them
        "pod_url": json_values,
        "pop_url": json_values,
        "driver_photo_url": json_values,
        "cancelled_by": json_values,
        "live_tracking_url": json_values,
    },
)


def _with_ref(value, ref):
    if value == REF:
        return ref
    if isinstance(value, dict):
        return {key: _with_ref(item, ref) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_ref(item, ref) for item in value]
    return value


@tagged("post_install", "-at_install")
class TestWebhookProperties(PemkabCourierCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self.booking = self._booking()
        self.booking.action_request()
        self._run_outbox()

    def _snapshot(self):
        self.env.invalidate_all()
        return (self.booking.state, self.booking.driver_phone, len(self.booking.event_ids))

    def _post(self, body, content_type="application/json", token=SANDBOX_WEBHOOK_SECRET):
        self.env.flush_all()
        response = self.url_open(
            f"/pemkab_delivery/webhook/{self.provider.id}",
            data=body,
            headers={"Content-Type": content_type, "Authorization": token},
            timeout=30,
        )
        self.env.invalidate_all()
        self._apply_webhooks()  # what was accepted is applied by the batch
        self.env.invalidate_all()
        return response

    def _check(self, response, before):
        self.assertLess(response.status_code, 500, response.text[:300])
        self.assertNotIn("Traceback", response.text)
        if response.status_code >= 400:
            self.assertEqual(self._snapshot(), before, "a refused call changed the booking")

    @SETTINGS
    @given(event=gosend_events)
    def test_random_events(self, event):
        before = self._snapshot()
        body = json.dumps(_with_ref(event, self.booking.name))
        self._check(self._post(body), before)
        # whatever the body said, only the courier's API closes the booking
        self.assertNotIn(self.booking.state, ("delivered", "cancelled", "failed"))

    @SETTINGS
    @given(
        body=json_values | st.binary(max_size=200),
        content_type=st.sampled_from(
            ["application/json", "text/plain", "application/x-www-form-urlencoded", ""]
        ),
    )
    def test_random_bodies(self, body, content_type):
        before = self._snapshot()
        data = body if isinstance(body, bytes) else json.dumps(body)
        self._check(self._post(data, content_type), before)

    @SETTINGS
    @given(token=st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40))
    def test_random_tokens(self, token):
        before = self._snapshot()
        event = {"store_order_id": self.booking.name, "status": "picked_up", "event_id": token}
        response = self._post(json.dumps(event), token=token.encode("latin-1"))
        self._check(response, before)
        if token != SANDBOX_WEBHOOK_SECRET:
            self.assertEqual(response.status_code, 401)


@tagged("post_install", "-at_install")
class TestProviderProperties(PemkabRpcMixin, PemkabCourierCommon, HttpCase):
    FIELDS = ("base_url", "kind", "environment", "max_parallel", "connect_timeout", "name")

    def _snapshot(self):
        self.env.invalidate_all()
        return self.provider.read(list(self.FIELDS))[0]

    @SETTINGS
    @given(
        vals=st.fixed_dictionaries(
            {},
            optional={
                "base_url": st.text(max_size=30),
                "kind": st.sampled_from(["manual", "sandbox", "gosend", "grab"]),
                "environment": st.sampled_from(["test", "production"]),
                "max_parallel": st.integers(min_value=-5, max_value=50),
                "connect_timeout": st.floats(min_value=-10, max_value=100),
                "name": st.text(min_size=1, max_size=20),
            },
        )
    )
    def test_delivery_admin_writes(self, vals):
        """Random writes of a courier account by a courier-deliveries administrator."""
        self.authenticate("delivery_admin", "delivery_admin")
        before = self._snapshot()
        answer = self.rpc("pemkab.courier.provider", "write", self.provider.ids, vals)
        if "error" in answer:
            self.assertIn(answer["error"]["data"]["name"], CLEAN_REFUSALS, answer["error"])
            self.assertEqual(self._snapshot(), before)
        else:
            after = self._snapshot()
            for fname in ("base_url", "kind", "environment"):
                self.assertEqual(after[fname], before[fname], "only a system administrator")


@tagged("post_install", "-at_install")
class TestDeliveryModelProperties(
    PemkabRpcMixin, PemkabModelPropertiesMixin, PemkabCourierCommon, HttpCase
):
    """Random values at the create and write of every model of pemkab_delivery, as a
    courier-deliveries administrator working in Indonesian."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        set_indonesian(cls.env, ["pemkab_delivery"], cls.user_manager)
        cls.booking = cls.Booking.create(
            {
                "provider_id": cls.own_fleet.id,
                "agency_id": cls.agency_a.id,
                "shelter_id": cls.shelter_a.id,
                "recipient_name": "Siti",
                "recipient_phone": "0812 3456 7890",
                "kecamatan_id": cls.kec_banyuwangi.id,
                "package_code": "PKG-PROP",
            }
        )

    def test_every_model(self):
        self.authenticate("delivery_admin", "delivery_admin")
        models = own_models(self.env, "pemkab_delivery")
        self.assertIn("pemkab.delivery.booking", models)
        for model_name in models:
            record = (
                self.env[model_name]
                .sudo()
                .with_context(active_test=False)
                .search([], limit=1, order="id desc")
            )
            self._check_model_properties(model_name, record)

    def test_refusals_in_the_users_language(self):
        self.authenticate("delivery_admin", "delivery_admin")
        message = self.rpc_refused(
            ValidationError,
            "pemkab.shelter",
            "write",
            self.shelter_a.ids,
            {"latitude": 95.0},
            context=self.rpc_ok("res.users", "context_get"),
        )
        self.assertIn("bukan koordinat yang sah", message)

    def test_values_no_column_holds(self):
        """Regressions found by test_every_model: each was a database or Python error
        (an HTTP 500 for the user's client), now a ValidationError naming the field."""
        self.authenticate("delivery_admin", "delivery_admin")
        agency = self.agency_a.ids
        # an OverflowError, a psycopg2 NumericValueOutOfRange, UntranslatableCharacter, a
        # ValueError (selection), a ValueError (date) before pemkab_delivery's base.py
        refused = [
            ("pemkab.delivery.booking", "write", self.booking.ids, {"latitude": 1.8e301}),
            ("pemkab.agency", "create", [{"name": "X", "code": "X", "sequence": 2**31}]),
            ("pemkab.agency", "write", agency, {"name": "Dinas\x00"}),
            ("pemkab.shelter", "write", self.shelter_a.ids, {"kind": "no-such-kind"}),
            ("pemkab.delivery.booking", "write", self.booking.ids, {"delivered_at": "2026-02-30"}),
        ]
        for model, method, *args in refused:
            with self.subTest(model=model, args=args):
                message = self.rpc_refused(ValidationError, model, method, *args)
                self.assertIn("cannot be saved", message)
