# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.fields import Command
from odoo.tests import new_test_user

from odoo.addons.pemkab_delivery.tests.common import PemkabCourierCommon


def make_nik(kecamatan_code, serial, day=1, month=1, year=80, female=False):
    """A valid Banyuwangi NIK: 3510 + kecamatan + DDMMYY (women: day + 40) + serial."""
    return "3510%s%02d%02d%02d%04d" % (
        kecamatan_code,
        day + 40 if female else day,
        month,
        year,
        serial,
    )


class PemkabSocialCommon(PemkabCourierCommon):
    """Dinas Sosial, its warehouse, one user per social role, a program and a period, and
    a trigger booking the courier sandbox when a shipment is packed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dinsos = cls.env.ref("pemkab_delivery.agency_dinsos")
        cls.dinkes = cls.env.ref("pemkab_delivery.agency_dinkes")
        cls.user_social_head = new_test_user(
            cls.env, login="social_head", groups="pemkab_social.group_social_head"
        )
        cls.user_officer_bwi = new_test_user(
            cls.env, login="social_officer_bwi", groups="pemkab_social.group_social_officer"
        )
        cls.user_officer_gtg = new_test_user(
            cls.env, login="social_officer_gtg", groups="pemkab_social.group_social_officer"
        )
        cls.user_dinkes = new_test_user(
            cls.env, login="dinkes_officer", groups="pemkab_delivery.group_delivery_user"
        )
        cls.user_officer_bwi.pemkab_social_kecamatan_ids = cls.kec_banyuwangi
        cls.user_officer_gtg.pemkab_social_kecamatan_ids = cls.kec_genteng
        cls.dinsos.write(
            {
                "head_ids": [Command.link(cls.user_social_head.id)],
                "member_ids": [
                    Command.link(cls.user_officer_bwi.id),
                    Command.link(cls.user_officer_gtg.id),
                ],
            }
        )
        cls.dinkes.member_ids = [Command.link(cls.user_dinkes.id)]
        cls.warehouse = cls.env["pemkab.shelter"].create(
            {
                "name": "Gudang Dinsos (test)",
                "code": "GDG-TEST",
                "kind": "warehouse",
                "agency_id": cls.dinsos.id,
                "kecamatan_id": cls.kec_banyuwangi.id,
                "latitude": -8.2140,
                "longitude": 114.3580,
                "phone": "0333 424000",
            }
        )
        cls.program = cls.env["pemkab.social.program"].create(
            {"name": "Sembako (test)", "code": "SMB-T", "max_decile": 4}
        )
        cls.package = cls.env["pemkab.social.package.type"].create(
            {
                "name": "Paket Sembako",
                "code": "PKT-T",
                "program_id": cls.program.id,
                "line_ids": [
                    Command.create({"name": "Beras", "quantity": 10, "unit_price": 13000}),
                    Command.create({"name": "Minyak", "quantity": 2, "unit_price": 17000}),
                ],
            }
        )
        cls.period = cls._new_period("T-2026-01")
        cls.trigger = cls.env["pemkab.delivery.trigger"].create(
            {
                "model_name": "pemkab.social.shipment",
                "state_value": "packed",
                "provider_id": cls.provider.id,
                "dispatch_mode": "auto",
                "agency_ids": [Command.link(cls.dinsos.id)],
            }
        )
        cls.provider.max_parallel = 8
        cls.Household = cls.env["pemkab.social.household"]
        cls.Shipment = cls.env["pemkab.social.shipment"]

    @classmethod
    def _new_period(cls, code, program=None):
        return cls.env["pemkab.social.period"].create(
            {
                "name": f"Period {code}",
                "code": code,
                "program_id": (program or cls.program).id,
                "shelter_id": cls.warehouse.id,
                "package_type_id": cls.package.id,
            }
        )

    @classmethod
    def _make_households(cls, count, kecamatan=None, desa=None, decile=2, start=0, **flags):
        """``count`` households of one member each (valid NIKs), in two batched creates."""
        kecamatan = kecamatan or cls.kec_banyuwangi
        code = kecamatan.code.split(".")[-1]
        households = cls.env["pemkab.social.household"].create(
            [
                {
                    "name": f"Keluarga {kecamatan.name} {start + i}",
                    "dtsen_id": f"DT-{code}-{start + i:06d}",
                    "decile": decile,
                    "street": f"Jl. Test No. {start + i}",
                    "kecamatan_id": kecamatan.id,
                    "desa_id": desa.id if desa else False,
                    "latitude": -8.2 - (i % 100) / 1000.0,
                    "longitude": 114.36 + (i % 100) / 1000.0,
                    "phone": "+62812%08d" % (start + i),
                }
                for i in range(count)
            ]
        )
        cls.env["res.partner"].create(
            [
                {
                    "name": f"Kepala {start + i}",
                    "nik": make_nik(code, (start + i) % 9000 + 1, year=(start + i) // 9000 + 50),
                    "pemkab_social_household_id": household.id,
                    "pemkab_social_relation": "head",
                    **{f"pemkab_social_{flag}": value for flag, value in flags.items()},
                }
                for i, household in enumerate(households)
            ]
        )
        return households

    def _generate(self, period=None, user=None):
        period = period or self.period
        env = self.env(user=user) if user else self.env
        wizard = (
            env["pemkab.social.generate.wizard"]
            .with_context(default_period_id=period.id)
            .create({})
        )
        return wizard._generate()

    def _run_outbox_all(self, batch_size=500):
        total = 0
        while True:
            done = self.env["pemkab.delivery.exchange"]._cron_send(batch_size=batch_size)
            total += done
            if not done:
                return total

    def _bookings(self, shipments):
        return self.Booking.search(
            [("res_model", "=", "pemkab.social.shipment"), ("res_id", "in", shipments.ids)]
        )
