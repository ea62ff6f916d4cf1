# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
# One file per courier, by design: a new courier is one file (see pemkab_courier_provider.py).
# pylint: disable=consider-merging-classes-inherited
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..clients import BiteshipClient
from ..clients.biteship import KEY_PREFIXES, WEBHOOK_HEADER

#: The couriers an account books through Biteship: ``<courier_company>/<courier_type>``
#: (docs "Create an Order"; the codes of Biteship's courier list as public integrations
#: read it: instant Gojek and Grab, and the regular couriers for far villages).
BITESHIP_COURIERS = [
    ("gojek/instant", "GoSend Instant (Gojek)"),
    ("gojek/same_day", "GoSend Same Day (Gojek)"),
    ("grab/instant", "GrabExpress Instant"),
    ("grab/same_day", "GrabExpress Same Day"),
    ("jne/reg", "JNE Regular (far villages)"),
    ("jne/yes", "JNE YES (next day)"),
    ("jnt/ez", "J&T Regular (far villages)"),
    ("sicepat/reg", "SiCepat Regular (far villages)"),
    ("anteraja/reg", "AnterAja Regular (far villages)"),
]


class PemkabCourierProvider(models.Model):
    """Biteship, an aggregator: one contract, one API key, and the courier the account
    books (``biteship_courier``). Its API key is the account's *Client Secret / Pass Key*
    (read by system administrators only, never copied nor exported, cleared when a
    database is neutralised)."""

    _inherit = "pemkab.courier.provider"

    kind = fields.Selection(
        selection_add=[("biteship", "Biteship (aggregator)")], ondelete={"biteship": "set default"}
    )
    biteship_courier = fields.Selection(
        BITESHIP_COURIERS,
        string="Courier through Biteship",
        default="gojek/instant",
        tracking=True,
        help="The courier company and service Biteship books for this account. Instant "
        "couriers (Gojek, Grab) ride within the town; the regular ones (JNE, J&T, SiCepat, "
        "AnterAja) reach far villages in days.",
    )
    biteship_webhook_header = fields.Char(
        string="Webhook Header",
        compute="_compute_biteship_webhook_header",
        help="In Biteship's dashboard, give this as the webhook's \"Headers Signature Key\" "
        'and the Webhook Secret as its "Headers Signature Secret".',
    )

    def _compute_biteship_webhook_header(self):
        self.biteship_webhook_header = WEBHOOK_HEADER

    @api.constrains("kind", "environment", "client_secret")
    def _check_biteship_key(self):
        """A Biteship key says itself whether it books for real (``biteship_live.``): a
        test account never holds one, and a production account never a test key."""
        for provider in self.sudo().filtered(lambda p: p.kind == "biteship" and p.client_secret):
            prefix = KEY_PREFIXES[provider.environment]
            if not provider.client_secret.startswith(prefix):
                raise ValidationError(
                    self.env._(
                        "Client Secret / Pass Key: the Biteship API key of a %(environment)s "
                        "account starts with %(prefix)s.",
                        environment=dict(
                            self._fields["environment"]._description_selection(self.env)
                        )[provider.environment],
                        prefix=prefix,
                    )
                )

    def _biteship_client_class(self):
        return BiteshipClient

    def _biteship_client_kwargs(self, kwargs):
        company, courier_type = (self.biteship_courier or "gojek/instant").split("/")
        kwargs["credentials"]["api_key"] = kwargs["credentials"]["client_secret"]
        return dict(kwargs, courier_company=company, courier_type=courier_type)
