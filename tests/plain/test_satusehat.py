# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The SATUSEHAT client (clients/satusehat.py) against the sandbox's SATUSEHAT
(sandbox/satusehat.py) on loopback, with no Odoo importable: the token and its cache, the
IHS lookups by NIK, one Medication and one MedicationDispense per drug in FHIR R4, every
mandatory element checked, the OperationOutcome read, a retry that finds what an unknown
outcome made, the correction by PATCH, 429."""

import logging
from datetime import datetime, timedelta, timezone

import pytest
import requests
from clients import RetryableError, SatusehatClient, clear_satusehat_tokens
from clients.errors import AuthError, PermanentError
from clients.satusehat import (
    DispenseItem,
    DispenseReport,
    dispense_resource,
    fhir_time,
    medication_resource,
    outcome_issues,
    report_dispenses,
)
from sandbox.server import CourierSandbox

ORG = "10000004"
LOCATION = "52e135eb-1956-4871-ba13-e833e662484d"
SECRET = "sandbox-satusehat-secret"


@pytest.fixture
def sandbox():
    clear_satusehat_tokens()
    with CourierSandbox(seed=20) as running:
        yield running


def _client(sandbox, secret=SECRET, exchanges=None):
    return SatusehatClient(
        sandbox.url + "/satusehat",
        "sandbox-satusehat-client",
        secret,
        timeout=(2, 5),
        on_exchange=exchanges.append if exchanges is not None else None,
    )


def _report(**changes):
    now = datetime.now(tz=timezone.utc)
    values = {
        "organization_id": ORG,
        "location_id": LOCATION,
        "location_name": "Instalasi Farmasi RSUD Blambangan",
        "prescription": "RSB-2026-000123",
        "patient_nik": "3510165708450001",
        "patient_ihs": None,
        "practitioner_nik": "3510164506900003",
        "practitioner_ihs": None,
        "items": [
            DispenseItem(
                "RSB-2026-000123-1",
                "92000454",
                "Amlodipine Besilate 5 mg Tablet",
                "Amlodipine",
                False,
                30,
                "tablet",
                "1x1 pagi",
            ),
            DispenseItem(
                "RSB-2026-000123-2", None, None, "Puyer batuk", True, 10, "bungkus", "3x1"
            ),
        ],
        "when_prepared": now - timedelta(hours=2),
        "when_handed_over": now - timedelta(minutes=5),
        "receiver_is_patient": False,
        "lookup_first": False,
        "dispense_ids": None,
    }
    values.update(changes)
    return DispenseReport(**values)


def test_report_one_medication_and_one_dispense_per_drug(sandbox):
    exchanges = []
    client = _client(sandbox, exchanges=exchanges)
    result = report_dispenses(client, _report())
    assert result.error is None, result.error
    assert result.patient_ihs.startswith("P") and result.practitioner_ihs.startswith("100")
    assert set(result.dispense_ids) == {"RSB-2026-000123-1", "RSB-2026-000123-2"}
    held = sandbox.satusehat_resources()
    assert len(held["Medication"]) == 2 and len(held["MedicationDispense"]) == 2
    dispense = next(
        d for d in held["MedicationDispense"] if d["id"] == result.dispense_ids["RSB-2026-000123-1"]
    )
    # R4 names, UTC times, the organization's identifiers, no receiver for a proxy
    assert dispense["medicationReference"]["reference"].startswith("Medication/")
    assert (
        dispense["performer"][0]["actor"]["reference"] == f"Practitioner/{result.practitioner_ihs}"
    )
    assert dispense["whenHandedOver"].endswith("+00:00")
    assert dispense["substitution"] == {"wasSubstituted": False}
    assert "receiver" not in dispense
    # the token was asked once (cached), and no log carries the secret nor the token
    assert sandbox.stats()["token_requests"] == 1
    logged = repr(exchanges)
    assert SECRET not in logged and "Bearer" not in logged.replace("'***'", "")
    tokens = list(sandbox._ss_tokens)
    assert tokens and all(token not in logged for token in tokens)


def test_token_cached_per_credential_and_renewed_after_401(sandbox):
    client = _client(sandbox)
    assert client.ihs_by_nik("Patient", "3510165708450001")
    assert _client(sandbox).ihs_by_nik("Practitioner", "3510164506900003")
    assert sandbox.stats()["token_requests"] == 1
    sandbox.revoke_tokens()
    assert client.ihs_by_nik("Patient", "3510165708450001")
    assert sandbox.stats()["token_requests"] == 2


def test_wrong_secret_is_an_auth_error_without_the_secret(sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    client = _client(sandbox, secret="wrong-secret-4242")
    result = report_dispenses(client, _report())
    assert isinstance(result.error, AuthError)
    assert "wrong-secret-4242" not in str(result.error) + caplog.text


def test_unknown_nik_is_not_found(sandbox):
    sandbox.configure(satusehat_unknown_niks=["3510165708450001"])
    result = report_dispenses(_client(sandbox), _report())
    assert result.error is None and result.not_found == "patient"
    assert not sandbox.satusehat_resources("MedicationDispense")


def test_missing_mandatory_elements_answer_an_operation_outcome(sandbox):
    client = _client(sandbox)
    report = _report(patient_ihs="P00000000001", practitioner_ihs="10000000001")
    item = report.items[0]
    medication_id = client.post_resource(medication_resource(ORG, item))
    body = dispense_resource(report, item, medication_id, "P00000000001", "10000000001")
    for key in ("subject", "performer", "substitution", "whenHandedOver"):
        del body[key]
    body["medication"] = {"reference": {"reference": f"Medication/{medication_id}"}}  # R5
    with pytest.raises(PermanentError) as caught:
        client.post_resource(body)
    issues = outcome_issues(caught.value.response)
    expressions = {issue[3] for issue in issues}
    assert {
        "MedicationDispense.subject",
        "MedicationDispense.performer.actor",
        "MedicationDispense.substitution",
        "MedicationDispense.whenHandedOver",
    } <= expressions
    assert any("not FHIR R4" in issue[2] and "medication" in issue[2] for issue in issues)
    assert caught.value.status_code == 400


def test_no_kfa_code_for_a_non_compounded_drug_is_refused(sandbox):
    item = _report().items[0]._replace(kfa_code=None)
    result = report_dispenses(_client(sandbox), _report(items=[item]))
    assert isinstance(result.error, PermanentError)
    assert any("KFA" in issue[2] for issue in outcome_issues(result.error.response))


def test_another_organizations_location_and_times_are_refused(sandbox):
    report = _report(location_id="another-location")
    result = report_dispenses(_client(sandbox), report)
    assert any(
        issue[3] == "MedicationDispense.location" for issue in outcome_issues(result.error.response)
    )
    with pytest.raises(ValueError):
        fhir_time(datetime(2014, 6, 2, 23, 0))
    # WIB minus 7 hours
    wib = timezone(timedelta(hours=7))
    assert fhir_time(datetime(2023, 8, 23, 17, 35, tzinfo=wib)) == "2023-08-23T10:35:00+00:00"


def test_retry_after_an_unknown_outcome_reports_nothing_twice(sandbox):
    client = _client(sandbox)
    sandbox.satusehat_fail_next(lose_answers=1)  # the first dispense is made, its answer lost
    first = report_dispenses(client, _report())
    assert first.error is not None and first.error.retryable
    assert sandbox.satusehat_count("RSB-2026-000123-1") == 1
    second = report_dispenses(
        client,
        _report(
            lookup_first=True,
            patient_ihs=first.patient_ihs,
            practitioner_ihs=first.practitioner_ihs,
        ),
    )
    assert second.error is None
    assert sandbox.satusehat_count("RSB-2026-000123-1") == 1
    assert sandbox.satusehat_count("RSB-2026-000123-2") == 1


def test_a_correction_patches_the_status(sandbox):
    client = _client(sandbox)
    sent = report_dispenses(client, _report())
    corrected = report_dispenses(client, _report(dispense_ids=sent.dispense_ids))
    assert corrected.error is None
    statuses = {d["status"] for d in sandbox.satusehat_resources("MedicationDispense")}
    assert statuses == {"entered-in-error"}


def test_429_is_retryable_with_retry_after(sandbox):
    client = _client(sandbox)
    client.ihs_by_nik("Patient", "3510165708450001")
    sandbox.configure(satusehat_rate_limit_per_s=1)
    client.ihs_by_nik("Patient", "3510165708450001")
    with pytest.raises(RetryableError) as caught:
        client.ihs_by_nik("Patient", "3510165708450001")
    assert caught.value.code == "rate_limited" and caught.value.retry_after == 1.0


def test_token_refused_in_the_url_and_without_a_form(sandbox):
    url = sandbox.url + "/satusehat/oauth2/v1/accesstoken"
    answer = requests.post(
        url,
        params={"grant_type": "client_credentials", "client_secret": SECRET},
        timeout=5,
    )
    assert answer.status_code == 400
    answer = requests.post(
        url, params={"grant_type": "client_credentials"}, json={"client_id": "x"}, timeout=5
    )
    assert answer.status_code == 415
    answer = requests.get(sandbox.url + "/satusehat/fhir-r4/v1/Patient", timeout=5)
    assert answer.status_code == 401
    assert answer.json()["issue"][0]["code"] == "login"
