# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The rows of ``Model.create(vals_list)`` written without the ORM's per-record work.

For the bulk paths (a district's 100,000 courier bookings at once): the ORM's create
spends most of its time filling its cache record by record; :func:`insert_rows` writes
the same rows and then does what the ORM does after its INSERT. It does *not* run the
model's ``create`` overrides: the caller applies what they do to ``vals_list`` first.
"""

from psycopg2.extensions import AsIs

from odoo.tools import SQL, split_every

# a column the values leave out: the database's default (NULL), as in the ORM's INSERT
SQL_DEFAULT = AsIs("DEFAULT")

LOG_COLUMNS = ("create_uid", "create_date", "write_uid", "write_date")
BATCH = 1000


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
    for fname in given:
        field = fields[fname]
        if not (field.store and field.column_type) or field.translate or field.type == "properties":
            raise ValueError(f"insert_rows: {model._name}.{fname} is not a plain column")
    missing = [
        fname
        for fname, field in fields.items()
        if field.store
        and field.column_type
        and fname != "id"
        and fname not in given
        and fname not in LOG_COLUMNS
    ]
    defaults = model.default_get(missing)
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
    records = model.browse(ids)
    written = [*columns, *LOG_COLUMNS]
    # what the ORM does after its INSERT: the inverse one2many caches forgotten,
    # dependent stored fields marked, constraints and record rules checked
    for fname in columns:
        for inverse in model.pool.field_inverses[fields[fname]]:
            model.env[inverse.model_name].invalidate_model([inverse.name], flush=False)
    given_computed = [fields[fname] for fname in columns if fields[fname].compute]
    with model.env.protecting(given_computed, records):
        records.modified(written, create=True)
    records._validate_fields(written)
    records.check_access("create")
    return records
