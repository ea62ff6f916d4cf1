# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fed to ``odoo shell`` on stdin by scripts/set-admin-password.sh (``env`` is the shell's).

Sets the password of Odoo's administrator (base.user_admin) to PEMKAB_ADMIN_PASSWORD through
the ORM, which hashes it, and commits. Refuses an empty, short or default value.
"""

import os  # noqa: I001 (run by odoo shell, not imported)

password = os.environ.get("PEMKAB_ADMIN_PASSWORD", "")
if len(password) < 12 or password.lower() == "admin":
    raise SystemExit("PEMKAB_ADMIN_PASSWORD must be set, of 12 characters at least, not 'admin'")
admin = env.ref("base.user_admin")  # noqa: F821 (odoo shell's environment)
admin.password = password
env.cr.commit()  # noqa: F821
print(f"set the password of {admin.login} (id {admin.id})")
