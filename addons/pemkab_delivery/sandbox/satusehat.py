# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The sandbox's SATUSEHAT: the token, Patient and Practitioner by NIK, Medication and
MedicationDispense (FHIR R4), as ``clients/satusehat.py`` documents them (sources there:
Kemenkes's ``satusehat-mediator-client-php`` ``lib/Configuration.php``, the platform docs'
MedicationDispense page and the "Pelayanan Kefarmasian" module). Under ``/satusehat``::

    POST  /satusehat/oauth2/v1/accesstoken?grant_type=client_credentials   (form body)
    GET   /satusehat/fhir-r4/v1/Patient?identifier=https://fhir.kemkes.go.id/id/nik|<NIK>
    GET   /satusehat/fhir-r4/v1/Practitioner?identifier=...|<NIK>
    POST  /satusehat/fhir-r4/v1/Medication
    POST  /satusehat/fhir-r4/v1/MedicationDispense
    GET   /satusehat/fhir-r4/v1/MedicationDispense?subject=<patient IHS>
    GET   /satusehat/fhir-r4/v1/MedicationDispense/<id>
    PATCH /satusehat/fhir-r4/v1/MedicationDispense/<id>   (application/json-patch+json)
    GET   /_sandbox/satusehat    {"resources": {type: [...]}, "counts": {item: n}}

Stricter than the real one where unsure: one credential, one Organization
(``satusehat_organization_id``) and its pharmacy (``satusehat_location_id``): identifiers of
another organization or another Location are refused; every element the docs mark
mandatory is checked and all that is missing is answered at once, as an
``OperationOutcome`` (``issue[]``: ``severity``, ``code``, ``details.text``,
``expression``) with HTTP 400; an element FHIR R4 does not have (an R5 name:
``medication``, ``encounter``, ``notPerformedReason``...) is refused; a time must be UTC
with its offset, not before 2014-06-03 nor in the future; a missing or expired token is a
401 ``OperationOutcome`` (code ``login``); above ``satusehat_rate_limit_per_s`` calls a
second, 429 with the gateway's ``fault`` body and ``Retry-After``. Creating is not
idempotent: the same prescription item posted twice makes two dispenses (``counts``
proves there are none). Faults: ``satusehat_fail_next`` (HTTP statuses answered to the
next API calls, one each) and ``lose_answers`` (the next N MedicationDispense are made,
then answered 504: the outcome is unknown to the client).
"""

import collections
import hashlib
import re
import time
import uuid
from datetime import datetime, timedelta, timezone

from .common import ApiError, utc_now

__all__ = ["SatusehatMixin"]

NIK_SYSTEM = "https://fhir.kemkes.go.id/id/nik"
KFA_SYSTEM = "http://sys-ids.kemkes.go.id/kfa"
MEDICATION_TYPE_URL = "https://fhir.kemkes.go.id/r4/StructureDefinition/MedicationType"
MEDICATION_TYPES = ("NC", "SD", "EP")
EARLIEST = datetime(2014, 6, 3, tzinfo=timezone.utc)
# KFA codes: 91xxxxxx active substance, 92xxxxxx virtual product (POV), 93xxxxxx actual
# product (POA), 94xxxxxx packaging (the KFA guide's numbering)
KFA_RE = re.compile(r"^9[1-4]\d{6}$")
NIK_RE = re.compile(r"^\d{16}$")
# FHIR R4 MedicationDispense and Medication elements (hl7.org/fhir/R4): anything else,
# R5's names among them, is refused
DISPENSE_ELEMENTS = frozenset(
    "resourceType id meta implicitRules language text contained extension modifierExtension "
    "identifier partOf status statusReasonCodeableConcept statusReasonReference category "
    "medicationCodeableConcept medicationReference subject context supportingInformation "
    "performer location authorizingPrescription type quantity daysSupply whenPrepared "
    "whenHandedOver destination receiver note dosageInstruction substitution detectedIssue "
    "eventHistory".split()
)
MEDICATION_ELEMENTS = frozenset(
    "resourceType id meta implicitRules language text contained extension modifierExtension "
    "identifier code status manufacturer form amount ingredient batch".split()
)
DISPENSE_STATUSES = (
    "preparation",
    "in-progress",
    "cancelled",
    "on-hold",
    "completed",
    "entered-in-error",
    "stopped",
    "declined",
    "unknown",
)
RATE_FAULT = {
    "fault": {
        "faultstring": "Spike arrest violation. Allowed rate : MessageRate{capacity=...}",
        "detail": {"errorcode": "policies.ratelimit.SpikeArrestViolation"},
    }
}


def _issue(code, text, expression=None):
    issue = {"severity": "error", "code": code, "details": {"text": text}}
    if expression:
        issue["expression"] = [expression]
    return issue


def _outcome(issues):
    return {"resourceType": "OperationOutcome", "issue": issues}


def _ihs(prefix, nik, digits):
    return prefix + str(int(hashlib.sha256(nik.encode()).hexdigest(), 16))[:digits]


def _time(value, path, issues, now):
    """The moment of a FHIR dateTime, or None with an issue."""
    if not isinstance(value, str) or not value:
        issues.append(_issue("required", f"{path} is required", path))
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        issues.append(_issue("value", f"{path}: {value!r} is not a dateTime", path))
        return None
    if moment.tzinfo is None:
        issues.append(_issue("value", f"{path}: the time needs its UTC offset", path))
        return None
    if moment.utcoffset() != timedelta(0):
        issues.append(_issue("value", f"{path}: send the time in UTC (+00:00)", path))
    if moment < EARLIEST:
        issues.append(_issue("value", f"{path}: a date before 2014-06-03 is refused", path))
    if moment > now + timedelta(minutes=5):
        issues.append(_issue("value", f"{path}: the time is in the future", path))
    return moment


class SatusehatMixin:
    """Part of :class:`~.server.CourierSandbox`: SATUSEHAT under ``/satusehat``."""

    def _satusehat_clear(self):
        self._ss_tokens = {}
        self._ss_resources = {"Medication": {}, "MedicationDispense": {}}
        self._ss_counts = collections.Counter()
        self._ss_window = collections.deque()
        self._ss_fail_next = []
        self._ss_lose = 0

    def satusehat_resources(self, resource_type=None):
        """What SATUSEHAT holds (copies): ``{type: [resources]}`` or one type's list."""
        with self._lock:
            held = {kind: list(items.values()) for kind, items in self._ss_resources.items()}
        return held[resource_type] if resource_type else held

    def satusehat_count(self, item_ref):
        """How many MedicationDispense were made for our prescription item."""
        with self._lock:
            return self._ss_counts[item_ref]

    def satusehat_fail_next(self, *statuses, lose_answers=0):
        """Answer the next API calls with these HTTP statuses (one each); make the next
        ``lose_answers`` MedicationDispense, then answer them 504."""
        with self._lock:
            self._ss_fail_next.extend(int(status) for status in statuses)
            self._ss_lose += int(lose_answers)

    # -- routing ----------------------------------------------------------------------

    def _satusehat_route(self, handler, method, seg, query):
        parts = [part for part in seg if part]
        if parts[:3] == ["oauth2", "v1", "accesstoken"] and len(parts) == 3:
            return self._satusehat_token(handler, method, query)
        if parts[:2] != ["fhir-r4", "v1"] or len(parts) < 3:
            raise ApiError(404, _outcome([_issue("not-found", "no such path")]))
        self._satusehat_rate_limit()
        self._satusehat_auth(handler)
        with self._lock:
            if self._ss_fail_next:
                status = self._ss_fail_next.pop(0)
                headers = {"Retry-After": "1"} if status == 429 else {}
                body = RATE_FAULT if status == 429 else _outcome([_issue("exception", "fault")])
                raise ApiError(status, body, headers)
        kind, rest = parts[2], parts[3:]
        if method == "GET" and kind in ("Patient", "Practitioner") and not rest:
            return self._reply(handler, 200, self._satusehat_by_nik(kind, query))
        if method == "POST" and kind in ("Medication", "MedicationDispense") and not rest:
            body = self._read_json(handler)
            created = self._satusehat_create(kind, body)
            with self._lock:
                lose = kind == "MedicationDispense" and self._ss_lose > 0
                self._ss_lose -= int(lose)
            if lose:
                raise ApiError(504, _outcome([_issue("timeout", "gateway timeout")]))
            return self._reply(handler, 201, created)
        if kind == "MedicationDispense" and method == "GET" and not rest:
            return self._reply(handler, 200, self._satusehat_search(query))
        if kind == "MedicationDispense" and len(rest) == 1 and method in ("GET", "PATCH"):
            with self._lock:
                resource = self._ss_resources["MedicationDispense"].get(rest[0])
            if resource is None:
                raise ApiError(
                    404, _outcome([_issue("not-found", f"MedicationDispense/{rest[0]}")])
                )
            if method == "PATCH":
                resource = self._satusehat_patch(handler, resource)
            return self._reply(handler, 200, resource)
        raise ApiError(404, _outcome([_issue("not-supported", f"{method} {kind}")]))

    def _satusehat_rate_limit(self):
        rate = float(self._config["satusehat_rate_limit_per_s"] or 0)
        if not rate:
            return
        now = time.monotonic()
        with self._lock:
            window = self._ss_window
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= rate:
                raise ApiError(429, RATE_FAULT, {"Retry-After": "1"})
            window.append(now)

    def _satusehat_token(self, handler, method, query):
        if method != "POST":
            raise ApiError(405, _outcome([_issue("not-supported", "use POST")]))
        if query.get("grant_type") != "client_credentials":
            raise ApiError(400, _outcome([_issue("invalid", "grant_type=client_credentials")]))
        if "client_secret" in query or "client_id" in query:
            raise ApiError(400, _outcome([_issue("security", "credentials go in the body")]))
        if "application/x-www-form-urlencoded" not in handler.headers.get("Content-Type", ""):
            raise ApiError(415, _outcome([_issue("invalid", "send a form body")]))
        body = self._read_json(handler)
        config = self._config
        if (
            body.get("client_id") != config["satusehat_client_id"]
            or body.get("client_secret") != config["satusehat_client_secret"]
        ):
            with self._lock:
                self._stats["auth_failures"] += 1
            raise ApiError(401, _outcome([_issue("login", "Invalid client_id or client_secret")]))
        token = uuid.uuid4().hex
        ttl = float(config["satusehat_token_ttl_s"])
        with self._lock:
            self._ss_tokens[token] = time.monotonic() + ttl
            self._stats["token_requests"] += 1
        self._reply(
            handler,
            200,
            {
                "access_token": token,
                "token_type": "BearerToken",
                "expires_in": str(int(ttl)),
                "issued_at": str(int(time.time() * 1000)),
                "client_id": config["satusehat_client_id"],
                "organization_name": "Sandbox",
                "status": "approved",
            },
        )
        return None

    def _satusehat_auth(self, handler):
        header = handler.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        with self._lock:
            expiry = self._ss_tokens.get(token)
        if not expiry or expiry < time.monotonic():
            with self._lock:
                self._stats["auth_failures"] += 1
            raise ApiError(401, _outcome([_issue("login", "Invalid access token")]))

    # -- resources --------------------------------------------------------------------

    def _satusehat_by_nik(self, kind, query):
        system, _sep, nik = (query.get("identifier") or "").partition("|")
        if system != NIK_SYSTEM or not NIK_RE.match(nik):
            raise ApiError(
                400, _outcome([_issue("value", "identifier: a NIK of 16 digits", "identifier")])
            )
        bundle = {"resourceType": "Bundle", "type": "searchset", "total": 0, "entry": []}
        if nik in self._config["satusehat_unknown_niks"]:
            return bundle
        ihs = _ihs("P", nik, 11) if kind == "Patient" else _ihs("100", nik, 8)
        bundle["total"] = 1
        bundle["entry"] = [
            {
                "fullUrl": f"{kind}/{ihs}",
                "resource": {"resourceType": kind, "id": ihs, "meta": {"versionId": "1"}},
            }
        ]
        return bundle

    @staticmethod
    def _known_ihs(kind, ihs):
        """An IHS number this sandbox hands out (:meth:`_satusehat_by_nik`)."""
        return bool(re.match(r"^P\d{11}$" if kind == "Patient" else r"^100\d{8}$", ihs))

    def _satusehat_create(self, kind, body):
        if not isinstance(body, dict) or body.get("resourceType") != kind:
            raise ApiError(400, _outcome([_issue("structure", f"resourceType must be {kind}")]))
        issues = (
            self._satusehat_check_medication(body)
            if kind == "Medication"
            else self._satusehat_check_dispense(body)
        )
        if issues:
            raise ApiError(400, _outcome(issues))
        resource = dict(body, id=str(uuid.uuid4()), meta={"versionId": "1"})
        with self._lock:
            self._ss_resources[kind][resource["id"]] = resource
            if kind == "MedicationDispense":
                org = self._config["satusehat_organization_id"]
                for ident in body["identifier"]:
                    if ident["system"].endswith(f"/prescription-item/{org}"):
                        self._ss_counts[ident["value"]] += 1
        return resource

    def _identifiers(self, body, systems, path, issues):
        found = {}
        for ident in body.get("identifier") or []:
            if isinstance(ident, dict) and ident.get("system") and ident.get("value"):
                found[ident["system"]] = ident["value"]
        org = self._config["satusehat_organization_id"]
        for system in systems:
            expected = f"http://sys-ids.kemkes.go.id/{system}/{org}"
            if expected not in found:
                issues.append(
                    _issue("required", f"{path}: an identifier of system {expected}", path)
                )
        others = [s for s in found if s.startswith("http://sys-ids.kemkes.go.id/")]
        if any(not s.endswith(f"/{org}") for s in others):
            issues.append(
                _issue("security", f"{path}: an identifier of another organization", path)
            )

    def _satusehat_check_medication(self, body):
        issues = []
        unknown = sorted(set(body) - MEDICATION_ELEMENTS)
        if unknown:
            issues.append(_issue("structure", f"unknown element(s): {', '.join(unknown)}"))
        self._identifiers(body, ("medication",), "Medication.identifier", issues)
        if body.get("status") not in ("active", "inactive", "entered-in-error"):
            issues.append(_issue("required", "Medication.status", "Medication.status"))
        med_type = None
        for ext in body.get("extension") or []:
            if isinstance(ext, dict) and ext.get("url") == MEDICATION_TYPE_URL:
                codings = (ext.get("valueCodeableConcept") or {}).get("coding") or [{}]
                med_type = codings[0].get("code")
        if med_type not in MEDICATION_TYPES:
            issues.append(
                _issue(
                    "required",
                    "Medication.extension: the MedicationType (NC, SD or EP)",
                    "Medication.extension",
                )
            )
        if med_type == "NC":
            codings = (body.get("code") or {}).get("coding") or []
            kfa = [c for c in codings if isinstance(c, dict) and c.get("system") == KFA_SYSTEM]
            if not kfa:
                issues.append(
                    _issue(
                        "required",
                        "Medication.code: a non-compounded drug needs its KFA code",
                        "Medication.code",
                    )
                )
            elif not KFA_RE.match(str(kfa[0].get("code") or "")):
                issues.append(
                    _issue("code-invalid", "Medication.code: not a KFA code", "Medication.code")
                )
        return issues

    def _reference(self, value, kind, path, issues):
        reference = (value or {}).get("reference") if isinstance(value, dict) else None
        prefix = f"{kind}/"
        if not reference or not str(reference).startswith(prefix):
            issues.append(_issue("required", f"{path}: a reference to a {kind}", path))
            return None
        return str(reference)[len(prefix) :]

    def _satusehat_check_dispense(self, body):
        issues = []
        unknown = sorted(set(body) - DISPENSE_ELEMENTS)
        if unknown:
            issues.append(
                _issue("structure", f"not FHIR R4 MedicationDispense: {', '.join(unknown)}")
            )
        self._identifiers(
            body, ("prescription", "prescription-item"), "MedicationDispense.identifier", issues
        )
        if body.get("status") not in DISPENSE_STATUSES:
            issues.append(
                _issue("required", "MedicationDispense.status", "MedicationDispense.status")
            )
        medication = self._reference(
            body.get("medicationReference"),
            "Medication",
            "MedicationDispense.medicationReference",
            issues,
        )
        with self._lock:
            known_medication = medication in self._ss_resources["Medication"]
        if medication and not known_medication:
            issues.append(
                _issue(
                    "not-found",
                    f"Medication/{medication} does not exist",
                    "MedicationDispense.medicationReference",
                )
            )
        patient = self._reference(
            body.get("subject"), "Patient", "MedicationDispense.subject", issues
        )
        if patient and not self._known_ihs("Patient", patient):
            issues.append(_issue("not-found", f"Patient/{patient}", "MedicationDispense.subject"))
        performers = body.get("performer") if isinstance(body.get("performer"), list) else []
        actor = self._reference(
            (performers[0] if performers and isinstance(performers[0], dict) else {}).get("actor"),
            "Practitioner",
            "MedicationDispense.performer.actor",
            issues,
        )
        if actor and not self._known_ihs("Practitioner", actor):
            issues.append(
                _issue("not-found", f"Practitioner/{actor}", "MedicationDispense.performer.actor")
            )
        location = self._reference(
            body.get("location"), "Location", "MedicationDispense.location", issues
        )
        if location and location != self._config["satusehat_location_id"]:
            issues.append(
                _issue(
                    "security",
                    f"Location/{location} is not a Location of the organization",
                    "MedicationDispense.location",
                )
            )
        quantity = body.get("quantity") if isinstance(body.get("quantity"), dict) else {}
        if not isinstance(quantity.get("value"), int | float) or quantity["value"] <= 0:
            issues.append(
                _issue(
                    "required", "MedicationDispense.quantity.value", "MedicationDispense.quantity"
                )
            )
        now = utc_now()
        prepared = _time(body.get("whenPrepared"), "MedicationDispense.whenPrepared", issues, now)
        handed = _time(body.get("whenHandedOver"), "MedicationDispense.whenHandedOver", issues, now)
        if prepared and handed and handed < prepared:
            issues.append(
                _issue(
                    "value",
                    "whenHandedOver is before whenPrepared",
                    "MedicationDispense.whenHandedOver",
                )
            )
        dosage = body.get("dosageInstruction")
        if not isinstance(dosage, list) or not dosage:
            issues.append(
                _issue(
                    "required",
                    "MedicationDispense.dosageInstruction",
                    "MedicationDispense.dosageInstruction",
                )
            )
        substitution = (
            body.get("substitution") if isinstance(body.get("substitution"), dict) else {}
        )
        if not isinstance(substitution.get("wasSubstituted"), bool):
            issues.append(
                _issue(
                    "required",
                    "MedicationDispense.substitution.wasSubstituted",
                    "MedicationDispense.substitution",
                )
            )
        for receiver in body.get("receiver") or []:
            reference = str((receiver or {}).get("reference") or "")
            if not reference.startswith(("Patient/", "Practitioner/")):
                issues.append(
                    _issue(
                        "invalid",
                        "MedicationDispense.receiver: a Patient or a Practitioner only",
                        "MedicationDispense.receiver",
                    )
                )
        return issues

    def _satusehat_search(self, query):
        subject = query.get("subject")
        if not subject:
            raise ApiError(
                400,
                _outcome(
                    [_issue("required", "MedicationDispense is searched by subject", "subject")]
                ),
            )
        subject = subject.removeprefix("Patient/")
        with self._lock:
            found = [
                resource
                for resource in self._ss_resources["MedicationDispense"].values()
                if resource["subject"]["reference"] == f"Patient/{subject}"
            ]
        return {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "entry": [{"resource": resource} for resource in found],
        }

    def _satusehat_patch(self, handler, resource):
        if "application/json-patch+json" not in handler.headers.get("Content-Type", ""):
            raise ApiError(415, _outcome([_issue("invalid", "send application/json-patch+json")]))
        operations = self._read_json(handler)
        if not isinstance(operations, list) or not operations:
            raise ApiError(400, _outcome([_issue("structure", "a JSON Patch (a list)")]))
        changes = {}
        for operation in operations:
            if (
                not isinstance(operation, dict)
                or operation.get("op") != "replace"
                or operation.get("path") != "/status"
                or operation.get("value") not in DISPENSE_STATUSES
            ):
                raise ApiError(
                    400,
                    _outcome(
                        [
                            _issue(
                                "value",
                                "only the status is replaced here",
                                "MedicationDispense.status",
                            )
                        ]
                    ),
                )
            changes["status"] = operation["value"]
        with self._lock:
            resource.update(changes)
            version = int(resource["meta"]["versionId"]) + 1
            resource["meta"] = {"versionId": str(version)}
            return dict(resource)
