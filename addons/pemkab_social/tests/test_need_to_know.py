# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Need-to-know in the Dinas Sosial, tried as each role's own user over real JSON-RPC:
a role x operation matrix (README.md shows it)."""

from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.common import PemkabRpcMixin

from .common import PemkabSocialCommon, make_nik

PARTNER = "res.partner"
BOOKING = "pemkab.delivery.booking"
SOCIAL_FIELDS = [
    "pemkab_social_household_id",
    "pemkab_social_relation",
    "pemkab_social_elderly",
    "pemkab_social_disability",
]
ALL_SOCIAL_FIELDS = [*SOCIAL_FIELDS, "pemkab_social_pregnant", "pemkab_social_child_under_five"]


@tagged("post_install", "-at_install")
class TestSocialNeedToKnow(PemkabRpcMixin, PemkabSocialCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.household_bwi = cls._make_households(1)
        cls.household_gtg = cls._make_households(1, kecamatan=cls.kec_genteng, start=50)
        cls.member_bwi = cls.household_bwi.member_ids
        cls.member_gtg = cls.household_gtg.member_ids
        (cls.member_bwi | cls.member_gtg).write(
            {"pemkab_social_elderly": True, "pemkab_social_pregnant": True}
        )
        cls.patient = cls.env[PARTNER].create({"name": "Pasien", "is_patient": True})
        cls.booking_bwi = cls._make_booking(cls.kec_banyuwangi, "PKG-BWI")
        cls.booking_gtg = cls._make_booking(cls.kec_genteng, "PKG-GTG")

    @classmethod
    def _make_booking(cls, kecamatan, code):
        return cls.env[BOOKING].create(
            {
                "provider_id": cls.own_fleet.id,
                "agency_id": cls.dinsos.id,
                "shelter_id": cls.warehouse.id,
                "recipient_name": "Kepala",
                "recipient_phone": "0812 3300 1001",
                "kecamatan_id": kecamatan.id,
                "package_code": code,
            }
        )

    def test_bookings_of_the_officers_kecamatan(self):
        expected = {
            "social_officer_bwi": self.booking_bwi,
            "social_officer_gtg": self.booking_gtg,
            "social_head": self.booking_bwi | self.booking_gtg,
            "dinkes_officer": self.Booking,
        }
        for login, bookings in expected.items():
            with self.subTest(login=login):
                self.authenticate(login, login)
                ids = self.rpc_ok(
                    BOOKING, "search", [("package_code", "in", ["PKG-BWI", "PKG-GTG"])]
                )
                self.assertEqual(self.Booking.browse(ids), bookings)
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        self.rpc_refused(AccessError, BOOKING, "read", self.booking_gtg.ids, ["recipient_phone"])

    def test_contacts_matrix(self):
        """Matrix: role x operation on contacts' social and health data."""
        member = self.member_bwi.ids
        operations = {
            "read social fields": lambda: self.rpc(PARTNER, "read", member, SOCIAL_FIELDS),
            "search household": lambda: self.rpc(
                PARTNER, "search", [("pemkab_social_household_id", "!=", False)]
            ),
            "read NIK": lambda: self.rpc(PARTNER, "read", member, ["nik"]),
            "search is_patient": lambda: self.rpc(PARTNER, "search", [("is_patient", "=", True)]),
        }
        matrix = [
            ("social_officer_bwi", "read social fields", True),
            ("social_officer_bwi", "search household", True),
            ("social_officer_bwi", "read NIK", True),
            ("social_officer_bwi", "search is_patient", False),
            ("social_head", "read social fields", True),
            ("social_head", "search is_patient", False),
            ("dinkes_officer", "read social fields", False),
            ("dinkes_officer", "search household", False),
            ("dinkes_officer", "read NIK", False),
        ]
        self.assert_access_matrix(operations, matrix)

    def test_social_data_of_the_officers_kecamatan_only(self):
        """A social officer reads, searches and writes the household, relation and
        vulnerability flags of the contacts of the officer's kecamatan's households only:
        another kecamatan's member is not his to read (the contacts' rule, refused whole,
        the refusal naming no one) nor to find by any search."""
        gtg, bwi = self.member_gtg, self.member_bwi
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        for method, fields in (
            ("read", ALL_SOCIAL_FIELDS),
            ("web_read", {"pemkab_social_household_id": {}}),
        ):
            message = self.rpc_refused(AccessError, PARTNER, method, gtg.ids, fields)
            self.assertNotIn(gtg.name, message)
        self.assertEqual(
            self.rpc_ok(PARTNER, "search_read", [("id", "=", gtg.id)], ALL_SOCIAL_FIELDS), []
        )
        [row] = self.rpc_ok(PARTNER, "read", bwi.ids, ALL_SOCIAL_FIELDS)
        self.assertEqual(row["pemkab_social_household_id"][0], self.household_bwi.id)
        self.assertEqual(row["pemkab_social_relation"], "head")
        self.assertTrue(row["pemkab_social_elderly"])
        both = (gtg | bwi).ids
        for domain in (
            [("pemkab_social_household_id", "=", self.household_gtg.id)],
            [("pemkab_social_household_id", "!=", False)],
            [("pemkab_social_household_id", "ilike", self.household_gtg.name)],
            [("pemkab_social_household_id.kecamatan_id", "=", self.kec_genteng.id)],
            [("pemkab_social_relation", "=", "head")],
            [("pemkab_social_elderly", "=", True)],
            [("pemkab_social_pregnant", "!=", False)],
        ):
            with self.subTest(domain=domain):
                ids = self.rpc_ok(PARTNER, "search", [("id", "in", both), *domain])
                self.assertNotIn(gtg.id, ids)
                count = self.rpc_ok(PARTNER, "search_count", [("id", "=", gtg.id), *domain])
                self.assertEqual(count, 0)
        # searching for what it is not does not single it out either
        for domain in (
            [("pemkab_social_household_id", "=", False)],
            [("pemkab_social_relation", "=", False)],
            [("pemkab_social_elderly", "=", False)],
        ):
            with self.subTest(domain=domain):
                ids = self.rpc_ok(PARTNER, "search", [("id", "in", both), *domain])
                self.assertEqual(ids, [])
        for vals in (
            {"pemkab_social_relation": "child"},
            {"pemkab_social_elderly": False},
            {"pemkab_social_household_id": self.household_bwi.id},
            {"pemkab_social_household_id": False},
        ):
            with self.subTest(vals=vals):
                self.rpc_refused(AccessError, PARTNER, "write", gtg.ids, vals)
        self.rpc_refused(
            AccessError,
            PARTNER,
            "create",
            [{"name": "Anggota Baru", "pemkab_social_household_id": self.household_gtg.id}],
        )
        self.env.invalidate_all()
        self.assertEqual(gtg.pemkab_social_household_id, self.household_gtg)
        self.assertEqual(gtg.pemkab_social_relation, "head")
        self.assertTrue(gtg.pemkab_social_elderly)
        self.assertEqual(self.household_gtg.member_ids, gtg)
        # the officer's own kecamatan: written as before
        self.rpc_ok(PARTNER, "write", bwi.ids, {"pemkab_social_relation": "spouse"})
        new_id = self.rpc_ok(
            PARTNER,
            "create",
            [
                {
                    "name": "Anak",
                    "pemkab_social_household_id": self.household_bwi.id,
                    "pemkab_social_relation": "child",
                    "pemkab_social_child_under_five": True,
                }
            ],
        )
        self.env.invalidate_all()
        self.assertEqual(bwi.pemkab_social_relation, "spouse")
        self.assertEqual(set(self.household_bwi.member_ids.ids), {bwi.id, *new_id})
        self.assertTrue(self.household_bwi.has_child_under_five)

    def test_nik_of_the_officers_households_only(self):
        """Issue 18, item 11: a social officer reads, searches and enters the NIK of his
        kecamatan's household members only; a hospital patient's and another kecamatan's
        member's NIK read as none, are found by no search (nor singled out by a search
        for no NIK) and cannot be written; the refusal of a NIK already registered names
        no holder whose NIK he may not read."""
        vals = {"name": "Pasien RSUD", "nik": make_nik("01", 4242, year=75)}
        if "is_patient" in self.env[PARTNER]._fields:
            vals["is_patient"] = True
        patient = self.env[PARTNER].create(vals)
        gtg, bwi = self.member_gtg, self.member_bwi
        others = patient | gtg
        everyone = (others | bwi).ids
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        for other in others:
            for method, fields in (("read", ["nik"]), ("web_read", {"nik": {}})):
                with self.subTest(contact=other.name, method=method):
                    # the contact is refused whole (its address too: the next test), or
                    # read with no NIK
                    answer = self.rpc(PARTNER, method, other.ids, fields)
                    if "error" in answer:
                        error = answer["error"]["data"]
                        self.assertEqual(error["name"], "odoo.exceptions.AccessError")
                        self.assertNotIn(other.sudo().pemkab_stored_nik, error["message"])
                    else:
                        self.assertFalse(answer["result"][0]["nik"])
        [row] = self.rpc_ok(PARTNER, "read", bwi.ids, ["nik"])
        self.assertEqual(row["nik"], bwi.nik)
        for other in others:
            for domain in (
                [("nik", "=", other.nik)],
                [("nik", "in", [other.nik])],
                [("nik", "ilike", other.nik[:10])],
                [("nik", "!=", False)],
            ):
                with self.subTest(contact=other.name, domain=domain):
                    ids = self.rpc_ok(PARTNER, "search", [("id", "in", everyone), *domain])
                    self.assertNotIn(other.id, ids)
                    count = self.rpc_ok(PARTNER, "search_count", [("id", "=", other.id), *domain])
                    self.assertEqual(count, 0)
        ids = self.rpc_ok(PARTNER, "search", [("id", "in", everyone), ("nik", "=", False)])
        self.assertNotIn(bwi.id, ids)
        self.assertLessEqual(set(ids), set(others.ids))
        ids = self.rpc_ok(PARTNER, "search", [("id", "in", everyone), ("nik", "=", bwi.nik)])
        self.assertEqual(ids, bwi.ids)
        # households searched by a member's NIK, as the search views do
        ids = self.rpc_ok("pemkab.social.household", "search", [("member_ids.nik", "=", bwi.nik)])
        self.assertEqual(ids, self.household_bwi.ids)
        # no NIK entered where it is not his
        for other in others:
            for nik in (make_nik("01", 4343, year=76), False):
                with self.subTest(contact=other.name, nik=nik):
                    self.rpc_refused(AccessError, PARTNER, "write", other.ids, {"nik": nik})
        self.rpc_refused(
            AccessError, PARTNER, "create", [{"name": "Tanpa KK", "nik": make_nik("01", 4444)}]
        )
        # a NIK already held by a contact not his: refused without naming the holder
        message = self.rpc_refused(
            ValidationError,
            PARTNER,
            "create",
            [
                {
                    "name": "Anggota",
                    "nik": patient.nik,
                    "pemkab_social_household_id": self.household_bwi.id,
                }
            ],
        )
        self.assertNotIn(patient.name, message)
        self.env.invalidate_all()
        self.assertEqual(patient.sudo().pemkab_stored_nik, vals["nik"])
        # his own members: entered and read as before (the household form's members)
        nik = make_nik("01", 4545, year=90)
        self.rpc_ok(
            "pemkab.social.household",
            "write",
            self.household_bwi.ids,
            {
                "member_ids": [
                    Command.create(
                        {"name": "Anak Baru", "nik": nik, "pemkab_social_relation": "child"}
                    )
                ]
            },
        )
        ids = self.rpc_ok(PARTNER, "search", [("nik", "=", nik)])
        household = self.env[PARTNER].browse(ids).pemkab_social_household_id
        self.assertEqual(household, self.household_bwi)
        self.rpc_ok(PARTNER, "write", ids, {"nik": make_nik("01", 4546, year=90)})
        # the head reads every kecamatan's members' NIKs, no patient's (the health
        # roles' every NIK: pemkab_health's test_need_to_know.py)
        self.authenticate("social_head", "social_head")
        rows = self.rpc_ok(PARTNER, "read", (gtg | bwi).ids, ["nik"])
        self.assertEqual([row["nik"] for row in rows], [gtg.nik, bwi.nik])
        self.assertEqual(self.rpc_ok(PARTNER, "search", [("nik", "=", patient.nik)]), [])
        ids = self.rpc_ok(PARTNER, "search", [("nik", "=", gtg.nik)])
        self.assertEqual(ids, gtg.ids)

    def test_contacts_of_the_officers_kecamatan_only(self):
        """A contact's address is base data, but a citizen's is the officer's to read
        only when the citizen is his: the members of his kecamatan's households (his
        shipments' recipients) and contacts that are no citizen (no NIK, no household).
        A patient and another kecamatan's member are refused, by a refusal that names
        neither; where a record he reads points to one, its name still shows."""
        vals = {"name": "Pasien Alamat", "nik": make_nik("01", 4747, year=70)}
        vals |= {"street": "Jl. Rahasia 7"}
        patient = self.env[PARTNER].create(vals)
        office = self.env[PARTNER].create(
            {"name": "Kantor Desa", "parent_id": patient.id, "type": "other", "street": "Jl. Desa"}
        )
        gtg, bwi = self.member_gtg, self.member_bwi
        self.authenticate("social_officer_bwi", "social_officer_bwi")
        for other in patient | gtg:
            with self.subTest(contact=other.name):
                message = self.rpc_refused(AccessError, PARTNER, "read", other.ids, ["street"])
                self.assertNotIn(other.name, message)
                self.rpc_refused(AccessError, PARTNER, "write", other.ids, {"street": "Jl. X"})
        ids = self.rpc_ok(PARTNER, "search", [("street", "=", "Jl. Rahasia 7")])
        self.assertEqual(ids, [])
        [row] = self.rpc_ok(PARTNER, "read", bwi.ids, ["street", "name"])
        self.assertEqual(row["name"], bwi.name)
        [row] = self.rpc_ok(
            PARTNER, "web_read", office.ids, {"parent_id": {"fields": {"display_name": {}}}}
        )
        self.assertEqual(row["parent_id"]["display_name"], patient.name)
        # a colleague's contact (a user's) is read, his NIK as none
        colleague = self.user_officer_gtg.partner_id
        colleague.nik = make_nik("01", 4848, year=85)
        [row] = self.rpc_ok(PARTNER, "read", colleague.ids, ["name", "nik"])
        self.assertEqual((row["name"], row["nik"]), (colleague.name, False))
        # his user's own contact, the company's: read as before
        self.rpc_ok(PARTNER, "read", self.user_officer_bwi.partner_id.ids, ["street"])
        self.rpc_ok(PARTNER, "read", self.env.company.partner_id.ids, ["street"])
        # the head: every household's members, no patient; the administrator: all
        self.authenticate("social_head", "social_head")
        self.rpc_ok(PARTNER, "read", gtg.ids, ["street"])
        self.rpc_refused(AccessError, PARTNER, "read", patient.ids, ["street"])
        self.authenticate("admin", "admin")
        self.rpc_ok(PARTNER, "read", (patient | gtg).ids, ["street"])

    def test_social_data_of_the_whole_agency(self):
        """The head of the Dinas Sosial and the administrator see every kecamatan's."""
        gtg, bwi = self.member_gtg, self.member_bwi
        for login in ("social_head", "admin", "social_officer_gtg"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                [row] = self.rpc_ok(PARTNER, "read", gtg.ids, ALL_SOCIAL_FIELDS)
                self.assertEqual(row["pemkab_social_household_id"][0], self.household_gtg.id)
                self.assertTrue(row["pemkab_social_pregnant"])
                ids = self.rpc_ok(
                    PARTNER,
                    "search",
                    [("id", "in", (gtg | bwi).ids), ("pemkab_social_elderly", "=", True)],
                )
                self.assertIn(gtg.id, ids)
                self.assertEqual(login == "social_officer_gtg", bwi.id not in ids)
        self.authenticate("social_head", "social_head")
        self.rpc_ok(PARTNER, "write", gtg.ids, {"pemkab_social_relation": "other"})
        self.env.invalidate_all()
        self.assertEqual(gtg.pemkab_social_relation, "other")

    def test_social_data_read_and_searched_in_batch(self):
        """The household check is one query for all the contacts read, not one each."""
        bwi = self._make_households(12, start=100)
        gtg = self._make_households(12, kecamatan=self.kec_genteng, start=200)
        Partner = self.env[PARTNER].with_user(self.user_officer_bwi)
        members = Partner.browse(bwi.member_ids.ids)  # gtg's are not his to read

        def queries(partners, fnames):
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            rows = partners.read(fnames)
            return self.env.cr.sql_log_count - start, rows

        def social_queries(partners):
            """The queries the social fields add to a list of contacts (read with a
            stored field, as a list view does: the contacts' record rules in SQL)."""
            plain, _rows = queries(partners, ["name"])
            social, rows = queries(partners, ["name", *ALL_SOCIAL_FIELDS])
            return social - plain, rows

        many, rows = social_queries(members)
        # stored values, households' access, their names: for the 24 at once
        self.assertLessEqual(many, 3)
        self.assertEqual(sum(bool(row["pemkab_social_household_id"]) for row in rows), 12)
        start = self.env.cr.sql_log_count
        found = Partner.search(
            [("id", "in", (bwi | gtg).member_ids.ids), ("pemkab_social_household_id", "!=", False)]
        )
        self.assertLessEqual(self.env.cr.sql_log_count - start, 3)
        self.assertEqual(found.sudo().pemkab_social_stored_household_id, bwi)
