# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Dates and figures as the regency's papers write them (Tata Naskah Dinas): Indonesian
month and day names, the dot as thousands separator and the comma as decimal one, whatever
the server's locale or the printing user's language.

    >>> long_date(date(2026, 12, 4))
    '4 Desember 2026'
    >>> rupiah(18160000)
    'Rp 18.160.000'
    >>> number(27.7, 1)
    '27,7'
"""

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
# date.weekday(): Monday is 0
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

_UNITS = (
    "",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
)


def month_name(month):
    """``12`` -> ``"Desember"``."""
    return MONTHS[month - 1]


def day_name(day):
    """The weekday of a date: ``date(2026, 12, 4)`` -> ``"Jumat"``."""
    return DAYS[day.weekday()]


def long_date(day):
    """``date(2026, 12, 4)`` -> ``"4 Desember 2026"`` (a datetime gives its date)."""
    if not day:
        return ""
    return f"{day.day} {month_name(day.month)} {day.year}"


def month_year(day):
    """``date(2026, 12, 1)`` -> ``"Desember 2026"``."""
    if not day:
        return ""
    return f"{month_name(day.month)} {day.year}"


def place_date(day, place="Banyuwangi"):
    """The line above a paper's signatures: ``"Banyuwangi, 4 Desember 2026"``."""
    return f"{place}, {long_date(day)}"


def words(value):
    """A whole number in Indonesian words (terbilang): 2026 -> ``"dua ribu dua puluh enam"``."""
    value = int(value)
    if value < 0:
        return f"minus {words(-value)}"
    if value == 0:
        return "nol"
    return " ".join(_words(value).split())


def _words(value):
    if value < 12:
        return _UNITS[value]
    if value < 20:
        return f"{_UNITS[value - 10]} belas"
    if value < 100:
        return f"{_UNITS[value // 10]} puluh {_UNITS[value % 10]}"
    if value < 200:
        return f"seratus {_words(value - 100)}"
    if value < 1000:
        return f"{_UNITS[value // 100]} ratus {_words(value % 100)}"
    if value < 2000:
        return f"seribu {_words(value - 1000)}"
    for size, name in ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu")):
        if value >= size:
            return f"{_words(value // size)} {name} {_words(value % size)}"
    return ""


def date_in_words(day):
    """The opening of a Berita Acara: ``"Jumat, tanggal empat bulan Desember tahun dua ribu
    dua puluh enam"``."""
    return (
        f"{day_name(day)}, tanggal {words(day.day)} bulan {month_name(day.month)} "
        f"tahun {words(day.year)}"
    )


def number(value, digits=0):
    """``1234567.891, 2`` -> ``"1.234.567,89"``; ``None`` -> ``"-"``."""
    if value is None or value is False:
        return "-"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def rupiah(value):
    """``18160000`` -> ``"Rp 18.160.000"``, ``-30000`` -> ``"-Rp 30.000"``; ``None`` -> ``"-"``."""
    if value is None or value is False:
        return "-"
    amount = round(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {number(abs(amount))}"


def percent(value, digits=1):
    """``27.66`` -> ``"27,7 %"``; ``None`` -> ``"-"``."""
    if value is None or value is False:
        return "-"
    return f"{number(value, digits)} %"


def hours(value, digits=1):
    """``1.5`` -> ``"1,5 jam"``; ``None`` -> ``"-"``."""
    if value is None or value is False:
        return "-"
    return f"{number(value, digits)} jam"
