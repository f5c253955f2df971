#!/usr/bin/python3
# The staff dashboard's quarantine page: a held message is listed, released with the
# Release button's POST and reaches the capture gateway exactly once with the bytes it was
# held with; a second POST (even a concurrent one) is refused; stale mail needs the force
# box; a gateway that is down leaves the message held and unmarked; one that takes the
# message without answering leaves the mark; textscreenctl sees who released it.
import base64
import http.client
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (IO_TIMEOUT, NUMBERS, IntegrationTest, free_port, make_message,  # noqa: E402
                     rcpt)

STAFF = "carol"
PASSWORD = "quarantine keeper"
SENDER = "q@example.org"


class WebQuarantineTest(IntegrationTest):
    start_daemon = False
    extra_config = {}

    def setUp(self):
        super().setUp()
        users = os.path.join(self.workdir, "staff-users")
        with open(users, "w") as f:
            f.write(f"{STAFF}:{harness.sha512_crypt(PASSWORD)}\n")
        self.web_port = free_port()
        self.gateway = self.start_gateway(**self.gateway_options)
        self.daemon = self.start_textscreen(self.gateway.port, {
            "web_listen": f"127.0.0.1:{self.web_port}",
            "web_staff_users_file": users,
            **self.extra_config,
        })
        self.ctl("ban", "add", "sender", SENDER, "--action", "quarantine",
                 "--reason", "held for review")

    # --- helpers -------------------------------------------------------------------------

    def ctl(self, *args):
        rc, out, err = self.daemon.ctl(*args)
        self.assertEqual(rc, 0, f"textscreenctl {' '.join(args)}: {out}{err}")
        return out

    def http(self, method, path, fields=None):
        """One request as the staff user; returns (status, headers, body text)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.web_port, timeout=IO_TIMEOUT)
        self.addCleanup(conn.close)
        auth = base64.b64encode(f"{STAFF}:{PASSWORD}".encode()).decode()
        headers = {"Authorization": f"Basic {auth}"}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read().decode()

    def page(self, path="/staff/quarantine"):
        status, _, body = self.http("GET", path)
        self.assertEqual(status, 200, body)
        return body

    def row(self, ref, page=None):
        page = page if page is not None else self.page()
        m = re.search(rf'<tr data-ref="{ref}">.*?</tr>', page, re.S)
        self.assertIsNotNone(m, f"no row for {ref} in #quarantine:\n{page}")
        return m.group(0)

    def release(self, ref, force=False, csrf=None):
        """POSTs the row's form; returns (outcome kind, text shown on the page after it)."""
        row = self.row(ref)
        self.assertIn('<form class="release" method="post" action="/staff/quarantine/release">',
                      row)
        token = csrf or re.search(r'name="csrf" value="([^"]+)"', row).group(1)
        fields = {"csrf": token, "ref": ref}
        if force:
            fields["force"] = "1"
        status, headers, body = self.http("POST", "/staff/quarantine/release", fields)
        self.assertEqual(status, 303, body)
        location = headers["Location"]
        self.assertTrue(location.startswith("/staff/quarantine?"), location)
        shown = self.page(location)
        m = re.search(r'<p id="(notice|error)"[^>]*>(.*?)</p>', shown, re.S)
        self.assertIsNotNone(m, f"no outcome shown after the release:\n{shown}")
        return m.group(1), m.group(2)

    def quarantine_one(self, body=None):
        token = "webq-" + uuid.uuid4().hex
        c = self.client()
        c.ehlo()
        end = self.transaction(c, sender=SENDER, recipients=[rcpt(NUMBERS[0])],
                               message=make_message(token, sender=SENDER, body=body))
        self.assertReply(end, 250, "2.0.0", ref=True, client=c)
        c.cmd("QUIT")
        return end.ref, token

    def held(self, ref):
        out = self.ctl("quarantine", "list", "--json")
        records = {q["ref"]: q for q in (json.loads(l) for l in out.splitlines() if l.strip())}
        self.assertIn(ref, records, "the message is no longer held")
        return records[ref]


class ReleaseTest(WebQuarantineTest):

    def test_release_from_the_dashboard_delivers_once(self):
        ref, token = self.quarantine_one(body="a line\r\n.a leading dot\r\n..two dots\r\n.")
        row = self.row(ref)
        for cell in (SENDER, rcpt(NUMBERS[0]), "held for review"):
            self.assertIn(cell, row)
        self.assertRegex(row, r'<td class="released">-</td>')
        self.assertNotIn('name="force"', row, "a fresh message needs no force")

        kind, text = self.release(ref)
        self.assertEqual(kind, "notice", text)
        self.assertIn(f"released {ref}", text)
        self.assertIn("250", text, "the gateway's reply is not shown")
        [stored] = self.gateway.wait_for_count(1)
        self.assertEqual(stored["mail_from"], SENDER)
        self.assertEqual(stored["rcpt_tos"], [rcpt(NUMBERS[0])])
        self.assertIn(token.encode(), stored["raw"])
        rc, raw, _ = self.daemon.ctl("quarantine", "show", ref, "--raw")
        self.assertEqual(rc, 0)
        self.assertEqual(stored["raw"], raw.encode(),
                         "the gateway did not receive the held bytes (dot-stuffing, CRLF)")

        record = self.held(ref)
        self.assertEqual(record["released_by"], STAFF)
        self.assertGreater(record["released_at"], 0)
        _, out, _ = self.daemon.ctl("quarantine", "show", ref)
        self.assertIn(f"released:    {STAFF} at ", out)
        self.assertIn(f"{STAFF} at ", self.row(ref))
        self.assertRegex(self.daemon.log(),
                         rf'event=web user={STAFF} .*action=quarantine_release target={ref} '
                         r'result="?released')

        kind, text = self.release(ref)
        self.assertEqual(kind, "error", text)
        self.assertIn("already released", text)
        self.assertIn("not sent twice", text)
        kind, text = self.release(ref, force=True)
        self.assertEqual(kind, "error", "force must not deliver twice")
        time.sleep(0.5)  # a second delivery would have to arrive by now; none may
        self.assertEqual(self.gateway.count(), 1, "the message was delivered twice")

    def test_concurrent_posts_send_once(self):
        ref, _ = self.quarantine_one()
        token = re.search(r'name="csrf" value="([^"]+)"', self.row(ref)).group(1)
        outcomes = []

        def post():
            status, headers, _ = self.http("POST", "/staff/quarantine/release",
                                           {"csrf": token, "ref": ref})
            outcomes.append((status, headers.get("Location", "")))

        threads = [threading.Thread(target=post) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(IO_TIMEOUT)
        self.assertEqual(len(outcomes), 2, outcomes)
        kinds = sorted(urllib.parse.urlparse(loc).query.split("=")[0] for _, loc in outcomes)
        self.assertEqual(kinds, ["error", "notice"], outcomes)
        self.gateway.wait_for_count(1)
        self.assertEqual(self.gateway.count(), 1)
        self.assertEqual(self.held(ref)["released_by"], STAFF)

    def test_gateway_down_keeps_the_message_held_and_unmarked(self):
        ref, _ = self.quarantine_one()
        self.gateway.stop()
        kind, text = self.release(ref)
        self.assertEqual(kind, "error", text)
        self.assertIn("not delivered", text)
        self.assertIn("gateway", text)
        self.assertIn("still held", text)
        self.assertEqual(self.held(ref)["released_by"], "", "a failed release left the mark")

    def test_csrf_token_is_required(self):
        ref, _ = self.quarantine_one()
        status, _, body = self.http("POST", "/staff/quarantine/release", {"ref": ref})
        self.assertEqual(status, 403)
        self.assertIn('id="error"', body)
        self.assertEqual(self.held(ref)["released_by"], "")
        self.assertEqual(self.gateway.count(), 0)

    def test_malformed_ref(self):
        ref, _ = self.quarantine_one()
        token = re.search(r'name="csrf" value="([^"]+)"', self.row(ref)).group(1)
        status, headers, _ = self.http("POST", "/staff/quarantine/release",
                                       {"csrf": token, "ref": "ts-<script>"})
        self.assertEqual(status, 303)
        shown = self.page(headers["Location"])
        self.assertIn("not a reference id", shown)
        self.assertNotIn("<script>", shown)


class StaleReleaseTest(WebQuarantineTest):
    extra_config = {"quarantine_release_max_age": "1s"}

    def test_stale_message_needs_force(self):
        ref, _ = self.quarantine_one()
        time.sleep(2.2)  # let the message age past the 1 s limit (times are whole seconds)
        row = self.row(ref)
        self.assertIn('name="force"', row, "a stale message offers no force box")
        self.assertIn("stale", row)
        kind, text = self.release(ref)
        self.assertEqual(kind, "error", text)
        self.assertIn("quarantine_release_max_age", text)
        self.assertIn("force", text)
        self.assertEqual(self.gateway.count(), 0)
        self.assertEqual(self.held(ref)["released_by"], "")
        kind, text = self.release(ref, force=True)
        self.assertEqual(kind, "notice", text)
        self.gateway.wait_for_count(1)
        self.assertEqual(self.held(ref)["released_by"], STAFF)


class SilentGatewayTest(WebQuarantineTest):
    gateway_options = {"hang": "dot"}
    extra_config = {"gateway_reply_timeout": "2s"}

    def test_no_answer_after_the_message_keeps_the_mark(self):
        ref, _ = self.quarantine_one()
        kind, text = self.release(ref)
        self.assertEqual(kind, "error", text)
        self.assertIn("no answer came", text)
        self.assertIn(f"stays marked &#39;{STAFF} (releasing)&#39;", text)
        self.assertEqual(self.held(ref)["released_by"], f"{STAFF} (releasing)")
        row = self.row(ref)
        self.assertIn('name="force"', row, "an interrupted release offers no force box")
        kind, text = self.release(ref)
        self.assertEqual(kind, "error", text)
        self.assertIn(f"is being released by {STAFF}", text)


if __name__ == "__main__":
    harness.main()
