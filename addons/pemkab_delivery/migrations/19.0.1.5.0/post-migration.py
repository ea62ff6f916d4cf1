# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Own-fleet drivers became records (pemkab.fleet.driver) chosen from a list: the names
typed freely on the own-fleet bookings become the agencies' drivers, one per agency and
phone number (the same person was typed "Slamet" and "Pak Slamet"), named as on the
latest booking, and each booking points at its driver. The bookings keep their texts.
(Assigning a driver always asked for the phone: a booking without one has no driver.)"""


def migrate(cr, version):
    cr.execute(
        """
        INSERT INTO pemkab_fleet_driver
               (name, phone, plate, agency_id, active,
                create_uid, create_date, write_uid, write_date)
        SELECT DISTINCT ON (b.agency_id, b.driver_phone)
               btrim(b.driver_name), b.driver_phone, b.driver_plate, b.agency_id, TRUE,
               1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
          FROM pemkab_delivery_booking b
          JOIN pemkab_courier_provider p ON p.id = b.provider_id
         WHERE p.kind = 'manual'
           AND b.agency_id IS NOT NULL
           AND btrim(COALESCE(b.driver_name, '')) != ''
           AND COALESCE(b.driver_phone, '') != ''
           AND NOT EXISTS (
                SELECT 1 FROM pemkab_fleet_driver d
                 WHERE d.agency_id = b.agency_id AND d.phone = b.driver_phone AND d.active)
         ORDER BY b.agency_id, b.driver_phone, b.id DESC
        """
    )
    cr.execute(
        """
        UPDATE pemkab_delivery_booking b
           SET fleet_driver_id = d.id
          FROM pemkab_fleet_driver d, pemkab_courier_provider p
         WHERE p.id = b.provider_id
           AND p.kind = 'manual'
           AND b.fleet_driver_id IS NULL
           AND d.agency_id = b.agency_id
           AND d.phone = b.driver_phone
           AND d.active
        """
    )
