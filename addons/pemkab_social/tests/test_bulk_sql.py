# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The bulk paths write in SQL (generation, submission, approval, the bookings of a
packing): the same rows as the ORM's create and write would."""

from datetime import datetime

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.pemkab_delivery.models.pemkab_deliverable_mixin import (
    BOOKING_CREATE_OVERRIDES,
    insert_bookings,
)

from .common import PemkabSocialCommon

# what differs between two rows of the same values by construction
OWN = {"id", "name", "create_date", "write_date", "access_token", "display_name"}


@tagged("post_install", "-at_install")
class TestBulkSql(PemkabSocialCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.homes = cls._make_households(6, desa=cls.kel_sobo)
        # no head: the shipment is addressed to the household's name
        cls.headless = cls.Household.create(
            {
                "name": "Keluarga tanpa kepala",
                "decile": 1,
                "street": "Jl. Sepi 1",
                "kecamatan_id": cls.kec_banyuwangi.id,
                "latitude": -8.21,
                "longitude": 114.37,
                "phone": "0812-7777-0001",
            }
        )

    def _stored_values(self, record):
        return {
            fname: record[fname]
            for fname, field in record._fields.items()
            if field.store and field.column_type and fname not in OWN
        }

    def test_generation_writes_what_create_would(self):
        shipments = self._generate()
        self.assertEqual(len(shipments), 7)
        self.assertEqual(shipments, shipments.sorted("id"))
        households = self.Household.search(
            [("id", "in", (self.homes | self.headless).ids)], order="priority desc, id"
        )
        self.assertEqual(shipments.household_id, households, "in the eligibility order")
        for number, (shipment, household) in enumerate(zip(shipments, households, strict=True), 1):
            self.assertEqual(shipment.name, f"T-2026-01/{number:05d}")
            expected = household._shipment_snapshot_vals()
            actual = {fname: shipment[fname] for fname in expected}
            actual = {
                fname: shipment._fields[fname].convert_to_write(value, shipment)
                for fname, value in actual.items()
            }
            self.assertEqual(actual, expected)
        self.assertEqual(
            shipments.filtered(lambda s: s.household_id == self.headless).recipient_name,
            "Keluarga tanpa kepala",
        )
        # the same values through the ORM's create (another period)
        other = self._new_period("T-2026-99")
        first = shipments[0]
        vals = {
            "name": "T-2026-99/00001",
            "period_id": other.id,
            "household_id": first.household_id.id,
            "shelter_id": self.warehouse.id,
            "package_type_id": self.package.id,
            "package_cost": self.package.unit_cost,
            "currency_id": (self.package.currency_id or other.currency_id).id,
            **first.household_id._shipment_snapshot_vals(),
        }
        by_orm = self.Shipment.with_context(
            tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True
        ).create(vals)
        mine, theirs = self._stored_values(first), self._stored_values(by_orm)
        for values in (mine, theirs):
            values.pop("period_id")
            values.pop("delivery_state_since")
        self.assertEqual(mine, theirs)
        self.assertTrue(first.delivery_state_since)
        self.assertEqual(first.create_uid, self.env.user)
        self.assertEqual(first.program_id, self.program)
        self.assertEqual(first.agency_id, self.dinsos)
        self.assertFalse(first.message_ids, "no per-shipment message in bulk")
        self.assertIn("7 shipments generated", self.period.message_ids[:1].body)
        self.assertEqual(self.period.shipment_count, 7, "the period's one2many sees them")

    def test_generation_numbers_past_99999(self):
        wizard = (
            self.env["pemkab.social.generate.wizard"]
            .with_context(default_period_id=self.period.id)
            .create({})
        )
        shipments = wizard._create_shipments(self.homes[:2], 99999)
        self.assertEqual(shipments.mapped("name"), ["T-2026-01/99999", "T-2026-01/100000"])

    def test_generation_normalises_a_phone_stored_unnormalised(self):
        # older data written around the ORM: the same check as the ORM's create
        self.env.cr.execute(
            "UPDATE pemkab_social_household SET phone = '0812-3456-7890' WHERE id = %s",
            [self.homes[0].id],
        )
        self.homes[0].invalidate_recordset(["phone"])
        shipments = self._generate()
        mine = shipments.filtered(lambda s: s.household_id == self.homes[0])
        self.assertEqual(mine.recipient_phone, "+6281234567890")

    def test_bulk_submit_and_approve_write_states_and_book_by_trigger(self):
        shipments = self._generate()
        # a trigger on "approved" books a courier for each shipment approved in bulk
        self.env["pemkab.delivery.trigger"].create(
            {
                "model_name": "pemkab.social.shipment",
                "state_value": "approved",
                "provider_id": self.provider.id,
                "dispatch_mode": "dispatcher",
                "agency_ids": [Command.link(self.dinsos.id)],
            }
        )
        self.env.cr.execute(
            "UPDATE pemkab_social_shipment SET delivery_state_since = '2026-01-01' "
            "WHERE id = ANY(%s)",
            [shipments.ids],
        )
        shipments.invalidate_recordset()
        self.period.action_submit_all()
        self.assertEqual(set(shipments.mapped("state")), {"submitted"})
        self.assertTrue(all(s.delivery_state_since > datetime(2026, 1, 1) for s in shipments))
        self.assertFalse(self._bookings(shipments))
        self.period.with_user(self.user_social_head).action_approve()
        self.assertEqual(set(shipments.mapped("state")), {"approved"})
        self.assertEqual(shipments.approved_by_id, self.user_social_head)
        self.assertEqual(shipments.write_uid, self.user_social_head)
        self.assertTrue(all(shipments.mapped("approved_at")))
        self.assertEqual(self.period.approved_count, 7)
        bookings = self._bookings(shipments)
        self.assertEqual(len(bookings), 7)
        self.assertEqual(set(bookings.mapped("state")), {"draft"})
        self.assertFalse(shipments.message_ids, "no tracking in bulk, as before")

    def test_bulk_bookings_are_what_create_makes(self):
        shipments = self._generate()
        self.period.action_submit_all()
        self.period.with_user(self.user_social_head).action_approve()
        shipments.with_context(tracking_disable=True).action_pack()
        bookings = self._bookings(shipments)
        self.assertEqual(len(bookings), 7)
        self.assertEqual(set(bookings.mapped("state")), {"requested"})
        self.assertEqual(set(bookings.mapped("board_stage")), {"ready"})
        self.assertTrue(all(bookings.mapped("event_ids")))
        self.assertTrue(all(s.access_token for s in shipments))
        first = bookings.sorted("id")[0]
        shipment = self.Shipment.browse(first.res_id)
        self.assertEqual(first.package_code, shipment.name)
        self.assertEqual(first.recipient_phone, shipment.recipient_phone)
        self.assertTrue(
            first.name.startswith(
                self.env["ir.sequence"]
                .search([("code", "=", "pemkab.delivery.booking")], limit=1)
                ._get_prefix_suffix()[0]
            )
        )
        # the same values through the ORM's create
        vals = dict(shipment._delivery_booking_values())
        vals.update(
            res_model=shipment._name,
            res_id=shipment.id,
            provider_id=self.provider.id,
            service_type=self.provider.service_type,
        )
        Booking = self.env["pemkab.delivery.booking"].sudo().with_context(tracking_disable=True)
        free = dict(vals, res_model=False, res_id=False)
        by_sql = insert_bookings(Booking, [dict(free), dict(free)])
        by_orm = Booking.create([dict(free)])
        self.assertEqual(self._stored_values(by_sql[0]), self._stored_values(by_orm))
        self.assertEqual(len(set((by_sql | by_orm).mapped("name"))), 3)

    def test_bulk_bookings_stand_for_every_create_override(self):
        """A new create() override of the bookings must be added to insert_bookings."""
        Booking = type(self.env["pemkab.delivery.booking"])
        overrides = tuple(
            f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__qualname__}"
            for cls in Booking.mro()
            if "create" in vars(cls) and cls.__module__.startswith(("odoo.addons", "odoo.orm"))
        )
        self.assertEqual(overrides, BOOKING_CREATE_OVERRIDES)

    def test_booking_values_sql_gives_the_python_values(self):
        """The SQL form of the booking values (the bulk path) and the Python one (a
        single shipment) give the same columns and values for the same shipment."""
        self.package.weight_kg = 12.5
        shipments = self._generate()
        self.period.action_submit_all()
        self.period.with_user(self.user_social_head).action_approve()
        # a shipment with no phone, no desa, no coordinates, no approver, no package type
        bare = shipments[0]
        self.env.cr.execute(
            "UPDATE pemkab_social_shipment SET recipient_phone = NULL, desa_id = NULL, "
            "latitude = NULL, longitude = NULL, street = NULL, approved_by_id = NULL, "
            "package_type_id = NULL "
            "WHERE id = %s",
            [bare.id],
        )
        bare.invalidate_recordset()
        Booking = self.env["pemkab.delivery.booking"]
        values_sql = self.Shipment._delivery_booking_values_sql(SQL.identifier("d"))
        self.env.flush_all()
        for shipment in (bare, shipments[1], shipments[-1]):
            by_python = shipment._delivery_booking_values()
            self.assertEqual(set(values_sql), set(by_python))
            self.assertEqual(by_python["weight_kg"], shipment.package_type_id.weight_kg)
            row = self.env.execute_query(
                SQL(
                    "SELECT %s FROM pemkab_social_shipment d WHERE d.id = %s",
                    SQL(", ").join(values_sql.values()),
                    shipment.id,
                )
            )[0]
            for (fname, by_sql), expected in zip(
                zip(values_sql, row, strict=True), map(by_python.get, values_sql), strict=True
            ):
                field = Booking._fields[fname]
                as_read = field.convert_to_record(field.convert_to_cache(by_sql, Booking), Booking)
                self.assertEqual(
                    field.convert_to_write(as_read, Booking),
                    field.convert_to_write(
                        field.convert_to_record(field.convert_to_cache(expected, Booking), Booking),
                        Booking,
                    ),
                    f"{fname} of {shipment.name}",
                )

    def test_bulk_bookings_plan_the_courier_terms_as_create_and_request(self):
        """A package heavier than a motorbike takes goes by the account's car, planned
        alike by the bulk path (one INSERT ... SELECT) and the ORM's request."""
        self.package.weight_kg = 25
        self.provider.car_service = True
        shipments = self._generate()
        self.period.action_submit_all()
        self.period.with_user(self.user_social_head).action_approve()
        shipments.action_pack()
        bookings = self._bookings(shipments).sorted("id")
        self.assertEqual(len(bookings), 7)
        self.assertEqual(set(bookings.mapped("vehicle")), {"car"})
        self.assertEqual(set(bookings.mapped("weight_kg")), {25})
        first = bookings[0]
        vals = dict(
            self.Shipment.browse(first.res_id)._delivery_booking_values(),
            provider_id=self.provider.id,
            service_type=self.provider.service_type,
        )
        by_orm = (
            self.env["pemkab.delivery.booking"]
            .sudo()
            .with_context(tracking_disable=True)
            .create(vals)
        )
        by_orm.action_request()
        terms = ("vehicle", "pickup_from", "pickup_until", "declared_value", "insured")
        self.assertEqual(
            {fname: first[fname] for fname in terms}, {fname: by_orm[fname] for fname in terms}
        )
        self._run_outbox_all()
        self.assertEqual(
            {self.sandbox.orders(b.name)[0]["service_type"] for b in bookings}, {"InstantCar"}
        )

    def test_bulk_bookings_by_sql_are_what_create_and_request_make(self):
        shipments = self._generate()
        self.period.action_submit_all()
        self.period.with_user(self.user_social_head).action_approve()
        shipments.action_pack()
        bookings = self._bookings(shipments).sorted("id")
        self.assertEqual(len(bookings), 7)
        self.assertEqual(bookings.mapped("res_id"), shipments.sorted("id").ids)
        names = bookings.mapped("name")
        self.assertEqual(names, sorted(names), "references in the order of the shipments")
        self.assertEqual(len(set(names)), 7)
        self.assertEqual(set(bookings.mapped("state")), {"requested"})
        self.assertEqual(set(bookings.mapped("board_stage")), {"ready"})
        self.assertEqual(bookings.event_ids.mapped("status"), ["requested"] * 7)
        self.assertEqual(set(bookings.event_ids.mapped("source")), {"user"})
        self.assertEqual(bookings.responsible_user_id, self.user_social_head)
        self.assertEqual(set(shipments.mapped("state")), {"packed"})
        self.assertTrue(all(shipments.mapped("access_token")))
        self.assertEqual(len(set(shipments.mapped("access_token"))), 7)
        self.assertFalse(shipments.message_ids, "no per-shipment message in bulk")
        self.assertEqual(
            self.env["pemkab.delivery.exchange"]._send_due_count(), 7, "the outbox picks them up"
        )
        # the same values through the ORM's create and request (no document: one booking
        # under way per document)
        first = bookings[0]
        shipment = self.Shipment.browse(first.res_id)
        vals = dict(
            shipment._delivery_booking_values(),
            provider_id=self.provider.id,
            service_type=self.provider.service_type,
        )
        by_orm = (
            self.env["pemkab.delivery.booking"]
            .sudo()
            .with_context(tracking_disable=True)
            .create(vals)
        )
        by_orm.action_request()
        mine, theirs = self._stored_values(first), self._stored_values(by_orm)
        for values in (mine, theirs):
            values.pop("res_model")
            values.pop("res_id")
        self.assertEqual(mine, theirs)
        # and as the database holds them (a NULL is no 0)
        self.env.flush_all()
        mine, theirs = self.env.execute_query(
            SQL(
                "SELECT %s FROM pemkab_delivery_booking WHERE id IN %s ORDER BY id = %s DESC",
                SQL(", ").join(SQL.identifier(fname) for fname in sorted(mine)),
                (first.id, by_orm.id),
                first.id,
            )
        )
        self.assertEqual(mine, theirs)
        self.assertEqual(
            [(e.source, e.status, e.applied) for e in first.event_ids],
            [(e.source, e.status, e.applied) for e in by_orm.event_ids],
        )

    def test_bulk_pack_refuses_a_shipment_the_courier_cannot_reach(self):
        shipments = self._generate()
        self.period.action_submit_all()
        self.period.with_user(self.user_social_head).action_approve()
        self.env.cr.execute(
            "UPDATE pemkab_social_shipment SET latitude = 0, longitude = 0 WHERE id = %s",
            [shipments[2].id],
        )
        shipments.invalidate_recordset()
        with self.assertRaisesRegex(UserError, f"{shipments[2].name}: the household has no coord"):
            shipments.action_pack()
        self.assertEqual(set(shipments.mapped("state")), {"approved"})
        self.assertFalse(self._bookings(shipments))


@tagged("post_install", "-at_install")
class TestBulkQueries(PemkabSocialCommon):
    """Generation, submission, approval, packing and booking of a period take as many
    queries for 50 households as for 10: set-based, no query per household."""

    def _steps(self, period):
        counts = {}
        cr = self.env.cr

        def step(label, func):
            self.env.flush_all()
            self.env.invalidate_all()
            before = cr.sql_log_count
            result = func()
            self.env.flush_all()
            counts[label] = cr.sql_log_count - before
            return result

        shipments = step("generate", lambda: self._generate(period))
        step("submit", period.action_submit_all)
        step("approve", period.with_user(self.user_social_head).action_approve)
        step("pack+book", shipments.action_pack)
        self.assertEqual(len(self._bookings(shipments)), len(shipments))
        self.assertEqual(set(self._bookings(shipments).mapped("state")), {"requested"})
        return len(shipments), counts

    def test_queries_do_not_grow_with_the_period(self):
        # a first period warms the caches (registry, defaults, sequences) up
        self._make_households(5)
        self._steps(self.period)
        self._make_households(5, start=5)
        small, small_counts = self._steps(self._new_period("T-2026-02"))
        self._make_households(40, start=10)
        large, large_counts = self._steps(self._new_period("T-2026-03"))
        self.assertEqual((small, large), (10, 50))
        self.assertEqual(small_counts, large_counts)
