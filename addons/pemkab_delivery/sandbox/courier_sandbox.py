# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Entry point of the courier sandbox, by path or by import (the code is in this package).

``python addons/pemkab_delivery/sandbox/courier_sandbox.py --port 8070 ...`` runs the
command line (:mod:`.__main__`); ``from ...sandbox.courier_sandbox import CourierSandbox``
(or ``from sandbox.courier_sandbox import ...`` with ``addons/pemkab_delivery`` on
``sys.path``) gives the package's names and :func:`~.__main__.main`.
"""

import sys
from pathlib import Path

if __package__:
    from .__main__ import main
    from .common import DEFAULT_CONFIG
    from .server import CourierSandbox
else:  # run by path: import this folder as the package ``sandbox``, not its files one by one
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))
    from sandbox.__main__ import main
    from sandbox.common import DEFAULT_CONFIG
    from sandbox.server import CourierSandbox

__all__ = ["DEFAULT_CONFIG", "CourierSandbox", "main"]

if __name__ == "__main__":
    sys.exit(main())
