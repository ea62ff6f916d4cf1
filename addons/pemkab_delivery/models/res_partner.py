# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
import os

from stdnum import exceptions as stdnum_exceptions
from stdnum import numdb as stdnum_numdb
from stdnum.id import nik as stdnum_nik

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.geo import BANYUWANGI_RADIUS_KM, km_from_banyuwangi, parse_location
from .pemkab_workflow_mixin import refuse_nul_characters

_logger = logging.getLogger(__name__)


def _load_stdnum_regions():
    """Load stdnum's table of Indonesian region codes by path.

    Odoo's import hook (``odoo/_monkeypatches``) replaces stdnum's module loader, after
    which ``importlib.resources`` cannot open stdnum's data files ("orphan path") and
    ``stdnum.id.nik.validate`` fails. Reading the file ourselves fills stdnum's cache.
    """
    if "id/loc" in stdnum_numdb._open_databases:
        return
    path = os.path.join(os.path.dirname(stdnum_numdb.__file__), "id", "loc.dat")
    with open(path, encoding="utf-8") as data:
        stdnum_numdb._open_databases["id/loc"] = stdnum_numdb.read(data)


class ResPartner(models.Model):
    """Contacts (patients, beneficiaries, proxies) carry their NIK, kecamatan,
    desa/kelurahan and coordinates, so that a courier can find them and a person is
    registered once across the dinas.

    The coordinates are Odoo's own ``partner_latitude``/``partner_longitude`` (those
    ``base_geolocalize`` fills and every other module reads), checked like the suite's.
    """

    _name = "res.partner"
    _inherit = ["res.partner", "pemkab.address.base.mixin"]
    _pemkab_coordinate_fields = ("partner_latitude", "partner_longitude")

    nik = fields.Char(
        string="NIK",
        index="btree_not_null",
        copy=False,
        groups="pemkab_delivery.group_citizen_identity",
        help="Nomor Induk Kependudukan: the 16-digit national identity number. Read only by "
        "the staff whose work needs it (health, social aid).",
    )

    pemkab_location_paste = fields.Char(
        string="Paste a Location",
        compute="_compute_pemkab_location_paste",
        inverse="_inverse_pemkab_location_paste",
        help="Paste a Google Maps or OpenStreetMap link, a WhatsApp shared location or "
        "“lat, lng”: the coordinates are filled from it.",
    )

    _nik_uniq = models.UniqueIndex(
        "(nik) WHERE nik IS NOT NULL", "Another contact already has this NIK."
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_pemkab_location_paste(self):
        self.pemkab_location_paste = False

    def _inverse_pemkab_location_paste(self):
        for partner in self.filtered("pemkab_location_paste"):
            lat, lng = partner._pemkab_parse_location(partner.pemkab_location_paste)
            partner.write({"partner_latitude": lat, "partner_longitude": lng})

    @api.onchange("pemkab_location_paste")
    def _onchange_pemkab_location_paste(self):
        if self.pemkab_location_paste:
            self.partner_latitude, self.partner_longitude = self._pemkab_parse_location(
                self.pemkab_location_paste
            )

    @api.model
    def _pemkab_parse_location(self, text):
        """(latitude, longitude) of a pasted location in the regency, or a clear error."""
        location = parse_location(text)
        if location is None:
            raise ValidationError(
                self.env._(
                    "Paste a Location: “%(text)s” holds no coordinates. Paste a Google Maps "
                    "or OpenStreetMap link, a WhatsApp shared location, or “lat, lng” "
                    "(a short maps.app.goo.gl link must be opened first, then its full "
                    "address copied).",
                    text=(text or "")[:80],
                )
            )
        return self._pemkab_check_location(location, self.env._("Paste a Location"))

    @api.model
    def _pemkab_check_location(self, location, label):
        """``location`` (latitude, longitude) when it lies in the regency, else a clear
        error saying how far from Banyuwangi it is (``label``: where it came from)."""
        lat, lng = float(location[0]), float(location[1])
        km = km_from_banyuwangi(lat, lng)
        if km > BANYUWANGI_RADIUS_KM:
            raise ValidationError(
                self.env._(
                    "%(label)s: %(lat)s, %(lng)s is %(km)s km from Banyuwangi, outside the "
                    "regency.",
                    label=label,
                    lat=lat,
                    lng=lng,
                    km=round(km),
                )
            )
        return lat, lng

    # ------------------------------------------------------------------
    # Actions (buttons)
    # ------------------------------------------------------------------
    def action_pemkab_geolocate(self):
        """Geolocate: the coordinates of the contact's address from Odoo's geocoder
        (base_geolocalize: OpenStreetMap's Nominatim, or Google with a key, as set in
        Settings), kept only inside the regency. Needs a server that reaches the
        internet; elsewhere paste a location."""
        for partner in self:
            lat, lng = partner._pemkab_geocode()
            partner.write(
                {
                    "partner_latitude": lat,
                    "partner_longitude": lng,
                    "date_localization": fields.Date.context_today(partner),
                }
            )
        return True

    def _pemkab_geocode(self):
        """(latitude, longitude) of the contact's address by base_geolocalize's geocoding
        (``_geo_localize``, what its own ``geo_localize`` calls, which skips quietly under
        tests and imports), checked like a pasted location."""
        self.ensure_one()
        # the geocoder wants English names; its own refusals (a missing key) are read
        # in the user's language
        partner = self.with_context(lang="en_US")
        label = self.env._("Geolocate")
        street = ", ".join(
            part for part in (partner.street, partner.street2, partner.desa_id.name) if part
        )
        if not street:
            raise UserError(
                self.env._(
                    "%(label)s: %(contact)s has no street or desa to look up; enter the "
                    "address, or paste a location.",
                    label=label,
                    contact=self.display_name,
                )
            )
        try:
            location = self._geo_localize(
                street=street,
                zip=partner.zip or "",
                city=partner.kecamatan_id.name or partner.city or "Banyuwangi",
                state=partner.state_id.name or "Jawa Timur",
                country=partner.country_id.name or "Indonesia",
            )
        except UserError as error:
            reason = error.args[0]
            if error.__context__ is not None:
                # the call itself failed (no connection, a timeout, an unreadable
                # answer): the technical text is for the server's log, not the user
                _logger.warning("Geolocate %s: %s", self, error.__context__)
                reason = self.env._("its server did not answer")
            raise UserError(
                self.env._(
                    "%(label)s: the geocoder could not be asked (%(error)s). Where the server "
                    "cannot reach the internet, paste a location instead.",
                    label=label,
                    error=reason,
                )
            ) from error
        if not location:
            raise UserError(
                self.env._(
                    "%(label)s: the geocoder knows no place at “%(address)s”; paste a "
                    "location instead.",
                    label=label,
                    address=street,
                )
            )
        return self._pemkab_check_location(location, label)

    # ------------------------------------------------------------------
    # ORM overrides
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._pemkab_check_values(vals_list)
        refuse_nul_characters(self, vals_list)
        niks = []
        for vals in vals_list:
            if "nik" in vals and not vals["nik"]:
                vals["nik"] = False  # no NIK, not an empty one (the NIK is unique)
            if vals.get("nik"):
                vals["nik"] = self._pemkab_clean_nik(vals["nik"])
                niks.append(vals["nik"])
        self._pemkab_check_nik_free(niks)
        return super().create(vals_list)

    def write(self, vals):
        self._pemkab_check_values([vals])
        refuse_nul_characters(self, [vals])
        if "nik" in vals and not vals["nik"]:
            vals["nik"] = False
        if vals.get("nik"):
            vals["nik"] = self._pemkab_clean_nik(vals["nik"])
            self._pemkab_check_nik_free([vals["nik"]] * len(self), exclude=self)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _pemkab_check_nik_free(self, niks, exclude=None):
        """Refuse a NIK that another contact has, naming that contact (the unique index
        stays as the last guard against two simultaneous registrations)."""
        if not niks:
            return
        seen = set()
        for nik in niks:
            if nik in seen:
                raise ValidationError(
                    self.env._("NIK %(nik)s is given to two contacts at once.", nik=nik)
                )
            seen.add(nik)
        domain = [("nik", "in", list(seen))]
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        existing = self.sudo().with_context(active_test=False).search(domain, limit=1)
        if existing and not existing.with_env(self.env).has_access("read"):
            # the holder is not the user's to know
            raise ValidationError(
                self.env._("NIK %(nik)s is already registered.", nik=existing.nik)
            )
        if existing:
            raise ValidationError(
                self.env._(
                    "NIK %(nik)s is already registered for %(existing)s.",
                    nik=existing.nik,
                    existing=existing.display_name,
                )
            )

    @api.model
    def _pemkab_clean_nik(self, value):
        """Return the NIK compacted, or raise a ValidationError saying what is wrong."""
        number = stdnum_nik.compact(str(value))
        _load_stdnum_regions()
        try:
            return stdnum_nik.validate(number)
        except stdnum_exceptions.InvalidLength:
            reason = self.env._("it must have 16 digits, not %s", len(number))
        except stdnum_exceptions.InvalidFormat:
            reason = self.env._("it must contain digits only")
        except stdnum_exceptions.InvalidComponent:
            reason = self.env._("its region code or date of birth does not exist")
        except stdnum_exceptions.ValidationError:
            reason = self.env._("it is not a valid NIK")
        raise ValidationError(
            self.env._("NIK “%(value)s” is not valid: %(reason)s.", value=value, reason=reason)
        )

    # ------------------------------------------------------------------
    # Citizen's data request (pemkab.citizen.data.request)
    # ------------------------------------------------------------------
    def _pemkab_data_request_sections(self):
        """What these addons hold on this person, as sections of the data request:
        ``[{"title": str, "rows": [(label, value), ...]}]``; each addon adds its own."""
        self.ensure_one()
        fnames = ["name", "nik", "street", "street2", "desa_id", "kecamatan_id"]
        fnames += ["partner_latitude", "partner_longitude", "phone", "email"]
        return [{"title": self.env._("Contact"), "rows": self._pemkab_data_rows(fnames)}]

    def _pemkab_data_request_documents(self):
        """The documents about this person (each addon adds its own), whose courier
        bookings the data request lists."""
        self.ensure_one()
        return []

    def _pemkab_data_rows(self, fnames):
        """``(label, value)`` of the fields of this contact that hold something."""
        self.ensure_one()
        partner = self.sudo()
        rows = []
        for fname in fnames:
            field, value = partner._fields[fname], partner[fname]
            if field.type in ("many2one", "many2many", "one2many"):
                text = ", ".join(value.mapped("display_name"))
            elif field.type == "boolean":
                text = self.env._("Yes") if value else ""
            elif field.type == "selection":
                text = dict(field._description_selection(self.env)).get(value, "")
            else:
                text = "" if value in (False, None) else str(value)
            if text:
                rows.append((field._description_string(self.env), text))
        return rows
