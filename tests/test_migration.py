# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A database made with the released addons upgrades to the working tree's and keeps its data.

The released addons are those of git commit ``OLD_COMMIT`` (extracted with ``git archive``; a
repository without that commit fails the test, it never skips). One scratch database gets them
with demo data, plus the records of ``OLD_SETUP``; the queries of ``SNAPSHOTS`` record what the
upgrade must carry over; then ``-u`` with the working tree's addons upgrades it. The
module-scoped fixture ``upgraded`` yields that database once for all the tests here.

To cover another rename: add its "before" query to ``SNAPSHOTS`` (and records to ``OLD_SETUP``
if the demo data has none), then a test comparing ``upgraded.old[name]`` with
``upgraded.query(...)`` on the upgraded database.
"""

import dataclasses
import json
import os
import subprocess
import uuid

import pytest
from conftest import PROJECT_ROOT, SCRATCH_PREFIX, drop_database

pytestmark = pytest.mark.slow

# The last commit before issue 8 (Odoo's own fields instead of parallel ones).
OLD_COMMIT = "6ca1ebf"
ADDONS = ["pemkab_delivery", "pemkab_health", "pemkab_social"]

# Run by ``odoo-bin shell`` on the old database after its installation: records the demo data
# lacks. ``geolocated`` has coordinates of its own in Odoo's fields (as base_geolocalize would
# give): the migration must not overwrite them.
OLD_SETUP = """
Partner = env["res.partner"]
contact = Partner.create({
    "name": "Kontak Migrasi", "latitude": -8.2222, "longitude": 114.3333,
    "patient_mobile": "0812-3456-7890", "nik": "3510160810840199",
})
geolocated = Partner.create({
    "name": "Kontak Geolokasi", "latitude": -8.3, "longitude": 114.2,
    "partner_latitude": -6.2, "partner_longitude": 106.8,
})
# prescription deliveries and aid shipments in the states and with the values whose names
# the shared delivery workflow changed (set in SQL: the old workflow's own path is long)
out, by_hand, returned = env["pemkab.health.delivery"].search([], order="id", limit=3)
env.cr.execute("UPDATE pemkab_health_delivery SET state = 'out' WHERE id = %s", [out.id])
env.cr.execute(
    "UPDATE pemkab_health_delivery SET state = 'delivered', proof_source = 'manual',"
    " receiver_partner_id = patient_id, receiver_name = 'Sumiati' WHERE id = %s", [by_hand.id]
)
env.cr.execute(
    "UPDATE pemkab_health_delivery SET state = 'failed',"
    " failure_reason = 'No driver found: tidak ada driver' WHERE id = %s", [returned.id]
)
period = env.ref("pemkab_social.period_sembako_demo")
env.cr.execute("UPDATE pemkab_social_period SET state = 'draft' WHERE id = %s", [period.id])
period.invalidate_recordset()
Shipment = env["pemkab.social.shipment"]
households = env["pemkab.social.household"].search([], order="id", limit=2)
shipments = Shipment.create([
    {"period_id": period.id, "household_id": household.id, "recipient_name": household.name}
    for household in households
])
member = households[1].member_ids[:1]
env.cr.execute(
    "UPDATE pemkab_social_period SET state = 'approved', approved_date = now() WHERE id = %s",
    [period.id],
)
env.cr.execute(
    "UPDATE pemkab_social_shipment SET state = 'delivered', approved_date = now(),"
    " received_at = '2026-01-05 10:00:00', receiver_type = 'head', proof_source = 'officer'"
    " WHERE id = %s", [shipments[0].id]
)
env.cr.execute(
    "UPDATE pemkab_social_shipment SET state = 'returned', receiver_type = 'member',"
    " receiver_member_id = %s, failure_reason = 'Rumah kosong' WHERE id = %s",
    [member.id or None, shipments[1].id],
)
# own-fleet bookings whose drivers were typed freely: the same person twice (two spellings,
# one phone; the later spelling names the driver), another driver, one without a phone
own_fleet = env.ref("pemkab_delivery.provider_own_fleet")
shelter = env["pemkab.shelter"].search([], order="id", limit=1)
driven = env["pemkab.delivery.booking"].create([
    {
        "provider_id": own_fleet.id, "agency_id": shelter.agency_id.id, "shelter_id": shelter.id,
        "recipient_name": f"Penerima Migrasi {index}", "recipient_phone": "+6281234567890",
        "street": "Jl. Migrasi", "package_code": f"MIG-{index}",
    }
    for index in range(4)
])
for booking, (name, phone, plate) in zip(driven, [
    ("Slamet", "+6281233009011", None),
    ("Pak Slamet", "+6281233009011", "P 4521 UA"),
    ("Joko Susilo", "+6281333009012", None),
    ("Tanpa Telepon", None, None),
]):
    env.cr.execute(
        "UPDATE pemkab_delivery_booking SET provider_id = %s, agency_id = %s, driver_name = %s,"
        " driver_phone = %s, driver_plate = %s WHERE id = %s",
        [own_fleet.id, driven[0].agency_id.id, name, phone, plate, booking.id],
    )
env.cr.commit()
print("OLD-SETUP-DONE", json.dumps({
    "driven": driven.ids,
    "contact": contact.id, "geolocated": geolocated.id,
    "out": out.id, "by_hand": by_hand.id, "returned": returned.id,
    "shipments": shipments.ids, "member": member.id, "period": period.id,
}))
"""

# name -> SQL run on the old database before the upgrade; ``upgraded.old[name]`` holds its
# rows (lists, in the query's order).
SNAPSHOTS = {
    "partner_coordinates": """
        SELECT id, latitude, longitude, partner_latitude, partner_longitude FROM res_partner
         WHERE COALESCE(latitude, 0) != 0 OR COALESCE(longitude, 0) != 0 ORDER BY id""",
    "patient_xmlids": """
        SELECT name, res_id FROM ir_model_data
         WHERE module = 'pemkab_health' AND model = 'res.partner' AND name LIKE 'partner_patient_%'
         ORDER BY name""",
    "partner_mobiles": """
        SELECT id, patient_mobile FROM res_partner WHERE patient_mobile IS NOT NULL ORDER BY id""",
    "shelter_phones": "SELECT id, phone FROM pemkab_shelter WHERE phone IS NOT NULL ORDER BY id",
    "household_phones": """
        SELECT id, phone FROM pemkab_social_household WHERE phone IS NOT NULL ORDER BY id""",
    "typed_drivers": """
        SELECT id, agency_id, driver_name, driver_phone, driver_plate FROM pemkab_delivery_booking
         WHERE driver_name IS NOT NULL
           AND provider_id IN (SELECT id FROM pemkab_courier_provider WHERE kind = 'manual')
         ORDER BY id""",
    "partner_social_data": """
        SELECT id, pemkab_social_household_id, pemkab_social_relation, pemkab_social_elderly,
               pemkab_social_disability, pemkab_social_pregnant, pemkab_social_child_under_five
          FROM res_partner WHERE pemkab_social_household_id IS NOT NULL ORDER BY id""",
    "partner_niks": "SELECT id, nik FROM res_partner WHERE nik IS NOT NULL ORDER BY id",
}

# Run by ``odoo-bin shell`` on the upgraded database: what the new code makes of the data.
NEW_CHECK = """
checks = {"partner_has_latitude": "latitude" in env["res.partner"]._fields, "phones": []}
for model, fname, mobile in [
    ("res.partner", "patient_mobile", True),
    ("pemkab.shelter", "phone", False),
    ("pemkab.social.household", "phone", True),
]:
    Model = env[model].with_context(active_test=False)
    for record in Model.search([(fname, "!=", False)]):
        value = record[fname]
        checks["phones"].append([model, value, Model._pemkab_normalize_phone(value, fname, mobile)])
print("NEW-CHECK " + json.dumps(checks))
"""


@dataclasses.dataclass
class Upgraded:
    """The upgraded database: its name, the snapshots taken before, and helpers."""

    db: str
    old: dict
    created: dict
    odoo_env: object

    def query(self, sql, params=None):
        conn = self.odoo_env.connect(self.db)
        try:
            with conn.cursor() as cr:
                cr.execute(sql, params)
                return [list(row) for row in cr.fetchall()]
        finally:
            conn.close()

    def shell(self, script, marker):
        """Run ``script`` in ``odoo-bin shell`` with the working tree's addons; returns the
        JSON the script printed after ``marker``."""
        return run_shell(self.odoo_env, self.db, script, marker)


def run_shell(odoo_env, db, script, marker):
    result = odoo_env.run_odoo(
        "-d", db, "--no-http", command="shell", stdin="import json\n" + script
    )
    result.check(f"odoo-bin shell on {db}")
    for line in result.output.splitlines():
        if line.startswith(marker + " "):
            return json.loads(line[len(marker) + 1 :])
    pytest.fail(f"the shell script printed no {marker} line:\n{result.output[-3000:]}")


def extract_old_addons(target):
    """The addons at OLD_COMMIT, under ``target``/addons; fails if the commit is unknown."""
    known = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "cat-file", "-e", f"{OLD_COMMIT}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    if known.returncode != 0:
        pytest.fail(
            f"commit {OLD_COMMIT} (the release the migration starts from) is not in the history "
            f"of {PROJECT_ROOT}: a shallow clone? `git fetch --unshallow` brings it",
            pytrace=False,
        )
    archive = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "archive", OLD_COMMIT, "addons"],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target / "addons"


@pytest.fixture(scope="module")
def upgraded(odoo_env, tmp_path_factory):
    old_addons = extract_old_addons(tmp_path_factory.mktemp("old_release"))
    project_addons = (PROJECT_ROOT / "addons").resolve()
    old_path = ",".join(
        str(old_addons) if os.path.realpath(entry) == str(project_addons) else entry
        for entry in odoo_env.addons_path.split(",")
    )
    assert str(old_addons) in old_path, f"no {project_addons} in {odoo_env.addons_path}"
    old_env = dataclasses.replace(odoo_env, addons_path=old_path)
    db = f"{SCRATCH_PREFIX}migration_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    names = ",".join(ADDONS)
    try:
        old_env.run_odoo("-d", db, "-i", names, "--with-demo", "--stop-after-init").check(
            f"installing {names} at {OLD_COMMIT}"
        )
        created = run_shell(old_env, db, OLD_SETUP, "OLD-SETUP-DONE")
        state = Upgraded(db=db, old={}, created=created, odoo_env=odoo_env)
        state.old = {name: state.query(sql) for name, sql in SNAPSHOTS.items()}
        odoo_env.run_odoo("-d", db, "-u", names, "--stop-after-init").check(
            f"upgrading {names} from {OLD_COMMIT} to the working tree"
        )
        yield state
    finally:
        drop_database(odoo_env, db)


def test_versions_after_upgrade(upgraded):
    versions = dict(
        upgraded.query(
            "SELECT name, latest_version FROM ir_module_module WHERE name = ANY(%s)", [ADDONS]
        )
    )
    assert versions["pemkab_delivery"] == "19.0.1.7.0", versions
    states = upgraded.query(
        "SELECT name, state FROM ir_module_module WHERE name = ANY(%s)", [ADDONS]
    )
    assert {state for _name, state in states} == {"installed"}, states


def test_scheduled_actions_run_the_exchange(upgraded):
    """The courier crons (noupdate records) keep their xml ids and run the exchange's
    methods after the upgrade (migrations/19.0.1.4.0)."""
    rows = upgraded.query(
        """SELECT d.name, m.model, a.code
             FROM ir_model_data d
             JOIN ir_cron c ON c.id = d.res_id
             JOIN ir_act_server a ON a.id = c.ir_actions_server_id
             JOIN ir_model m ON m.id = a.model_id
            WHERE d.module = 'pemkab_delivery' AND d.model = 'ir.cron'
              AND d.name IN ('ir_cron_booking_outbox', 'ir_cron_webhook_inbox',
                             'ir_cron_booking_poll', 'ir_cron_booking_purge')
            ORDER BY d.name"""
    )
    assert rows == [
        ["ir_cron_booking_outbox", "pemkab.delivery.exchange", "model._cron_send()"],
        ["ir_cron_booking_poll", "pemkab.delivery.exchange", "model._cron_poll()"],
        ["ir_cron_booking_purge", "pemkab.delivery.exchange", "model._cron_purge()"],
        ["ir_cron_webhook_inbox", "pemkab.delivery.exchange", "model._cron_apply_news()"],
    ], rows


def test_partner_coordinates_moved_to_odoo_fields(upgraded):
    before = {row[0]: row[1:] for row in upgraded.old["partner_coordinates"]}
    patients = [res_id for _name, res_id in upgraded.old["patient_xmlids"]]
    assert len(patients) == 3 and set(patients) <= set(before), (patients, before)
    assert upgraded.created["contact"] in before
    after = {
        row[0]: row[1:]
        for row in upgraded.query(
            "SELECT id, partner_latitude, partner_longitude FROM res_partner WHERE id = ANY(%s)",
            [list(before)],
        )
    }
    expected = {}
    for pid, (lat, lng, own_lat, own_lng) in before.items():
        # a contact with coordinates of its own in Odoo's fields keeps them
        expected[pid] = [own_lat, own_lng] if own_lat or own_lng else [lat, lng]
    assert after == expected
    assert after[upgraded.created["geolocated"]] == [-6.2, 106.8]
    assert after[upgraded.created["contact"]] == [-8.2222, 114.3333]


def test_old_partner_columns_and_fields_gone(upgraded):
    columns = upgraded.query(
        """SELECT column_name FROM information_schema.columns
            WHERE table_name = 'res_partner' AND column_name IN ('latitude', 'longitude')"""
    )
    assert columns == []
    fields = upgraded.query(
        """SELECT model, name FROM ir_model_fields
            WHERE model IN ('res.partner', 'res.users') AND name IN ('latitude', 'longitude')"""
    )
    assert fields == []
    # the suite's own models keep their pair
    kept = upgraded.query(
        """SELECT table_name, column_name FROM information_schema.columns
            WHERE table_name = 'pemkab_shelter' AND column_name IN ('latitude', 'longitude')
            ORDER BY column_name"""
    )
    assert kept == [["pemkab_shelter", "latitude"], ["pemkab_shelter", "longitude"]]


def test_phones_read_as_before(upgraded):
    for name, table, column in [
        ("partner_mobiles", "res_partner", "patient_mobile"),
        ("shelter_phones", "pemkab_shelter", "phone"),
        ("household_phones", "pemkab_social_household", "phone"),
    ]:
        before = upgraded.old[name]
        assert before, f"no {name} in the old database: the snapshot query is broken"
        after = upgraded.query(
            f"SELECT id, {column} FROM {table} WHERE id = ANY(%s) ORDER BY id",
            [[row[0] for row in before]],
        )
        assert after == before, name
    assert [upgraded.created["contact"], "+6281234567890"] in upgraded.old["partner_mobiles"]
    # the new code (Odoo's phone_validation) writes every stored number as it is
    checks = upgraded.shell(NEW_CHECK, "NEW-CHECK")
    assert checks["partner_has_latitude"] is False
    changed = [row for row in checks["phones"] if row[1] != row[2]]
    assert checks["phones"] and not changed, changed


def test_prescription_deliveries_take_the_shared_names(upgraded):
    created = upgraded.created
    rows = {
        row[0]: row[1:]
        for row in upgraded.query(
            """SELECT id, state, proof_source, receiver_type, failure_reason, failure_message
                 FROM pemkab_health_delivery WHERE id = ANY(%s)""",
            [[created["out"], created["by_hand"], created["returned"]]],
        )
    }
    assert rows[created["out"]][0] == "out_for_delivery"
    assert rows[created["by_hand"]][:3] == ["delivered", "officer", "recipient"]
    assert rows[created["returned"]][0] == "failed"
    assert rows[created["returned"]][3:] == ["no_driver", "No driver found: tidak ada driver"]


def test_aid_shipments_and_periods_take_the_shared_names(upgraded):
    created = upgraded.created
    delivered, returned = created["shipments"]
    rows = {
        row[0]: row[1:]
        for row in upgraded.query(
            """SELECT id, state, approved_at IS NOT NULL, delivered_at, receiver_type,
                      receiver_partner_id, failure_reason, failure_message
                 FROM pemkab_social_shipment WHERE id = ANY(%s)""",
            [created["shipments"]],
        )
    }
    assert rows[delivered][:4] == ["delivered", True, rows[delivered][2], "recipient"]
    assert str(rows[delivered][2]) == "2026-01-05 10:00:00"
    assert rows[returned][3:] == ["family", created["member"] or None, "returned", "Rumah kosong"]
    periods = upgraded.query(
        "SELECT approved_at IS NOT NULL FROM pemkab_social_period WHERE id = %s",
        [created["period"]],
    )
    assert periods == [[True]]
    gone = upgraded.query(
        """SELECT table_name, column_name FROM information_schema.columns
            WHERE (table_name = 'pemkab_social_shipment'
                   AND column_name IN ('approved_date', 'received_at', 'receiver_member_id'))
               OR (table_name = 'pemkab_social_period' AND column_name = 'approved_date')"""
    )
    assert gone == []


def test_partner_social_data_kept_in_the_stored_fields(upgraded):
    """19.0.1.2.0: a contact's social data moved to the ``pemkab_social_stored_*`` columns
    (the public fields of the old names are computed, for the household's area only)."""
    before = upgraded.old["partner_social_data"]
    assert before, "no household member in the old database: the snapshot query is broken"
    after = upgraded.query(
        """SELECT id, pemkab_social_stored_household_id, pemkab_social_stored_relation,
                  pemkab_social_stored_elderly, pemkab_social_stored_disability,
                  pemkab_social_stored_pregnant, pemkab_social_stored_child_under_five
             FROM res_partner WHERE id = ANY(%s) ORDER BY id""",
        [[row[0] for row in before]],
    )
    # the upgrade also loads demo data that is new since the old commit (more households):
    # the contacts the old database had are the ones to compare
    assert after == before
    gone = upgraded.query(
        """SELECT column_name FROM information_schema.columns
            WHERE table_name = 'res_partner' AND column_name = 'pemkab_social_household_id'"""
    )
    assert gone == []
    flags = upgraded.query(
        "SELECT count(*) FROM pemkab_social_household WHERE has_elderly OR has_pregnant"
    )
    assert flags[0][0] > 0


def test_partner_niks_kept_in_the_stored_field(upgraded):
    """19.0.1.6.0: a contact's NIK moved to the ``pemkab_stored_nik`` column (``nik`` is
    computed, for the users whose work needs it); its unique index follows it."""
    before = upgraded.old["partner_niks"]
    assert before, "no contact with a NIK in the old database: the snapshot query is broken"
    after = upgraded.query(
        "SELECT id, pemkab_stored_nik FROM res_partner WHERE id = ANY(%s) ORDER BY id",
        [[row[0] for row in before]],
    )
    assert after == before
    gone = upgraded.query(
        """SELECT column_name FROM information_schema.columns
            WHERE table_name = 'res_partner' AND column_name = 'nik'"""
    )
    assert gone == []
    unique = upgraded.query(
        """SELECT indexname FROM pg_indexes WHERE tablename = 'res_partner'
              AND indexdef LIKE 'CREATE UNIQUE INDEX % (pemkab_stored_nik) %'"""
    )
    assert unique, "no unique index on the stored NIK"


def test_unneeded_indexes_dropped(upgraded):
    """19.0.1.7.0: the booking reference's plain index (beside its unique one), the
    booking's related model and the history line's date are no longer indexed; the
    unique reference and the record's id still are."""
    rows = upgraded.query(
        """SELECT indexname FROM pg_indexes
            WHERE tablename IN ('pemkab_delivery_booking', 'pemkab_delivery_booking_event')"""
    )
    names = {row[0] for row in rows}
    assert not names & {
        "pemkab_delivery_booking__name_index",
        "pemkab_delivery_booking__res_model_index",
        "pemkab_delivery_booking_event__date_index",
    }, names
    assert {"pemkab_delivery_booking_name_uniq", "pemkab_delivery_booking__res_id_index"} <= names


def test_typed_driver_names_become_drivers(upgraded):
    """19.0.1.5.0: the driver names typed on own-fleet bookings become the agencies'
    drivers, one per agency and phone, named as on the latest booking; each booking
    points at its driver and keeps its texts."""
    before = {row[0]: row[1:] for row in upgraded.old["typed_drivers"]}
    slamet, pak_slamet, joko, no_phone = upgraded.created["driven"]
    assert {slamet, pak_slamet, joko, no_phone} <= set(before), before
    rows = {
        row[0]: row[1:]
        for row in upgraded.query(
            """SELECT b.id, b.agency_id, b.driver_name, b.driver_phone, b.driver_plate,
                      d.name, d.phone, d.plate, d.agency_id
                 FROM pemkab_delivery_booking b
                 LEFT JOIN pemkab_fleet_driver d ON d.id = b.fleet_driver_id
                WHERE b.id = ANY(%s)""",
            [list(before)],
        )
    }
    for booking_id, (agency, name, phone, plate) in before.items():
        assert rows[booking_id][:4] == [agency, name, phone, plate], "the texts stay"
        if phone:  # its driver: the agency's, with the booking's phone
            assert [rows[booking_id][5], rows[booking_id][7]] == [phone, agency], booking_id
    # one driver for both spellings, named as the later booking typed it
    assert (
        rows[slamet][4:]
        == rows[pak_slamet][4:]
        == ["Pak Slamet", "+6281233009011", "P 4521 UA", before[slamet][0]]
    )
    assert rows[joko][4:7] == ["Joko Susilo", "+6281333009012", None]
    assert rows[no_phone][4:] == [None, None, None, None]
    duplicates = upgraded.query(
        """SELECT agency_id, phone FROM pemkab_fleet_driver WHERE active
            GROUP BY agency_id, phone HAVING count(*) > 1"""
    )
    assert duplicates == []
