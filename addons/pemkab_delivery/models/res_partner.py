# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
import os

from stdnum import exceptions as stdnum_exceptions
from stdnum import numdb as stdnum_numdb
from stdnum.id import nik as stdnum_nik

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain

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


# the NIK as a user enters it, and as it is stored (system administrators, the migration)
NIK_FIELDS = ("nik", "pemkab_stored_nik")
# every contact's NIK (health roles imply it)
CITIZEN_IDENTITY = "pemkab_delivery.group_citizen_identity"
# the NIK of the contacts an addon gives the role (social officers imply it)
CITIZEN_IDENTITY_OWN = "pemkab_delivery.group_citizen_identity_own"


class ResPartner(models.Model):
    """Contacts (patients, beneficiaries, proxies) carry their NIK, kecamatan,
    desa/kelurahan and coordinates, so that a courier can find them and a person is
    registered once across the dinas.

    The coordinates are Odoo's own ``partner_latitude``/``partner_longitude`` (those
    ``base_geolocalize`` fills and every other module reads), checked like the suite's.

    Need to know of the NIK, decided here once: the value is kept in
    ``pemkab_stored_nik`` (system administrators only); the public ``nik`` shows it, and
    finds it in searches, to the users of *Citizens' NIK* (health staff: every contact)
    and, for the users of *Citizens' NIK: own citizens* (social officers), on the contacts
    each addon gives them (``_pemkab_nik_scope_domain``: pemkab_social, the members of the
    households they may read); to them any other contact has no NIK, and they may not
    enter one there.
    """

    _name = "res.partner"
    _inherit = ["res.partner", "pemkab.address.base.mixin"]
    _pemkab_coordinate_fields = ("partner_latitude", "partner_longitude")

    pemkab_stored_nik = fields.Char(
        string="NIK (stored)",
        index="btree_not_null",
        copy=False,
        groups="base.group_system",
    )
    nik = fields.Char(
        string="NIK",
        compute="_compute_nik",
        inverse="_inverse_nik",
        search="_search_nik",
        groups=f"{CITIZEN_IDENTITY},{CITIZEN_IDENTITY_OWN}",
        help="Nomor Induk Kependudukan: the 16-digit national identity number. Read only by "
        "the staff whose work needs it (health staff; social officers for the members of "
        "their households).",
    )

    pemkab_location_paste = fields.Char(
        string="Paste a Location",
        compute="_compute_pemkab_location_paste",
        inverse="_inverse_pemkab_location_paste",
        help="Paste a Google Maps or OpenStreetMap link, a WhatsApp shared location or "
        "“lat, lng”: the coordinates are filled from it.",
    )

    _nik_uniq = models.UniqueIndex(
        "(pemkab_stored_nik) WHERE pemkab_stored_nik IS NOT NULL",
        "Another contact already has this NIK.",
    )

    # ------------------------------------------------------------------
    # Need to know: the NIK
    # ------------------------------------------------------------------
    @api.model
    def _pemkab_nik_scope_domain(self):
        """Hook: the contacts whose NIK a user of *Citizens' NIK: own citizens* reads and
        enters, as a domain on stored fields evaluated as the superuser (each addon adds
        the contacts its roles serve, ``|`` with super's). None here."""
        return Domain.FALSE

    def _pemkab_nik_readable(self):
        """The contacts of ``self`` whose NIK the user reads and may enter (one query for
        a narrowed user). A new record being created by the user is the user's."""
        if self.env.su or self.env.user.has_group(CITIZEN_IDENTITY):
            return self
        if not self.env.user.has_group(CITIZEN_IDENTITY_OWN):
            return self.browse()
        origin_ids = {partner._origin.id for partner in self if partner._origin.id}
        scope = self._pemkab_nik_scope_domain()
        stored = self.sudo().with_context(active_test=False)
        readable_ids = set(stored._search(Domain("id", "in", list(origin_ids)) & scope))
        return self.filtered(
            lambda partner: partner._origin.id in readable_ids or not partner._origin.id
        )

    @api.depends("pemkab_stored_nik")
    @api.depends_context("uid")
    def _compute_nik(self):
        readable = self._pemkab_nik_readable()
        for partner in self:
            partner.nik = partner.sudo().pemkab_stored_nik if partner in readable else False

    def _inverse_nik(self):
        # whether the user may enter it is checked after the whole create or write
        # (_pemkab_check_nik_scope), once the contact's other data (its household) is in
        for nik, partners in self.grouped("nik").items():
            partners.sudo().pemkab_stored_nik = nik or False

    def _search_nik(self, operator, value):
        """The contacts whose NIK, as the user sees it, meets the condition. Negative
        operators are the ORM's negation of this domain, so that a contact out of a
        narrowed user's scope looks like one with no NIK whatever the search."""
        if operator.startswith("not ") or operator in ("!=", "<>"):
            return NotImplemented
        condition = Domain("pemkab_stored_nik", operator, value)
        if self.env.su:
            return condition
        if not self.env.user.has_group(CITIZEN_IDENTITY):
            scope = self._pemkab_nik_scope_domain()
            if not self.env.user.has_group(CITIZEN_IDENTITY_OWN):
                scope = Domain.FALSE
            condition &= scope
            values = value if operator == "in" else [value] if operator == "=" else ()
            if any(item in (False, None) for item in values):
                condition |= ~scope  # no NIK is what the user sees of the others
        # the stored field is read as the superuser (the user may not name it)
        stored = self.sudo().with_context(active_test=False)
        return Domain("id", "in", stored._search(condition))

    def _pemkab_check_nik_scope(self):
        """After a create or write that entered a NIK: the contacts are ones whose NIK
        the user may enter."""
        outside = self - self._pemkab_nik_readable()
        if outside:
            raise AccessError(
                self.env._(
                    "NIK: you may enter the NIK only of the citizens your work gives you "
                    "(for a social officer, the members of the households of your "
                    "kecamatan); %(count)s contact(s) are not.",
                    count=len(outside),
                )
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
            for fname in NIK_FIELDS:
                if fname in vals and not vals[fname]:
                    vals[fname] = False  # no NIK, not an empty one (the NIK is unique)
                if vals.get(fname):
                    vals[fname] = self._pemkab_clean_nik(vals[fname])
                    niks.append(vals[fname])
        self._pemkab_check_nik_free(niks)
        records = super().create(vals_list)
        entered = [rec.id for rec, vals in zip(records, vals_list, strict=True) if vals.get("nik")]
        self.browse(entered)._pemkab_check_nik_scope()
        return records

    def write(self, vals):
        self._pemkab_check_values([vals])
        refuse_nul_characters(self, [vals])
        for fname in NIK_FIELDS:
            if fname in vals and not vals[fname]:
                vals[fname] = False
            if vals.get(fname):
                vals[fname] = self._pemkab_clean_nik(vals[fname])
                self._pemkab_check_nik_free([vals[fname]] * len(self), exclude=self)
        res = super().write(vals)
        if "nik" in vals:
            self._pemkab_check_nik_scope()
        return res

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
        domain = [("pemkab_stored_nik", "in", list(seen))]
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        existing = self.sudo().with_context(active_test=False).search(domain, limit=1)
        holder = existing.with_env(self.env)
        if existing and not (holder.has_access("read") and holder._pemkab_nik_readable()):
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
