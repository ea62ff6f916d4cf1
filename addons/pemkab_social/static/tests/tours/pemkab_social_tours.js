/**
 * Browser tests of the social aid screens, run by pemkab_social/tests/test_tours.py
 * (which sets up the data and checks the records afterwards).
 */
import { registry } from "@web/core/registry";
import { screenshot } from "@pemkab_delivery/../tests/tours/pemkab_tour_utils";

// a server round trip on a busy two-core machine
const SLOW = 30000;

function currentState(state) {
    return `.o_statusbar_status button.o_arrow_button_current[data-value="${state}"]`;
}

// The head of the Dinas Sosial approves a period (the test opens its form): its
// beneficiary list frozen, its submitted shipments approved.
registry.category("web_tour.tours").add("pemkab_social_head", {
    steps: () => [
        {
            content: "The period's form",
            trigger: ".o_breadcrumb:contains(Sembako Desember 2026)",
        },
        {
            content: "Approve the period",
            trigger: ".o_form_statusbar button[name=action_approve]",
            run: "click",
        },
        {
            content: "Yes: it freezes the list",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Approved",
            trigger: currentState("approved"),
            timeout: SLOW,
        },
        screenshot("social-period-approved", ".o_form_view .o_form_saved"),
    ],
});

// A social officer at the dispatch board packs a shipment: the courier is requested.
registry.category("web_tour.tours").add("pemkab_social_officer", {
    url: "/odoo/action-pemkab_social.pemkab_social_shipment_action_dispatch",
    steps: () => [
        screenshot(
            "social-dispatch-board",
            ".o_kanban_view .o_kanban_record:contains(Siti Rahayu)"
        ),
        {
            content: "Open a shipment",
            trigger: ".o_kanban_record:contains(Siti Rahayu)",
            run: "click",
        },
        {
            content: "Mark it packed",
            trigger: ".o_form_statusbar button[name=action_dispatch]",
            run: "click",
        },
        {
            content: "Packed",
            trigger: currentState("packed"),
            timeout: SLOW,
        },
        {
            content: "Its courier booking",
            trigger: "button[name=action_view_delivery_bookings]:contains(Courier)",
        },
        screenshot("social-shipment-packed", ".o_form_view .o_form_saved"),
        {
            content: "Back to the board",
            trigger: ".o_breadcrumb .o_back_button a",
            run: "click",
        },
        {
            content: "The shipment is among the packed ones",
            trigger: ".o_kanban_group:contains(Packed) .o_kanban_record:contains(Siti Rahayu)",
            timeout: SLOW,
        },
    ],
});
