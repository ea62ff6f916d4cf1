# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Courier calls of the outbox, in worker threads. No ORM, no database, no Odoo import.

A job is a plain dict prepared by ``pemkab.delivery.booking._outbox_prepare`` in the
main thread: ``ref`` (our reference), ``action`` (``book``, ``cancel``,
``lookup_cancel``, ``poll``), ``lookup_first`` (an earlier attempt may have reached the
courier), ``client`` (a courier client, or None when it could not be set up),
``provider_id``, ``max_parallel``, ``courier_ref`` and ``payload`` (origin, destination,
package, service type). The answer of each job is ``(kind, value)``: ``("ok" | "found",
OrderInfo)``, ``("not_found", None)`` or ``("error", CourierError)``; ``None`` for a job
without a client.
"""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from ..clients import CourierError, CourierTimeout, OrderNotFound, RetryableError

_logger = logging.getLogger(__name__)

MAX_WORKERS = 16


def run_jobs(jobs, max_workers=MAX_WORKERS):
    """Run the jobs' courier calls in worker threads, at most ``max_parallel`` per
    provider at once. Returns ``[(job, answer), ...]`` in the order of ``jobs``."""
    semaphores = {}
    for job in jobs:
        if job.get("client"):
            semaphores.setdefault(
                job["provider_id"], threading.BoundedSemaphore(max(1, job["max_parallel"]))
            )
    workers = min(max_workers, max(1, sum(s._initial_value for s in semaphores.values())))

    def work(job):
        if not job.get("client"):
            return job, None
        with semaphores[job["provider_id"]]:
            return job, run_job(job)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pemkab-outbox") as pool:
        return list(pool.map(work, jobs))


def run_job(job):
    """One courier call. Never raises: an unexpected error is a retryable answer."""
    client, payload, ref = job["client"], job.get("payload"), job["ref"]
    try:
        if job["action"] == "poll":
            return "ok", client.get_order(ref)
        if job["action"] == "cancel":
            return "ok", client.cancel(ref, job.get("courier_ref"))
        if job["action"] == "lookup_cancel":
            found = lookup(client, ref)
            if not found:
                return "not_found", None
            return "ok", client.cancel(ref, found.courier_ref)
        found = lookup(client, ref) if job["lookup_first"] else None
        if found:
            return "found", found
        return "ok", _book(client, ref, payload)
    except CourierError as error:
        return "error", error
    except Exception as error:  # noqa: BLE001 - a worker must always answer
        _logger.exception("Courier outbox: unexpected error for %s", ref)
        return "error", RetryableError(str(error), code="unexpected")


def _book(client, ref, payload):
    try:
        quote = client.quote(payload["origin"], payload["destination"], payload["service_type"])
    except CourierTimeout:
        raise
    except CourierError as error:
        if error.retryable:
            raise
        quote = None
    info = client.book(
        ref,
        payload["origin"],
        payload["destination"],
        payload["package"],
        payload["service_type"],
    )
    if quote and not info.price:
        info.price = quote.price
    return info


def lookup(client, ref):
    """The courier's order for our reference, or None when the courier has none."""
    try:
        return client.get_order(ref)
    except OrderNotFound:
        return None


def exchange_note(exchange):
    """One line of the booking's history for one HTTP exchange with a courier."""
    status = exchange.get("status_code") or exchange.get("error") or "-"
    return f"{exchange.get('method', '')} {exchange.get('url', '')} -> {status}"[:250]
