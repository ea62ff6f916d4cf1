# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Indonesian phone numbers in E.164 (+62) form, with no Odoo import.

Couriers (GoSend, GrabExpress) text and call recipients on the number we send, so
every number we store is normalised once: ``0812-3456-7890``, ``62 812 3456 7890`` and
``+62 (812) 3456-7890`` all become ``+6281234567890``.
"""

import re

_SEPARATORS = re.compile(r"[\s\-\.\(\)/]")


class PhoneNumberError(ValueError):
    """The text is not an Indonesian phone number.

    ``code`` says why, for callers to word in the user's language: ``empty``,
    ``not_indonesian``, ``not_digits``, ``length``, ``not_mobile``.
    """

    def __init__(self, code, detail=""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


def normalize_phone(number, mobile=False):
    """Return ``number`` as ``+62…`` or raise :class:`PhoneNumberError`.

    :param number: what the user typed
    :param mobile: require a mobile number (``+628…``), which couriers need
    """
    if not number:
        raise PhoneNumberError("empty")
    raw = _SEPARATORS.sub("", str(number).strip())
    if raw.startswith("+"):
        if not raw.startswith("+62"):
            raise PhoneNumberError("not_indonesian")
        national = raw[3:]
    elif raw.startswith("62"):
        national = raw[2:]
    elif raw.startswith("0"):
        national = raw[1:]
    else:
        national = raw
    national = national.lstrip("0")
    if not national.isdigit():
        raise PhoneNumberError("not_digits")
    if not 8 <= len(national) <= 13:
        raise PhoneNumberError("length", "%d digits after +62" % len(national))
    if mobile and not national.startswith("8"):
        raise PhoneNumberError("not_mobile")
    return "+62" + national
