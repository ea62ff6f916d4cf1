# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Dates and figures of the regency's papers in Indonesian, whatever the locale."""

import locale
from datetime import date, datetime

import pytest
from tools import indonesian


def test_dates_in_indonesian_whatever_the_locale():
    locale.setlocale(locale.LC_ALL, "C")
    assert indonesian.long_date(date(2026, 12, 4)) == "4 Desember 2026"
    assert indonesian.long_date(datetime(2026, 8, 17, 9, 30)) == "17 Agustus 2026"
    assert indonesian.place_date(date(2026, 12, 4)) == "Banyuwangi, 4 Desember 2026"
    assert indonesian.month_year(date(2026, 2, 1)) == "Februari 2026"
    assert indonesian.day_name(date(2026, 12, 4)) == "Jumat"
    assert indonesian.day_name(date(2026, 12, 6)) == "Minggu"
    assert indonesian.long_date(False) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "nol"),
        (4, "empat"),
        (11, "sebelas"),
        (17, "tujuh belas"),
        (20, "dua puluh"),
        (31, "tiga puluh satu"),
        (100, "seratus"),
        (115, "seratus lima belas"),
        (999, "sembilan ratus sembilan puluh sembilan"),
        (1000, "seribu"),
        (1945, "seribu sembilan ratus empat puluh lima"),
        (2026, "dua ribu dua puluh enam"),
        (18_160_000, "delapan belas juta seratus enam puluh ribu"),
    ],
)
def test_numbers_in_words(value, expected):
    assert indonesian.words(value) == expected


def test_date_in_words_opens_a_berita_acara():
    assert indonesian.date_in_words(date(2026, 12, 4)) == (
        "Jumat, tanggal empat bulan Desember tahun dua ribu dua puluh enam"
    )


def test_figures_with_indonesian_separators():
    assert indonesian.rupiah(18_160_000) == "Rp 18.160.000"
    assert indonesian.rupiah(18_333.33) == "Rp 18.333"
    assert indonesian.rupiah(-30_000) == "-Rp 30.000"
    assert indonesian.rupiah(None) == "-"
    assert indonesian.number(1_234_567.891, 2) == "1.234.567,89"
    assert indonesian.percent(27.66) == "27,7 %"
    assert indonesian.percent(None) == "-"
    assert indonesian.hours(1.5) == "1,5 jam"
    assert indonesian.hours(4) == "4,0 jam"
