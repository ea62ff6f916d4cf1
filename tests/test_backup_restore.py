# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""scripts/backup.sh and scripts/restore.sh on the local cluster: a round trip.

A scratch database is restored from a backup of the session's test database (quicker than an
install), gets courier bookings and an attachment through the ORM, is backed up, dropped with
its filestore, restored, and must hold the same bookings and attachments, files included.
scripts/set-admin-password.sh is tried on the same database.
"""

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import drop_database  # tests/ is on sys.path (rootdir conftest)

CREATE_RECORDS = """
import json
env = env(context=dict(env.context, tracking_disable=True))
agency = env["pemkab.agency"].create({"name": "Backup Agency", "code": "BK-A"})
shelter = env["pemkab.shelter"].create(
    {"name": "Backup Shelter", "code": "BK-S", "agency_id": agency.id,
     "latitude": -8.21, "longitude": 114.36}
)
fleet = env["pemkab.courier.provider"].create({"name": "Backup Fleet", "kind": "manual"})
bookings = env["pemkab.delivery.booking"].create([
    {"provider_id": fleet.id, "agency_id": agency.id, "shelter_id": shelter.id,
     "recipient_name": f"Penerima {i}", "recipient_phone": "0812 3456 789%d" % i,
     "street": f"Jl. Kepiting No. {i}", "package_code": f"BK-{i:04d}"}
    for i in range(3)
])
attachment = env["ir.attachment"].create({
    "name": "proof.bin", "res_model": bookings._name, "res_id": bookings[0].id,
    "raw": b"proof of delivery " + bytes(range(256)) * 64,
})
env.cr.commit()
print("RESULT " + json.dumps({"bookings": bookings.ids, "attachment": attachment.id,
                              "store_fname": attachment.store_fname}))
"""


def _script(project_root, name, *args, env=None):
    proc = subprocess.run(
        [str(project_root / "scripts" / name), *map(str, args)],
        cwd=project_root,
        env=env or os.environ,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return proc


def _backup(project_root, db, out_dir):
    proc = _script(project_root, "backup.sh", "-d", db, "-o", out_dir)
    assert proc.returncode == 0, f"backup.sh failed:\n{proc.stderr[-3000:]}"
    path = proc.stdout.strip().splitlines()[-1]
    assert os.path.isdir(path), proc.stdout
    return path


def _restore(project_root, db, backup, *extra):
    return _script(project_root, "restore.sh", "-d", db, *extra, backup)


def _snapshot(conn, booking_ids, filestore):
    with conn.cursor() as cr:
        cr.execute(
            """SELECT id, name, state, recipient_name, recipient_phone, package_code
                 FROM pemkab_delivery_booking WHERE id = ANY(%s) ORDER BY id""",
            [booking_ids],
        )
        bookings = cr.fetchall()
        cr.execute(
            """SELECT id, name, res_model, res_id, store_fname, checksum, file_size
                 FROM ir_attachment WHERE res_model = 'pemkab.delivery.booking'
                  AND res_id = ANY(%s) ORDER BY id""",
            [booking_ids],
        )
        attachments = cr.fetchall()
    files = {}
    for row in attachments:
        path = filestore / row[4]
        files[row[4]] = hashlib.sha1(path.read_bytes()).hexdigest() if path.exists() else None
    return bookings, attachments, files


@pytest.mark.slow
def test_backup_drop_restore_round_trip(project_root, odoo_env, scratch_db, pg_connect, tmp_path):
    source = os.environ.get("PEMKAB_TEST_DB")
    if not source:
        pytest.fail("PEMKAB_TEST_DB unset: run this under scripts/test.sh", pytrace=False)
    db = scratch_db("backup")
    filestore = odoo_env.filestore / "filestore" / db

    # A working copy of the test database, through the scripts themselves.
    proc = _restore(project_root, db, _backup(project_root, source, tmp_path / "source"))
    assert proc.returncode == 0, f"restore.sh failed:\n{proc.stderr[-3000:]}"

    created = odoo_env.run_odoo(
        "-d", db, "--log-level=warn", command="shell", stdin=CREATE_RECORDS, timeout=300
    )
    created.check("creating bookings in the restored copy")
    result = json.loads(created.output.split("RESULT ", 1)[1].splitlines()[0])
    ids = result["bookings"]
    before = _snapshot(pg_connect(db), ids, filestore)
    bookings, attachments, files = before
    assert len(bookings) == 3 and len(attachments) == 1, before
    assert files[result["store_fname"]] == attachments[0][5], "the file is the attachment's"

    backup = _backup(project_root, db, tmp_path / "round")
    names = sorted(os.listdir(backup))
    assert names == ["SHA256SUMS", "database.dump", "filestore.tar.gz", "info.txt"], names
    info = Path(backup, "info.txt").read_text(encoding="utf-8")
    assert f"database: {db}" in info and "pemkab_delivery" in info, info

    drop_database(odoo_env, db)  # WITH (FORCE): our open connections do not keep it
    assert not filestore.exists()
    with odoo_env.connect("postgres") as conn, conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        assert cr.fetchone() is None, f"{db} was not dropped"

    proc = _restore(project_root, db, backup)
    assert proc.returncode == 0, f"restore.sh failed:\n{proc.stderr[-3000:]}"
    after = _snapshot(pg_connect(db), ids, filestore)
    assert after == before, "the restored database differs from the backed-up one"

    # An existing database is never replaced without --force.
    proc = _restore(project_root, db, backup)
    assert proc.returncode != 0 and "--force" in proc.stderr, proc.stderr
    # A damaged backup is refused before anything is touched.
    with open(os.path.join(backup, "info.txt"), "a", encoding="utf-8") as info_file:
        info_file.write("tampered\n")
    proc = _restore(project_root, db, backup, "--force")
    assert proc.returncode != 0 and "checksums" in proc.stderr, proc.stderr
    assert _snapshot(pg_connect(db), ids, filestore) == before

    # The administrator's password of a production install: refused without a value, then set.
    env = {k: v for k, v in os.environ.items() if k != "PEMKAB_ADMIN_PASSWORD"}
    for value in (None, "admin", "short"):
        if value is not None:
            env["PEMKAB_ADMIN_PASSWORD"] = value
        proc = _script(project_root, "set-admin-password.sh", "-d", db, env=env)
        assert proc.returncode == 2 and "PEMKAB_ADMIN_PASSWORD" in proc.stderr, proc.stderr
    env["PEMKAB_ADMIN_PASSWORD"] = "a-long-password-the-integrator-chose"
    proc = _script(project_root, "set-admin-password.sh", "-d", db, env=env)
    assert proc.returncode == 0, f"set-admin-password.sh failed:\n{proc.stderr[-3000:]}"
    with pg_connect(db).cursor() as cr:
        cr.execute("SELECT password FROM res_users WHERE login = 'admin'")
        (hashed,) = cr.fetchone()
    from passlib.context import CryptContext  # noqa: PLC0415 (Odoo's dependency)

    context = CryptContext(schemes=["pbkdf2_sha512", "plaintext"])
    assert hashed.startswith("$pbkdf2-sha512$"), "Odoo stores a hash, not the password"
    assert context.verify(env["PEMKAB_ADMIN_PASSWORD"], hashed)
    assert not context.verify("admin", hashed)
