# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The district benchmark (``bench/bench_social_generate.py``) makes its households in
SQL: the same rows as the ORM's create makes them."""

import importlib.util
from pathlib import Path

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

BENCH = Path(__file__).resolve().parents[3] / "bench" / "bench_social_generate.py"
# what differs between two rows of the same values by construction
OWN = {"id", "create_date", "write_date"}


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_social_generate", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestBenchSetup(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bench = _bench_module()
        cls.area = cls.env.ref("pemkab_delivery.area_35_10_16")

    def _rows(self):
        """The bench's households and members, as dicts keyed by the household's name,
        the references to other bench rows given by their names."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("SELECT * FROM pemkab_social_household WHERE name LIKE 'Bench %' ORDER BY id")
        columns = [column.name for column in cr.description]
        homes = [dict(zip(columns, row, strict=True)) for row in cr.fetchall()]
        names = {home["id"]: home["name"] for home in homes}
        cr.execute(
            "SELECT * FROM res_partner WHERE pemkab_social_stored_household_id = ANY(%s)",
            [list(names)],
        )
        columns = [column.name for column in cr.description]
        heads = [dict(zip(columns, row, strict=True)) for row in cr.fetchall()]
        rows = {}
        for home in homes:
            rows[home["name"]] = {"home": {k: v for k, v in home.items() if k not in OWN}}
        for head in heads:
            self.assertEqual(head["commercial_partner_id"], head["id"])
            household = names[head["pemkab_social_stored_household_id"]]
            head = {k: v for k, v in head.items() if k not in OWN}
            head["pemkab_social_stored_household_id"] = household
            head["commercial_partner_id"] = "itself"
            rows[household]["head"] = head
        return rows

    def _counts(self):
        """Rows of the tables an ORM create may also write (chatter, followers)."""
        cr = self.env.cr
        counts = {}
        for table in ("mail_message", "mail_followers", "mail_tracking_value"):
            cr.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our own names
            counts[table] = cr.fetchone()[0]
        return counts

    def _made(self, make, indexes):
        with self.env.cr.savepoint() as savepoint:
            before = self._counts()
            make(self.env(context={"tracking_disable": True}), self.area, indexes)
            rows = self._rows()
            counts = self._counts()
            savepoint.rollback()
        self.env.invalidate_all()
        return rows, {table: counts[table] - before[table] for table in counts}

    def test_sql_households_are_the_orm_ones(self):
        # deciles 1 to 4, coordinates past a hundred, NIKs past a birth month (450,000)
        for indexes in (range(0, 130), range(449_990, 450_010)):
            orm, orm_counts = self._made(self.bench._households, indexes)
            sql, sql_counts = self._made(self.bench._households_sql, indexes)
            self.assertEqual(len(orm), len(indexes))
            self.assertEqual(set(sql), set(orm))
            for name, expected in orm.items():
                self.assertEqual(sql[name], expected, name)
            self.assertEqual(sql_counts, orm_counts)

    def test_nik_in_sql_is_the_python_one(self):
        indexes = [0, 1, 8999, 9000, 449_999, 450_000, 549_999, 5_399_999]
        niks = self.env.execute_query(
            SQL(
                "SELECT %s FROM unnest(%s::int[]) i",
                SQL(self.bench.NIK_SQL, kecamatan="16"),
                indexes,
            )
        )
        self.assertEqual(
            [nik for (nik,) in niks],
            [self.bench._nik("16", i) for i in indexes],
        )
        for i in indexes:
            self.env["res.partner"]._pemkab_clean_nik(self.bench._nik("16", i))
