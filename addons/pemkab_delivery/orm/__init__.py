# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Helpers that work on the ORM's records and SQL (bulk insert, demo data driving).

Apart from ``tools/`` on purpose: ``tools/``, ``clients/``, ``outbox/`` and ``sandbox/``
are plain Python that imports and runs with no Odoo importable (the courier sandbox is
started by path with the project's virtualenv alone); what needs Odoo lives here.
"""

from .bulk import insert_rows, log_tracking  # noqa: F401
