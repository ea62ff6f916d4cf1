# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Helpers of the demo data's ``<function>`` calls: the documents are moved through their
real workflow methods (no state is written directly), the regency's own fleet plays the
courier (no courier is called over HTTP), and every record the demo makes gets an xmlid
of the demo's module, like the records of its XML files."""

import re

# what the demo's own-fleet driver does with a parcel, in order
OWN_FLEET_STEPS = ("requested", "driver_assigned", "picked_up")


def demo_xmlids(records, module, prefix):
    """Give ``records`` (made by a demo function) xmlids ``module.prefix_<name or id>``,
    noupdate like the demo's XML records: an uninstallation removes them with the rest."""
    data = []
    for record in records:
        name = record.display_name if "name" in record._fields else ""
        slug = re.sub(r"\W+", "_", (name or "").lower()).strip("_") or str(record.id)
        data.append(
            {"xml_id": f"{module}.{prefix}_{slug}_{record.id}", "record": record, "noupdate": True}
        )
    records.env["ir.model.data"]._update_xmlids(data)


def demo_drive_own_fleet(
    bookings, outcome, driver=("Slamet Armada", "0812 3300 9001", "P 4521 UA")
):
    """Drive own-fleet ``bookings`` (requested) as the dispatcher does, by driver runs
    (one per shelter, the agency's demo driver): ``requested`` (left as they are),
    ``driver_assigned`` (given to a run), ``picked_up``, ``delivered`` (the receiver is
    the recipient), or a failure reason (``not_home``, ``returned``...)."""
    if not bookings or outcome == "requested":
        return
    Driver = bookings.env["pemkab.fleet.driver"].sudo()
    for shelter, group in bookings.grouped("shelter_id").items():
        agency = shelter.agency_id
        name, phone, plate = driver
        drivers = Driver.search([("agency_id", "=", agency.id), ("name", "=", name)], limit=1)
        drivers = drivers or Driver.create(
            {"name": name, "phone": phone, "plate": plate, "agency_id": agency.id}
        )
        run = bookings.env["pemkab.fleet.run"].create(
            {"agency_id": agency.id, "shelter_id": shelter.id, "driver_id": drivers.id}
        )
        group._check_can_fleet_assign(run)
        group._do_fleet_assign(run)
        if outcome == "driver_assigned":
            continue
        run.action_mark_picked_up()
        if outcome == "picked_up":
            continue
        if outcome == "delivered":
            receivers = {booking.id: booking.recipient_name for booking in group}
            group._check_can_fleet_deliver(receivers)
            group._do_fleet_deliver(receivers, run.create_date)
        else:
            group._do_fleet_return(outcome)
        run._done_when_all_final()
