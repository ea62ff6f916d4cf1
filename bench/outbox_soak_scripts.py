# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The scripts the ``odoo-bin shell`` processes of the fault soak run (bench/outbox_soak.py).

Each is sent on the shell's standard input after ``P = {...}`` (its parameters, as JSON)
and prints ``SOAK {...}`` lines (its results, as JSON).
"""

# ``wait_for(path)`` waits for the driver to write that file (JSON) and returns its content:
# both processes start with the HTTP server and are ready when their turn comes.

PRELUDE = """
import json, os, time
def wait_for(path):
    while not os.path.exists(path):
        time.sleep(0.02)
    time.sleep(0.02)
    with open(path, encoding="utf-8") as file:
        return json.load(file)
"""

# the first process: the bookings, requested in one click, then the outbox as the
# scheduled action runs it (it is killed long before the end)
SETUP_AND_OUTBOX = """
agency = env["pemkab.agency"].create({"name": "Soak", "code": "SOAK"})
shelter = env["pemkab.shelter"].create({
    "name": "Soak shelter", "code": "SOAK-SH", "agency_id": agency.id,
    "latitude": -8.21, "longitude": 114.36, "phone": "0333 421118",
})
common = {
    "max_parallel": P["parallel"], "read_timeout": P["read_timeout"], "connect_timeout": 5,
    "webhook_secret": P["webhook_secret"], "client_id": "sandbox-client",
}
gosend = env["pemkab.courier.provider"].create(dict(
    common, name="Soak sandbox (GoSend-like)", kind="sandbox", base_url=P["url"],
    client_secret="sandbox-pass",
))
grab = env["pemkab.courier.provider"].create(dict(
    common, name="Soak Grab (sandbox)", kind="grab", base_url=P["url"] + "/grab",
    client_secret="sandbox-secret",
))
assert gosend.lookup_by_reference and not grab.lookup_by_reference
Booking = env["pemkab.delivery.booking"]
Exchange = env["pemkab.delivery.exchange"]
bookings = Booking.create([{
    "provider_id": (grab if kind == "grab" else gosend).id,
    "agency_id": agency.id, "shelter_id": shelter.id,
    "recipient_name": "Penerima %d" % i, "recipient_phone": "0812%08d" % i,
    "street": "Jl. Soak %d" % i, "latitude": -8.2, "longitude": 114.37,
    "package_code": "SOAK-%d" % i,
} for i, kind in enumerate(P["kinds"])])
bookings.action_request()
env.cr.commit()
print("SOAK " + json.dumps({
    "gosend": gosend.id, "grab": grab.id, "ids": bookings.ids, "refs": bookings.mapped("name"),
}), flush=True)
wait_for(P["go"])
while Exchange._cron_send(batch_size=P["batch"]):
    env.cr.commit()
    env.invalidate_all()
print("SOAK " + json.dumps({"finished": True}), flush=True)
"""

# the second process, once the first is killed and its leases ended: a user cancels a
# share of the bookings still cancellable, then the outbox and the poll run again and
# again, skipping the back-off waits, until nothing moves: the outbox has nothing due,
# every booking is final or waiting for a person, and every courier order is final (no
# webhook is to come), for two seconds on end
CANCEL_AND_SETTLE = """
import random, urllib.request
import psycopg2.errors
from odoo import sql_db
from odoo.exceptions import UserError
from odoo.tools import mute_logger
P.update(wait_for(P["go"]))
Booking = env["pemkab.delivery.booking"]
Exchange = env["pemkab.delivery.exchange"]
ids = tuple(P["ids"])
live = Booking.search(
    [("id", "in", ids), ("state", "in", ("requested", "booked", "driver_assigned"))]
)
# half of them among the bookings whose calls were in flight at the kill: a booking that
# seems stuck is the one a user cancels
rng = random.Random(P["seed"])
in_flight = [i for i in live.ids if i in set(P["in_flight"])]
chosen = rng.sample(in_flight, min(len(in_flight), P["cancel"] // 2))
others = [i for i in live.ids if i not in chosen]
chosen += rng.sample(others, min(len(others), P["cancel"] - len(chosen)))
at_once = through_courier = refused = 0
for booking in Booking.browse(chosen):
    try:
        booking.action_cancel()
        at_once += booking.state == "cancelled"
        through_courier += bool(booking.cancel_requested)
        env.cr.commit()
    except (UserError, psycopg2.errors.SerializationFailure):
        # it moved on meanwhile (a webhook): picked up, or final
        env.cr.rollback()
        env.invalidate_all()
        refused += 1
print("SOAK " + json.dumps({
    "asked": len(chosen), "at_once": at_once, "through_courier": through_courier,
    "refused": refused,
}), flush=True)
env["pemkab.courier.provider"].browse(P["providers"]).write({"poll_after_minutes": 0})
env.cr.commit()
started = time.monotonic()
queries = sql_db.sql_counter
passes = sent = polled = 0
moving = due = live_orders = quiet_since = None

def live_courier_orders():
    with urllib.request.urlopen(P["url"] + "/_sandbox/orders", timeout=60) as answer:
        orders = json.load(answer)["orders"]
    return sum(1 for order in orders if order["stage"] not in P["final_stages"])

while True:
    passes += 1
    try:
        # time skip: every back-off wait is over (a webhook may be writing the same rows)
        with mute_logger("odoo.sql_db"):
            env.cr.execute(
                "UPDATE pemkab_delivery_booking SET next_attempt_at = NULL "
                "WHERE next_attempt_at IS NOT NULL AND id IN %s", (ids,),
            )
        env.cr.commit()
    except psycopg2.errors.SerializationFailure:
        env.cr.rollback()
    env.invalidate_all()
    sent += Exchange._cron_send(batch_size=P["batch"])
    polled += Exchange._cron_poll(batch_size=P["poll_batch"])
    env.cr.commit()
    env.invalidate_all()
    env.cr.execute(
        "SELECT count(*) FROM pemkab_delivery_booking WHERE id IN %s "
        "AND state NOT IN ('delivered', 'cancelled', 'failed') AND review_needed IS NOT TRUE",
        (ids,),
    )
    moving = env.cr.fetchone()[0]
    due = Exchange._send_due_count()
    env.cr.commit()
    live_orders = live_courier_orders() if not moving and not due else None
    if live_orders == 0:
        quiet_since = quiet_since or time.monotonic()
        if time.monotonic() - quiet_since >= 2:
            break
    else:
        quiet_since = None
    if time.monotonic() - started > P["settle_s"]:
        break
    time.sleep(P["pause"])
print("SOAK " + json.dumps({
    "passes": passes, "sent": sent, "polled": polled, "moving": moving, "due": due,
    "live_orders": live_orders,
    "queries": sql_db.sql_counter - queries, "seconds": time.monotonic() - started,
}), flush=True)
"""
