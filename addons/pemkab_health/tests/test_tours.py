# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The health screens in a real headless Chromium (Odoo tours,
``static/tests/tours/pemkab_health_tours.js``): the pharmacist at the counter, the head
on the dashboard and at the approval queue, and the citizen's page on a phone; each
saves its screenshots (``PEMKAB_SCREENSHOTS_DIR``)."""

import json

from odoo.tests import HttpCase, tagged

from odoo.addons.pemkab_delivery.tests.tour import SCREENSHOT_SIGNAL, PemkabTourMixin

from .common import PemkabHealthCommon


@tagged("post_install", "-at_install")
class TestHealthTours(PemkabTourMixin, PemkabHealthCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # names a reader of the screenshots recognises
        cls.env.company.name = "Pemerintah Kabupaten Banyuwangi"
        cls.agency_a.name = "RSUD Blambangan"
        cls.shelter_a.write({"name": "Apotek RSUD Blambangan", "code": "APT-RSUD"})
        cls.pharmacist_a.name = "Apt. Dewi Lestari"
        cls.health_head_a.name = "dr. Bambang Suprapto"
        cls.rule_far = cls.Rule.create({"name": "Jarak lebih dari 15 km", "min_distance_km": 15})

    def _counter_board(self):
        """Deliveries of several states on the counter, as on a working morning."""
        draft = self._delivery(patient=self.patient_far, prescription_number="RX-2026-0398")
        approved = self._delivery(prescription_number="RX-2026-0401")
        approved.action_verify()
        held = self._delivery(controlled=True, prescription_number="RX-2026-0405")
        held.action_verify()
        ready = self._delivery(patient=self.patient_far, prescription_number="RX-2026-0392")
        ready.action_verify()
        ready.with_user(self.health_head_a).action_approve()
        ready.action_mark_ready()
        return draft | approved | held | ready

    def test_pharmacist_enters_verifies_and_readies_a_prescription(self):
        self._counter_board()
        self.start_tour("/odoo", "pemkab_health_pharmacist", login="pharmacist_a")
        self.env.invalidate_all()
        delivery = self.Delivery.search([("prescription_number", "=", "RX-2026-0417")])
        self.assertEqual(len(delivery), 1)
        self.assertEqual(delivery.state, "ready")
        self.assertEqual(delivery.patient_id, self.patient)
        self.assertEqual(delivery.shelter_id, self.shelter_a, "the pharmacist's facility")
        self.assertEqual(delivery.verified_by_id, self.pharmacist_a)
        self.assertTrue(delivery.counselled)
        self.assertFalse(delivery.approval_required)
        self.assertEqual(
            delivery.line_ids.mapped(lambda line: (line.name, line.strength, line.quantity)),
            [("Amlodipine", "10 mg", 30)],
        )
        self.assertEqual(delivery.delivery_booking_id.state, "requested", "the courier asked")
        self.assertEqual(delivery.delivery_booking_id.provider_id, self.provider)

    def test_head_approves_the_queue(self):
        far = self._delivery(patient=self.patient_far, prescription_number="RX-HOLD-0001")
        controlled = self._delivery(controlled=True, prescription_number="RX-HOLD-0002")
        elsewhere = self._delivery(
            user=self.pharmacist_b,
            shelter=self.shelter_b,
            patient=self.patient_far,
            prescription_number="RX-HOLD-0003",
        )
        held = far | controlled
        held.action_verify()
        elsewhere.action_verify()
        self.assertEqual(set(held.mapped("state")), {"to_approve"})
        self.assertEqual(elsewhere.state, "approved", "another agency's: approved at once")
        controlled_b = self._delivery(
            user=self.pharmacist_b,
            shelter=self.shelter_b,
            controlled=True,
            prescription_number="RX-HOLD-0004",
        )
        controlled_b.action_verify()
        # the head's landing, as the demo's heads have it
        self.health_head_a.action_id = self.env.ref(
            "pemkab_health.pemkab_health_delivery_action_dashboard"
        ).id
        self.start_tour("/odoo", "pemkab_health_head", login="health_head_a")
        self.env.invalidate_all()
        self.assertEqual(set(held.mapped("state")), {"approved"})
        self.assertEqual(held.approved_by_id, self.health_head_a)
        self.assertTrue(controlled.controlled_approved)
        self.assertEqual(controlled_b.state, "to_approve", "another agency's queue")

    def test_citizen_page_on_a_phone(self):
        delivery = self._delivery()
        delivery.action_verify()
        delivery.action_mark_ready()
        self._run_outbox()
        booking = delivery.delivery_booking_id
        self._courier(booking, "driver_assigned")
        self._courier(booking, "picked_up")
        self.assertEqual(delivery.state, "out_for_delivery")
        self.browser_size = "412x680"
        self.browser_js(
            f"/lacak/{delivery.access_token}?lang=en",
            citizen_page_check(
                status="On the way to you",
                shown=[delivery.name, booking.driver_name, self.shelter_a.name],
                hidden=["Metformin", self.patient.nik, "Jl. Kepiting", "3300 1001"],
                done_steps=4,
                screenshot="citizen-page",
            ),
            ready="document.readyState === 'complete'",
            login=None,
            timeout=self.tour_timeout,
        )


def citizen_page_check(status, shown, hidden, done_steps, screenshot):
    """Browser code: the page shows ``status``, every text of ``shown`` and none of
    ``hidden``, its timeline ``done_steps`` steps done; then the screenshot."""
    return """
    (async () => {
        const args = %(args)s;
        const text = document.body.innerText;
        const status = document.querySelector("#pemkab-status");
        const done = document.querySelectorAll("#pemkab-timeline li.done").length;
        const problems = [];
        if (!status || !status.innerText.includes(args.status)) {
            problems.push(`status ${status && status.innerText}, not ${args.status}`);
        }
        for (const want of args.shown) {
            if (!text.includes(want)) problems.push(`${want} not shown`);
        }
        for (const secret of args.hidden) {
            if (text.includes(secret)) problems.push(`${secret} shown`);
        }
        if (done !== args.done_steps) {
            problems.push(`${done} steps done, not ${args.done_steps}`);
        }
        if (problems.length) {
            console.error("citizen page: " + problems.join("; "));
            return;
        }
        const data = document.body.dataset;
        console.log(args.signal + args.screenshot);
        const deadline = Date.now() + 30000;
        while (data.pemkabScreenshot !== args.screenshot) {
            if (data.pemkabScreenshotError || Date.now() > deadline) {
                console.error(data.pemkabScreenshotError || "screenshot not saved");
                return;
            }
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        console.log("test successful");
    })()
    """ % {
        "args": json.dumps(
            {
                "status": status,
                "shown": shown,
                "hidden": hidden,
                "done_steps": done_steps,
                "screenshot": screenshot,
                "signal": SCREENSHOT_SIGNAL,
            }
        )
    }
