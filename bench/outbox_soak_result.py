# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the fault soak (bench/outbox_soak.py) counts, and how it prints it."""

from collections import Counter
from dataclasses import asdict, dataclass, field

FINAL_STATES = ("delivered", "cancelled", "failed")
# sandbox stages of an order nobody rides for: the others went out to a driver
NO_RIDE_STAGES = frozenset({"cancelled", "cancelled_by_courier", "no_driver", "rejected", "failed"})


@dataclass
class SoakResult:
    config: dict
    duplicates: list = field(default_factory=list)
    orphans: list = field(default_factory=list)
    stuck: list = field(default_factory=list)
    figures: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    def lines(self):
        """The figures, for printing."""
        f, t = self.figures, self.timings
        out = [
            f"{self.config['bookings']} bookings ({f['by_provider']}), faults: "
            f"{self.config['error_rate']:.0%} 5xx, {self.config['timeout_rate']:.0%} timeouts "
            f"making the order, {self.config['no_driver_rate']:.0%} no driver, "
            f"{self.config['duplicate_webhook_rate']:.0%} duplicate and "
            f"{self.config['out_of_order_rate']:.0%} out-of-order webhooks",
            f"killed (SIGKILL) with {f['in_flight_at_kill']} bookings claimed, calls in "
            f"flight, {f['answered_at_kill']} answered; {f['orders_of_in_flight']} of the "
            f"in-flight ones had a courier order; {f['cancel_asked']} cancelled by a user "
            f"({f['cancelled_at_once']} at once, {f['cancel_through_courier']} through the "
            "courier)",
            f"sandbox: {f['courier_orders']} courier orders, {f['injected_errors']} 503s, "
            f"{f['injected_timeouts']} timed-out bookings, {f['webhooks_sent']} webhooks "
            f"posted ({f['webhooks_dropped']} dropped by its queue); Odoo answered the "
            f"webhooks {f['webhook_answers']}",
            f"bookings: {f['states']}; {f['ever_waited']} waited for a person "
            f"({f['wait_ended_by_news']} until the courier's news named the order), "
            f"{f['waiting_for_person']} still waiting ({f['waiting_with_order']} of them with "
            f"a courier order), {f['final_still_flagged']} final but still flagged",
            f"{'settled' if f['settled'] else 'NOT SETTLED (time out)'} after "
            f"{f['settle_passes']} outbox+poll passes: {f['settle_sent']} sent, "
            f"{f['settle_polled']} polled, {f['settle_queries']} queries "
            f"({f['settle_queries'] / max(1, self.config['bookings']):.1f} per booking)",
            f"DUPLICATES {len(self.duplicates)}  ORPHANS {len(self.orphans)}  "
            f"STUCK {len(self.stuck)}  (Odoo ERROR lines: {len(self.errors)})",
            "timings: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in t.items()),
        ]
        for label, items in (
            ("duplicate", self.duplicates),
            ("orphan", self.orphans),
            ("stuck", self.stuck),
            ("error", self.errors),
        ):
            out += [f"  {label}: {str(item)[:300]}" for item in items[:10]]
        return out

    def as_dict(self):
        return asdict(self)


def tally(config, answer, bookings, ever_waited, ended_by_news):
    """Duplicates, orphans and stuck bookings, and the other figures, from the sandbox's
    orders (``answer``: its ``GET /_sandbox/orders``) and Odoo's bookings (``bookings``:
    {reference: (state, failure reason, waiting for a person, courier order)})."""
    stats = answer["stats"]
    orders_by_ref = {}
    for order in answer["orders"]:
        orders_by_ref.setdefault(order["our_ref"], []).append(order)
    result = SoakResult(config=config)
    for ref, orders in sorted(orders_by_ref.items()):
        if ref not in bookings:
            continue
        state = bookings[ref][0]
        if len(orders) > 1:
            made = ", ".join(f"{o['courier_ref']} {o['stage']}" for o in orders)
            result.duplicates.append(f"{ref} ({state}): {made}")
        for order in orders:
            if state in ("failed", "cancelled") and order["stage"] not in NO_RIDE_STAGES:
                result.orphans.append(
                    f"{ref} {state} ({bookings[ref][1] or '-'}): courier order "
                    f"{order['courier_ref']} {order['stage']}"
                )
    waiting = [ref for ref, b in bookings.items() if b[2]]
    for ref, (state, _reason, review, courier_ref) in sorted(bookings.items()):
        if state not in FINAL_STATES and not review:
            result.stuck.append(f"{ref} {state} (courier order {courier_ref or '-'})")
    result.figures.update(
        states=", ".join(
            f"{n} {state}"
            for state, n in sorted(
                Counter(
                    (b[0] if b[0] != "failed" else f"failed/{b[1]}") for b in bookings.values()
                ).items()
            )
        ),
        waiting_for_person=sum(1 for ref in waiting if bookings[ref][0] not in FINAL_STATES),
        waiting_with_order=sum(
            1 for ref in waiting if bookings[ref][0] not in FINAL_STATES and orders_by_ref.get(ref)
        ),
        final_still_flagged=sum(1 for ref in waiting if bookings[ref][0] in FINAL_STATES),
        ever_waited=ever_waited,
        wait_ended_by_news=ended_by_news,
        courier_orders=len(answer["orders"]),
        injected_errors=stats["injected_errors"],
        injected_timeouts=stats["injected_timeouts"],
        webhooks_sent=stats["webhooks_sent"] + stats["webhooks_failed"],
        webhooks_dropped=stats["webhooks_dropped"],
    )
    return result
