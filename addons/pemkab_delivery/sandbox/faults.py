# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fault injection of the courier sandbox: latency, 5xx, rate limits, late answers.

Driven by the settings ``latency_ms``, ``error_rate``, ``rate_limit_per_s``,
``timeout_rate``/``timeout_sleep_s`` (and the rates the webhooks and the auto-advance
loop draw with :meth:`FaultsMixin._chance`), from the seeded ``random.Random``.
"""

import time

from .common import ApiError


class FaultsMixin:
    """Chances, latency, injected errors, rate limiting and booking timeouts.

    A part of :class:`~.server.CourierSandbox`: works on its state (``_lock``,
    ``_config``, ``_stats``, the order indexes).
    """

    def _chance(self, key):
        with self._lock:
            rate = self._config[key]
            return rate > 0 and self._rng.random() < rate

    def _before_api_call(self, api, is_token):
        """Count an API call and wait the latency; then, except for Grab's token endpoint,
        apply the rate limit and the injected 503 (nothing is created)."""
        with self._lock:
            self._stats["requests"][api] += 1
            latency = self._config["latency_ms"] / 1000.0
        if latency:
            self._stop.wait(latency)
        if not is_token:
            self._check_rate(api)
            if self._chance("error_rate"):
                with self._lock:
                    self._stats["injected_errors"] += 1
                raise ApiError(503, {"message": "Service temporarily unavailable (sandbox)"})

    def _check_rate(self, api):
        with self._lock:
            limit = self._config["rate_limit_per_s"].get(api) or 0
            if limit <= 0:
                return
            window = self._windows[api]
            now = time.monotonic()
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= limit:
                self._stats["rate_limited"] += 1
                raise ApiError(429, {"message": "Too many requests"}, {"Retry-After": "1"})
            window.append(now)

    def _maybe_timeout(self):
        """Booking calls only: after creating the order, answer too late."""
        if self._chance("timeout_rate"):
            with self._lock:
                self._stats["injected_timeouts"] += 1
                sleep = self._config["timeout_sleep_s"]
            self._stop.wait(sleep)
