#!/usr/bin/env bash
# Run every test of the project on a throwaway database and print pytest's summary.
#
#   scripts/test.sh                 # pytest + pytest-odoo (HttpCase included), then drop the db
#   scripts/test.sh -k booking      # extra arguments go to pytest
#   scripts/test.sh --odoo-runner   # the same addon tests under Odoo's own runner
#                                   # (odoo-bin --test-enable --test-tags /pemkab_...)
#
# Needs an Odoo 19 tree (ODOO_PATH, default /opt/odoo-19.0) and PostgreSQL (PGHOST, or the
# installed server binaries for a private cluster): see scripts/common.sh. Without either it
# fails, it never skips. PEMKAB_KEEP_DB=1 keeps the database for a look afterwards.
# The papers' tests need wkhtmltopdf and pdftotext (poppler-utils), installed like Chromium.
# The browser tests (tours) need Chromium: installed from Debian's package when missing and
# run as root; their screenshots go to PEMKAB_SCREENSHOTS_DIR (default: a temporary directory).
source "$(dirname "$0")/common.sh"

# PEMKAB_ADDONS narrows the install, e.g. PEMKAB_ADDONS=pemkab_delivery,pemkab_health
ADDONS=${PEMKAB_ADDONS:-pemkab_delivery,pemkab_health,pemkab_social}
require_venv
require_postgres
require_chromium
require_pdf_tools
# tests/addons holds test-only addons (a minimal deliverable document that proves the
# shared workflow without health or social): installed beside pemkab_delivery.
ODOO_ADDONS_PATH="$PROJECT_ROOT/tests/addons,$ODOO_ADDONS_PATH"
if [[ ",$ADDONS," == *",pemkab_delivery,"* ]]; then ADDONS+=",pemkab_delivery_test"; fi
export PYTHONPATH="$ODOO_PATH${PYTHONPATH:+:$PYTHONPATH}"

db="pemkab_test_$(date +%Y%m%d%H%M%S)_$$"
conf="$PEMKAB_STATE_DIR/$db.conf"
cleanup() {
    if [[ -z "${PEMKAB_KEEP_DB:-}" ]]; then
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
        rm -rf "$PEMKAB_STATE_DIR/filestore/filestore/$db"
    else
        log "kept database $db (config $conf)"
    fi
    [[ -n "${PEMKAB_KEEP_DB:-}" ]] || rm -f "$conf"
}
trap cleanup EXIT

write_odoo_conf "$db" "$conf"

if [[ "${1:-}" == "--odoo-runner" ]]; then
    shift
    log "installing $ADDONS and running their tests with Odoo's runner in $db"
    "${ODOO_BIN[@]}" -c "$conf" -i "$ADDONS" --test-enable \
        --test-tags "/${ADDONS//,/,/}" \
        --stop-after-init --log-level=test --http-port=0 "$@" 2>&1 | tee "$PEMKAB_STATE_DIR/odoo-runner.log"
    rc=${PIPESTATUS[0]}
    if grep -Eq " (ERROR|CRITICAL) $db | demo data failed to install" "$PEMKAB_STATE_DIR/odoo-runner.log"; then
        log "Odoo's runner logged errors: failed"
        exit 1
    fi
    summary=$(grep -oE "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests" "$PEMKAB_STATE_DIR/odoo-runner.log" | tail -n 1)
    if [[ -z "$summary" ]]; then
        log "Odoo's runner ran no test: failed"
        exit 1
    fi
    read -r failed _ errors _ _ total _ <<<"$summary"
    if [[ "$total" == 0 ]]; then
        log "Odoo's runner ran no test: failed"
        exit 1
    fi
    echo "odoo-runner: $((total - failed - errors)) passed, $((failed + errors)) failed"
    [[ $((failed + errors)) == 0 ]] || exit 1
    exit "$rc"
fi

# The plain-Python parts (clients/, outbox/, sandbox/, tools/) first, the way scripts/run.sh
# uses them: the virtualenv's Python with no Odoo importable (PYTHONPATH cleared, pytest-odoo
# off). tests/plain/conftest.py refuses to run if Odoo imports anyway.
log "plain-Python tests (no Odoo importable): tests/plain"
(cd "$PROJECT_ROOT" && env -u PYTHONPATH "$PEMKAB_VENV/bin/python" -m pytest \
    -c tests/plain/pytest.ini tests/plain -q) || die "the plain-Python tests failed" 1

log "installing $ADDONS in the throwaway database $db"
install_log="$PEMKAB_STATE_DIR/$db-install.log"
"${ODOO_BIN[@]}" -c "$conf" -i "$ADDONS" --stop-after-init --log-level=warn --http-port=0 \
    >"$install_log" 2>&1 || { tail -n 40 "$install_log" >&2; die "installing $ADDONS failed" 1; }
if grep -E " (ERROR|CRITICAL) $db | demo data failed to install" "$install_log" >&2; then
    die "installing $ADDONS logged errors (see $install_log)" 1
fi
rm -f "$install_log"

export PEMKAB_TEST_DB="$db" PEMKAB_TEST_CONF="$conf" PEMKAB_VENV PEMKAB_STATE_DIR ODOO_PATH ODOO_ADDONS_PATH
cd "$PROJECT_ROOT"
set +o errexit
python -m pytest --odoo-config="$conf" --odoo-database="$db" --odoo-http \
    --odoo-log-level=warn -p no:cacheprovider "$@"
rc=$?
set -o errexit
if [[ $rc == 5 ]]; then
    log "pytest collected no test: that is a failure"
    exit 1
fi
exit "$rc"
