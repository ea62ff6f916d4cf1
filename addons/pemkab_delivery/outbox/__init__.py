# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the outbox runs outside the ORM: courier calls in worker threads (plain Python,
no database, no Odoo import), like queue_job's job runner beside its models; and the
rate limit those calls share with every other server (``limiter``: a token bucket row
per courier account in PostgreSQL, taken before each HTTP call)."""

from .runner import run_job, run_jobs

__all__ = ["run_job", "run_jobs"]
