from .phone import normalize_phone, PhoneNumberError  # noqa: F401
