#!/usr/bin/python3
# The web pages (issue 11) in headless Chromium, as a sender's admin and a carrier's staff
# use them: a refusal explained on /why by its reference id, a domain allowlisted on the
# dashboard whose next message passes, a quarantined message released once, and a
# hostile HELO shown as text. A static page first proves the browser driver itself.
# Screenshots of each page land in the test's output folder (browser.output_dir).
import base64
import html
import http.client
import http.server
import json
import os
import sys
import threading
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browser  # noqa: E402
import harness  # noqa: E402
from dns_servers import UnboundTest  # noqa: E402
from harness import (IO_TIMEOUT, NUMBERS, IntegrationTest, TempDir, free_port,  # noqa: E402
                     make_message, poll, rcpt)

OUTPUT = browser.output_dir("test_web_browser")
STAFF = ("carol", "staff password 11")
# Markup a sender chooses for its HELO: the pages must show it as these very characters.
HOSTILE_HELO = "<script>alert(1)</script>\"'><svg/onload=alert(2)>&amp;"


def normalized(text):
    return " ".join((text or "").split())


def reply_text(reply):
    """What the reply says after its enhanced code and '[ts-...] '."""
    return reply.lines[0].split("] ", 1)[1]


def json_lines(text):
    return [json.loads(l) for l in text.splitlines() if l.strip()]


def png_written(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n" and os.path.getsize(path) > 1000


class BrowserCase:
    """Mixed in before a test base: skips the class where no browser can run, names the
    screenshots after the test."""

    @classmethod
    def setUpClass(cls):
        browser.require_browser()
        super().setUpClass()

    def shot(self, name):
        return os.path.join(OUTPUT, f"{self.id().split('.', 1)[1]}-{name}.png")

    def browse(self, script, **kw):
        failure = self.shot("failure")
        if os.path.exists(failure):
            os.unlink(failure)  # an earlier run's: what is there now is this run's
        return browser.run(script, failure_screenshot=failure, **kw)

    def assertShot(self, path):
        self.assertTrue(png_written(path), f"no screenshot at {path}")


# --- the driver against a static page --------------------------------------------------

class StaticSite(http.server.BaseHTTPRequestHandler):
    """/ a GET form and an alert button, /echo shows its query escaped, /private wants
    basic auth and POSTs a form that is answered with a 303 to /echo."""

    posts = []

    def page(self, status, body, headers=()):
        data = f"<!doctype html><title>static</title><body>{body}</body>".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def authorized(self):
        want = "Basic " + base64.b64encode(":".join(STAFF).encode()).decode()
        if self.headers.get("Authorization") == want:
            return True
        self.page(401, "<p id='denied'>no</p>", [("WWW-Authenticate", 'Basic realm="t"')])
        return False

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/":
            self.page(200, "<form id='f' action='/echo'><input id='name' name='name'>"
                           "<button id='go' type='submit'>Go</button></form>"
                           "<button id='alert' onclick=\"alert('hi')\">alert</button>")
        elif url.path == "/echo":
            self.page(200, f"<p id='echoed'>{html.escape(query.get('name', ''))}</p>")
        elif url.path == "/private" and self.authorized():
            self.page(200, "<p id='who'>staff</p><form id='p' method='post' action='/post'>"
                           "<input type='hidden' name='token' value='t1'>"
                           "<input id='note' name='note'><button type='submit'>Save</button>"
                           "</form>")

    def do_POST(self):
        if not self.authorized():
            return
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        StaticSite.posts.append(form)
        self.page(303, "", [("Location", "/echo?" + urllib.parse.urlencode(
            {"name": form.get("note", "")}))])

    def log_message(self, *args):
        pass


class DriverTest(BrowserCase, unittest.TestCase):
    """The browser driver on a page served by Python: what the scenarios below rely on."""

    def setUp(self):
        StaticSite.posts = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StaticSite)
        self.server.daemon_threads = True
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 15)
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def test_fill_click_read_and_screenshot(self):
        s = browser.Script()
        loaded = s.goto(self.base + "/")
        s.fill("#name", "a <b>bold</b> & c")
        s.click("#go")
        echoed = s.text("#echoed")
        bold = s.count("#echoed b")
        where = s.url()
        s.screenshot(self.shot("echo"))
        r = self.browse(s)
        self.assertEqual(r[loaded]["status"], 200)
        self.assertEqual(r[echoed], "a <b>bold</b> & c")
        self.assertEqual(r[bold], 0)
        self.assertIn("/echo?name=", r[where])
        self.assertEqual(r.dialogs, [])
        self.assertShot(self.shot("echo"))

    def test_basic_auth_and_post_redirect_get(self):
        # /private answers 401 to a request without these credentials.
        s = browser.Script(http_credentials=STAFF)
        s.goto(self.base + "/private")
        who = s.text("#who")
        s.fill("#note", "saved by the browser")
        s.click("#p button")
        echoed = s.text("#echoed")
        s.screenshot(self.shot("posted"))
        r = self.browse(s)
        self.assertEqual(r[who], "staff")
        self.assertEqual(r[echoed], "saved by the browser")
        self.assertEqual(StaticSite.posts, [{"token": "t1", "note": "saved by the browser"}])
        self.assertShot(self.shot("posted"))

    def test_a_dialog_is_recorded(self):
        # What the escaping scenario asserts is absent must be seen when it happens.
        s = browser.Script()
        s.goto(self.base + "/")
        s.click("#alert")
        r = self.browse(s)
        self.assertEqual(r.dialogs, [{"type": "alert", "message": "hi"}])

    def test_a_failed_step_says_which_and_shows_the_page(self):
        s = browser.Script()
        s.goto(self.base + "/")
        s.click("#absent")
        with self.assertRaises(AssertionError) as caught:
            self.browse(s, step_timeout=2 * harness.SLOW)
        self.assertIn("#absent", str(caught.exception))
        self.assertShot(self.shot("failure"))


# --- the daemon's pages ----------------------------------------------------------------

class WebCase(BrowserCase):
    """The daemon with its web pages on a free loopback port and one staff user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.staff_dir = TempDir(prefix="textscreen-web-")
        cls.staff_users = os.path.join(cls.staff_dir.path, "staff-users")
        with open(cls.staff_users, "w") as f:
            f.write(f"{STAFF[0]}:{harness.sha512_crypt(STAFF[1])}\n")

    @classmethod
    def tearDownClass(cls):
        cls.staff_dir.cleanup()
        super().tearDownClass()

    def start_textscreen(self, gateway_port, config=None, args=()):
        self.web_port = free_port()
        web = {"web_listen": f"127.0.0.1:{self.web_port}",
               "web_staff_users_file": self.staff_users}
        daemon = super().start_textscreen(gateway_port, dict(config or {}, **web), args)
        poll(self.web_answers, harness.READY_TIMEOUT, what=f"the web pages on {self.web_port}")
        return daemon

    def web_answers(self):
        """True once the web listener answers a request, whatever its status."""
        conn = http.client.HTTPConnection("127.0.0.1", self.web_port, timeout=5)
        try:
            conn.request("GET", "/why")
            return conn.getresponse().status > 0
        finally:
            conn.close()

    def url(self, path):
        return f"http://127.0.0.1:{self.web_port}{path}"

    def decision(self, ref):
        """The decision record of ref, once the daemon's lazy write has landed."""
        def get():
            rc, out, _ = self.daemon.ctl("lookup", ref, "--json")
            return json.loads(out) if rc == 0 else None
        return poll(get, IO_TIMEOUT, what=f"decision {ref} in the decision log")

    def ctl(self, *args):
        rc, out, err = self.daemon.ctl(*args)
        self.assertEqual(rc, 0, f"textscreenctl {' '.join(args)}: {out}{err}")
        return out


class WebPagesTest(WebCase, IntegrationTest):

    def test_why_explains_a_refusal_by_its_reference_id(self):
        self.ctl("ban", "add", "domain", "spam.example", "--reason", "spam wave 4711")
        c = self.client()
        c.ehlo()
        r = c.cmd("MAIL FROM:<news@spam.example>")
        self.assertReply(r, 550, "5.7.1", ref=True, client=c)
        c.cmd("QUIT")
        self.decision(r.ref)

        s = browser.Script()
        s.goto(self.url("/why"))
        s.screenshot(self.shot("why-form"))
        s.fill("#ref", r.ref)
        s.click("#why-submit")
        s.wait_for("#why-result")
        reason = s.text("#why-reason")
        action = s.text("#why-action")
        domain = s.text("#why-domain")
        shown = s.text("#why-result")
        s.screenshot(self.shot("why-result"))
        page = self.browse(s)
        self.assertIn(normalized(reply_text(r)), normalized(page[reason]))
        self.assertIn("spam wave 4711", page[reason])
        self.assertEqual(normalized(page[action]), "Refused")
        self.assertEqual(normalized(page[domain]), "spam.example")
        self.assertNotIn("127.0.0.1", page[shown], "/why shows the client's address")
        self.assertShot(self.shot("why-result"))

    def test_quarantined_message_released_from_the_dashboard_once(self):
        self.ctl("ban", "add", "domain", "held.example", "--action", "quarantine",
                 "--reason", "review first")
        token = "held-" + uuid.uuid4().hex
        c = self.client()
        c.ehlo()
        end = self.transaction(c, sender="a@held.example", recipients=[rcpt(NUMBERS[0])],
                               message=make_message(token, sender="a@held.example"))
        self.assertReply(end, 250, "2.0.0", ref=True, client=c)
        self.assertIn("quarantine", end.text.lower())
        c.cmd("QUIT")
        self.assertEqual(self.gateway.count(), 0, "a quarantined message reached the gateway")

        row = f'tr[data-ref="{end.ref}"]'
        s = browser.Script(http_credentials=STAFF)
        s.goto(self.url("/staff/quarantine"))
        s.wait_for(row)
        s.screenshot(self.shot("quarantine"))
        # The form as the browser would send it, to post it again after the release.
        s.eval(f"""(() => {{
          const f = document.querySelector('{row} form.release');
          sessionStorage.setItem('replay', JSON.stringify(
              {{action: f.action, body: new URLSearchParams(new FormData(f)).toString()}}));
          return f.action;
        }})()""")
        s.click(f"{row} form.release button")
        notice = s.text("#notice")
        s.screenshot(self.shot("released"))
        again = s.eval("""(async () => {
          const r = JSON.parse(sessionStorage.getItem('replay'));
          const answer = await fetch(r.action, {method: 'POST', body: new URLSearchParams(r.body)});
          const page = new DOMParser().parseFromString(await answer.text(), 'text/html');
          return {status: answer.status, error: page.querySelector('#error')?.textContent ?? null,
                  notice: page.querySelector('#notice')?.textContent ?? null};
        })()""")
        page = self.browse(s)
        self.assertTrue(page[notice].strip(), "the release's notice says nothing")
        [stored] = self.gateway.wait_for_count(1)
        self.assertIn(token.encode(), stored["raw"])
        self.assertIsNotNone(page[again]["error"],
                             f"a second release was not refused: {page[again]}")
        self.assertEqual(self.gateway.count(), 1, "the message was delivered twice")
        held = {q["ref"]: q for q in json_lines(self.ctl("quarantine", "list", "--json"))}
        self.assertEqual(held[end.ref]["released_by"], STAFF[0])

    def test_every_page_reads_on_a_phone(self):
        # One decision and one held message, so the tables have a row.
        self.ctl("ban", "add", "domain", "held.example", "--action", "quarantine")
        c = self.client()
        c.ehlo()
        end = self.transaction(c, sender="a@held.example", recipients=[rcpt(NUMBERS[1])],
                               message=make_message("phone", sender="a@held.example"))
        self.assertReply(end, 250, "2.0.0", ref=True, client=c)
        c.cmd("QUIT")
        self.decision(end.ref)
        pages = {"why": f"/why?ref={end.ref}", "overview": "/staff/",
                 "decisions": "/staff/decisions", "lookup": f"/staff/lookup?q={end.ref}",
                 "allowlist": "/staff/allowlist", "quarantine": "/staff/quarantine",
                 "surges": "/staff/surges"}
        s = browser.Script(http_credentials=STAFF)
        s.viewport(390, 844)
        overflow = {}
        for name, path in pages.items():
            s.goto(self.url(path))
            s.wait_for("main h1")
            # Wider than the screen is only allowed inside a table's own scroll box.
            overflow[name] = s.eval("document.documentElement.scrollWidth - window.innerWidth")
            s.screenshot(self.shot(f"phone-{name}"))
        page = self.browse(s)
        for name in pages:
            self.assertLessEqual(page[overflow[name]], 0, f"{name} is wider than a phone")
            self.assertShot(self.shot(f"phone-{name}"))
        self.assertEqual(page.page_errors, [], "a page's script failed")

    def test_hostile_helo_is_shown_as_text(self):
        c = self.client()
        self.assertReply(c.cmd(f"EHLO {HOSTILE_HELO}"), 250, client=c)
        self.assertReply(c.cmd("MAIL FROM:<a@example.org>"), 250, "2.1.0", client=c)
        r = c.cmd(f"RCPT TO:<{NUMBERS[0]}@other.example>")
        self.assertReply(r, 550, "5.7.1", ref=True, client=c)
        c.cmd("QUIT")
        self.assertEqual(self.decision(r.ref)["helo"], HOSTILE_HELO)

        cell = f'tr[data-ref="{r.ref}"] td.helo'
        s = browser.Script(http_credentials=STAFF)
        s.goto(self.url("/staff/decisions"))
        staff_helo = s.text(cell)
        staff_markup = s.count(f"{cell} script, {cell} svg")
        s.screenshot(self.shot("decisions"))
        s.goto(self.url("/why?ref=" + r.ref))
        why_helo = s.text("#why-helo")
        why_markup = s.count("#why-helo script, #why-helo svg")
        s.screenshot(self.shot("why-helo"))
        page = self.browse(s)
        self.assertEqual(page[staff_helo].strip(), HOSTILE_HELO)
        self.assertEqual(page[why_helo].strip(), HOSTILE_HELO)
        self.assertEqual((page[staff_markup], page[why_markup]), (0, 0))
        self.assertEqual(page.dialogs, [], "a script of the HELO ran")
        self.assertShot(self.shot("decisions"))


class AllowlistPageTest(WebCase, UnboundTest):
    """dispatch.test's client 127.0.0.2 is on a DNS list that refuses it; its SPF passes,
    so once allowlisted it is trusted and not screened (policy/allowlist_trust.h)."""

    zones = ["test"]
    config = {"dnsbl_sites": "bl.test", "dnsbl_threshold": "1", "dnsbl_action": "reject"}

    @classmethod
    def records(cls):
        return ['dispatch.test. 300 IN TXT "v=spf1 ip4:127.0.0.2 -all"',
                "2.0.0.127.bl.test. 300 IN A 127.0.0.2"]

    def test_allowlisted_domain_passes_next_time(self):
        c, r = self.rcpt_reply("127.0.0.2", sender="alerts@dispatch.test")
        self.assertReply(r, 550, "5.7.1", ref=True, client=c)
        self.assertIn("bl.test", r.text)
        c.cmd("QUIT")

        s = browser.Script(http_credentials=STAFF)
        s.goto(self.url("/staff/allowlist"))
        s.fill("#allow-add [name=domain]", "dispatch.test")
        s.fill("#allow-add [name=note]", "dispatch alerts, ticket 88")
        s.click("#allow-add [type=submit]")
        s.wait_for('#allowlist tr[data-domain="dispatch.test"]')
        notice = s.text("#notice")
        s.screenshot(self.shot("allowlist"))
        page = self.browse(s)
        self.assertTrue(page[notice].strip(), "the addition's notice says nothing")
        entries = json_lines(self.ctl("allow", "list", "--json"))
        self.assertEqual([(e["domain"], e["added_by"], e["note"]) for e in entries],
                         [("dispatch.test", STAFF[0], "dispatch alerts, ticket 88")])

        token = "allowed-" + uuid.uuid4().hex
        c, r = self.rcpt_reply("127.0.0.2", sender="alerts@dispatch.test")
        self.assertReply(r, 250, "2.1.5", client=c)
        self.relay(c, token, make_message(token, sender="alerts@dispatch.test"))
        [stored] = self.gateway.wait_for_count(1)
        self.assertIn(token.encode(), stored["raw"])
        self.assertShot(self.shot("allowlist"))


if __name__ == "__main__":
    harness.main()
