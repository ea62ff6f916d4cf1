# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The run sheet (Lembar Perjalanan Armada) of a driver run: the agency's letterhead,
the driver, vehicle and shelter, the parcels in order with the recipient's address and
phone (what the driver needs to find them, no more), a column for the receiver's
name and signature, and the signatures of the dispatcher and the driver."""

from odoo import api, models


class ReportPemkabFleetRun(models.AbstractModel):
    _name = "report.pemkab_delivery.report_fleet_run"
    _inherit = ["pemkab.paper.mixin"]
    _description = "Driver Run Sheet"

    @api.model
    def _get_report_values(self, docids, data=None):
        runs = self._paper_documents(docids)
        self._paper_refuse(
            runs.filtered(lambda run: not run.booking_ids),
            self.env._("A run sheet lists the parcels of the run: %(documents)s has none."),
        )
        values = self._paper_values(docids, runs)
        values["sheets"] = [self._run_sheet(run) for run in runs]
        return values

    def _run_sheet(self, run):
        driver = run.driver_id
        shelter = run.shelter_id
        # the run's parcels as the user reads them (record rules apply)
        bookings = run.booking_ids.sorted(
            lambda b: (b.kecamatan_id.name or "", b.desa_id.name or "", b.name)
        )
        return {
            "run": run,
            "number": run.name,
            "letterhead": run.agency_id._pemkab_letterhead(
                facility=shelter if shelter.kind == "puskesmas" else None
            ),
            "title": self.env._("DRIVER RUN SHEET"),
            "driver": driver,
            "shelter": shelter,
            "bookings": bookings,
            "signers": [
                {
                    "caption": self.env._("Driver"),
                    "name": driver.name,
                    "party": "",
                    "title": "",
                    "nip": "",
                },
                self._paper_signer(self.env.user, self.env._("Dispatcher (shelter officer)")),
            ],
        }
