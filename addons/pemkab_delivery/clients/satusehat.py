# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""SATUSEHAT (the Ministry of Health's FHIR R4 platform) client for dispensed medicines.
Plain Python, no Odoo import (``pemkab_health`` reports its delivered prescriptions with it).

Sources
-------
* hosts and token: Kemenkes's ``kemenkesri/satusehat-mediator-client-php``,
  ``lib/Configuration.php`` (``https://api-satusehat-stg.dto.kemkes.go.id/oauth2/v1/accesstoken``
  for development/staging, ``https://api-satusehat.kemkes.go.id/oauth2/v1/accesstoken`` for
  production); the platform docs (satusehat.kemkes.go.id/platform/docs): ``POST
  {host}/oauth2/v1/accesstoken?grant_type=client_credentials`` with ``client_id`` and
  ``client_secret`` as a form, answering ``access_token`` and ``expires_in`` (about 4 hours,
  14399 s): the token is reused until then (per process, per credential); the FHIR base is
  ``{host}/fhir-r4/v1``. One credential serves one Organization.
* Patient and Practitioner by NIK: ``GET Patient?identifier=https://fhir.kemkes.go.id/id/nik|<NIK>``
  (the same for ``Practitioner``), a ``Bundle`` whose entry holds the IHS number as ``id``.
* docs, FHIR resources ``Medication`` and ``MedicationDispense`` (page
  ``/platform/docs/id/fhir/resources/medication-dispense``) and the "Pelayanan Kefarmasian"
  interoperability module (v1.2, Oct 2024, documented for the sandbox/staging environment):
  one Medication and one MedicationDispense per drug ("Satu payload Medication dan
  MedicationDispense hanya digunakan untuk dispense/pengeluaran 1 jenis obat saja");
  Medication.identifier ``http://sys-ids.kemkes.go.id/medication/{org}``, code from KFA
  ``http://sys-ids.kemkes.go.id/kfa`` (non-compounded drugs), the ``MedicationType``
  extension (``NC`` non-compound, ``EP`` divided into equal parts: a compounded drug);
  MedicationDispense (FHIR **R4** names: ``medicationReference``, ``subject``,
  ``performer[].actor``, ``whenPrepared``, ``whenHandedOver``, ``substitution``) with the two
  identifiers ``prescription/{org}`` and ``prescription-item/{org}``; times in UTC (WIB
  minus 7 hours), never before 2014-06-03.
* MedicationDispense is searched by ``subject`` (with an encounter or a prescription):
  a retry after an unknown outcome looks there first (our prescription-item identifier),
  so nothing is reported twice; a dispense reported and then not handed over is corrected
  by a JSON Patch of its ``status``. HTTP 429 (the API gateway's spike arrest) means
  back off: :class:`RetryableError` with ``retry_after``.
* Errors are FHIR ``OperationOutcome`` bodies (``issue[].severity``, ``code``,
  ``details.text``, ``expression``): :func:`outcome_issues` reads them.
"""

import hashlib
import threading
import time
from collections import namedtuple
from datetime import datetime, timezone

import requests

from .errors import AuthError, CourierError, CourierTimeout, PermanentError, RetryableError
from .transport import HttpClient

__all__ = [
    "DISPENSE_CORRECTION_STATUS",
    "KFA_SYSTEM",
    "NIK_SYSTEM",
    "PRODUCTION_HOST",
    "STAGING_HOST",
    "DispenseItem",
    "DispenseReport",
    "ReportResult",
    "SatusehatClient",
    "clear_satusehat_tokens",
    "dispense_resource",
    "fhir_time",
    "medication_resource",
    "outcome_issues",
    "report_dispenses",
]

STAGING_HOST = "https://api-satusehat-stg.dto.kemkes.go.id"
PRODUCTION_HOST = "https://api-satusehat.kemkes.go.id"
AUTH_PATH = "/oauth2/v1"
FHIR_PATH = "/fhir-r4/v1"
NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"
KFA_SYSTEM = "http://sys-ids.kemkes.go.id/kfa"
MEDICATION_TYPE_URL = "https://fhir.kemkes.go.id/r4/StructureDefinition/MedicationType"
MEDICATION_TYPE_SYSTEM = "http://terminology.kemkes.go.id/CodeSystem/medication-type"
# the earliest date SATUSEHAT takes ("tidak bisa kurang dari 03 Juni 2014")
EARLIEST = datetime(2014, 6, 3, tzinfo=timezone.utc)
#: the status a reported dispense gets when the medicine was not handed over after all
DISPENSE_CORRECTION_STATUS = "entered-in-error"
TOKEN_LIFETIME_S = 4 * 3600.0
TOKEN_MARGIN_S = 60.0

_TOKENS = {}
_TOKENS_LOCK = threading.Lock()


def clear_satusehat_tokens():
    """Forget every cached SATUSEHAT token (tests, a credential changed)."""
    with _TOKENS_LOCK:
        _TOKENS.clear()


# --------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------

#: One drug of a prescription: ``ref`` (our prescription item, unique in the
#: organization), ``kfa_code`` and ``kfa_display`` (None for a compounded drug), ``name``,
#: ``compounded``, ``quantity``, ``unit``, ``instructions`` (the signa).
DispenseItem = namedtuple(
    "DispenseItem",
    "ref kfa_code kfa_display name compounded quantity unit instructions",
)

#: What one delivered prescription reports. ``when_prepared`` / ``when_handed_over``:
#: aware datetimes (or naive UTC). ``receiver_is_patient``: the patient received it
#: (the profile names a receiver only as a Patient or Practitioner: a family member or a
#: proxy is not named). ``dispense_ids``: {item ref: id} of a report already sent (a
#: correction). ``lookup_first``: an earlier attempt may have reached SATUSEHAT.
DispenseReport = namedtuple(
    "DispenseReport",
    "organization_id location_id location_name prescription patient_nik patient_ihs "
    "practitioner_nik practitioner_ihs items when_prepared when_handed_over "
    "receiver_is_patient lookup_first dispense_ids",
)

#: The answer: ``error`` (a :class:`CourierError`) or None, the IHS numbers found, and
#: {item ref: MedicationDispense id} of what SATUSEHAT holds (also after an error).
ReportResult = namedtuple(
    "ReportResult", "error patient_ihs practitioner_ihs dispense_ids not_found"
)


def fhir_time(moment):
    """``moment`` as SATUSEHAT wants it: UTC, ``YYYY-MM-DDTHH:MM:SS+00:00``; a naive
    datetime is UTC (as Odoo stores them). Refuses a moment before 2014-06-03."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc).replace(microsecond=0)
    if moment < EARLIEST:
        raise ValueError(f"{moment.isoformat()} is before 2014-06-03")
    return moment.isoformat()


def outcome_issues(body):
    """The issues of an ``OperationOutcome`` body as ``[(severity, code, text,
    expression)]`` (``[]`` for anything else)."""
    if not isinstance(body, dict) or body.get("resourceType") != "OperationOutcome":
        return []
    issues = []
    for issue in body.get("issue") or []:
        if not isinstance(issue, dict):
            continue
        details = issue.get("details") if isinstance(issue.get("details"), dict) else {}
        text = details.get("text") or issue.get("diagnostics") or ""
        expression = issue.get("expression") or issue.get("location") or []
        if not isinstance(expression, list):
            expression = [str(expression)]
        issues.append(
            (
                str(issue.get("severity") or "error"),
                str(issue.get("code") or ""),
                str(text)[:500],
                ", ".join(str(part) for part in expression)[:200],
            )
        )
    return issues


# --------------------------------------------------------------------------------------
# Resources
# --------------------------------------------------------------------------------------


def medication_resource(organization_id, item):
    """The ``Medication`` of one drug: our identifier, its KFA code (a non-compounded
    drug), the MedicationType extension."""
    resource = {
        "resourceType": "Medication",
        "meta": {"profile": ["https://fhir.kemkes.go.id/r4/StructureDefinition/Medication"]},
        "identifier": [
            {
                "system": f"http://sys-ids.kemkes.go.id/medication/{organization_id}",
                "use": "official",
                "value": item.ref,
            }
        ],
        "status": "active",
        "extension": [
            {
                "url": MEDICATION_TYPE_URL,
                "valueCodeableConcept": {
                    "coding": [
                        {
                            "system": MEDICATION_TYPE_SYSTEM,
                            "code": "EP" if item.compounded else "NC",
                            "display": (
                                "Divide into equal parts" if item.compounded else "Non-compound"
                            ),
                        }
                    ]
                },
            }
        ],
    }
    if item.kfa_code:
        resource["code"] = {
            "coding": [{"system": KFA_SYSTEM, "code": item.kfa_code, "display": item.kfa_display}]
        }
    else:
        resource["code"] = {"text": item.name}
    return resource


def dispense_resource(report, item, medication_id, patient_ihs, practitioner_ihs):
    """The ``MedicationDispense`` (FHIR R4) of one drug handed over at home."""
    org = report.organization_id
    resource = {
        "resourceType": "MedicationDispense",
        "identifier": [
            {
                "system": f"http://sys-ids.kemkes.go.id/prescription/{org}",
                "use": "official",
                "value": report.prescription,
            },
            {
                "system": f"http://sys-ids.kemkes.go.id/prescription-item/{org}",
                "use": "official",
                "value": item.ref,
            },
        ],
        "status": "completed",
        "category": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/fhir/CodeSystem/medicationdispense-category",
                    "code": "community",
                    "display": "Community",
                }
            ]
        },
        "medicationReference": {
            "reference": f"Medication/{medication_id}",
            "display": item.kfa_display or item.name,
        },
        "subject": {"reference": f"Patient/{patient_ihs}"},
        "performer": [{"actor": {"reference": f"Practitioner/{practitioner_ihs}"}}],
        "location": {"reference": f"Location/{report.location_id}"},
        "quantity": {"value": float(item.quantity or 0), "unit": item.unit or ""},
        "whenPrepared": fhir_time(report.when_prepared),
        "whenHandedOver": fhir_time(report.when_handed_over),
        "dosageInstruction": [{"sequence": 1, "text": item.instructions or item.name}],
        "substitution": {"wasSubstituted": False},
    }
    if report.location_name:
        resource["location"]["display"] = report.location_name
    if report.receiver_is_patient:
        resource["receiver"] = [{"reference": f"Patient/{patient_ihs}"}]
    return resource


# --------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------


class SatusehatClient(HttpClient):
    """One facility's SATUSEHAT credential.

    :param host: ``https://api-satusehat-stg.dto.kemkes.go.id`` (staging),
        ``https://api-satusehat.kemkes.go.id`` (production) or the sandbox's
        ``http://127.0.0.1:8070/satusehat``.
    """

    kind = "satusehat"

    def __init__(
        self, host, client_id, client_secret, timeout=(5, 20), session=None, on_exchange=None
    ):
        host = str(host or "").rstrip("/")
        super().__init__(
            host + FHIR_PATH, timeout=timeout, session=session, on_exchange=on_exchange
        )
        if not (client_id and client_secret):
            raise AuthError("no SATUSEHAT client id or client secret", code="no_credential")
        self.auth_url = host + AUTH_PATH
        self._client_id = str(client_id)
        self._client_secret = str(client_secret)
        fingerprint = hashlib.sha256(self._client_secret.encode("utf-8")).hexdigest()[:16]
        self._cache_key = (self.auth_url, self._client_id, fingerprint)
        self._extra_secrets.update({self._client_secret})

    # -- token ------------------------------------------------------------------------

    def _auth_headers(self):
        return {"Authorization": f"Bearer {self._access_token()}"}

    def _access_token(self):
        with _TOKENS_LOCK:
            cached = _TOKENS.get(self._cache_key)
        if cached and time.monotonic() < cached[1]:
            self._extra_secrets.add(cached[0])
            return cached[0]
        token, expiry = self._fetch_token()
        with _TOKENS_LOCK:
            _TOKENS[self._cache_key] = (token, expiry)
        self._extra_secrets.add(token)
        return token

    def _refresh_auth(self):
        with _TOKENS_LOCK:
            _TOKENS.pop(self._cache_key, None)
        return True

    def _fetch_token(self):
        """``POST {auth}/accesstoken?grant_type=client_credentials``, the credential as a
        form (never in the URL, never in a log)."""
        url = f"{self.auth_url}/accesstoken"
        request = requests.Request(
            "POST",
            url,
            params={"grant_type": "client_credentials"},
            data={"client_id": self._client_id, "client_secret": self._client_secret},
            headers={"Accept": "application/json"},
        )
        prepared = self.session.prepare_request(request)
        prepared.pemkab_timeout = self.timeout
        entry = {
            "method": "POST",
            "url": self._scrub_text(prepared.url),
            "request_headers": {},
            "request_body": "client_id=***&client_secret=***",
            "status_code": None,
            "response_body": None,
            "duration_ms": 0,
            "error": None,
        }
        started = time.monotonic()
        try:
            response = self.session.send(prepared, allow_redirects=False)
        except requests.exceptions.RequestException as exc:
            error = self._classify_transport_error(exc, "GET")  # no dispense at stake
            entry["error"] = self._scrub_text(str(error))
            self._record(entry)
            raise RetryableError(f"token request: {error.message}", code="token_error") from exc
        entry["duration_ms"] = int((time.monotonic() - started) * 1000)
        entry["status_code"] = response.status_code
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code >= 300:
            error = self._classify_http_error(
                response.status_code, data, response.text, "GET", response.headers
            )
            if response.status_code in (400, 401, 403):
                error = AuthError(
                    "SATUSEHAT refused the client id and secret",
                    code="invalid_client",
                    status_code=response.status_code,
                )
            entry["error"] = self._scrub_text(str(error))
            self._record(entry)
            raise error
        self._record(entry)
        token = data.get("access_token") if isinstance(data, dict) else None
        if not token:
            raise RetryableError("the token answer has no access_token", code="bad_token")
        try:
            lifetime = min(float(data.get("expires_in") or TOKEN_LIFETIME_S), TOKEN_LIFETIME_S)
        except (TypeError, ValueError):
            lifetime = TOKEN_LIFETIME_S
        return token, started + lifetime - min(TOKEN_MARGIN_S, lifetime / 10.0)

    # -- FHIR calls -------------------------------------------------------------------

    def ihs_by_nik(self, resource_type, nik):
        """The IHS number of the ``Patient`` or ``Practitioner`` with this NIK, or None."""
        _status, bundle = self._request(
            "GET", resource_type, params={"identifier": f"{NIK_SYSTEM}|{nik}"}
        )
        for entry in (bundle or {}).get("entry") or []:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(resource, dict) and resource.get("id"):
                return str(resource["id"])
        return None

    def find_dispenses(self, patient_ihs, organization_id, prescription):
        """{prescription item: MedicationDispense id} of this prescription of the
        organization, searched by subject (SATUSEHAT searches MedicationDispense only by
        subject, with an encounter or a prescription; ours is the identifier)."""
        _status, bundle = self._request(
            "GET", "MedicationDispense", params={"subject": patient_ihs}
        )
        prescription_system = f"http://sys-ids.kemkes.go.id/prescription/{organization_id}"
        item_system = f"http://sys-ids.kemkes.go.id/prescription-item/{organization_id}"
        found = {}
        for entry in (bundle or {}).get("entry") or []:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict) or not resource.get("id"):
                continue
            identifiers = {
                ident.get("system"): ident.get("value")
                for ident in resource.get("identifier") or []
                if isinstance(ident, dict)
            }
            if identifiers.get(prescription_system) == prescription and identifiers.get(
                item_system
            ):
                found[identifiers[item_system]] = str(resource["id"])
        return found

    def post_resource(self, resource):
        """POST one resource; its id."""
        _status, answer = self._request("POST", resource["resourceType"], json_body=resource)
        if not isinstance(answer, dict) or not answer.get("id"):
            raise CourierTimeout("the answer has no id", code="no_id")
        return str(answer["id"])

    def patch_status(self, dispense_id, status):
        """JSON Patch of a MedicationDispense's ``status``."""
        self._request(
            "PATCH",
            f"MedicationDispense/{dispense_id}",
            json_body=[{"op": "replace", "path": "/status", "value": status}],
            headers={"Content-Type": "application/json-patch+json"},
        )


def report_dispenses(client, report):
    """Report (or, with ``report.dispense_ids``, correct) one delivered prescription.
    Never raises for what SATUSEHAT or the network does: the :class:`ReportResult`
    carries the error and what is known (the IHS numbers, the dispenses made)."""
    patient_ihs, practitioner_ihs = report.patient_ihs, report.practitioner_ihs
    done = dict(report.dispense_ids or {})
    not_found = None
    try:
        if report.dispense_ids:
            for dispense_id in report.dispense_ids.values():
                client.patch_status(dispense_id, DISPENSE_CORRECTION_STATUS)
            return ReportResult(None, patient_ihs, practitioner_ihs, done, None)
        if not patient_ihs:
            patient_ihs = client.ihs_by_nik("Patient", report.patient_nik)
            if not patient_ihs:
                not_found = "patient"
        if not practitioner_ihs and not not_found:
            practitioner_ihs = client.ihs_by_nik("Practitioner", report.practitioner_nik)
            if not practitioner_ihs:
                not_found = "practitioner"
        if not_found:
            return ReportResult(None, patient_ihs, practitioner_ihs, done, not_found)
        if report.lookup_first:
            done.update(
                client.find_dispenses(patient_ihs, report.organization_id, report.prescription)
            )
        for item in report.items:
            if item.ref in done:
                continue
            medication_id = client.post_resource(medication_resource(report.organization_id, item))
            done[item.ref] = client.post_resource(
                dispense_resource(report, item, medication_id, patient_ihs, practitioner_ihs)
            )
        return ReportResult(None, patient_ihs, practitioner_ihs, done, None)
    except CourierError as error:
        return ReportResult(error, patient_ihs, practitioner_ihs, done, None)
    except ValueError as error:  # a time before 2014-06-03
        return ReportResult(
            PermanentError(str(error), code="invalid_time"),
            patient_ihs,
            practitioner_ihs,
            done,
            None,
        )
