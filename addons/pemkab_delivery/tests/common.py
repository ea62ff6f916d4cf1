# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import TransactionCase, new_test_user


class PemkabDeliveryCommon(TransactionCase):
    """Agencies, shelters and one user per role, shared by the addon's tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.Area = cls.env["pemkab.area"]
        cls.kec_banyuwangi = cls.env.ref("pemkab_delivery.area_35_10_16")
        cls.kel_sobo = cls.env.ref("pemkab_delivery.area_35_10_16_1002")
        cls.kec_genteng = cls.env.ref("pemkab_delivery.area_35_10_09")
        cls.agency_a = cls.env["pemkab.agency"].create({"name": "Agency A", "code": "AG-A"})
        cls.agency_b = cls.env["pemkab.agency"].create({"name": "Agency B", "code": "AG-B"})
        cls.user_officer_a = new_test_user(
            cls.env, login="officer_a", groups="pemkab_delivery.group_delivery_user"
        )
        cls.user_head_a = new_test_user(
            cls.env, login="head_a", groups="pemkab_delivery.group_delivery_head"
        )
        cls.user_head_b = new_test_user(
            cls.env, login="head_b", groups="pemkab_delivery.group_delivery_head"
        )
        cls.user_manager = new_test_user(
            cls.env, login="delivery_admin", groups="pemkab_delivery.group_delivery_manager"
        )
        cls.user_internal = new_test_user(cls.env, login="plain_internal", groups="base.group_user")
        cls.agency_a.write(
            {"head_ids": [(4, cls.user_head_a.id)], "member_ids": [(4, cls.user_officer_a.id)]}
        )
        cls.agency_b.head_ids = cls.user_head_b
        cls.shelter_a = cls.env["pemkab.shelter"].create(
            {
                "name": "Shelter A",
                "code": "SH-A",
                "kind": "puskesmas",
                "agency_id": cls.agency_a.id,
                "kecamatan_id": cls.kec_banyuwangi.id,
                "desa_id": cls.kel_sobo.id,
                "latitude": -8.2100,
                "longitude": 114.3600,
                "phone": "0333 421118",
            }
        )
