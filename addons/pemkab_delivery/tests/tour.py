# Copyright 2026 Pemerintah Kabupaten Banyuwangi
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Browser tests: Odoo tours in a real headless Chromium, which also save screenshots.

A tour step made by ``screenshot()`` of ``pemkab_delivery/static/tests/tours/
pemkab_tour_utils.js`` logs ``pemkab-screenshot:<name>`` and waits; the browser the test
drives (Odoo's ``ChromeBrowser``, extended here) captures the page as
``<name>.png`` in ``PEMKAB_SCREENSHOTS_DIR`` (default: ``pemkab-screenshots`` in the
temporary directory, so a CI run leaves the tree alone) and then lets the step go on.

Odoo skips a browser test when it finds no Chrome or Chromium (or no ``websocket-client``);
under ``PEMKAB_STRICT=1`` (CI) that is a failure instead: a green run must have run the
tours.
"""

import binascii
import io
import json
import logging
import os
import re
import tempfile
import unittest
from pathlib import Path
from unittest.mock import patch

from PIL import Image

from odoo.tests import common as odoo_common

_logger = logging.getLogger(__name__)

SCREENSHOT_SIGNAL = "pemkab-screenshot:"
SCREENSHOT_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,60}")


def small_png(data):
    """The screenshot in 128 colours, without dithering: a third of the size, the same
    text and flat colours to the eye (the README shows them)."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    image = image.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def screenshots_dir():
    """Where the screenshots go: ``PEMKAB_SCREENSHOTS_DIR``, else a temporary directory."""
    folder = os.environ.get("PEMKAB_SCREENSHOTS_DIR") or os.path.join(
        tempfile.gettempdir(), "pemkab-screenshots"
    )
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


class PemkabScreenshotBrowser(odoo_common.ChromeBrowser):
    """Odoo's headless Chromium, which also answers the tours' screenshot steps."""

    def _handle_console(self, type, args=None, stackTrace=None, **kw):  # pylint: disable=redefined-builtin
        message = (args or [{}])[0].get("value")
        if type == "log" and isinstance(message, str) and message.startswith(SCREENSHOT_SIGNAL):
            self._pemkab_screenshot(message[len(SCREENSHOT_SIGNAL) :])
        return super()._handle_console(type, args=args, stackTrace=stackTrace, **kw)

    def _pemkab_screenshot(self, name):
        # called by the thread that reads the browser's events: send, never wait here
        if not SCREENSHOT_NAME.fullmatch(name):
            self._pemkab_screenshot_done(name, f"bad screenshot name {name!r}")
            return

        def save(future):
            error = None
            try:
                data = future.result(timeout=0)["data"]
                path = screenshots_dir() / f"{name}.png"
                path.write_bytes(small_png(binascii.a2b_base64(data)))
                _logger.info("screenshot saved: %s", path)
            except Exception as e:  # noqa: BLE001 - told to the tour, which fails with it
                error = f"screenshot {name} not saved: {e}"
            self._pemkab_screenshot_done(name, error)

        future = self._websocket_send(
            "Page.captureScreenshot", params={"format": "png"}, with_future=True
        )
        if future is not None:
            future.add_done_callback(save)

    def _pemkab_screenshot_done(self, name, error=None):
        """Tell the waiting tour step (``document.body.dataset``) that it may go on."""
        flag = "pemkabScreenshotError" if error else "pemkabScreenshot"
        value = error or name
        self._websocket_send(
            "Runtime.evaluate",
            params={"expression": f"document.body.dataset.{flag} = {json.dumps(value)};"},
        )


class PemkabTourMixin:
    """For ``HttpCase`` tests that run tours: Chromium required under ``PEMKAB_STRICT=1``,
    screenshots saved, time enough on a busy machine."""

    tour_timeout = 180  # seconds for a whole tour, on a busy machine

    # the bundles the web client loads (the lazy ones too): (name, css, js)
    web_client_bundles = (
        ("web.assets_web", True, True),
        ("web.assets_tests", False, True),
        ("web.assets_web_print", True, False),
        ("web.assets_emoji", False, True),
        ("bus.websocket_worker_assets", False, True),
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._build_web_client_bundles()

    @classmethod
    def _build_web_client_bundles(cls):
        """Build the web client's bundles once for the class: each test's transaction is
        rolled back, so without this every tour would build them again (some 10 s)."""
        IrQweb = cls.env["ir.qweb"]
        for name, css, js in cls.web_client_bundles:
            bundle = IrQweb._get_asset_bundle(name, css=css, js=js)
            if css:
                bundle.css()
            if js:
                bundle.js()

    @staticmethod
    def _strict():
        return os.environ.get("PEMKAB_STRICT") == "1"

    def _browser_missing(self, reason):
        if self._strict():
            self.fail(f"{reason} (PEMKAB_STRICT=1: the browser tests must run)")
        self.skipTest(reason)

    def _require_browser(self):
        if odoo_common.websocket is None:
            self._browser_missing(
                "websocket-client is not installed: the browser tests need it "
                "(requirements-dev.txt)"
            )
        # Odoo's own look-up, uncached (it keeps its first answer for the process)
        find = odoo_common._find_executable
        try:
            getattr(find, "__wrapped__", find)()
        except (OSError, unittest.SkipTest):
            self._browser_missing(
                "no Chromium or Chrome found (apt-get install chromium): the browser tests need one"
            )

    def browser_js(self, url_path, code, ready="", login=None, timeout=60, **kw):
        self._require_browser()
        with patch.object(odoo_common, "ChromeBrowser", PemkabScreenshotBrowser):
            try:
                return super().browser_js(url_path, code, ready, login, timeout, **kw)
            except unittest.SkipTest as skipped:
                # Odoo skips when Chromium does not start or answer
                self._browser_missing(f"the browser did not run: {skipped}")

    def start_tour(self, url_path, tour_name, step_delay=None, **kwargs):
        kwargs.setdefault("timeout", self.tour_timeout)
        return super().start_tour(url_path, tour_name, step_delay=step_delay, **kwargs)
