/**
 * Browser tests of the health screens, run by pemkab_health/tests/test_tours.py (which
 * sets up the data and checks the records afterwards).
 */
import { registry } from "@web/core/registry";
import { screenshot } from "@pemkab_delivery/../tests/tours/pemkab_tour_utils";

// a server round trip on a busy two-core machine
const SLOW = 30000;

function currentState(state) {
    return `.o_statusbar_status button.o_arrow_button_current[data-value="${state}"]`;
}

// The pharmacist at the counter: a new prescription, verified, ready at the shelter.
registry.category("web_tour.tours").add("pemkab_health_pharmacist", {
    url: "/odoo/action-pemkab_health.pemkab_health_delivery_action",
    steps: () => [
        screenshot(
            "health-pharmacy-counter",
            ".o_kanban_view .o_kanban_record:contains(Slamet Riyadi)"
        ),
        {
            content: "A new prescription delivery",
            trigger: ".o_control_panel .o-kanban-button-new",
            run: "click",
        },
        {
            content: "Scan the prescription number",
            trigger: ".o_field_widget[name=prescription_number] input",
            run: "edit RX-2026-0417",
        },
        {
            content: "Choose the patient",
            trigger: ".o_field_widget[name=patient_id] input",
            run: "edit Sumiati",
        },
        {
            trigger: ".o_field_widget[name=patient_id] .o-autocomplete--dropdown-item:contains(Sumiati)",
            run: "click",
        },
        {
            content: "Her mobile comes with her",
            trigger: ".o_field_widget[name=patient_mobile]:contains(3300)",
        },
        {
            trigger: ".o_field_widget[name=prescriber_name] input",
            run: "edit dr. Hadi Santoso",
        },
        {
            content: "The patient was counselled",
            trigger: ".o_field_widget[name=counselled] input[type=checkbox]",
            run: "click",
        },
        {
            content: "Add a medicine",
            trigger: ".o_field_widget[name=line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=line_ids] .o_selected_row [name=name] input",
            run: "edit Amlodipine",
        },
        {
            trigger: ".o_field_widget[name=line_ids] .o_selected_row [name=strength] input",
            run: "edit 10 mg",
        },
        {
            trigger: ".o_field_widget[name=line_ids] .o_selected_row [name=quantity] input",
            run: "edit 30",
        },
        {
            trigger: ".o_field_widget[name=line_ids] .o_selected_row [name=instructions] input",
            run: "edit 1x1 pagi",
        },
        {
            content: "Verify: saves, and no rule holds it back",
            trigger: ".o_form_statusbar button[name=action_verify]",
            run: "click",
        },
        {
            content: "Approved at once",
            trigger: currentState("approved"),
            timeout: SLOW,
        },
        {
            content: "Ready at the shelter: the courier is requested",
            trigger: ".o_form_statusbar button[name=action_dispatch]",
            run: "click",
        },
        {
            content: "Ready",
            trigger: currentState("ready"),
            timeout: SLOW,
        },
        {
            content: "Its courier booking",
            trigger: "button[name=action_view_delivery_bookings]:contains(Courier)",
        },
        screenshot("health-prescription-ready", ".o_form_view .o_form_saved"),
        {
            content: "Back to the counter",
            trigger: ".o_breadcrumb .o_back_button a",
            run: "click",
        },
        {
            content: "The new delivery is on the counter's board, ready",
            trigger: ".o_kanban_group:contains(Ready at Shelter) .o_kanban_record:contains(RX-2026-0417)",
            timeout: SLOW,
        },
    ],
});

// The head of health: lands on the dashboard (deliveries per kecamatan by state), then
// the approval queue (why each waits, the patient, the medicines), every held delivery
// approved at once; the button says how many.
registry.category("web_tour.tours").add("pemkab_health_head", {
    steps: () => [
        {
            content: "The head lands on the dashboard's chart",
            trigger: ".o_graph_view .o_graph_renderer canvas",
            timeout: SLOW,
        },
        screenshot("health-dashboard", ".o_graph_view .o_graph_renderer canvas"),
        {
            content: "The approval queue",
            trigger: ".o_menu_sections [data-menu-xmlid='pemkab_health.menu_pemkab_health_approval']",
            run: "click",
        },
        {
            content: "Each held delivery says why, for whom and with what",
            trigger:
                ".o_list_view .o_data_row:contains(RX-HOLD-0002):contains(narkotika):contains(Codeine 10 mg)",
            timeout: SLOW,
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Slamet Riyadi):contains(Jarak lebih dari 15 km)",
        },
        screenshot("health-approval-queue", ".o_list_view .o_data_row:contains(RX-HOLD-0002)"),
        {
            content: "Select every delivery of the queue",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Approve them",
            trigger: ".o_control_panel button[name=action_approve]",
            run: "click",
        },
        {
            content: "The count of what was approved",
            trigger: ".o_notification:contains(2)",
            timeout: SLOW,
        },
        {
            content: "Nothing waits any more",
            trigger: ".o_view_nocontent",
            timeout: SLOW,
        },
    ],
});
