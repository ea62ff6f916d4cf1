# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The webhooks of the courier sandbox: events, signatures, duplicates, out-of-order.

Every stage change makes an event (its payload and exact body are kept on the order, so a
resend is byte-identical). Events are posted from a worker thread (or the caller's, for
:meth:`~.orders.OrdersMixin.advance`), authenticated as each courier does:

* GoSend: ``Authorization: <webhook_secret_gosend>`` (laravel-delivery-gosend: a static
  token registered with GoSend);
* GrabExpress: ``Authorization: <webhook_secret_grab>`` and, when set,
  ``Authorization-Id: <webhook_auth_id_grab>`` (Grab's docs: no body signature);
* Biteship: ``<biteship_webhook_header>: <webhook_secret_biteship>`` (a static header the
  merchant sets in Biteship's dashboard; Biteship signs nothing).

Grab sends no event id: the clients derive one from (deliveryID, status, timestamp), so
a duplicate carries the same id. ``duplicate_webhook_rate`` posts an event twice;
``out_of_order_rate`` posts several new events newest first, or a single one followed by
the previous event again.
"""

import hashlib
import json
import queue

import requests

from .common import to_iso


class WebhooksMixin:
    """Building, ordering and posting webhook events.

    A part of :class:`~.server.CourierSandbox`: works on its state (``_lock``,
    ``_config``, ``_stats``, the order indexes).
    """

    def send_webhook(
        self, ref, status=None, event_index=None, event_id=None, api=None, courier_ref=None
    ):
        """(Re)send one event of the order of ``ref`` without moving it: a stored event
        (``event_index`` or ``event_id``, byte-identical) or a fresh one for ``status``."""
        with self._lock:
            order = self._find(ref, api, courier_ref)
            if event_id is not None:
                matches = [e for e in order["events"] if e["event_id"] == event_id]
                if not matches:
                    raise KeyError(event_id)
                event = matches[0]
            elif event_index is not None:
                event = order["events"][int(event_index)]
            elif status is not None:
                stage, raw_override = self._resolve_stage(order["api"], status)
                event = self._make_event(order, stage, raw_override=raw_override)
            else:
                event = order["events"][-1]
        results = [self._post_event(order["api"], event)]
        return self._advance_result(order, [event], results)

    def _make_event(self, order, stage, raw_override=None):
        """Build (not send) the webhook event of ``order`` at ``stage``."""
        builder = {
            "gosend": self._gosend_event,
            "grab": self._grab_event,
            "biteship": self._biteship_event,
        }[order["api"]]
        payload = builder(order, stage, raw_override)
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        if order["api"] == "gosend":
            event_id = payload["event_id"]
        elif order["api"] == "biteship":
            # no event id from Biteship: derived as clients/biteship.py derives it
            parts = (
                "biteship",
                payload["order_id"],
                payload["event"],
                payload["status"],
                payload["courier_waybill_id"],
                payload["order_price"],
            )
            text = "|".join("" if part is None else str(part) for part in parts)
            event_id = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
        else:
            event_id = hashlib.sha256(
                f"{payload['deliveryID']}|{payload['status']}|{payload['timestamp']}".encode()
            ).hexdigest()[:32]
        return {
            "event_id": event_id,
            "stage": stage,
            "status": payload["status"],
            "payload": payload,
            "body": body,
            "at": to_iso(),
        }

    def _tracking(self, order):
        return f"{self.url}/track/{order['courier_ref']}" if order["driver"] else ""

    def _sequence(self, order, events):
        """The order in which to post ``events`` (out-of-order and duplicate modes)."""
        sequence = list(events)
        if self._chance("out_of_order_rate"):
            if len(sequence) > 1:
                sequence.reverse()
            else:
                with self._lock:
                    index = order["events"].index(events[0]) if events else 0
                    previous = order["events"][index - 1] if index > 0 else None
                if previous is not None:
                    sequence.append(previous)
        doubled = []
        for event in sequence:
            doubled.append((event, False))
            if self._chance("duplicate_webhook_rate"):
                doubled.append((event, True))
        return doubled

    def _dispatch(self, order, events):
        """Post ``events`` now (caller's thread); returns one result per post."""
        return [
            self._post_event(order["api"], event, duplicate)
            for event, duplicate in self._sequence(order, events)
        ]

    def _enqueue(self, order, events):
        """Post ``events`` from the webhook worker thread (bounded queue)."""
        for event, duplicate in self._sequence(order, events):
            try:
                self._webhook_queue.put_nowait((order["api"], event, duplicate))
            except queue.Full:
                with self._lock:
                    self._stats["webhooks_dropped"] += 1

    def _webhook_headers(self, api, body):
        config = self._config
        headers = {"Content-Type": "application/json", "User-Agent": "CourierSandbox/1.0"}
        secret = config[f"webhook_secret_{api}"]
        if not secret:
            return headers
        if api == "biteship":
            # the merchant's static header (dashboard "Headers Signature Key"/"Secret")
            headers[config["biteship_webhook_header"]] = secret
            return headers
        # both send back the static secret the partner registered; Grab adds the
        # Authorization-Id when one was given (Grab's docs, "Tracking Webhook"); neither
        # signs the body
        headers["Authorization"] = secret
        if api == "grab" and config["webhook_auth_id_grab"]:
            headers["Authorization-Id"] = str(config["webhook_auth_id_grab"])
        return headers

    def _post_event(self, api, event, duplicate=False):
        with self._lock:
            url = self._config[f"webhook_url_{api}"]
            headers = self._webhook_headers(api, event["body"])
            timeout = self._config["webhook_timeout_s"]
        result = {
            "event_id": event["event_id"],
            "status": event["status"],
            "stage": event["stage"],
            "duplicate": duplicate,
            "url": url,
            "payload": event["payload"],
        }
        if not url:
            result["skipped"] = "no webhook URL configured"
            return result
        try:
            response = self._http.post(
                url, data=event["body"], headers=headers, timeout=float(timeout or 5)
            )
            result["status_code"] = response.status_code
            result["error"] = None if response.status_code < 300 else response.text[:500]
        except requests.RequestException as exc:
            result["status_code"] = None
            result["error"] = f"{type(exc).__name__}: {exc}"
        with self._lock:
            key = "webhooks_sent" if result["error"] is None else "webhooks_failed"
            self._stats[key] += 1
        return result

    def _webhook_worker(self):
        while not self._stop.is_set():
            try:
                api, event, duplicate = self._webhook_queue.get(timeout=0.1)
            except queue.Empty:
                continue
            self._post_event(api, event, duplicate)
