#!/usr/bin/python3
# The public /why page against the real daemon: a refusal's reference id shows its
# decision, domain, masked recipient and reason, never the client address or the
# gateway's words; hostile HELO names come back escaped; malformed and unknown ids get a
# message; lookups are rate-limited per address; HTTPS with web_tls_*; a reload that
# clears web_listen closes the listener.
import http.client
import os
import re
import signal
import socket
import ssl
import sys
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import NUMBERS, make_message, rcpt  # noqa: E402
from tls_certs import make_certificate  # noqa: E402

# Decisions are written a little after the session ends (the store writer batches).
RECORD_TIMEOUT = 10 * harness.SLOW


def element(html, element_id):
    """The text inside the element with this id (no nested element of the same tag)."""
    m = re.search(r'<(\w+)[^>]*\bid="' + re.escape(element_id) + r'"[^>]*>(.*?)</\1>', html,
                  re.S)
    return m.group(2) if m else None


class WhyPageTest(harness.IntegrationTest):
    start_daemon = False
    web_config = {}
    scheme = "http"

    def setUp(self):
        super().setUp()
        self.web_port = harness.free_port()
        self.gateway = self.start_gateway()
        config = {"web_listen": f"127.0.0.1:{self.web_port}"}
        config.update(self.web_settings())
        self.daemon = self.start_textscreen(self.gateway.port, config)

    def web_settings(self):
        """The web_* keys besides web_listen; self.workdir exists when this runs."""
        return self.web_config

    def connection(self):
        if self.scheme == "https":
            context = ssl.create_default_context(cafile=self.ca)
            return http.client.HTTPSConnection("127.0.0.1", self.web_port, context=context,
                                               timeout=harness.IO_TIMEOUT)
        return http.client.HTTPConnection("127.0.0.1", self.web_port, timeout=harness.IO_TIMEOUT)

    def get(self, path):
        """(status, headers, body text) of one GET."""
        conn = self.connection()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            conn.close()

    def why(self, ref):
        return self.get("/why?" + urllib.parse.urlencode({"ref": ref}))

    def recorded(self, ref):
        """The page for ref once its decision is on record (polled with a bound)."""
        def found():
            status, _, body = self.why(ref)
            return body if status == 200 else None
        return harness.poll(found, RECORD_TIMEOUT, step=0.1, what=f"the decision {ref} on /why")

    def refused_rcpt(self, address, enhanced, helo, sender):
        """A transaction whose only recipient, address, is refused with enhanced; its ref."""
        c = self.client()
        c.ehlo(helo)
        self.assertReply(c.cmd(f"MAIL FROM:<{sender}>"), 250, "2.1.0", client=c)
        r = c.cmd(f"RCPT TO:<{address}>")
        self.assertReply(r, 550, enhanced, ref=True, client=c)
        c.cmd("QUIT")
        return r.ref

    def refused_recipient(self, number, helo="client.example", sender="alerts@example.org"):
        """A transaction whose only recipient is refused by a recipient ban; its ref."""
        rc, _, err = self.daemon.ctl("ban", "add", "recipient", number,
                                     "--reason", "this number asked for no more mail")
        self.assertEqual(rc, 0, err)
        return self.refused_rcpt(rcpt(number), "5.7.1", helo, sender)

    def refused_not_a_number(self, local_part="1234567", helo="client.example",
                             sender="alerts@example.org"):
        """A transaction whose only recipient is no subscriber number; its ref."""
        return self.refused_rcpt(f"{local_part}@{harness.GATEWAY_DOMAIN}", "5.1.1", helo, sender)


class WhyLookupTest(WhyPageTest):

    def test_refused_message_explained_with_masked_recipient(self):
        number = NUMBERS[0]
        ref = self.refused_recipient(number)
        body = self.recorded(ref)
        self.assertEqual(element(body, "why-action"), "Refused")
        self.assertEqual(element(body, "why-domain"), "example.org")
        self.assertEqual(element(body, "why-helo"), "client.example")
        self.assertIn("this number asked for no more mail", element(body, "why-reason"))
        self.assertIn(" UTC", element(body, "why-time"))
        masked = number[:4] + "*" * (len(number) - 6) + number[-2:]
        self.assertEqual(element(body, "why-recipients"), f"{masked}@{harness.GATEWAY_DOMAIN}")
        self.assertNotIn(number, body, "the full recipient number is on the page")
        self.assertNotIn("127.0.0.1", body, "the client address is on the page")
        # The pasted form of the id, brackets and capitals, finds the same record.
        status, _, again = self.why(f" [{ref.upper()}] ")
        self.assertEqual(status, 200)
        self.assertEqual(element(again, "why-action"), "Refused")

    def test_failed_check_explained_and_number_in_reason_masked(self):
        ref = self.refused_not_a_number("98765432109")
        body = self.recorded(ref)
        self.assertEqual(element(body, "why-action"), "Refused")
        self.assertIn('<li class="why-check" data-check="recipient">', body)
        self.assertIn("not a valid subscriber number", element(body, "why-reason"))
        self.assertNotIn("98765432109", body, "the number in the reason is shown whole")
        self.assertIn("9876*****09", body)

    def test_delivered_message_never_shows_the_gateway_reply(self):
        c = self.client()
        c.ehlo()
        token = "why-" + uuid.uuid4().hex
        r = self.transaction(c, recipients=[rcpt(NUMBERS[1])], message=make_message(token))
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        c.cmd("QUIT")
        self.gateway.wait_for_count(1)
        body = self.recorded(r.ref)
        self.assertEqual(element(body, "why-action"), "Delivered")
        self.assertNotIn("stored as", body, "the gateway's reply is on the page")
        self.assertNotIn("127.0.0.1", body)
        self.assertNotIn(NUMBERS[1], body)

    def test_hostile_helo_is_escaped(self):
        helo = "<script>alert(1)</script>"
        ref = self.refused_not_a_number(helo=helo)
        body = self.recorded(ref)
        self.assertNotIn("<script>alert", body)
        self.assertEqual(element(body, "why-helo"), "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_null_sender(self):
        ref = self.refused_not_a_number(sender="")
        body = self.recorded(ref)
        self.assertEqual(element(body, "why-domain"), "(none: the null sender)")

    def test_malformed_and_unknown_ids(self):
        status, _, body = self.why("not-an-id")
        self.assertEqual(status, 400)
        self.assertIsNotNone(element(body, "why-malformed"), body)
        status, _, body = self.why("ts-aaaaaaaaaaaaa")
        self.assertEqual(status, 404)
        self.assertIsNotNone(element(body, "why-unknown"), body)
        self.assertIsNotNone(element(body, "why-form"), "the form is gone from the answer")

    def test_long_and_binary_values_are_cut_and_escaped(self):
        status, _, body = self.why("<b>" + "x" * 100000)
        self.assertEqual(status, 400)
        self.assertNotIn("<b>", body)
        self.assertNotIn("x" * 100, body, "a long value is echoed whole")
        status, _, body = self.get("/why?ref=%FF%FE%00%3Cscript%3E")
        self.assertEqual(status, 400)
        self.assertNotIn("<script>", body)
        self.assertIn("\ufffd", body)

    def test_the_form_without_a_lookup(self):
        status, _, body = self.get("/why")
        self.assertEqual(status, 200)
        self.assertIn('id="why-form"', body)
        self.assertIn('id="ref"', body)
        self.assertIn('id="why-submit"', body)


class WhyRateLimitTest(WhyPageTest):
    web_config = {"web_why_rate": "3"}

    def test_fourth_lookup_in_a_minute_is_refused(self):
        for i in range(3):
            status, _, _ = self.why("ts-aaaaaaaaaaaaa")
            self.assertEqual(status, 404, f"lookup {i + 1}")
        status, headers, body = self.why("ts-aaaaaaaaaaaaa")
        self.assertEqual(status, 429)
        self.assertIsNotNone(element(body, "why-slow-down"), body)
        retry = int(headers.get("Retry-After", "0"))
        self.assertTrue(1 <= retry <= 60, f"Retry-After: {headers.get('Retry-After')}")
        # Malformed ids count too: guessing is what the limit is for.
        status, _, _ = self.why("nonsense")
        self.assertEqual(status, 429)
        # Pages that look nothing up still work.
        self.assertEqual(self.get("/why")[0], 200)
        self.assertEqual(self.get("/static/style.css")[0], 200)


class WhyHttpsTest(WhyPageTest):
    scheme = "https"

    def web_settings(self):
        self.cert, self.key, self.ca = make_certificate(os.path.join(self.workdir, "certs"))
        return {"web_tls_certificate": self.cert, "web_tls_key": self.key}

    def test_served_over_verified_tls(self):
        ref = self.refused_not_a_number()
        body = self.recorded(ref)
        self.assertEqual(element(body, "why-action"), "Refused")
        # Plain HTTP on the same port gets no page.
        conn = http.client.HTTPConnection("127.0.0.1", self.web_port, timeout=harness.IO_TIMEOUT)
        try:
            conn.request("GET", "/why")
            response = conn.getresponse()
            self.fail(f"plain HTTP answered {response.status}")
        except (http.client.HTTPException, OSError):
            pass
        finally:
            conn.close()


class WhyReloadTest(WhyPageTest):

    def test_reload_without_web_listen_closes_the_listener(self):
        self.assertEqual(self.get("/why")[0], 200)
        del self.daemon.values["web_listen"]
        self.daemon.write_config()
        self.daemon.signal(signal.SIGHUP)

        def closed():
            try:
                with socket.create_connection(("127.0.0.1", self.web_port), timeout=2):
                    return False
            except ConnectionRefusedError:
                return True
        harness.poll(closed, 20 * harness.SLOW, step=0.1, what="the web listener to close")
        # SMTP goes on.
        c = self.client()
        c.ehlo()
        c.cmd("QUIT")


if __name__ == "__main__":
    harness.main()
