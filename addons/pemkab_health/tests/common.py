# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.fields import Command
from odoo.tests import new_test_user

from odoo.addons.pemkab_delivery.tests.common import PemkabCourierCommon


class PemkabHealthCommon(PemkabCourierCommon):
    """Two facilities of two agencies, one user per health role, patients with a proxy,
    and the "ready" trigger booking the courier sandbox at once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Delivery = cls.env["pemkab.health.delivery"]
        cls.Rule = cls.env["pemkab.health.approval.rule"]
        # no rule from demo data: each test sets the rules it needs
        cls.Rule.search([]).action_archive()
        cls.env["pemkab.delivery.trigger"].search(
            [("model_name", "=", "pemkab.health.delivery")]
        ).action_archive()
        cls.pharmacist_a = new_test_user(
            cls.env, login="pharmacist_a", groups="pemkab_health.group_health_user"
        )
        cls.pharmacist_b = new_test_user(
            cls.env, login="pharmacist_b", groups="pemkab_health.group_health_user"
        )
        cls.health_head_a = new_test_user(
            cls.env, login="health_head_a", groups="pemkab_health.group_health_head"
        )
        cls.health_head_b = new_test_user(
            cls.env, login="health_head_b", groups="pemkab_health.group_health_head"
        )
        cls.health_admin = new_test_user(
            cls.env, login="health_admin", groups="pemkab_health.group_health_manager"
        )
        cls.agency_a.write(
            {
                "head_ids": [Command.link(cls.health_head_a.id)],
                "member_ids": [Command.link(cls.pharmacist_a.id)],
            }
        )
        cls.agency_b.write(
            {
                "head_ids": [Command.link(cls.health_head_b.id)],
                "member_ids": [Command.link(cls.pharmacist_b.id)],
            }
        )
        cls.shelter_a.staff_ids = [Command.link(cls.pharmacist_a.id)]
        cls.shelter_b.write({"kind": "hospital", "staff_ids": [Command.link(cls.pharmacist_b.id)]})
        cls.trigger = cls.env["pemkab.delivery.trigger"].create(
            {
                "model_name": "pemkab.health.delivery",
                "state_value": "ready",
                "provider_id": cls.provider.id,
                "dispatch_mode": "auto",
            }
        )
        Partner = cls.env["res.partner"]
        cls.proxy = Partner.create(
            {
                "name": "Rina Wulandari",
                "nik": "3510164506900003",
                "health_relation": "Anak",
                "patient_mobile": "0812 3300 1002",
            }
        )
        cls.patient = Partner.create(
            {
                "name": "Sumiati",
                "is_patient": True,
                "nik": "3510165708450001",
                "bpjs_number": "0001-2345-67890",
                "patient_mobile": "0812 3300 1001",
                "street": "Jl. Kepiting No. 12",
                "kecamatan_id": cls.kec_banyuwangi.id,
                "desa_id": cls.kel_sobo.id,
                "partner_latitude": -8.2050,
                "partner_longitude": 114.3700,
                "patient_proxy_ids": [Command.link(cls.proxy.id)],
            }
        )
        cls.patient_far = Partner.create(
            {
                "name": "Slamet Riyadi",
                "is_patient": True,
                "nik": "3510090101800002",
                "patient_mobile": "0813 3300 2001",
                "street": "Dusun Krajan",
                "kecamatan_id": cls.kec_genteng.id,
                "partner_latitude": -8.3801,
                "partner_longitude": 114.1702,
            }
        )
        cls._prescription_seq = 0

    def _delivery(
        self, user=None, controlled=False, patient=None, shelter=None, lines=None, **vals
    ):
        """A draft delivery entered at the counter by ``user`` (pharmacist A)."""
        type(self)._prescription_seq += 1
        user = user or self.pharmacist_a
        lines = lines or [
            {
                "name": "Metformin",
                "strength": "500 mg",
                "quantity": 60,
                "instructions": "2x1 sesudah makan",
            },
        ]
        if controlled:
            lines = [
                *lines,
                {
                    "name": "Codeine",
                    "strength": "10 mg",
                    "quantity": 10,
                    "controlled_type": "narkotika",
                },
            ]
        values = {
            "shelter_id": (shelter or self.shelter_a).id,
            "patient_id": (patient or self.patient).id,
            "prescription_number": f"RX-{self._prescription_seq:05d} ",
            "prescriber_name": "dr. Hadi",
            "counselled": True,
            "line_ids": [Command.create(line) for line in lines],
        }
        values.update(vals)
        return self.Delivery.with_user(user).create(values)
