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

import inspect
import math
import os
import zlib

from hypothesis import HealthCheck, given, seed, settings
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


# ----------------------------------------------------------------------
# Random operations: sequences of calls, each checked against the invariants
# ----------------------------------------------------------------------
# a few sequences per role in CI (fixed: derandomized, no example database); more to
# hunt with PEMKAB_OPERATIONS_EXAMPLES=200
OPERATIONS_SETTINGS = settings(
    max_examples=int(os.environ.get("PEMKAB_OPERATIONS_EXAMPLES", "8")),
    deadline=None,
    derandomize=False,  # a fixed seed per role instead (_check_operations_as)
    database=None,
    suppress_health_check=list(HealthCheck),
)
# buttons and writes are where a workflow is passed by: drawn more often
OPERATIONS = ("create", "write", "write", "copy", "unlink", "button", "button", "button")
NOTHING = {"result": None, "nothing": True}  # no record or no button to call
# buttons that need the world outside (a geocoder) or open a wizard's own call; the
# others are called as a client calls them, with the ids only
SKIPPED_BUTTONS = {"action_pemkab_geolocate"}
# booking states in which a courier has been asked for (or has) the parcel
ASKED_STATES = ("requested", "booked", "driver_assigned", "picked_up", "out_for_delivery")
SEND_BACK = "action_send_back_for_approval"


def button_names(model):
    """The ``action_*`` methods of ``model`` a client may call with the ids alone."""
    names = []
    for name in dir(type(model)):
        if not name.startswith("action_") or name in SKIPPED_BUTTONS:
            continue
        method = getattr(type(model), name, None)
        # a button is a method of records (an @api.model one is called with no ids)
        if not callable(method) or getattr(method, "_api_model", False):
            continue
        try:
            parameters = list(inspect.signature(method).parameters.values())[1:]
        except (TypeError, ValueError):
            continue
        if all(
            param.default is not param.empty
            or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD)
            for param in parameters
        ):
            names.append(name)
    return sorted(names)


def plausible_values(model, max_fields=3):
    """``vals`` of ``model`` a user might send: existing records for relations (of any
    agency, kecamatan or facility), the selection's keys, short texts, booleans,
    numbers. Where random values (``model_values``) look for crashes, these look for
    moves past an approval or out of the writer's scope."""
    env = model.env
    strategies = {}
    for fname, field in model._fields.items():
        if (
            fname in MAGIC
            or fname.startswith(SKIPPED_PREFIXES)
            or field.type in SKIPPED_TYPES
            or (field.compute and not field.inverse)
            or field.related
        ):
            continue
        if field.type == "many2one":
            ids = (
                env[field.comodel_name]
                .sudo()
                .with_context(active_test=False)
                .search([], limit=6, order="id desc")
                .ids
            )
            strategy = st.sampled_from([False, *ids])
        elif field.type == "many2many":
            ids = env[field.comodel_name].sudo().search([], limit=4, order="id desc").ids
            strategy = st.lists(st.sampled_from(ids or [1]), max_size=2).map(
                lambda chosen: [Command.set(chosen)]
            )
        elif field.type == "selection":
            keys = [key for key, _label in field._description_selection(env)]
            strategy = st.sampled_from(keys) if keys else None
        elif field.type in ("char", "text", "html"):
            strategy = st.sampled_from(["Uji", "x" * 40, ""])
        elif field.type == "boolean":
            strategy = st.booleans()
        elif field.type in ("integer", "float", "monetary"):
            strategy = st.sampled_from([0, 1, 5, 40, 100000])
        elif field.type in ("date", "datetime"):
            strategy = st.sampled_from(["2026-01-05", "2027-06-30"])
        else:
            strategy = None
        if strategy is not None:
            strategies[fname] = strategy
    names = sorted(strategies)
    if not names:
        return st.just({})
    return st.lists(st.sampled_from(names), max_size=max_fields, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({fname: strategies[fname] for fname in chosen})
    )


def operation_sequences(env, model_names, length=4):
    """Lists of ``(model, operation, pick, vals, button)``: ``pick`` chooses the record
    among those of the model (the newest first, those made by the sequence included)."""

    def operation(model_name):
        model = env[model_name].sudo()
        buttons = button_names(model) or [""]
        return st.tuples(
            st.just(model_name),
            st.sampled_from(OPERATIONS),
            st.integers(0, 5),
            plausible_values(model),
            st.sampled_from(buttons),
        )

    per_model = {name: operation(name) for name in model_names}
    return st.lists(
        st.sampled_from(sorted(model_names)).flatmap(per_model.__getitem__),
        min_size=1,
        max_size=length,
    )


class PemkabOperationsMixin(PemkabModelPropertiesMixin):
    """``_check_operations(models, logins)``: generated sequences of create / write /
    copy / unlink / button calls over JSON-RPC as each login's user, each call checked
    against the invariants (``_check_call``); every example runs in a savepoint rolled
    back afterwards, so each starts from the same records."""

    def _operations_pick(self, model_name, pick, made):
        Model = self.env[model_name].sudo().with_context(active_test=False)
        ids = list(made.get(model_name, [])) + Model.search([], limit=6, order="id desc").ids
        return Model.browse(ids[pick % len(ids)]) if ids else Model.browse()

    def _asked_bookings(self):
        """``{booking id: state}`` of the bookings a courier was asked for."""
        self.env.invalidate_all()
        Booking = self.env["pemkab.delivery.booking"].sudo()
        rows = Booking.search_read([("state", "in", ASKED_STATES)], ["state"])
        return {row["id"]: row["state"] for row in rows}

    def _frozen_values(self, model_names):
        """``{(model, id): values}`` of the frozen fields of the approved records."""
        self.env.invalidate_all()
        values = {}
        for model_name in model_names:
            Model = self.env[model_name].sudo().with_context(active_test=False)
            fnames = list(getattr(Model, "_workflow_frozen_fields", ()))
            if not fnames:
                continue
            frozen = Model.search([])._workflow_frozen_records()
            for row in frozen.read(fnames):
                values[model_name, row.pop("id")] = row
        return values

    def _run_operation(self, user, context, model_name, kind, pick, vals, button, made):
        """One call over JSON-RPC; returns (answer, ids the call wrote)."""
        record = self._operations_pick(model_name, pick, made)
        if kind == "create":
            answer = self.rpc(model_name, "create", [vals], context=context)
            ids = answer.get("result") or []
            ids = [ids] if isinstance(ids, int) else ids
            made.setdefault(model_name, []).extend(ids)
            return answer, ids
        if not record:
            return NOTHING, []
        if kind == "write":
            return self.rpc(model_name, "write", record.ids, vals, context=context), record.ids
        if kind == "copy":
            answer = self.rpc(model_name, "copy", record.ids, context=context)
            ids = answer.get("result") or []
            made.setdefault(model_name, []).extend(ids)
            return answer, ids
        if kind == "unlink":
            return self.rpc(model_name, "unlink", record.ids, context=context), []
        if not button:
            return NOTHING, []
        return self.rpc(model_name, button, record.ids, context=context), record.ids

    def _check_call(self, user, step, model_name, kind, button, answer, ids, asked, frozen):
        """The invariants after one call."""
        self._properties_answer(answer)  # no 5xx, no programming error, a message
        self.env.invalidate_all()
        Model = self.env[model_name].with_user(user).with_context(active_test=False)
        if "error" not in answer and ids:
            records = Model.browse(ids).exists()
            # nothing leaves the writer's scope
            self.assertEqual(records._filtered_access("read"), records, f"{step}: unreadable")
            if kind != "button" and Model.browse().has_access("write"):
                self.assertEqual(
                    records._filtered_access("write"), records, f"{step}: out of his scope"
                )
        # nothing moves past an approval it lacks
        for booking_id, state in self._asked_bookings().items():
            if asked.get(booking_id) == state:
                continue
            booking = self.env["pemkab.delivery.booking"].sudo().browse(booking_id)
            document = self.env[booking.res_model].sudo().browse(booking.res_id).exists()
            self.assertTrue(document, f"{step}: booking {booking_id} {state} for no document")
            errors = document._delivery_dispatch_errors()
            self.assertFalse(errors, f"{step}: booking {booking_id} {state} although {errors}")
        # an approved document's frozen fields unchanged unless sent back
        if button != SEND_BACK or kind != "button":
            after = self._frozen_values({name for name, _id in frozen})
            for key, values in frozen.items():
                if key in after:
                    self.assertEqual(after[key], values, f"{step}: {key} frozen fields changed")

    def _check_operations(self, model_names, logins):
        """For each login (its user's language, as the web client sends it), generated
        sequences of calls on ``model_names``."""
        sequences = operation_sequences(self.env, model_names)
        self._operations_done = []
        for login in logins:
            with self.subTest(login=login), mute_logger("odoo.sql_db", "odoo.http"):
                self._check_operations_as(login, sequences, model_names)
        # the sequences did something: some calls went through, some were refused
        outcomes = {done for _label, done in self._operations_done}
        self.assertEqual(outcomes, {True, False}, self._operations_done)

    def _check_operations_as(self, login, sequences, model_names):
        user = self.env["res.users"].sudo().search([("login", "=", login)])
        self.authenticate(login, login)
        context = self.rpc_ok("res.users", "context_get")

        @seed(zlib.crc32(login.encode()))
        @OPERATIONS_SETTINGS
        @given(sequence=sequences)
        def run(sequence):
            savepoint = self.env.cr.savepoint()
            try:
                made = {}
                for step, (model_name, kind, pick, vals, button) in enumerate(sequence):
                    call = button if kind == "button" else kind
                    label = f"{login} #{step} {model_name}.{call}"
                    label += f" {vals}" if kind in ("create", "write") else ""
                    asked = self._asked_bookings()
                    frozen = self._frozen_values(model_names)
                    answer, ids = self._run_operation(
                        user, context, model_name, kind, pick, vals, button, made
                    )
                    self._check_call(
                        user, label, model_name, kind, button, answer, ids, asked, frozen
                    )
                    if answer is not NOTHING:
                        self._operations_done.append((label, "error" not in answer))
            finally:
                savepoint.close(rollback=True)
                self.env.invalidate_all()

        run()
