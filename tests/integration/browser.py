#!/usr/bin/python3
# Headless Chromium for the end-to-end tests: a Script of steps (goto, fill, click, text,
# screenshot, ...) runs in one browser through tests/web/browser.mjs (playwright-core on
# the machine's Node.js), and its results come back by step. Screenshots land in the
# test's output folder in the build tree, which is kept after the test.
import json
import os
import shutil
import subprocess
import unittest

import harness

WEB_DIR = os.path.join(harness.SOURCE_DIR, "tests", "web")
DRIVER = os.path.join(WEB_DIR, "browser.mjs")
CHROMIUM = os.environ.get("TEXTSCREEN_CHROMIUM", "/usr/bin/chromium")
# The liveness bound of one step (a page load, a click, a wait for an element).
STEP_TIMEOUT = 30.0 * harness.SLOW


def missing_tools():
    """What the browser tests need and this machine lacks, in words ('' when nothing)."""
    missing = []
    if not shutil.which("node"):
        missing.append("node")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not os.path.isdir(os.path.join(WEB_DIR, "node_modules", "playwright-core")):
        missing.append(f"{WEB_DIR}/node_modules (npm ci --prefix tests/web)")
    return ", ".join(missing)


def require_browser():
    """Skips the calling test where the browser tests cannot run: in the sanitizer build
    (Chromium is not what it tests) and, outside CI, on a machine without the tools. In
    CI (CI=true) a missing tool fails: tools/install-deps.sh installs them all."""
    if harness.build_option("TEXTSCREEN_SANITIZE") == "ON":
        raise unittest.SkipTest("browser tests run in the normal build's pass only")
    missing = missing_tools()
    if missing:
        if os.environ.get("CI", "").lower() in ("", "0", "false"):
            raise unittest.SkipTest(f"no browser here: missing {missing}")
        raise AssertionError(f"CI lacks what the browser tests need: {missing}")


def output_dir(test_name):
    """The folder a test's screenshots go to, created: ctest names it in
    TEXTSCREEN_TEST_OUTPUT; a run by hand gets one in the build tree under test."""
    path = os.environ.get("TEXTSCREEN_TEST_OUTPUT") or os.path.join(
        harness.BUILD_DIR, "test-output", test_name)
    os.makedirs(path, exist_ok=True)
    return path


class Script:
    """Steps for one browser, in order. Each method returns its step's index, by which
    Result gives back what the step read."""

    def __init__(self, http_credentials=None, ignore_https_errors=False):
        self.steps = []
        self.http_credentials = http_credentials
        self.ignore_https_errors = ignore_https_errors

    def _add(self, op, **args):
        self.steps.append(dict(op=op, **args))
        return len(self.steps) - 1

    def goto(self, url, status=200):
        """Loads url, which must answer status (None: any); reads {'status': the HTTP
        status, 'url': where it ended}."""
        return self._add("goto", url=url, status=status)

    def fill(self, selector, text):
        return self._add("fill", selector=selector, text=text)

    def click(self, selector):
        return self._add("click", selector=selector)

    def wait_for(self, selector, state="visible"):
        return self._add("waitFor", selector=selector, state=state)

    def text(self, selector):
        """The text content of the one element selector matches."""
        return self._add("text", selector=selector)

    def count(self, selector):
        return self._add("count", selector=selector)

    def url(self):
        return self._add("url")

    def viewport(self, width, height):
        return self._add("viewport", width=width, height=height)

    def eval(self, expression):
        """A JavaScript expression evaluated in the page; a promise is awaited."""
        return self._add("eval", expression=expression)

    def screenshot(self, path):
        return self._add("screenshot", path=path)


class Result:
    def __init__(self, out):
        self.values = out["results"]
        self.dialogs = out["dialogs"]
        self.page_errors = out["pageErrors"]

    def __getitem__(self, step):
        return self.values[step]


def run(script, failure_screenshot=None, step_timeout=STEP_TIMEOUT):
    """Runs script in a fresh headless Chromium; returns its Result. A step that fails
    (an element that never appears, a page that never loads) fails the test with the
    driver's message; failure_screenshot, when given, shows the page as it was."""
    request = {
        "steps": script.steps,
        "timeout_ms": int(step_timeout * 1000),
        "ignoreHTTPSErrors": script.ignore_https_errors,
    }
    if script.http_credentials:
        user, password = script.http_credentials
        request["httpCredentials"] = {"username": user, "password": password}
    if failure_screenshot:
        request["failureScreenshot"] = failure_screenshot
    # The driver bounds itself a little below this; this bound only catches a hung driver.
    bound = step_timeout * (len(script.steps) + 4) + 15 * harness.SLOW
    proc = subprocess.Popen(["node", DRIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=WEB_DIR)
    try:
        stdout, stderr = proc.communicate(json.dumps(request).encode(), timeout=bound)
    except subprocess.TimeoutExpired:
        # SIGTERM first: playwright closes Chromium on it.
        proc.terminate()
        try:
            proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
        raise AssertionError(f"the browser driver did not finish within {bound:.0f}s")
    try:
        out = json.loads(stdout.decode().strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise AssertionError(f"the browser driver exited with {proc.returncode} and no "
                             f"result: {stderr.decode(errors='replace')[-4000:]}")
    if proc.returncode != 0 or not out.get("ok"):
        shot = f" (screenshot: {out['failureScreenshot']})" if out.get("failureScreenshot") else ""
        raise AssertionError(f"browser: {out.get('error', 'failed')}{shot}; "
                             f"dialogs {out.get('dialogs')}, page errors {out.get('pageErrors')}")
    return Result(out)
