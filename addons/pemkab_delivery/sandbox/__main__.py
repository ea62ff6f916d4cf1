# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Command line of the courier sandbox.

``python -m sandbox`` (with ``addons/pemkab_delivery`` on ``sys.path``) or
``python addons/pemkab_delivery/sandbox/courier_sandbox.py``; ``--help`` lists the flags.
"""

import argparse
import signal
import sys
import threading

from .common import APIS, RATES
from .server import CourierSandbox

__all__ = ["main"]


def _parser():
    parser = argparse.ArgumentParser(
        description="Courier sandbox speaking GoSend-like (/gosend), Grab-like (/grab) and "
        "Biteship-like (/biteship) APIs."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default loopback)")
    parser.add_argument("--port", type=int, default=8070, help="TCP port (0 = any free)")
    parser.add_argument("--webhook-url", help="webhook URL for both APIs")
    parser.add_argument("--webhook-url-gosend")
    parser.add_argument("--webhook-url-grab")
    parser.add_argument("--webhook-url-biteship")
    parser.add_argument("--webhook-secret", help="webhook secret for both APIs")
    parser.add_argument("--webhook-secret-gosend")
    parser.add_argument("--webhook-secret-grab")
    parser.add_argument("--webhook-secret-biteship")
    parser.add_argument("--webhook-auth-id-grab", help="Grab's optional Authorization-Id")
    parser.add_argument("--proof-link-ttl-s", type=float, help="seconds a proof link lives")
    parser.add_argument("--driver-photo-ttl-s", type=float, help="seconds a driver photo lives")
    parser.add_argument(
        "--auto-advance", action="store_true", help="drive orders through their lifecycle over time"
    )
    parser.add_argument("--advance-interval", type=float, help="seconds between steps")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--latency-ms", type=float)
    for rate in RATES:
        parser.add_argument("--" + rate.replace("_", "-"), type=float)
    parser.add_argument("--timeout-sleep-s", type=float)
    parser.add_argument("--rate-limit-per-s", type=float, help="both APIs")
    parser.add_argument("--rate-limit-gosend", type=float)
    parser.add_argument("--rate-limit-grab", type=float)
    parser.add_argument("--rate-limit-biteship", type=float)
    parser.add_argument("--token-ttl-s", type=float)
    parser.add_argument("--gosend-client-id")
    parser.add_argument("--gosend-pass-key")
    parser.add_argument("--grab-client-id")
    parser.add_argument("--grab-client-secret")
    parser.add_argument("--biteship-api-key", help="the API key Biteship accepts")
    parser.add_argument("--no-webhook-on-create", action="store_true")
    parser.add_argument("--sms-userkey", help="the SMS gateway's user key")
    parser.add_argument("--sms-passkey", help="the SMS gateway's pass key")
    parser.add_argument(
        "--sms-refuse-number",
        action="append",
        dest="sms_refuse_numbers",
        help="a number the SMS gateway refuses (repeatable)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser


def _config_from_args(args):
    config = {}
    for api in APIS:
        url = getattr(args, f"webhook_url_{api}") or args.webhook_url
        secret = getattr(args, f"webhook_secret_{api}") or args.webhook_secret
        if url:
            config[f"webhook_url_{api}"] = url
        if secret:
            config[f"webhook_secret_{api}"] = secret
    simple = (
        "webhook_auth_id_grab",
        "proof_link_ttl_s",
        "driver_photo_ttl_s",
        "advance_interval",
        "seed",
        "latency_ms",
        "timeout_sleep_s",
        "token_ttl_s",
        "gosend_client_id",
        "gosend_pass_key",
        "grab_client_id",
        "grab_client_secret",
        "biteship_api_key",
        "sms_userkey",
        "sms_passkey",
        "sms_refuse_numbers",
    ) + RATES
    for key in simple:
        value = getattr(args, key)
        if value is not None:
            config[key] = value
    if args.auto_advance:
        config["auto_advance"] = True
    if args.no_webhook_on_create:
        config["webhook_on_create"] = False
    limits = {}
    if args.rate_limit_per_s is not None:
        limits = {api: args.rate_limit_per_s for api in APIS}
    for api in APIS:
        value = getattr(args, f"rate_limit_{api}")
        if value is not None:
            limits[api] = value
    if limits:
        config["rate_limit_per_s"] = limits
    return config


def main(argv=None):
    args = _parser().parse_args(argv)
    sandbox = CourierSandbox(
        host=args.host, port=args.port, verbose=args.verbose, **_config_from_args(args)
    )
    sandbox.start()
    sys.stdout.write(
        f"Courier sandbox listening on {sandbox.url}\n"
        f"  GoSend base_url: {sandbox.url}/gosend   Grab base_url: {sandbox.url}/grab\n"
        f"  Biteship base_url: {sandbox.url}/biteship\n"
        f"  control: {sandbox.url}/_sandbox/health (Ctrl-C to stop)\n"
        f"  SMS gateway: {sandbox.url}/sms/reguler/api/sendsms/   SMS received: {sandbox.url}/sms\n"
    )
    sys.stdout.flush()
    stopped = threading.Event()

    def _stop(_signum, _frame):
        stopped.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    while not stopped.wait(0.5):
        pass
    sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
