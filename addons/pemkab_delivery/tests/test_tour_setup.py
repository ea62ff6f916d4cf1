# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The browser tests run or say why not: without Chromium they fail under PEMKAB_STRICT=1
(CI) and are skipped otherwise; screenshots are small PNGs where they are asked to go."""

import io
import os
import tempfile
import unittest
from pathlib import Path
from unittest.mock import patch

from PIL import Image

from odoo.tests import TransactionCase, tagged

from .tour import PemkabTourMixin, screenshots_dir, small_png


@tagged("post_install", "-at_install")
class TestTourSetup(PemkabTourMixin, TransactionCase):
    web_client_bundles = ()  # no browser here

    def _without_browser(self, strict):
        """What a tour test does on a machine with no Chromium on PATH."""
        with (
            tempfile.TemporaryDirectory() as empty,
            patch.dict(os.environ, {"PATH": empty, "PEMKAB_STRICT": "1" if strict else ""}),
        ):
            try:
                self._require_browser()
            except unittest.SkipTest as skipped:
                return "skipped", str(skipped)
            except self.failureException as failed:
                return "failed", str(failed)
        return "ran", ""

    def test_missing_chromium_fails_in_strict_mode_and_skips_otherwise(self):
        outcome, message = self._without_browser(strict=True)
        self.assertEqual(outcome, "failed")
        self.assertIn("apt-get install chromium", message)
        self.assertIn("PEMKAB_STRICT=1", message)
        outcome, message = self._without_browser(strict=False)
        self.assertEqual(outcome, "skipped")
        self.assertIn("no Chromium", message)

    def test_screenshots_go_where_asked_and_are_small(self):
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder, "shots")
            with patch.dict(os.environ, {"PEMKAB_SCREENSHOTS_DIR": str(target)}):
                self.assertEqual(screenshots_dir(), target)
            self.assertTrue(target.is_dir(), "created")
        with patch.dict(os.environ, {"PEMKAB_SCREENSHOTS_DIR": ""}):
            self.assertEqual(screenshots_dir(), Path(tempfile.gettempdir(), "pemkab-screenshots"))
        # a screen-like picture: flat colours, a gradient band; kept as PNG, same size
        image = Image.new("RGB", (600, 400), (243, 245, 247))
        for x in range(600):
            for y in range(40):
                image.putpixel((x, y), (113, 75 + x % 50, 157))
        raw = io.BytesIO()
        image.save(raw, "PNG")
        small = small_png(raw.getvalue())
        self.assertTrue(small.startswith(b"\x89PNG"))
        self.assertEqual(Image.open(io.BytesIO(small)).size, (600, 400))
        self.assertLess(len(small), len(raw.getvalue()))
