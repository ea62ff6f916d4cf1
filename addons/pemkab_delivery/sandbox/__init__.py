# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Local courier sandbox (GoSend-like and Grab-like APIs) for development and tests.

Stdlib + ``requests`` only, no Odoo import; see :mod:`.courier_sandbox`.
"""

from .courier_sandbox import DEFAULT_CONFIG, CourierSandbox

__all__ = ["DEFAULT_CONFIG", "CourierSandbox"]
