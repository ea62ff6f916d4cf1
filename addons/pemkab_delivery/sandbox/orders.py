# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The order store of the courier sandbox and the lifecycle that drives its orders.

Orders are kept in memory, indexed by our reference and by the courier's; booking is NOT
idempotent (like the real APIs), so :meth:`OrdersMixin.count` tells how many courier
orders a reference got. :meth:`OrdersMixin.advance` moves an order (filling in skipped
forward steps) and the auto-advance loop drives every order to delivered over time.
"""

import copy
import time

from .biteship import BITESHIP_RAW, BITESHIP_RAW_ALIASES
from .common import CHAIN, FINAL_STAGES, STAGE_RANK, to_iso
from .gosend import GOSEND_RAW, GOSEND_RAW_ALIASES, is_gosend_hook_status
from .grab import GRAB_RAW, GRAB_RAW_ALIASES

DRIVERS = (
    ("Agus Santoso", "Honda Beat"),
    ("Budi Hartono", "Yamaha NMAX"),
    ("Dewi Lestari", "Honda Vario"),
    ("Eko Prasetyo", "Yamaha Mio"),
    ("Fitri Handayani", "Honda Scoopy"),
    ("Hadi Wijaya", "Suzuki Nex"),
    ("Joko Susilo", "Honda Supra"),
    ("Slamet Riyadi", "Yamaha Aerox"),
)


RELATIONS = ("self", "self", "family", "neighbour", "village officer")


class OrdersMixin:
    """Order store, counts per reference, stage changes and the auto-advance loop.

    A part of :class:`~.server.CourierSandbox`: works on its state (``_lock``,
    ``_config``, ``_stats``, the order indexes).
    """

    # -- counts and snapshots ----------------------------------------------------------

    def count(self, ref, api=None):
        """How many courier orders were created for our reference ``ref``."""
        with self._lock:
            return sum(1 for o in self._by_ref.get(ref, ()) if api in (None, o["api"]))

    def orders(self, ref=None):
        """Snapshots of the orders (all, or those of ``ref``), oldest first."""
        with self._lock:
            source = self._by_ref.get(ref, []) if ref is not None else self._orders
            return [self._summary(order) for order in source]

    def counts(self):
        with self._lock:
            return {ref: len(orders) for ref, orders in self._by_ref.items()}

    def _summary(self, order):
        return {
            "api": order["api"],
            "our_ref": order["our_ref"],
            "courier_ref": order["courier_ref"],
            "stage": order["stage"],
            "courier_status": self._raw_status(order),
            "service_type": order["service_type"],
            "price": order["price"],
            "distance_km": order["distance_km"],
            "created_at": order["created_at"],
            "updated_at": order["updated_at"],
            "driver": copy.deepcopy(order["driver"]),
            # what the courier was told: lets tests prove nothing sensitive was sent
            "origin": copy.deepcopy(order["origin"]),
            "destination": copy.deepcopy(order["destination"]),
            "item": copy.deepcopy(order["item"]),
            # the vehicle, pickup window and insurance the courier was asked for
            "terms": {
                key: copy.deepcopy(order["extra"][key])
                for key in ("vehicleType", "schedule", "insuranceDetails")
                if order["extra"].get(key) is not None
            },
            "events": [
                {"event_id": e["event_id"], "stage": e["stage"], "status": e["status"]}
                for e in order["events"]
            ],
        }

    def _find(self, ref, api=None, courier_ref=None):
        with self._lock:
            if courier_ref:
                order = self._by_courier_ref.get(courier_ref)
                if order is None or (ref and order["our_ref"] != ref):
                    raise KeyError(courier_ref)
                return order
            candidates = [o for o in self._by_ref.get(ref, ()) if api in (None, o["api"])]
            if not candidates:
                raise KeyError(ref)
            return candidates[-1]

    # -- lifecycle ---------------------------------------------------------------------

    def _new_order(
        self, api, our_ref, service_type, origin, destination, item, price, distance_km, extra
    ):
        with self._lock:
            self._seq += 1
            if api == "gosend":
                numeric_id = 170000 + self._seq
                courier_ref = f"GK-11-{numeric_id}"
            elif api == "biteship":
                # Biteship's order ids: 24 hex digits (docs "Create an Order")
                numeric_id = self._seq
                courier_ref = "".join(self._rng.choice("0123456789abcdef") for _ in range(24))
            else:
                numeric_id = self._seq
                suffix = "".join(
                    self._rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(16)
                )
                courier_ref = f"IN-2-{suffix}"
            now = to_iso()
            order = {
                "api": api,
                "id": numeric_id,
                "courier_ref": courier_ref,
                "our_ref": our_ref,
                "service_type": service_type,
                "stage": "booked",
                "raw_override": None,
                "created_at": now,
                "updated_at": now,
                "timeline": {"create": now},
                "origin": origin,
                "destination": destination,
                "item": item,
                "price": price,
                "distance_km": round(distance_km, 2),
                "driver": None,
                "receiver": None,
                "proof_photo_url": None,
                "delivered_at": None,
                "cancel_reason": None,
                "failed_reason": None,
                "events": [],
                "next_step_at": time.monotonic() + self._config["advance_interval"],
                "extra": extra,
            }
            self._orders.append(order)
            self._by_ref[our_ref].append(order)
            self._by_courier_ref[courier_ref] = order
            self._stats["bookings"][api] += 1
            if len(self._orders) > self._config["max_orders"]:
                old = self._orders.pop(0)
                self._by_courier_ref.pop(old["courier_ref"], None)
                self._by_ref[old["our_ref"]].remove(old)
            event = self._make_event(order, "booked")
            order["events"].append(event)
        if self._config["webhook_on_create"]:
            self._enqueue(order, [event])
        return order

    def _photo_link(self, name, ttl_key):
        """A signed-looking photo link that expires (``/proof/<name>.png?expires=``):
        Grab's proof links expire after 2 hours, its driver photos after 3."""
        expires = int(time.time() + float(self._config[ttl_key]))
        return f"{self.url}/proof/{name}.png?expires={expires}"

    def _raw_status(self, order, kind="lookup"):
        stage = order["stage"]
        if order["api"] == "biteship":
            return order["raw_override"] or BITESHIP_RAW[stage]
        if order["api"] == "gosend":
            lookup, hook, _type = GOSEND_RAW[stage]
            override = order["raw_override"]
            if override and is_gosend_hook_status(override) == (kind != "lookup"):
                return override
            return lookup if kind == "lookup" else hook
        details, hook, _reason = GRAB_RAW[stage]
        if order["raw_override"]:
            return order["raw_override"]
        return details if kind == "lookup" else hook

    def _resolve_stage(self, api, status):
        """``(stage, raw_override)`` for a stage name or a raw courier status."""
        if status in STAGE_RANK or status in FINAL_STAGES:
            return status, None
        text = str(status or "").strip()
        if api == "biteship":
            key = text.lower()
            if key in BITESHIP_RAW_ALIASES:
                return BITESHIP_RAW_ALIASES[key], key
            for stage, raw in BITESHIP_RAW.items():
                if key == raw:
                    return stage, None
        elif api == "gosend":
            key = text.lower()
            for stage, (lookup, hook, type_) in GOSEND_RAW.items():
                if key in (lookup.lower(), hook, type_.lower()):
                    return stage, None
            if key in GOSEND_RAW_ALIASES:
                return GOSEND_RAW_ALIASES[key], text
        else:
            key = text.lower()
            if key in GRAB_RAW_ALIASES:
                return GRAB_RAW_ALIASES[key], text.upper()
            for stage, (details, hook, _reason) in GRAB_RAW.items():
                if key in (details.lower(), hook.lower()):
                    return stage, None
        raise ValueError(f"unknown status {status!r} for {api}")

    def _assign_driver(self, order):
        if order["driver"] is not None:
            return
        name, model = self._rng.choice(DRIVERS)
        digits = "".join(self._rng.choice("0123456789") for _ in range(8))
        plate = (
            f"P {self._rng.randint(1000, 9999)} "
            f"{self._rng.choice('ABCDEFGHKLMNRSTUVWXYZ')}{self._rng.choice('ABCEGHKNUVZ')}"
        )
        order["driver"] = {
            "id": self._rng.randint(100000, 999999),
            "name": name,
            "phone": f"62812{digits}",
            "plate": plate,
            "model": model,
            "photo_url": self._photo_link(f"driver-{order['courier_ref']}", "driver_photo_ttl_s"),
        }

    def _apply_stage(self, order, stage, raw_override=None, reason=None):
        """Move ``order`` to ``stage`` (caller holds the lock); returns the new event."""
        now = to_iso()
        order["stage"] = stage
        order["raw_override"] = raw_override
        order["updated_at"] = now
        order["next_step_at"] = time.monotonic() + self._config["advance_interval"]
        timeline = order["timeline"]
        if stage in ("driver_assigned", "picked_up", "on_hold", "delivered"):
            self._assign_driver(order)
            timeline.setdefault("allocate", now)
        if stage in ("picked_up", "on_hold", "delivered"):
            timeline.setdefault("pickup", now)
        if stage == "delivered":
            timeline["dropoff"] = timeline["completed"] = now
            order["delivered_at"] = now
            order["receiver"] = {
                "name": order["destination"].get("name") or "Penerima",
                "relationship": self._rng.choice(RELATIONS),
            }
            order["proof_photo_url"] = self._photo_link(order["courier_ref"], "proof_link_ttl_s")
        elif stage in ("cancelled", "cancelled_by_courier"):
            timeline["cancel"] = now
            order["cancel_reason"] = reason or (
                "Cancelled by merchant" if stage == "cancelled" else "Cancelled by courier CS"
            )
        elif stage == "returned":
            timeline["return"] = now
        elif stage in FINAL_STAGES:
            timeline["fail"] = now
            if order["api"] == "grab":
                order["failed_reason"] = reason or GRAB_RAW[stage][2]
            else:
                order["failed_reason"] = reason
        event = self._make_event(order, stage, raw_override)
        order["events"].append(event)
        return event

    def _path_to(self, order, stage):
        current = order["stage"]
        if stage in CHAIN and current in CHAIN and CHAIN.index(stage) > CHAIN.index(current):
            return list(CHAIN[CHAIN.index(current) + 1 : CHAIN.index(stage) + 1])
        if stage in ("delivered", "on_hold") and current == "on_hold":
            return [stage]
        if stage == "on_hold" and current in ("booked", "driver_assigned"):
            return list(CHAIN[CHAIN.index(current) + 1 : CHAIN.index("picked_up") + 1]) + [
                "on_hold"
            ]
        return [stage]

    def advance(self, ref, status, webhook=True, api=None, courier_ref=None, reason=None):
        """Move the latest order of ``ref`` to ``status`` (a stage or a raw courier
        status), filling in skipped forward steps, and post the webhook(s) when
        ``webhook``. Returns what was sent (see the module docstring)."""
        with self._lock:
            order = self._find(ref, api, courier_ref)
            if order["stage"] in FINAL_STAGES:
                raise ValueError(f"order {order['courier_ref']} is final ({order['stage']})")
            stage, raw_override = self._resolve_stage(order["api"], status)
            events = []
            path = self._path_to(order, stage)
            for step in path:
                override = raw_override if step == path[-1] else None
                events.append(self._apply_stage(order, step, override, reason))
        results = self._dispatch(order, events) if webhook else []
        return self._advance_result(order, events, results)

    def _advance_result(self, order, events, results):
        last = next((r for r in reversed(results) if "status_code" in r), None)
        return {
            "ref": order["our_ref"],
            "api": order["api"],
            "courier_ref": order["courier_ref"],
            "status": order["stage"],
            "courier_status": self._raw_status(order),
            "events": [
                {
                    "event_id": e["event_id"],
                    "stage": e["stage"],
                    "status": e["status"],
                    "payload": e["payload"],
                }
                for e in events
            ],
            "webhooks": results,
            "payload": last["payload"] if last else (events[-1]["payload"] if events else None),
            "webhook_status": last["status_code"] if last else None,
        }

    def _auto_advance_loop(self):
        while not self._stop.wait(0.05):
            with self._lock:
                if not self._config["auto_advance"]:
                    continue
                now = time.monotonic()
                due = []
                for order in self._orders:
                    if order["stage"] in FINAL_STAGES or order["next_step_at"] > now:
                        continue
                    stage = order["stage"]
                    if stage == "booked":
                        rate = self._config["no_driver_rate"]
                        nxt = (
                            "no_driver"
                            if rate > 0 and self._rng.random() < rate
                            else "driver_assigned"
                        )
                    elif stage == "driver_assigned":
                        nxt = "picked_up"
                    else:
                        nxt = "delivered"
                    due.append((order, [self._apply_stage(order, nxt)]))
            for order, events in due:
                self._enqueue(order, events)
