# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.addons.pemkab_delivery.tests.common import PemkabCourierCommon


class SeedParcelCommon(PemkabCourierCommon):
    """A farmer, the "ready" trigger booking the courier sandbox, and seed parcels."""

    farmer_values = {"name": "Pak Darmo", "street": "Dusun Krajan, Glagah"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Parcel = cls.env["pemkab.test.seed.parcel"]
        cls.farmer = cls.env["res.partner"].create(dict(cls.farmer_values))
        cls.trigger = cls.env["pemkab.delivery.trigger"].create(
            {
                "model_name": "pemkab.test.seed.parcel",
                "state_value": "ready",
                "provider_id": cls.provider.id,
            }
        )

    def _parcel(self):
        return self.Parcel.create(
            {
                "agency_id": self.agency_a.id,
                "shelter_id": self.shelter_a.id,
                "farmer_id": self.farmer.id,
                "farmer_phone": "0812 3456 7001",
                "latitude": -8.2050,
                "longitude": 114.3700,
            }
        )

    def _sent(self):
        """A parcel sent, and booked with the sandbox: (parcel, booking)."""
        parcel = self._parcel()
        parcel.action_dispatch()
        self._run_outbox()
        booking = self._current(parcel)
        self.assertEqual(booking.state, "booked")
        return parcel, booking

    def _current(self, parcel):
        parcel.invalidate_recordset()
        return parcel.delivery_booking_id
