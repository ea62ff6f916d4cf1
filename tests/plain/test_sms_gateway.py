# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The SMS gateway client against the sandbox's SMS gateway, over real HTTP (no Odoo).

What the citizens' SMS go through when the company's SMS provider is the HTTP SMS
gateway: the keys in the POST body (never in a URL), the gateway's refusals told apart,
and the page that shows a newcomer what the sandbox received.
"""

import logging
import socket
import sys
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
ADDON = ROOT / "addons" / "pemkab_delivery"
if str(ADDON) not in sys.path:
    sys.path.insert(0, str(ADDON))

from clients import SMS_FAILURES, SmsGatewayClient, gateway_url_problem  # noqa: E402
from conftest import sandbox_by_path  # noqa: E402
from sandbox.courier_sandbox import CourierSandbox  # noqa: E402

USERKEY, PASSKEY = "sandbox-userkey", "sandbox-passkey"


@pytest.fixture(scope="module")
def sandbox():
    with CourierSandbox(seed=7) as server:
        yield server


@pytest.fixture
def gateway(sandbox):
    sandbox.reset()
    return sandbox.url + "/sms/reguler/api/sendsms/"


def test_sent_message_reaches_the_page(sandbox, gateway):
    client = SmsGatewayClient(gateway, USERKEY, PASSKEY)
    result = client.send("+62 812-3456-7001", "Paket RX-1 <dikirim> & diantar")
    assert result.ok and result.message_id and not result.failure
    [received] = sandbox.sms_messages()
    assert received["to"] == "6281234567001", "digits, as the gateway takes them"
    assert received["message"] == "Paket RX-1 <dikirim> & diantar"
    assert received["status"] == "1" and received["id"] == result.message_id
    page = requests.get(sandbox.url + "/sms", timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "6281234567001" in page.text
    assert "Paket RX-1 &lt;dikirim&gt; &amp; diantar" in page.text, "escaped"
    control = requests.get(sandbox.url + "/_sandbox/sms", timeout=5).json()
    assert [m["id"] for m in control["messages"]] == [result.message_id]


def test_refusals_are_told_apart(sandbox, gateway):
    sandbox.configure(sms_refuse_numbers=["081299990000"])
    good = SmsGatewayClient(gateway, USERKEY, PASSKEY)
    cases = {
        "auth": SmsGatewayClient(gateway, USERKEY, "not-the-passkey").send("08123456701", "x"),
        "number": good.send("0211234567", "a landline"),
        "rejected": good.send("+6281299990000", "refused by the operator"),
        "rejected ": good.send("08123456701", "x" * 613),
    }
    for expected, result in cases.items():
        assert not result.ok, expected
        assert result.failure == expected.strip(), (expected, result)
        assert result.failure in SMS_FAILURES and result.text
    assert cases["auth"].text == "Userkey atau Passkey salah", "the gateway's own words"
    statuses = [(m["to"], m["status"]) for m in sandbox.sms_messages()]
    assert ("6281299990000", "0") in statuses, "a refused message is on the page too"
    assert all(m["status"] == "0" for m in sandbox.sms_messages())
    assert "Pesan ditolak oleh operator" in requests.get(sandbox.url + "/sms", timeout=5).text


def test_keys_never_in_the_url(sandbox, gateway, caplog):
    """The client posts the keys in the body and logs no key; the sandbox (stricter than
    the real gateway) refuses parameters in the URL; a URL with a query is refused."""
    caplog.set_level(logging.DEBUG)
    result = SmsGatewayClient(gateway, USERKEY, PASSKEY).send("08123456701", "halo")
    assert result.ok
    assert PASSKEY not in caplog.text and USERKEY not in caplog.text
    answer = requests.post(
        gateway + f"?userkey={USERKEY}&passkey={PASSKEY}",
        data={"to": "08123456701", "message": "halo"},
        timeout=5,
    )
    assert answer.status_code == 400 and answer.json()["status"] == "0"
    for url in (gateway + "?userkey=k", "http://user:pw@127.0.0.1/sms", "ftp://x/y", "", "/sms"):
        assert gateway_url_problem(url), url
        refused = SmsGatewayClient(url, USERKEY, PASSKEY).send("08123456701", "halo")
        assert refused.failure == "config", url
    assert not gateway_url_problem("https://console.zenziva.net/reguler/api/sendsms/")
    assert SmsGatewayClient(gateway, "", PASSKEY).send("0812", "x").failure == "config"
    assert len(sandbox.sms_messages()) == 1, "nothing left this machine for the refused ones"


def test_hostile_requests_get_4xx(sandbox, gateway):
    for kwargs, status in (
        ({"data": b"userkey=1", "headers": {"Content-Type": "text/plain"}}, 415),
        ({"data": {"userkey": USERKEY, "passkey": PASSKEY, "to": "0812345678"}}, 400),
        ({"json": ["not", "an", "object"]}, 400),
        ({"data": b"{bad json", "headers": {"Content-Type": "application/json"}}, 400),
    ):
        answer = requests.post(gateway, timeout=5, **kwargs)
        assert answer.status_code == status, (kwargs, answer.text)
    assert requests.get(gateway, timeout=5).status_code == 405
    assert requests.post(sandbox.url + "/sms/other", data={}, timeout=5).status_code == 404


def test_unreachable_gateway_is_a_server_failure():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = SmsGatewayClient(
        f"http://127.0.0.1:{port}/sms", USERKEY, PASSKEY, timeout=(1, 1)
    ).send("08123456701", "halo")
    assert result.failure == "server" and not result.ok


def test_gateway_of_the_sandbox_run_by_path():
    """As scripts/run.sh starts it (by path, no Odoo importable), with its keys given on
    the command line."""
    with sandbox_by_path(
        "--sms-userkey", "k1", "--sms-passkey", "k2", "--sms-refuse-number", "08129"
    ) as url:
        client = SmsGatewayClient(url + "/sms/reguler/api/sendsms/", "k1", "k2")
        assert client.send("08123456701", "halo").ok
        assert client.send("08129", "halo").failure == "number", "too short"
        page = requests.get(url + "/sms", timeout=5)
        assert "08123456701" in page.text
