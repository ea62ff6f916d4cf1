# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The rows of ``Model.create(vals_list)`` written without the ORM's per-record work.

For the bulk paths (a district's 100,000 courier bookings at once): the ORM's create
spends most of its time filling its cache record by record. :func:`insert_rows` writes
the same rows from Python values, one INSERT per thousand; :func:`insert_select` writes
them from other rows of the database with one ``INSERT ... SELECT``, whatever their
number, with no Python per row. Both then do what the ORM does after its INSERT. They
do *not* run the model's ``create`` overrides: the caller applies what they do first.
"""

from psycopg2.extensions import AsIs

from odoo.fields import Domain
from odoo.tools import SQL, split_every

# a column the values leave out: the database's default (NULL), as in the ORM's INSERT
SQL_DEFAULT = AsIs("DEFAULT")

LOG_COLUMNS = ("create_uid", "create_date", "write_uid", "write_date")
BATCH = 1000


def ids_in(ids, fname="id"):
    """The domain "``fname`` is one of ``ids``" (integers), as ``fname = ANY(array)``:
    one parameter that psycopg2 adapts in C, where the ORM's ``in`` converts and quotes
    each id in Python (0.15 s for 100,000 ids; a bulk step of a district asks it about ten
    times). ``fname``: a stored integer or many2one column of the model."""
    ids = list(ids)
    wanted = frozenset(ids)

    def to_sql(model, alias, query):
        return SQL("%s = ANY(%s::int[])", model._field_to_sql(alias, fname, query), ids)

    def predicate(record):
        value = record[fname]
        return (value.id if hasattr(value, "_name") else value) in wanted

    return Domain.custom(to_sql=to_sql, predicate=predicate)


def insert_rows(model, vals_list):
    """Insert one row per dict of ``vals_list`` (values of stored column fields, in the
    ``write`` format), with the fields' defaults for the others; return the records.

    As the ORM's create: access rights before, the defaults (``default_get``, context
    defaults included), the log columns, the new records' dependent fields marked for
    recomputation, the Python constraints and the record rules after. Refuses (ValueError)
    a field that is not a plain stored column (one2many, many2many, translated,
    properties): those go through ``create``.
    """
    if not vals_list:
        return model.browse()
    model = model.browse()
    model.check_access("create")
    fields = model._fields
    given = {fname for vals in vals_list for fname in vals}
    _check_plain_columns(model, given)
    defaults = model.default_get(_missing_columns(model, given))
    columns = sorted(given | set(defaults))
    now = model.env.cr.now()
    log_values = [model.env.uid, now, model.env.uid, now]
    ids = []
    for batch in split_every(BATCH, vals_list):
        rows = []
        for vals in batch:
            values = {**defaults, **vals}
            rows.append(
                tuple(
                    [
                        fields[fname].convert_to_column_insert(values[fname], model, values)
                        if fname in values
                        else SQL_DEFAULT
                        for fname in columns
                    ]
                    + log_values
                )
            )
        ids.extend(
            row[0]
            for row in model.env.execute_query(
                SQL(
                    "INSERT INTO %s (%s) VALUES %s RETURNING id",
                    SQL.identifier(model._table),
                    SQL(", ").join(map(SQL.identifier, [*columns, *LOG_COLUMNS])),
                    SQL(", ").join(rows),
                )
            )
        )
    return _after_insert(model.browse(ids), columns)


def insert_select(model, columns, source, checked=()):
    """Insert one row of ``model`` per row of ``source`` with one ``INSERT ... SELECT``
    (no Python per row, a constant number of queries whatever the number of rows);
    return the records, in the order of ``source``.

    :param columns: ``{field name: SQL}``, the value of each given stored column as an
        expression over ``source`` (in the column's own format, as the database holds
        it); the other stored columns get the fields' defaults, as in ``create``
    :param source: ``SQL`` of the rows, from ``FROM`` on (joins, ``WHERE``, ``ORDER BY``)
    :param checked: names of given fields whose Python constraints hold already (their
        values are copied from rows on which the same constraints held): those
        constraints are not run again, the others are

    As the ORM's create: access rights before, the defaults (``default_get``, context
    defaults included), the log columns, the new records' dependent fields marked for
    recomputation (a given computed field keeps its given value), the Python
    constraints and the record rules after. Refuses (ValueError) a field that is not a
    plain stored column, as :func:`insert_rows` does.
    """
    model = model.browse()
    model.check_access("create")
    fields = model._fields
    _check_plain_columns(model, columns)
    defaults = model.default_get(_missing_columns(model, columns))
    exprs = dict(columns)
    for fname, value in defaults.items():
        exprs[fname] = SQL("%s", fields[fname].convert_to_column_insert(value, model, defaults))
    now = model.env.cr.now()
    exprs.update(
        create_uid=SQL("%s", model.env.uid),
        create_date=SQL("%s", now),
        write_uid=SQL("%s", model.env.uid),
        write_date=SQL("%s", now),
    )
    rows = model.env.execute_query(
        SQL(
            "INSERT INTO %s (%s) SELECT %s %s RETURNING id",
            SQL.identifier(model._table),
            SQL(", ").join(map(SQL.identifier, exprs)),
            SQL(", ").join(exprs.values()),
            source,
        )
    )
    return _after_insert(model.browse([row[0] for row in rows]), exprs, checked)


def _check_plain_columns(model, fnames):
    for fname in fnames:
        field = model._fields[fname]
        if not (field.store and field.column_type) or field.translate or field.type == "properties":
            raise ValueError(f"{model._name}.{fname} is not a plain column")


def _missing_columns(model, given):
    return [
        fname
        for fname, field in model._fields.items()
        if field.store
        and field.column_type
        and fname != "id"
        and fname not in given
        and fname not in LOG_COLUMNS
    ]


def _after_insert(records, columns, checked=()):
    """What the ORM does after its INSERT of ``records`` with ``columns``: the inverse
    one2many caches forgotten, dependent stored fields marked, constraints and record
    rules checked."""
    fields = records._fields
    written = list({*columns, *LOG_COLUMNS})
    for fname in columns:
        for inverse in records.pool.field_inverses[fields[fname]]:
            records.env[inverse.model_name].invalidate_model([inverse.name], flush=False)
    given_computed = [fields[fname] for fname in columns if fields[fname].compute]
    with records.env.protecting(given_computed, records):
        records.modified(written, create=True)
    records._validate_fields(written, excluded_names=checked)
    records.check_access("create")
    return records


def log_tracking(records, fname, old_values, body=""):
    """Log in the chatter of every record of ``records`` the change of its selection
    field ``fname`` from ``old_values[record.id]`` to its value now, as the ORM's
    tracking does for one record: a note by the current user, at this time, with the
    tracking value (old and new labels, in the user's language).

    For bulk writes done with ``tracking_disable`` (a thousand parcels marked ready):
    the messages and their tracking values are inserted by one statement, whatever the
    number of records. The caller has checked its access (as ``_message_log_batch``).
    """
    if not records:
        return
    env = records.env
    field = records._fields[fname]
    labels = dict(field._description_selection(env))
    new_labels = {value: labels.get(value, value or "") for value in set(records.mapped(fname))}
    ids, old_labels, new_values = [], [], []
    for record in records:
        ids.append(record.id)
        old_labels.append(labels.get(old_values.get(record.id), old_values.get(record.id) or ""))
        new_values.append(new_labels[record[fname]])
    author = env.user.partner_id
    now = env.cr.now()
    env.execute_query(
        SQL(
            """
            WITH changed AS (
                SELECT *
                  FROM unnest(%(ids)s::int[], %(old)s::varchar[], %(new)s::varchar[])
                       AS t(res_id, old_label, new_label)
            ), message AS (
                INSERT INTO mail_message (
                    model, res_id, body, message_type, subtype_id, author_id, email_from,
                    date, is_internal, message_id, email_add_signature,
                    create_uid, create_date, write_uid, write_date
                )
                SELECT %(model)s, changed.res_id, %(body)s, 'notification', %(subtype)s,
                       %(author)s, %(email_from)s, %(now)s, TRUE,
                       '<' || gen_random_uuid() || '-openerp-message-notify@pemkab>', FALSE,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM changed
             RETURNING id, res_id
            )
            INSERT INTO mail_tracking_value (
                field_id, mail_message_id, old_value_char, new_value_char,
                create_uid, create_date, write_uid, write_date
            )
            SELECT %(field_id)s, message.id, changed.old_label, changed.new_label,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM message
              JOIN changed ON changed.res_id = message.res_id
            """,
            ids=ids,
            old=old_labels,
            new=new_values,
            model=records._name,
            body=body or "",
            subtype=env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            author=author.id,
            email_from=author.email_formatted or None,
            now=now,
            uid=env.uid,
            field_id=env["ir.model.fields"]._get(records._name, fname).id,
        )
    )
    env["mail.message"].invalidate_model()
    env["mail.tracking.value"].invalidate_model()
    records.invalidate_recordset(["message_ids"])


#: The field types :func:`log_changes` logs, and the tracking value's columns of each
CHANGE_COLUMNS = {"selection": "char", "char": "char", "datetime": "datetime"}


def log_changes(records, old_values):
    """Log in the chatter of each record of ``records`` the change of its tracked fields
    from ``old_values[record.id]`` (``{field name: value before}``) to their values now,
    as the ORM's tracking does: one note by the current user a record whose fields
    changed, at this time, with a tracking value a changed field (selection labels in the
    user's language). Fields of the types of :data:`CHANGE_COLUMNS` only.

    For writes done with ``mail_notrack`` (the couriers' news of a batch of bookings):
    the messages and their tracking values are inserted by one statement, whatever the
    number of records. The caller has checked its access (as ``_message_log_batch``).
    """
    env = records.env
    rows = []
    labels = {}
    for record in records:
        for fname, old in old_values.get(record.id, {}).items():
            new = record[fname]
            if (old or False) == (new or False):
                continue
            field = records._fields[fname]
            if field.type == "selection":
                if fname not in labels:
                    labels[fname] = dict(field._description_selection(env))
                old = labels[fname].get(old, old) if old else ""
                new = labels[fname].get(new, new) if new else ""
            kind = CHANGE_COLUMNS[field.type]
            rows.append(
                (
                    record.id,
                    env["ir.model.fields"]._get(records._name, fname).id,
                    (old or None) if kind == "char" else None,
                    (new or None) if kind == "char" else None,
                    (old or None) if kind == "datetime" else None,
                    (new or None) if kind == "datetime" else None,
                )
            )
    if not rows:
        return
    author = env.user.partner_id
    now = env.cr.now()
    columns = list(zip(*rows, strict=True))
    env.execute_query(
        SQL(
            """
            WITH changed AS (
                SELECT *
                  FROM unnest(%(ids)s::int[], %(fields)s::int[], %(old_char)s::varchar[],
                              %(new_char)s::varchar[], %(old_dt)s::timestamp[],
                              %(new_dt)s::timestamp[])
                       AS t(res_id, field_id, old_char, new_char, old_dt, new_dt)
            ), message AS (
                INSERT INTO mail_message (
                    model, res_id, body, message_type, subtype_id, author_id, email_from,
                    date, is_internal, message_id, email_add_signature,
                    create_uid, create_date, write_uid, write_date
                )
                SELECT %(model)s, changed.res_id, '', 'notification', %(subtype)s,
                       %(author)s, %(email_from)s, %(now)s, TRUE,
                       '<' || gen_random_uuid() || '-openerp-message-notify@pemkab>', FALSE,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM (SELECT DISTINCT res_id FROM changed ORDER BY res_id) changed
             RETURNING id, res_id
            )
            INSERT INTO mail_tracking_value (
                field_id, mail_message_id, old_value_char, new_value_char,
                old_value_datetime, new_value_datetime,
                create_uid, create_date, write_uid, write_date
            )
            SELECT changed.field_id, message.id, changed.old_char, changed.new_char,
                   changed.old_dt, changed.new_dt, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM message
              JOIN changed ON changed.res_id = message.res_id
            """,
            ids=list(columns[0]),
            fields=list(columns[1]),
            old_char=list(columns[2]),
            new_char=list(columns[3]),
            old_dt=list(columns[4]),
            new_dt=list(columns[5]),
            model=records._name,
            subtype=env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            author=author.id,
            email_from=author.email_formatted or None,
            now=now,
            uid=env.uid,
        )
    )
    env["mail.message"].invalidate_model()
    env["mail.tracking.value"].invalidate_model()
    records.invalidate_recordset(["message_ids"])
