# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What can go wrong talking to a courier, as exceptions that say what to do next.

:class:`RetryableError` (try again later), :class:`CourierTimeout` (the outcome is
unknown: look the order up before booking again), :class:`PermanentError` (do not retry
as is) and its :class:`AuthError` and :class:`OrderNotFound`. Which HTTP outcome raises
which is in :mod:`.transport`. No Odoo import.
"""

__all__ = [
    "AuthError",
    "CourierError",
    "CourierTimeout",
    "OrderNotFound",
    "PermanentError",
    "RetryableError",
]


class CourierError(Exception):
    """Any failure talking to a courier.

    :ivar retryable: True when the same call may succeed later.
    :ivar status_code: the courier's HTTP status, or None when there was no answer.
    :ivar code: a short machine code (``read_timeout``, ``rate_limited``,
        ``cancel_after_pickup``, the courier's own error code, ``http_422``...).
    :ivar message: a human-readable message (the courier's when it gave one).
    :ivar retry_after: seconds the courier asked us to wait (HTTP 429), else None.
    :ivar response: the decoded error body, when there was one (not redacted: do not log
        it blindly; the ``on_exchange`` entry is the redacted copy).
    """

    retryable = False

    def __init__(self, message, *, code="error", status_code=None, retry_after=None, response=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status_code = status_code
        self.retry_after = retry_after
        self.response = response
        self.retryable = type(self).retryable

    def __str__(self):
        status = f" (HTTP {self.status_code})" if self.status_code else ""
        return f"[{self.code}] {self.message}{status}"


class RetryableError(CourierError):
    """Temporary failure (HTTP 5xx/408/429, connection error): try again later."""

    retryable = True


class CourierTimeout(RetryableError):
    """The request was sent but its outcome is unknown (no answer in time, dropped).

    After ``book()`` raised this, the order MAY exist at the courier: look it up by our
    reference (``get_order(our_ref)``) before booking again.
    """


class PermanentError(CourierError):
    """The courier refused the request (validation, business rule): do not retry as is."""


class AuthError(PermanentError):
    """HTTP 401/403: wrong or revoked credentials."""


class OrderNotFound(PermanentError):
    """HTTP 404: the courier has no such order (for a lookup: none for our reference)."""
