# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import html
import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

from lxml import etree

from odoo import fields, http
from odoo.tests import TransactionCase, new_test_user

from ..clients import clear_token_cache
from ..sandbox.courier_sandbox import CourierSandbox

SANDBOX_WEBHOOK_SECRET = "test-webhook-secret"


class PemkabDeliveryCommon(TransactionCase):
    """Agencies, shelters and one user per role, shared by the addon's tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.kec_banyuwangi = cls.env.ref("pemkab_delivery.area_35_10_16")
        cls.kel_sobo = cls.env.ref("pemkab_delivery.area_35_10_16_1002")
        cls.kec_genteng = cls.env.ref("pemkab_delivery.area_35_10_09")
        cls.agency_a = cls.env["pemkab.agency"].create({"name": "Agency A", "code": "AG-A"})
        cls.agency_b = cls.env["pemkab.agency"].create({"name": "Agency B", "code": "AG-B"})
        cls.user_officer_a = new_test_user(
            cls.env, login="officer_a", groups="pemkab_delivery.group_delivery_user"
        )
        cls.user_officer_b = new_test_user(
            cls.env, login="officer_b", groups="pemkab_delivery.group_delivery_user"
        )
        cls.user_head_a = new_test_user(
            cls.env, login="head_a", groups="pemkab_delivery.group_delivery_head"
        )
        cls.user_head_b = new_test_user(
            cls.env, login="head_b", groups="pemkab_delivery.group_delivery_head"
        )
        cls.user_manager = new_test_user(
            cls.env, login="delivery_admin", groups="pemkab_delivery.group_delivery_manager"
        )
        cls.user_internal = new_test_user(cls.env, login="plain_internal", groups="base.group_user")
        cls.agency_a.write(
            {"head_ids": [(4, cls.user_head_a.id)], "member_ids": [(4, cls.user_officer_a.id)]}
        )
        cls.agency_b.write(
            {"head_ids": [(4, cls.user_head_b.id)], "member_ids": [(4, cls.user_officer_b.id)]}
        )
        cls.shelter_a = cls.env["pemkab.shelter"].create(
            {
                "name": "Shelter A",
                "code": "SH-A",
                "kind": "puskesmas",
                "agency_id": cls.agency_a.id,
                "kecamatan_id": cls.kec_banyuwangi.id,
                "desa_id": cls.kel_sobo.id,
                "latitude": -8.2100,
                "longitude": 114.3600,
                "phone": "0333 421118",
            }
        )
        cls.shelter_b = cls.env["pemkab.shelter"].create(
            {
                "name": "Shelter B",
                "code": "SH-B",
                "agency_id": cls.agency_b.id,
                "latitude": -8.3686,
                "longitude": 114.1497,
            }
        )


class PemkabCourierCommon(PemkabDeliveryCommon):
    """Adds the courier sandbox on a free loopback port and providers pointing at it."""

    sandbox_webhooks = False  # HttpCase subclasses point the sandbox's webhooks at Odoo

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = CourierSandbox(
            webhook_on_create=False,
            webhook_secret_gosend=SANDBOX_WEBHOOK_SECRET,
            webhook_secret_grab=SANDBOX_WEBHOOK_SECRET,
            seed=19,
        ).start()
        cls.addClassCleanup(cls.sandbox.stop)
        cls.provider = cls.env["pemkab.courier.provider"].create(
            {
                "name": "Sandbox",
                "kind": "sandbox",
                "base_url": cls.sandbox.url,
                "client_id": "sandbox-client",
                "client_secret": "sandbox-pass",
                "webhook_secret": SANDBOX_WEBHOOK_SECRET,
                "read_timeout": 5.0,
                "poll_after_minutes": 10,
            }
        )
        cls.provider_grab = cls.env["pemkab.courier.provider"].create(
            {
                "name": "Grab (sandbox)",
                "kind": "grab",
                "base_url": cls.sandbox.url + "/grab",
                "client_id": "sandbox-client",
                "client_secret": "sandbox-secret",
                "webhook_secret": SANDBOX_WEBHOOK_SECRET,
                "read_timeout": 5.0,
            }
        )
        cls.own_fleet = cls.env["pemkab.courier.provider"].create(
            {"name": "Armada", "kind": "manual"}
        )
        cls.Booking = cls.env["pemkab.delivery.booking"]
        cls.Exchange = cls.env["pemkab.delivery.exchange"]

    def setUp(self):
        super().setUp()
        self.sandbox.reset(keep_config=False)
        # the sandbox forgot its Grab tokens: so do the clients (no 401 and renewal)
        clear_token_cache()

    def _booking(self, provider=None, **vals):
        values = {
            "provider_id": (provider or self.provider).id,
            "agency_id": self.agency_a.id,
            "shelter_id": self.shelter_a.id,
            "recipient_name": "Siti Aminah",
            "recipient_phone": "0812 3456 7890",
            "street": "Jl. Kepiting No. 5",
            "kecamatan_id": self.kec_banyuwangi.id,
            "desa_id": self.kel_sobo.id,
            "latitude": -8.2050,
            "longitude": 114.3700,
            "package_code": "PKG-0001",
            "package_description": "Paket layanan kesehatan",
            "responsible_user_id": self.user_officer_a.id,
        }
        values.update(vals)
        return self.Booking.create(values)

    def _run_outbox(self):
        return self.Exchange._cron_send()

    def _apply_webhooks(self):
        """Run the scheduled action that applies the couriers' webhook news."""
        return self.Exchange._cron_apply_news()

    def _poll(self, bookings):
        # time passing (sudo: the bookings may be a role user's, who writes none of it)
        bookings.sudo().write({"last_news_at": fields.Datetime.now() - timedelta(hours=1)})
        return self.Exchange._cron_poll()

    def _courier(self, booking, status):
        """The courier's news of ``booking``, as a poll finds it in the sandbox."""
        self.sandbox.advance(booking.name, status, webhook=False)
        self._poll(booking)

    def _webhook(self, booking, status):
        """The courier's webhook for ``booking`` moving to ``status``, as the webhook
        route parses and applies it (its HTTP side: test_webhook.py)."""
        sent = self.sandbox.advance(booking.name, status, webhook=False)
        client_class = booking.provider_id._courier_client_class()
        event = client_class.parse_webhook(sent["payload"])
        return booking._apply_courier_update(event.order, "webhook", event_key=event.event_id)

    def _make_due(self, bookings):
        bookings.sudo().write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})


class PemkabRpcMixin:
    """Calls the models as a browser does: ``/web/dataset/call_kw`` over real HTTP, as
    the user of the session (``self.authenticate(login, login)`` first). Mixed into an
    ``HttpCase``."""

    def rpc(self, model, method, *args, **kwargs):
        """The JSON-RPC answer: ``{"result": ...}`` or ``{"error": {...}}``."""
        self.env.flush_all()
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
            },
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.env.invalidate_all()  # the request changed the records in its own environment
        return response.json()

    def rpc_ok(self, model, method, *args, **kwargs):
        answer = self.rpc(model, method, *args, **kwargs)
        self.assertNotIn("error", answer, answer.get("error", {}).get("data", {}).get("message"))
        return answer["result"]

    def rpc_refused(self, error, model, method, *args, **kwargs):
        """Assert the call is refused with ``error`` (an exception class of
        ``odoo.exceptions``); return the message the user reads."""
        answer = self.rpc(model, method, *args, **kwargs)
        self.assertIn("error", answer, f"{model}.{method} was accepted: {answer.get('result')}")
        data = answer["error"]["data"]
        self.assertEqual(data["name"], f"odoo.exceptions.{error.__name__}", data["message"])
        return data["message"]

    def assert_access_matrix(self, operations, matrix):
        """Try each ``(login, operation, allowed)`` of ``matrix`` as that user:
        ``operations[operation]()`` answers (JSON-RPC); a refusal is an AccessError."""
        for login, operation, allowed in matrix:
            with self.subTest(login=login, operation=operation):
                self.authenticate(login, login)
                answer = operations[operation]()
                if allowed:
                    self.assertIn("result", answer, answer.get("error"))
                else:
                    self.assertIn("error", answer, f"{login} may {operation}")
                    self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError")


class PemkabPaperCase:
    """For HttpCase tests of what citizens and heads see: a public page as a citizen's
    phone opens it, and a report as the text of its PDF."""

    @classmethod
    def _load_indonesian(cls, modules=("pemkab_delivery",)):
        """Indonesian installed, with the suite's terms: the regency's papers print in it."""
        cls.env["res.lang"]._activate_lang("id_ID")
        cls.env["ir.module.module"]._load_module_terms(list(modules), ["id_ID"])

    def _page(self, url):
        self.env.flush_all()
        response = self.url_open(url)
        self.env.invalidate_all()
        return response

    def _pdf_text(self, report_xmlid, records):
        """The text of the report's PDF (wkhtmltopdf, read back by poppler's pdftotext)."""
        self.env.flush_all()
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report_xmlid, records.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        return self._pdf_to_text(pdf)

    def _pdf_to_text(self, pdf):
        # PEMKAB_PAPERS_DIR keeps each paper printed, to look at (like the tours' screenshots)
        if os.environ.get("PEMKAB_PAPERS_DIR"):
            path = Path(os.environ["PEMKAB_PAPERS_DIR"]) / f"{self._testMethodName}.pdf"
            path.parent.mkdir(parents=True, exist_ok=True)
            index = 1
            while path.exists():
                index += 1
                path = path.with_name(f"{self._testMethodName}-{index}.pdf")
            path.write_bytes(pdf)
        if not shutil.which("pdftotext"):
            self.fail(
                "pdftotext is not installed (apt-get install poppler-utils): a paper test "
                "reads the PDF's text"
            )
        return subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()

    def _print_over_http(self, login, report_xmlid, records):
        """Print the report as ``login`` does from the web client: ``/report/download`` of
        ``/report/pdf/<report name>/<ids>`` (the route the web client's Print menu uses,
        a read/write request: the read-only ``/report/pdf`` route itself cannot serve
        wkhtmltopdf the assets it fetches under the test cursor). Returns ``("pdf", the
        PDF's text)``, or the refusal's exception class name and its message."""
        self.env.flush_all()
        report = self.env.ref(report_xmlid)
        self.authenticate(login, login)
        url = "/report/pdf/%s/%s" % (report.report_name, ",".join(str(i) for i in records.ids))
        response = self.url_open(
            "/report/download",
            data={
                "data": json.dumps([url, "qweb-pdf"]),
                "context": json.dumps({"force_report_rendering": True}),
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.env.invalidate_all()
        if response.status_code == 200 and response.content.startswith(b"%PDF"):
            return "pdf", self._pdf_to_text(response.content)
        # the web client's error: Odoo's serialized exception, HTML-escaped JSON
        try:
            error = json.loads(html.unescape(response.text))["data"]
        except (ValueError, KeyError):
            return f"HTTP {response.status_code}", response.text
        return error["name"].rsplit(".", 1)[-1], error["message"]


# the fields the web client's widgets read beside their own (``fieldDependencies``)
WIDGET_DEPENDENCIES = {
    "kanban_activity": (
        "activity_exception_decoration",
        "activity_exception_icon",
        "activity_state",
        "activity_summary",
        "activity_type_icon",
        "activity_type_id",
    ),
}
WIDGET_DEPENDENCIES["list_activity"] = WIDGET_DEPENDENCIES["kanban_activity"]


def view_specification(model, view_type, view_id=False):
    """What the web client asks ``web_search_read`` for to show the records in the view
    (as its arch says: the fields of the list or the kanban card, many2ones with their
    display name, the widgets' own dependencies)."""
    views = model.get_views([(view_id, view_type)])
    fields_info = views["models"][model._name]["fields"]
    arch = etree.fromstring(views["views"][view_type]["arch"])
    spec = {}

    def add(name):
        field = model._fields.get(name)
        if field is None or name in spec:
            return
        if field.type == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        elif field.type in ("one2many", "many2many"):
            spec[name] = {"fields": {}}
        else:
            spec[name] = {}

    for node in arch.iter("field"):
        # fields of a sub-view (x2many editors) belong to another model
        if any(parent.tag == "field" for parent in node.iterancestors()):
            continue
        name = node.get("name")
        if name not in fields_info:
            continue
        add(name)
        for dependency in WIDGET_DEPENDENCIES.get(node.get("widget"), ()):
            add(dependency)
    return spec


def view_read_queries(model, domain, view_type, view_id=False, count=None, limit=None):
    """The SQL queries of the web client's read of the records of ``domain`` for the
    view (``limit``: its page; None: every record), in a fresh cache (``count``: how many
    records match). A first read warms what a user's first request fills once (record
    rules, groups), so that only the read itself is counted."""
    spec = view_specification(model, view_type, view_id)
    model.web_search_read(domain, spec, limit=1)
    model.env.flush_all()
    model.env.invalidate_all()
    cr = model.env.cr
    before = cr.sql_log_count
    result = model.web_search_read(domain, spec, limit=limit)
    queries = cr.sql_log_count - before
    if count is not None and result["length"] != count:
        raise AssertionError(f"{result['length']} records read, {count} expected")
    return queries


class DeliverableFormCase:
    """What pemkab.deliverable.mixin puts into a document's form, read as the browser
    reads it (``get_views`` over JSON-RPC, as the session's user). Mixed into an
    ``HttpCase`` with :class:`PemkabRpcMixin`."""

    #: the delivery's header buttons, in order, and their one set of labels
    DELIVERY_BUTTONS = (
        ("action_dispatch", "Ready at Shelter"),
        ("action_redispatch", "Dispatch Again"),
        ("action_confirm_delivered", "Confirm Delivered"),
        ("action_open_failed_wizard", "Not Delivered"),
        ("action_open_cancel_wizard", "Cancel"),
    )
    PROOF_FIELDS = (
        "receiver_type",
        "receiver_partner_id",
        "receiver_name",
        "receiver_relation",
        "delivered_at",
        "proof_photo",
    )

    def delivery_form(self, model):
        """The form the user's browser gets: its arch, parsed."""
        views = self.rpc_ok(model, "get_views", [[False, "form"]])
        return etree.fromstring(views["views"]["form"]["arch"])

    def assert_delivery_form(self, form, state="state", dispatch_from=(), live=(), stop=()):
        """The delivery's buttons (each once, the same labels and confirmation), the
        bookings' smart button and the Courier and Proof page, with the visibility and
        read-only rules made of the document's states."""
        header = [
            b
            for b in form.iterfind("header/button")
            if b.get("name") in dict(self.DELIVERY_BUTTONS)
        ]
        self.assertEqual(
            [(b.get("name"), b.get("string")) for b in header], list(self.DELIVERY_BUTTONS)
        )
        buttons = {b.get("name"): b for b in header}
        self.assertEqual(
            buttons["action_dispatch"].get("invisible"), f"{state} not in {sorted(dispatch_from)!r}"
        )
        for name in ("action_confirm_delivered", "action_open_failed_wizard"):
            self.assertEqual(buttons[name].get("invisible"), f"{state} not in {sorted(live)!r}")
        self.assertEqual(
            buttons["action_confirm_delivered"].get("confirm"),
            "Confirm that the person named in Received By got the parcel?",
        )
        self.assertEqual(
            buttons["action_open_cancel_wizard"].get("invisible"), f"{state} in {sorted(stop)!r}"
        )
        self.assertEqual(len(form.xpath("//button[@name='action_confirm_delivered']")), 1)
        smart = form.xpath(
            "//div[@name='button_box']/button[@name='action_view_delivery_bookings']"
        )
        self.assertEqual(len(smart), 1)
        [page] = form.xpath("//notebook/page[@name='pemkab_delivery']")
        for name in self.PROOF_FIELDS:
            [field] = page.xpath(f".//group[@name='pemkab_delivery_proof']/field[@name='{name}']")
            self.assertEqual(field.get("readonly"), f"{state} not in {sorted(live)!r}", name)
        failure = page.xpath(".//group[@name='pemkab_delivery_failure']/field/@name")
        self.assertEqual(failure, ["failure_reason", "failure_message", "cancel_reason"])
        return form
