from . import controllers
from . import models
from . import report
from . import wizards


def uninstall_hook(env):
    """Drop the rate limit's token buckets (a plain table, see outbox/limiter.py)."""
    from odoo.tools import SQL

    from .outbox.limiter import BUCKET_TABLE

    env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(BUCKET_TABLE)))
