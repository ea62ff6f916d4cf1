# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Property-based tests of every model of an addon (hypothesis): random values, derived
from the fields' types, at ``create`` and at ``write`` of an existing record, sent over
real JSON-RPC by a role's user whose language is Indonesian. Whatever the values:

- never an HTTP 500, and a refusal is one of ``CLEAN_REFUSALS`` (never a database error,
  a ``ValueError``, ``TypeError``, ``KeyError``...);
- the refusal says something (not empty, no Python traceback in what the user reads);
- a refused call changes nothing (the record read again as superuser; as many records).

Mixed into an ``HttpCase`` with :class:`~.common.PemkabRpcMixin`.
"""

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.fields import Command
from odoo.tools import mute_logger

CLEAN_REFUSALS = {
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.AccessError",
    "odoo.exceptions.MissingError",
}
MODEL_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SKIPPED_TYPES = {"one2many", "binary", "properties", "properties_definition", "json", "reference"}
SKIPPED_PREFIXES = ("message_", "activity_", "website_message")
MAGIC = {"id", "create_uid", "create_date", "write_uid", "write_date", "display_name"}
# ids at most one or two records have, ids no record has, and ids no column can hold
RECORD_IDS = st.sampled_from([1, 2, 3]) | st.integers(10**5, 10**6) | st.integers(2**31, 2**63)

texts = st.text(max_size=30) | st.builds(
    lambda char, count: char * count, st.characters(), st.integers(1000, 20000)
)
integers = (
    st.integers(-1000, 1000) | st.integers(-(2**70), 2**70) | st.sampled_from([2**31, -(2**31) - 1])
)
floats = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from([1e308, -1e308, 1e-308])
dates = st.dates().map(str) | st.text(max_size=12) | st.sampled_from(["2026-02-30", "0000-00-00"])
datetimes = st.datetimes().map(lambda value: value.strftime("%Y-%m-%d %H:%M:%S")) | dates


def field_strategy(field, env):
    """Random JSON values for ``field`` (an Odoo field): valid ones, and wrong ones of
    the right type or of another type."""
    strategy = {
        "char": texts,
        "text": texts,
        "html": texts | st.just("<p onclick='x()'>x</p><script>alert(1)</script>"),
        "integer": integers,
        "float": floats,
        "monetary": floats,
        "boolean": st.booleans(),
        "date": dates,
        "datetime": datetimes,
        "many2one": st.just(False) | RECORD_IDS,
        "many2many": st.lists(RECORD_IDS, max_size=3).map(lambda ids: [Command.set(ids)]),
    }.get(field.type)
    if field.type == "selection":
        keys = [key for key, _label in field._description_selection(env)]
        strategy = st.sampled_from(keys or ["x"]) | st.text(max_size=10)
    if strategy is None:
        return None
    wrong_type = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=5)
    return strategy | wrong_type


def randomizable_fields(model):
    """The fields of ``model`` a client may send, with a strategy each."""
    result = {}
    for fname, field in model._fields.items():
        if (
            fname in MAGIC
            or fname.startswith(SKIPPED_PREFIXES)
            or field.type in SKIPPED_TYPES
            or (field.compute and not field.inverse)
            or field.related
        ):
            continue
        strategy = field_strategy(field, model.env)
        if strategy is not None:
            result[fname] = strategy
    return result


def model_values(model, max_fields=6):
    """Random ``vals`` for ``model``: a few of its fields, random values."""
    strategies = randomizable_fields(model)
    names = sorted(strategies)
    return st.lists(st.sampled_from(names), max_size=max_fields, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({fname: strategies[fname] for fname in chosen})
    )


def own_models(env, module):
    """The models ``module`` defines (not those it extends), abstract ones left out."""
    names = (
        env["ir.model.data"]
        .search([("module", "=", module), ("model", "=", "ir.model")])
        .mapped(lambda data: env["ir.model"].browse(data.res_id).model)
    )
    return sorted(
        name
        for name in names
        if name in env and not env[name]._abstract and env[name]._original_module == module
    )


def set_indonesian(env, modules, users):
    """Indonesian loaded (with the terms of ``modules``) and the language of ``users``."""
    env["res.lang"]._activate_lang("id_ID")
    env["ir.module.module"]._load_module_terms(modules, ["id_ID"])
    users.write({"lang": "id_ID"})


class PemkabModelPropertiesMixin:
    """``_check_model_properties(model, record)``: random creates and writes of
    ``model`` (``record`` the one written) by the user of the session."""

    def _properties_answer(self, answer):
        """Assert the JSON-RPC answer is a result or a clean refusal; True if refused."""
        if "error" not in answer:
            return False
        data = answer["error"].get("data", {})
        self.assertIn(data.get("name"), CLEAN_REFUSALS, data.get("debug", answer)[-3000:])
        message = data.get("message") or ""
        self.assertTrue(message.strip(), "a refusal without a message")
        self.assertNotIn("Traceback (most recent call last)", message)
        return True

    def _snapshot(self, record, fnames):
        self.env.invalidate_all()
        record = record.sudo().with_context(active_test=False)
        if not record.exists():
            return None
        values = record.read(list(fnames))[0]
        return {
            fname: "nan" if isinstance(value, float) and math.isnan(value) else value
            for fname, value in values.items()
        }

    def _check_model_properties(self, model_name, record):
        """As the web client does, every call carries the user's context (language)."""
        Model = self.env[model_name].sudo().with_context(active_test=False)
        values = model_values(Model)
        context = self.rpc_ok("res.users", "context_get")

        @MODEL_SETTINGS
        @given(vals=values)
        def create(vals):
            count = Model.search_count([])
            answer = self.rpc(model_name, "create", [vals], context=context)
            if self._properties_answer(answer):
                self.env.invalidate_all()
                self.assertEqual(Model.search_count([]), count, f"refused {vals} created")

        @MODEL_SETTINGS
        @given(vals=values)
        def write(vals):
            fnames = sorted(set(vals) | {"display_name"})
            before = self._snapshot(record, fnames)
            answer = self.rpc(model_name, "write", record.ids, vals, context=context)
            if self._properties_answer(answer):
                self.assertEqual(self._snapshot(record, fnames), before, f"refused {vals}")

        # a mandatory field left out is the database's NOT NULL (a ValidationError for
        # the user): the failed query is not worth an error in the log
        with self.subTest(model=model_name, method="create"), mute_logger("odoo.sql_db"):
            create()
        if record:
            with self.subTest(model=model_name, method="write"), mute_logger("odoo.sql_db"):
                write()
