#!/usr/bin/env bash
# Refresh the translation template of addons and merge it into their Indonesian catalogue.
#
#   scripts/i18n.sh pemkab_delivery [pemkab_health ...]
#
# Installs the addons in a scratch database, exports addons/<addon>/i18n/<addon>.pot with
# Odoo's own exporter, then merges it into addons/<addon>/i18n/id.po: translations already
# there are kept, new terms come with an empty msgstr for a translator to fill in, terms
# gone from the code are dropped. tests/test_i18n.py fails while a term has no Indonesian.
source "$(dirname "$0")/common.sh"
[[ $# -gt 0 ]] || die "usage: scripts/i18n.sh ADDON [ADDON ...]"
require_venv
require_postgres
db="pemkab_i18n_$$"
conf="$PEMKAB_STATE_DIR/$db.conf"
trap 'dropdb --if-exists "$db" >/dev/null 2>&1 || true; rm -f "$conf"' EXIT
write_odoo_conf "$db" "$conf"
addons=$(IFS=,; echo "$*")
"${ODOO_BIN[@]}" -c "$conf" -i "$addons" --stop-after-init --log-level=warn --http-port=0 ||
    die "installing $addons failed" 1
for addon in "$@"; do
    mkdir -p "$PROJECT_ROOT/addons/$addon/i18n"
    pot="$PROJECT_ROOT/addons/$addon/i18n/$addon.pot"
    "${ODOO_BIN[@]}" --addons-path="$ODOO_ADDONS_PATH" i18n export -c "$conf" -d "$db" \
        -o "$pot" "$addon" || die "exporting the terms of $addon failed" 1
    "$PEMKAB_VENV/bin/python" - "$pot" "$PROJECT_ROOT/addons/$addon/i18n/id.po" "$addon" <<'PY'
import sys
import polib

pot_path, po_path, addon = sys.argv[1:4]
pot = polib.pofile(pot_path)
try:
    old = {(e.msgctxt, e.msgid): e for e in polib.pofile(po_path)}
except OSError:
    old = {}
po = polib.POFile(wrapwidth=78)
po.metadata = dict(pot.metadata)
po.metadata.update({
    "Language": "id",
    "Language-Team": "Indonesian",
    "Plural-Forms": "nplurals=1; plural=0;",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "",
})
missing = 0
for entry in pot:
    previous = old.get((entry.msgctxt, entry.msgid))
    entry.msgstr = previous.msgstr if previous else ""
    missing += not entry.msgstr
    po.append(entry)
po.save(po_path)
print(f"{addon}: {len(po)} terms, {missing} without Indonesian -> {po_path}")
PY
done
