# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Courier calls of the outbox, in worker threads. No ORM, no database, no Odoo import.

A job is a plain dict prepared by ``pemkab.delivery.exchange._prepare`` in the main
thread: ``ref`` (our reference), ``action`` (the claim ladder of ``decisions.py``:
``book``, ``lookup`` (only look the order up: the attempts are spent but an earlier call
may have made it), ``cancel``, ``lookup_cancel``, ``cancel_local`` (no call: the courier
has no order), ``poll``, ``confirm`` (look up the order of a webhook's token-borne final
state), ``photos`` (download the courier's photos of ``photos``: {field: url}),
``review`` (no call: the last call may have made an order the courier cannot be asked
about), ``void`` (cancel every order of our reference: the courier cannot be asked by it
but cancels by it), ``none``), ``lookup_first`` (an earlier attempt may have
reached the courier), ``strays`` (other courier orders of our reference, to cancel),
``client`` (a courier client, or None when it could not be set up), ``provider_id``,
``max_parallel``, ``courier_ref`` (``event_courier_ref``: the order a webhook to confirm
names) and ``payload`` (origin, destination, package, service
type). The answer of each job is ``(kind, value)``: ``("ok" | "found", OrderInfo)``,
``("not_found", None)`` or ``("error", CourierError)``; ``None`` for a job without a
client. The worker also sets on the job ``unknown`` (the booking call got no answer: the
courier may have the order), ``absent`` (the courier said it has no order for our
reference) and ``stray_results`` ({courier ref: "cancelled" or the error}).
"""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed

try:  # inside the addon (odoo.addons.pemkab_delivery.outbox)
    from ..clients import CourierError, CourierTimeout, OrderNotFound, RetryableError
except ImportError:  # plain Python, addons/pemkab_delivery on sys.path (tests/plain)
    from clients import CourierError, CourierTimeout, OrderNotFound, RetryableError

_logger = logging.getLogger(__name__)

MAX_WORKERS = 16


def run_jobs(jobs, max_workers=MAX_WORKERS):
    """Run the jobs' courier calls in worker threads, at most ``max_parallel`` per
    provider at once. Yields ``(job, answer)`` as each call returns, so that the caller
    records every answer at once, without waiting for the slowest call of the batch."""
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
        futures = [pool.submit(work, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def run_job(job):
    """One job's courier calls. Never raises: an unexpected error is a retryable answer."""
    if job.get("strays"):
        job["stray_results"] = cancel_strays(job["client"], job["ref"], job["strays"])
    client, payload, ref = job["client"], job.get("payload"), job["ref"]
    try:
        if job["action"] in ("none", "review"):
            return None
        if job["action"] in ("poll", "confirm"):
            return "ok", _news_of(job, client, ref)
        if job["action"] == "photos":
            return "ok", fetch_photos(client, job["photos"])
        if job["action"] == "cancel_local":
            return "not_found", None
        if job["action"] == "void":
            # every order of our reference (Grab's DELETE /v1/merchant/deliveries/{ref})
            try:
                return "ok", client.cancel_by_reference(ref)
            except OrderNotFound:
                return "not_found", None
        if job["action"] == "cancel":
            return "ok", client.cancel(ref, job.get("courier_ref"))
        if job["action"] == "lookup_cancel":
            found = lookup(client, ref)
            if not found:
                return "not_found", None
            return "ok", client.cancel(ref, found.courier_ref)
        if job["action"] == "lookup" or job["lookup_first"]:
            found = lookup(client, ref)
            if found:
                return "found", found
            job["absent"] = True
            if job["action"] == "lookup":
                return "not_found", None
        return "ok", _book(job, client, ref, payload)
    except CourierError as error:
        return "error", error
    except Exception as error:  # noqa: BLE001 - a worker must always answer
        _logger.exception("Courier outbox: unexpected error for %s", ref)
        return "error", RetryableError(str(error), code="unexpected")


def _news_of(job, client, ref):
    """The courier's word on a booking's order (``poll``) or on the order a webhook's
    token-borne final state names (``confirm``): by the courier's own order number
    (Grab: ``GET /v1/deliveries/{deliveryID}``, the only lookup it documents; GoSend: by
    ``orderNo``, its lookups by our reference often fail), by our reference only while
    the number is unknown (a pre-booking)."""
    courier_ref = job.get("event_courier_ref") or job.get("courier_ref")
    if courier_ref:
        return client.get_order_by_courier_ref(courier_ref)
    return client.get_order(ref)


def fetch_photos(client, photos):
    """Download the courier's photos ({field: url}): {field: (content, mimetype) or the
    :class:`CourierError` that prevented it}."""
    results = {}
    for field, url in photos.items():
        try:
            results[field] = client.fetch_photo(url)
        except CourierError as error:
            results[field] = error
        except Exception as error:  # noqa: BLE001 - a worker must always answer
            _logger.exception("Courier outbox: unexpected error fetching a photo")
            results[field] = RetryableError(str(error), code="unexpected")
    return results


def cancel_strays(client, ref, strays):
    """Cancel the other courier orders of our reference: {courier ref: result}, the
    result being ``"cancelled"`` or the :class:`CourierError` that prevented it."""
    results = {}
    for courier_ref in strays:
        try:
            client.cancel(ref, courier_ref)
            results[courier_ref] = "cancelled"
        except OrderNotFound:
            results[courier_ref] = "cancelled"
        except CourierError as error:
            results[courier_ref] = error
        except Exception as error:  # noqa: BLE001 - a worker must always answer
            _logger.exception("Courier outbox: unexpected error cancelling %s", courier_ref)
            results[courier_ref] = RetryableError(str(error), code="unexpected")
    return results


def _book(job, client, ref, payload):
    """Book (the booking answer or the courier's first news tells the price)."""
    try:
        return client.book(
            ref,
            payload["origin"],
            payload["destination"],
            payload["package"],
            payload["service_type"],
            payload.get("terms"),
        )
    except CourierTimeout:
        # sent, no answer: the courier may have made the order
        job["unknown"] = True
        raise


def lookup(client, ref):
    """The courier's order for our reference, or None when the courier has none."""
    try:
        return client.get_order(ref)
    except OrderNotFound:
        return None


def exchange_note(exchange):
    """One line of the booking's history for one HTTP exchange with a courier."""
    status = exchange.get("status_code") or exchange.get("error") or "-"
    # the courier's id of the request, as Grab asks partners to log it
    request_id = f" [{exchange['request_id']}]" if exchange.get("request_id") else ""
    line = f"{exchange.get('method', '')} {exchange.get('url', '')} -> {status}"
    return f"{line[: 250 - len(request_id)]}{request_id}"
