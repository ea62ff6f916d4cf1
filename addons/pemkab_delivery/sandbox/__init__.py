# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A local courier sandbox speaking GoSend-like, GrabExpress-like and Biteship-like APIs,
an SMS gateway and SATUSEHAT (no Odoo import).

Stdlib only (``http.server``, ``threading``, ``json``, ``random``, ``hmac``) plus
``requests`` to post webhooks, and :mod:`..tools.geo` for distances. One module per
concern: :mod:`.server` (:class:`CourierSandbox`, HTTP server, routing, control
endpoints), :mod:`.orders` (order store, lifecycle, counts per reference), :mod:`.faults`
(fault injection), :mod:`.webhooks` (signed webhooks, duplicates, out-of-order),
:mod:`.gosend`, :mod:`.grab` and :mod:`.biteship` (the courier APIs; Biteship is an
aggregator), :mod:`.sms` (a Zenziva-like SMS
gateway and the page of what it received), :mod:`.satusehat` (SATUSEHAT's token,
Patient/Practitioner by NIK, Medication and MedicationDispense, under ``/satusehat``),
:mod:`.common` (settings, stages),
:mod:`.__main__` (command line; :mod:`.courier_sandbox` is its entry point by path).
Run it::

    python addons/pemkab_delivery/sandbox/courier_sandbox.py --port 8070 \\
        --webhook-url-gosend http://127.0.0.1:8069/pemkab_delivery/webhook/<provider id> \\
        --webhook-url-grab http://127.0.0.1:8069/pemkab_delivery/webhook/<provider id> \\
        --auto-advance --advance-interval 5 --seed 42

or use it from Python (tests)::

    with CourierSandbox(seed=1) as sandbox:           # serves on a free 127.0.0.1 port
        GoSendClient(sandbox.url + "/gosend", {...})
        sandbox.advance("REF-1", "delivered")

It listens on loopback only by default. Nothing here is authenticated on the control
side (``/_sandbox/...``): never expose it.

APIs (same paths as :mod:`..clients.gosend` and :mod:`..clients.grab` document)
--------------------------------------------------------------------------------
GoSend-like under ``/gosend`` (headers ``Client-ID`` + ``Pass-Key``)::

    GET  /gosend/gokilat/v10/calculate/price?origin=lat,lng&destination=lat,lng&paymentType=3
    POST /gosend/gokilat/v10/booking                          -> 201 {"id","orderNo",...}
    GET  /gosend/gokilat/v10/booking/storeOrderId/<our_ref>   -> latest booking of the ref
    GET  /gosend/gokilat/v10/booking/orderno/<orderNo>
    PUT  /gosend/gokilat/v10/booking/cancel  {"orderNo"}      -> 200, or 400 after pickup

Grab-like under ``/grab`` (``Authorization: Bearer <token>``)::

    POST   /grab/grabid/v1/oauth2/token                       -> {"access_token",...}
    POST   /grab/v1/deliveries/quotes
    POST   /grab/v1/deliveries
    GET    /grab/v1/deliveries/<deliveryID>
    DELETE /grab/v1/deliveries/<deliveryID>                   -> 204, or 409 after pickup
    DELETE /grab/v1/merchant/deliveries/<merchantOrderID>     -> 204 / 409 / 404
                                                                 (no GET: Grab documents none)

Biteship-like under ``/biteship`` (``authorization: <API key>``, no ``Bearer``)::

    POST /biteship/v1/rates/couriers                          -> {"pricing": [...]}
    POST /biteship/v1/orders                                  -> the order; 40002060 when
                                                                 its reference_id is taken
    GET  /biteship/v1/orders/<id>
    POST /biteship/v1/orders/<id>/cancel {"cancellation_reason_code"} -> 200, or 40002053

GoSend and Grab booking is NOT idempotent (like the real APIs): two bookings with the same reference
create two orders, and ``count(ref)`` becomes 2.

Control (JSON, no auth)::

    GET  /_sandbox/health
    GET  /_sandbox/orders                 {"orders":[...], "counts":{ref:n}, "stats":{...}}
    GET  /_sandbox/orders/count?ref=REF   {"ref": REF, "count": n}   (&api=gosend|grab)
    GET  /_sandbox/orders/<ref>           {"ref", "orders":[...]}
    GET  /_sandbox/stats                  counters (token_requests, requests, webhooks...)
    GET  /_sandbox/config                 current behaviour
    POST /_sandbox/config                 merge {"error_rate": 0.5, ...}; returns config
    POST /_sandbox/reset                  forget orders, tokens, counters; restore the
                                          start-up config unless {"keep_config": true}
    POST /_sandbox/tokens/revoke          invalidate every Grab and SATUSEHAT access token
    GET  /_sandbox/satusehat              {"resources": {...}, "counts": {item: n}}
    POST /_sandbox/satusehat/fail         {"statuses": [429, 503], "lose_answers": 1}
    POST /_sandbox/orders/<ref>/advance   {"status": "driver_assigned"|"picked_up"|
                                          "delivered"|"no_driver"|"rejected"|"returned"|
                                          "cancelled"|"cancelled_by_courier"|"on_hold"|
                                          "failed"|<raw courier status>, "webhook": true,
                                          "api": optional, "courier_ref": optional}
                                          -> {"ref","api","courier_ref","status",
                                              "courier_status","events":[...],
                                              "webhooks":[{"event_id","status",
                                              "status_code","error","payload",...}],
                                              "payload": last payload sent,
                                              "webhook_status": its HTTP status}
    POST /_sandbox/orders/<ref>/webhook   {"event_index": i} or {"event_id": id} resends a
                                          stored event as is; {"status": s} sends a fresh
                                          event for status s without moving the order.
    GET  /_sandbox/sms                    {"messages": [...]} the SMS gateway received
    GET  /track/<courier_ref>             a tiny tracking page (tracking URLs point here)
    GET  /proof/<name>.png?expires=<t>    a 1x1 proof or driver picture until ``t``, then
                                          403 (Grab's links expire after 2 and 3 hours)

SMS gateway (:mod:`.sms`; Zenziva-like, keys ``sms_userkey``/``sms_passkey`` in the body)::

    POST /sms/reguler/api/sendsms/        userkey, passkey, to, message
                                          -> {"messageId","to","status": "1"|"0","text"}
    GET  /sms                             the page of the SMS received, newest first

Behaviour (constructor keyword arguments, CLI flags, ``POST /_sandbox/config``)
-----------------------------------------------------------------------------
``latency_ms``, ``error_rate`` (share of API calls answered 503, nothing created; the
token endpoint is spared), ``timeout_rate`` (share of booking calls that create the order
then wait ``timeout_sleep_s`` before answering), ``no_driver_rate`` (auto-advance only),
``duplicate_webhook_rate`` (post an event twice), ``out_of_order_rate`` (several new
events are posted newest first; a single one is followed by the previous event again),
``rate_limit_per_s`` (number, or ``{"gosend": n, "grab": m}``; 0 = unlimited; answer 429
beyond it), ``seed`` (``random.Random(seed)``), ``auto_advance``/``advance_interval``,
``webhook_url_gosend``/``webhook_url_grab``, ``webhook_secret_gosend``/
``webhook_secret_grab``, ``webhook_auth_id_grab`` (Grab's optional ``Authorization-Id``),
``proof_link_ttl_s``/``driver_photo_ttl_s`` (photo links expire: 7200/10800 s, as
Grab's), ``webhook_on_create`` (post the "booked" event after each booking),
credentials ``gosend_client_id``/``gosend_pass_key``/``grab_client_id``/
``grab_client_secret`` and ``token_ttl_s``; the SMS gateway's ``sms_userkey``/
``sms_passkey`` and ``sms_refuse_numbers`` (numbers it refuses as an operator would).

Strict by default
-----------------
Only what the couriers document or are seen to do, in their shapes (the source is named
in a comment at each place): no Grab GET by merchantOrderID; Grab's delivery details
carry no receiver and no proof link (only the webhook does); photo links expire; Grab
refuses routes over 35 km ("Distance SLA Exceeded"), GoSend over 40 km; GoSend's refusal
text is in the ``Error-Message`` response header; GoSend's webhooks carry no
``store_order_id`` (matched on the order number); no webhook is signed.

Webhooks
--------
GoSend (``Authorization: <webhook_secret_gosend>``)::

    {"@type": "booking_event", "entity_id", "type", "event_date" (epoch ms), "event_id",
     "partner_id", "booking_id", "status", "booking_status", "booking_type",
     "driver_name", "driver_phone", "driver_photo_url", "vehicle_number",
     "total_distance_in_kms", "price", "receiver_name", "pod_url", "pop_url",
     "cancelled_by", "live_tracking_url"}

GrabExpress (``Authorization: <webhook_secret_grab>``, ``Authorization-Id`` when set)::

    {"deliveryID", "merchantOrderID", "timestamp" (epoch s), "status", "trackURL",
     "pickupPin", "failedReason", "sender": {"name","address","relationship"},
     "recipient": {"name","address","relationship"},
     "driver": {"name","phone","licensePlate","photoURL","currentLat","currentLng"},
     "distance", "pickupProofURL", "dropoffProofURL", "cancelProofURL"}

Grab sends no event id: the clients derive one from (deliveryID, status, timestamp), so a
duplicate carries the same id. Events are stored per order and keep their payload, so a
resend is byte-identical.
"""

from .common import DEFAULT_CONFIG
from .server import CourierSandbox

__all__ = ["DEFAULT_CONFIG", "CourierSandbox"]
