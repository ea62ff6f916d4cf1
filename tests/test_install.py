# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Each addon installs alone (Odoo brings its dependencies), upgrades, and uninstalls leaving
nothing behind; so do all the addons together.

One fresh database per addon and one for all of them: install (with demo data), upgrade,
uninstall, in that database. Odoo can exit 0 after a module failed to load, and only warns when
demo data fails, so every run's log is also searched for ERROR/CRITICAL lines and that warning.
A failure prints the log lines and the leftover rows.
"""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SUITE_LIKE = r"pemkab\_%"  # SQL LIKE pattern of the suite's module names, columns, tables
# Columns the suite adds to res.partner without the pemkab_ prefix.
PARTNER_COLUMNS = ["kecamatan_id", "desa_id", "latitude", "longitude"]
# Records of these models created by the suite (xmlid of a pemkab_* module) must be gone after
# the uninstallation: model -> table.
TECHNICAL_TABLES = {
    "ir.ui.menu": "ir_ui_menu",
    "ir.ui.view": "ir_ui_view",
    "ir.model": "ir_model",
    "ir.model.fields": "ir_model_fields",
    "ir.model.fields.selection": "ir_model_fields_selection",
    "ir.model.access": "ir_model_access",
    "ir.model.constraint": "ir_model_constraint",
    "ir.model.inherit": "ir_model_inherit",
    "ir.rule": "ir_rule",
    "res.groups": "res_groups",
    "res.groups.privilege": "res_groups_privilege",
    "ir.module.category": "ir_module_category",
    "ir.cron": "ir_cron",
    "ir.actions.act_window": "ir_act_window",
    "ir.actions.act_window.view": "ir_act_window_view",
    "ir.actions.server": "ir_act_server",
    "ir.actions.report": "ir_act_report_xml",
    "ir.actions.client": "ir_act_client",
    "ir.config_parameter": "ir_config_parameter",
    "ir.sequence": "ir_sequence",
    "mail.template": "mail_template",
    "mail.message.subtype": "mail_message_subtype",
    "mail.activity.type": "mail_activity_type",
}

UNINSTALL_SCRIPT = """
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

modules = env["ir.module.module"].search([("name", "in", {names!r}), ("state", "=", "installed")])
print("uninstalling", modules.mapped("name"))
modules.button_immediate_uninstall()
# The registry without the suite must still serve what the suite extended.
with Registry(env.cr.dbname).cursor() as cr2:
    env2 = api.Environment(cr2, SUPERUSER_ID, {{}})
    for model in ("res.partner", "res.users"):
        env2[model].get_views([(False, "form"), (False, "list"), (False, "search")])
        env2[model].search([], limit=20).read()
print("UNINSTALL-DONE")
"""


def manifest_version(addon):
    manifest = ast.literal_eval(
        (PROJECT_ROOT / "addons" / addon / "__manifest__.py").read_text(encoding="utf-8")
    )
    version = manifest.get("version", "1.0")
    return version if version.startswith("19.0.") else f"19.0.{version}"


def query(conn, sql, params=None):
    with conn.cursor() as cr:
        cr.execute(sql, params)
        return cr.fetchall()


def suite_module_states(conn):
    return dict(
        query(conn, "SELECT name, state FROM ir_module_module WHERE name LIKE %s", [SUITE_LIKE])
    )


def snapshot(conn):
    """What the installed suite owns, to look for after the uninstallation.

    Records that a module outside the suite owns too (``model_res_partner``, the ``id`` field
    of res.partner...) are not the suite's: Odoo rightly keeps them.
    """
    only_suite = """
        d.module LIKE %(like)s AND NOT EXISTS (
            SELECT 1 FROM ir_model_data o
             WHERE o.model = d.model AND o.res_id = d.res_id AND o.module NOT LIKE %(like)s)"""
    owned = query(
        conn,
        f"SELECT d.model, d.res_id, d.module || '.' || d.name FROM ir_model_data d "
        f"WHERE {only_suite}",
        {"like": SUITE_LIKE},
    )
    # Stored fields the suite adds to models of other modules: their columns must go.
    columns = query(
        conn,
        f"""SELECT replace(f.model, '.', '_'), f.name
              FROM ir_model_fields f
              JOIN ir_model_data d ON d.model = 'ir.model.fields' AND d.res_id = f.id
             WHERE {only_suite} AND f.store AND f.ttype NOT IN ('one2many', 'many2many')
               AND f.model NOT LIKE 'pemkab.%%'""",
        {"like": SUITE_LIKE},
    )
    relations = query(
        conn,
        """SELECT r.name FROM ir_model_relation r
             JOIN ir_module_module m ON m.id = r.module WHERE m.name LIKE %s""",
        [SUITE_LIKE],
    )
    # SQL constraints and indexes the suite declared (Odoo keeps the ir_model_constraint rows
    # of foreign keys after an uninstallation, but the constraints themselves must be gone).
    constraints = query(
        conn,
        """SELECT c.name FROM ir_model_constraint c
             JOIN ir_module_module m ON m.id = c.module WHERE m.name LIKE %s""",
        [SUITE_LIKE],
    )
    return {
        "owned": owned,
        "columns": columns,
        "relations": [r for (r,) in relations],
        "constraints": [c for (c,) in constraints],
    }


def leftovers(conn, before):
    """Everything of the suite still in the database, by kind (empty when clean)."""
    found = {}

    def check(label, sql, params=None):
        rows = query(conn, sql, params)
        if rows:
            found[label] = rows

    check(
        "tables named like the suite",
        """SELECT table_name FROM information_schema.tables
            WHERE table_schema = 'public' AND table_name LIKE '%%pemkab%%'""",
    )
    if before["relations"]:
        check(
            "many2many tables of the suite",
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(%s)",
            [before["relations"]],
        )
    check(
        "columns of the suite",
        """SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public' AND (column_name LIKE %s
               OR (table_name = 'res_partner' AND column_name = ANY(%s)))""",
        [SUITE_LIKE, PARTNER_COLUMNS],
    )
    for table, column in before["columns"]:
        check(
            f"column {table}.{column} added by the suite",
            """SELECT table_name, column_name FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name = %s AND column_name = %s""",
            [table, column],
        )
    check(
        "ir_model_data of the suite's modules",
        "SELECT module, name, model, res_id FROM ir_model_data WHERE module LIKE %s",
        [SUITE_LIKE],
    )
    check("ir_model rows", "SELECT id, model FROM ir_model WHERE model LIKE 'pemkab.%%'")
    check(
        "ir_model_fields rows",
        """SELECT id, model, name FROM ir_model_fields
            WHERE model LIKE 'pemkab.%%' OR name LIKE %s""",
        [SUITE_LIKE],
    )
    check(
        "ir_model_constraint (other than foreign keys) / ir_model_relation rows",
        """SELECT 'constraint', c.name, c.type FROM ir_model_constraint c
             JOIN ir_module_module m ON m.id = c.module WHERE m.name LIKE %s AND c.type <> 'f'
           UNION ALL
           SELECT 'relation', r.name, '' FROM ir_model_relation r
             JOIN ir_module_module m ON m.id = r.module WHERE m.name LIKE %s""",
        [SUITE_LIKE, SUITE_LIKE],
    )
    check(
        "PostgreSQL constraints of the suite",
        """SELECT conname, conrelid::regclass::text FROM pg_constraint
            WHERE conname LIKE '%%pemkab%%' OR conname = ANY(%s)""",
        [before["constraints"]],
    )
    check(
        "PostgreSQL indexes of the suite",
        """SELECT indexname, tablename FROM pg_indexes
            WHERE schemaname = 'public' AND (indexname LIKE '%%pemkab%%' OR indexname = ANY(%s))""",
        [before["constraints"]],
    )
    check("ir_ui_view rows", "SELECT id, name FROM ir_ui_view WHERE model LIKE 'pemkab.%%'")
    check(
        "ir_cron rows",
        """SELECT c.id, c.cron_name FROM ir_cron c
             JOIN ir_act_server s ON s.id = c.ir_actions_server_id
             JOIN ir_model m ON m.id = s.model_id
            WHERE m.model LIKE 'pemkab.%%'""",
    )
    check(
        "ir_rule rows",
        """SELECT r.id, r.name FROM ir_rule r JOIN ir_model m ON m.id = r.model_id
            WHERE m.model LIKE 'pemkab.%%'""",
    )
    existing_tables = {
        t for (t,) in query(conn, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    }
    by_model = {}
    for model, res_id, xmlid in before["owned"]:
        by_model.setdefault(model, {})[res_id] = xmlid
    for model, ids in sorted(by_model.items()):
        table = TECHNICAL_TABLES.get(model)
        if not table or table not in existing_tables:
            continue
        rows = query(conn, f"SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id", [list(ids)])
        if rows:
            found[f"{table} rows created by the suite"] = [(i, ids[i]) for (i,) in rows]
    return found


def format_leftovers(found):
    lines = []
    for label, rows in found.items():
        lines.append(f"{label} ({len(rows)}):")
        lines += [f"    {row}" for row in rows[:50]]
        if len(rows) > 50:
            lines.append(f"    ... and {len(rows) - 50} more")
    return "\n".join(lines)


# the screen each demo role lands on (res.users action_id), by the addon that sets it: a
# later addon's wins (the hospital director approves deliveries once health is there)
DEMO_LANDING = {
    "pemkab.admin": {"pemkab_delivery": "pemkab_delivery.pemkab_delivery_booking_action"},
    "rsud.officer": {"pemkab_delivery": "pemkab_delivery.pemkab_delivery_booking_action"},
    "rsud.head": {
        "pemkab_delivery": "pemkab_delivery.pemkab_delivery_service_report_action",
        "pemkab_health": "pemkab_health.pemkab_health_delivery_action_dashboard",
    },
    "apoteker.rsud": {"pemkab_health": "pemkab_health.pemkab_health_delivery_action"},
    "apoteker.pkm": {"pemkab_health": "pemkab_health.pemkab_health_delivery_action"},
    "kadinkes": {"pemkab_health": "pemkab_health.pemkab_health_delivery_action_dashboard"},
    "gancang.admin": {"pemkab_health": "pemkab_health.pemkab_health_delivery_action_dashboard"},
    "dinsos.head": {"pemkab_social": "pemkab_social.pemkab_social_shipment_action_dashboard"},
    "dinsos.officer": {"pemkab_social": "pemkab_social.pemkab_social_shipment_action_dispatch"},
}


def check_demo_landing(conn, addons):
    """Each demo role lands on its own screen; the demo company is the regency's."""
    installed = {"pemkab_delivery", *addons}
    expected = {}
    for login, by_addon in DEMO_LANDING.items():
        for addon in ("pemkab_delivery", "pemkab_health", "pemkab_social"):
            if addon in installed and addon in by_addon:
                expected[login] = by_addon[addon]
    landing = dict(
        query(
            conn,
            "SELECT u.login, d.module || '.' || d.name FROM res_users u "
            "JOIN ir_model_data d ON d.model = 'ir.actions.act_window' AND d.res_id = u.action_id "
            "WHERE u.login = ANY(%s)",
            [list(DEMO_LANDING)],
        )
    )
    assert landing == expected, f"demo users' landing screens: {landing}"
    [(company,)] = query(conn, "SELECT name FROM res_company WHERE id = 1")
    assert company == "Pemerintah Kabupaten Banyuwangi", company
    # ... which sends its SMS to the sandbox's SMS gateway: none queued for Odoo's IAP
    [(provider, gateway)] = query(
        conn, "SELECT sms_provider, pemkab_sms_gateway_url FROM res_company WHERE id = 1"
    )
    assert (provider, gateway) == (
        "pemkab_gateway",
        "http://127.0.0.1:8070/sms/reguler/api/sendsms/",
    ), (provider, gateway)
    [(elsewhere,)] = query(
        conn,
        "SELECT count(*) FROM sms_sms s LEFT JOIN res_company c ON c.id = s.record_company_id "
        "WHERE c.sms_provider IS DISTINCT FROM 'pemkab_gateway'",
    )
    assert elsewhere == 0, (
        f"{elsewhere} demo SMS would go through another provider than the gateway"
    )


def install_upgrade_uninstall(odoo_env, pg_connect, db, addons):
    names = ",".join(addons)

    # Install, with demo data: Odoo 19 creates databases without it unless asked.
    odoo_env.run_odoo("-d", db, "-i", names, "--with-demo", "--stop-after-init").check(
        f"installing {names} in a new database"
    )
    conn = pg_connect(db)
    states = suite_module_states(conn)
    assert all(states.get(a) == "installed" for a in addons), f"after -i {names}: {states}"
    demo = dict(
        query(conn, "SELECT name, demo FROM ir_module_module WHERE name = ANY(%s)", [list(addons)])
    )
    assert all(demo.values()), f"demo data not loaded: {demo}"
    check_demo_landing(conn, addons)

    # Upgrade.
    odoo_env.run_odoo("-d", db, "-u", names, "--stop-after-init").check(f"upgrading {names}")
    states = suite_module_states(conn)
    assert all(states.get(a) == "installed" for a in addons), f"after -u {names}: {states}"
    versions = dict(
        query(
            conn,
            "SELECT name, latest_version FROM ir_module_module WHERE name = ANY(%s)",
            [list(addons)],
        )
    )
    assert versions == {a: manifest_version(a) for a in addons}

    # Uninstall the suite's modules (those installed as dependencies too).
    before = snapshot(conn)
    assert before["owned"], "the suite owns no record: snapshot query broken?"
    installed = sorted(n for n, s in suite_module_states(conn).items() if s == "installed")
    result = odoo_env.run_odoo(
        "-d", db, "--no-http", command="shell", stdin=UNINSTALL_SCRIPT.format(names=installed)
    )
    problems = [result.failure(f"uninstalling {installed}")]
    if "UNINSTALL-DONE" not in result.output:
        problems.append("the uninstall script did not finish")
    states = suite_module_states(conn)
    if any(s != "uninstalled" for s in states.values()):
        problems.append(f"module states after the uninstallation: {states}")
    found = leftovers(conn, before)
    if found:
        problems.append(f"uninstalling {installed} left rows behind:\n{format_leftovers(found)}")
    problems = [p for p in problems if p]
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


def test_install_alone_upgrade_uninstall(pemkab_addon, odoo_env, pg_connect, scratch_db):
    install_upgrade_uninstall(odoo_env, pg_connect, scratch_db(pemkab_addon), [pemkab_addon])


def test_install_all_together_upgrade_uninstall(suite_addons, odoo_env, pg_connect, scratch_db):
    if len(suite_addons) < 2:
        pytest.skip(f"only {suite_addons}: the single-addon test covers it")
    install_upgrade_uninstall(odoo_env, pg_connect, scratch_db("all"), suite_addons)
