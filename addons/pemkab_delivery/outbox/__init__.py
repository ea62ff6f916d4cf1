# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the exchange with couriers runs outside the ORM, plain Python with no Odoo import:
its rules (``decisions``: what to do with a claimed booking, how to settle an answer),
the courier calls in worker threads (``runner``, no database), like queue_job's job
runner beside its models; and the rate limit those calls share with every other server
(``limiter``: a token bucket row per courier account in PostgreSQL, taken before each
HTTP call)."""

from .runner import run_job, run_jobs

__all__ = ["run_job", "run_jobs"]
