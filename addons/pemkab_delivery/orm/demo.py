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


def demo_drive_own_fleet(bookings, outcome, driver=("Slamet Armada", "0812 3300 9001")):
    """Drive own-fleet ``bookings`` (requested) by the dispatcher's buttons to ``outcome``:
    ``requested`` (left as they are), ``driver_assigned``, ``picked_up``, ``delivered``
    (the receiver is the recipient), or a failure reason (``not_home``, ``returned``...)."""
    if not bookings or outcome == "requested":
        return
    bookings.action_set_driver(*driver)
    if outcome == "driver_assigned":
        return
    if outcome in ("picked_up", "delivered"):
        bookings.action_mark_picked_up()
    if outcome == "picked_up":
        return
    if outcome == "delivered":
        for booking in bookings:
            booking.write(
                {"receiver_name": booking.recipient_name, "receiver_relation": "penerima"}
            )
        bookings.action_mark_delivered()
        return
    bookings.with_context(failure_reason=outcome).action_mark_failed()
