#!/usr/bin/python3
# upstream = sms_api end to end: the daemon hands each screened message to the fake
# Twilio-compatible API (tools/fake-sms-api) over HTTPS on loopback, verified against a
# test CA, and the API's answer becomes the client's: 250 only with a message id (which
# `textscreenctl lookup` shows), 550 5.1.1 for a number the API refuses, 451 4.4.x for
# what may pass (429 and its Retry-After, 5xx, the API down, hanging or unverifiable),
# and nothing lost. Around it: one recipient per transaction, the SMS text (template,
# MIME, HTML, GSM-7 and UCS-2 truncation), who may send, the credentials file's checks
# and the token never in the log.
import base64
import json
import os
import quopri
import signal
import ssl
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from dns_servers import UnboundTest  # noqa: E402
from harness import (NUMBERS, FakeSmsApi, IntegrationTest, free_port, make_message,  # noqa: E402
                     rcpt)
from test_metrics import Scrape, http_get  # noqa: E402
from tls_certs import make_certificate  # noqa: E402

NUMBER = NUMBERS[0]
E164 = "+" + NUMBER
MARKER = "..."
# On top of a configured timeout or pause: sanitizer builds answer several times slower.
MARGIN = 5.0 * max(harness.SLOW, 3.0 if harness.build_option("TEXTSCREEN_SANITIZE") == "ON"
                   else 1.0)
USER = "alerts@example.org"
PASSWORD = "correct horse battery"


def mime_message(token, subject, body_text, subtype="plain", encoding="base64"):
    """A single-part UTF-8 message, its body base64 or quoted-printable encoded."""
    data = body_text.encode()
    if encoding == "base64":
        encoded = base64.encodebytes(data).decode().replace("\n", "\r\n").rstrip()
    else:
        encoded = quopri.encodestring(data).decode().replace("\n", "\r\n").rstrip()
    return make_message(token, subject=subject, body=encoded, extra_headers=[
        "MIME-Version: 1.0", f"Content-Type: text/{subtype}; charset=utf-8",
        f"Content-Transfer-Encoding: {encoding}"])


def rfc2047(text):
    return f"=?UTF-8?B?{base64.b64encode(text.encode()).decode()}?="


def words(vocabulary, units):
    """Words from vocabulary, one space apart, to at least units characters."""
    out = []
    i = 0
    while len(" ".join(out)) < units:
        out.append(vocabulary[i % len(vocabulary)])
        i += 1
    return " ".join(out)


def ascii_text(length):
    """Words of exactly length characters, not ending in a space (it would be trimmed)."""
    text = words(["disk", "full", "on", "db7"], length)[:length]
    return text[:-1] + "x" if text.endswith(" ") else text


def first_refusal(c, sender, number=NUMBER):
    """MAIL, RCPT, DATA and a message: the first reply that is not a go-ahead, else the
    end-of-data reply."""
    for line, ok in ((f"MAIL FROM:<{sender}>", 250), (f"RCPT TO:<{rcpt(number)}>", 250),
                     ("DATA", 354)):
        r = c.cmd(line)
        if r.code != ok:
            return r
    return c.send_message(make_message(uuid.uuid4().hex, sender=sender))


class SmsApiTest(IntegrationTest):
    """A fake SMS API, the capture gateway (which must stay empty) and the daemon with
    upstream = sms_api pointing at the fake; sms_config overrides the daemon's keys."""

    start_daemon = False
    sms_config = {}

    def setUp(self):
        super().setUp()
        self.api = self.start_api()
        self.gateway = self.start_gateway()
        self.daemon = self.start_textscreen(self.gateway.port,
                                            self.api.daemon_config(**self.sms_config))

    def start_api(self):
        api = FakeSmsApi(self.workdir)
        self.addCleanup(api.stop)
        return api.start()

    def send_sms(self, c, number=NUMBER, message=None, sender="sender@example.org"):
        """One transaction to number; the end-of-data reply."""
        return self.transaction(c, sender, [rcpt(number)],
                                message or make_message(uuid.uuid4().hex, to=rcpt(number)))

    def assertTempfail(self, reply, enhanced, client=None):
        """A 451 with the enhanced code, and a reference id: the sender retries."""
        self.assertReply(reply, 451, enhanced, ref=True, client=client)

    def assertNothingRelayedBySmtp(self):
        self.assertEqual(self.gateway.count(), 0, "upstream = sms_api also relayed by SMTP")


class DeliveryTest(SmsApiTest):
    def test_delivery(self):
        c = self.client()
        c.ehlo()
        token = uuid.uuid4().hex
        r = self.send_sms(c, message=make_message(token, subject="Disk full",
                                                  body="Server db7 is at 98%."))
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        [req] = self.api.requests()
        self.assertTrue(req["auth_ok"], req)
        self.assertEqual(req["path"], self.api.messages_path)
        self.assertTrue(req["content_type"].startswith("application/x-www-form-urlencoded"),
                        req)
        self.assertEqual(req["form"], {"To": E164, "From": FakeSmsApi.SENDER,
                                       "Body": "Disk full\nServer db7 is at 98%."})
        self.assertEqual(req["status"], 201)
        self.assertIn(req["sid"], r.text, "the 250 does not name the API's message id")
        self.assertIn(req["sid"], self.lookup_after_rset(c, r.ref),
                      "textscreenctl lookup does not show the API's message id")
        self.assertNothingRelayedBySmtp()
        [listening] = [line for line in self.daemon.log().splitlines()
                       if "event=listening" in line]
        self.assertIn(f"upstream=sms_api sms_api_url={self.api.url}", listening)
        self.assertNotIn("gateway=", listening, "the start line names a gateway it never uses")

    def test_second_recipient_waits_for_its_own_transaction(self):
        first, second = NUMBERS[0], NUMBERS[1]
        c = self.client()
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", ref=True,
                         client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(first)}>"), 250, "2.1.5", ref=True, client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(second)}>"), 452, "4.5.3", ref=True, client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        self.assertReply(c.send_message(make_message("one", to=rcpt(first))), 250, "2.0.0",
                         ref=True, client=c)
        self.assertEqual([q["form"]["To"] for q in self.api.requests()], ["+" + first])
        # What the sender's MTA does next: the deferred recipient in a new transaction.
        self.assertReply(self.send_sms(c, number=second), 250, "2.0.0", ref=True, client=c)
        self.assertEqual([q["form"]["To"] for q in self.api.requests()],
                         ["+" + first, "+" + second])

    def test_invalid_number(self):
        bad = NUMBERS[1]
        self.api.control(bad_numbers=["+" + bad])
        c = self.client()
        c.ehlo()
        r = self.send_sms(c, number=bad)
        self.assertReply(r, 550, "5.1.1", ref=True, client=c)
        [req] = self.api.requests()
        self.assertEqual((req["form"]["To"], req["status"]), ("+" + bad, 400))
        # A refused number refuses only itself.
        self.assertReply(self.send_sms(c), 250, "2.0.0", ref=True, client=c)

    def test_message_without_text_is_refused_without_asking_the_api(self):
        c = self.client()
        c.ehlo()
        empty = (f"From: <sender@example.org>\r\nTo: <{rcpt(NUMBER)}>\r\n"
                 f"Message-ID: <{uuid.uuid4().hex}@example.org>\r\n"
                 "Date: Wed, 02 Dec 2026 10:00:00 +0000\r\n\r\n \r\n")
        r = self.send_sms(c, message=empty)
        self.assertReply(r, 554, "5.6.0", ref=True, client=c)
        self.assertIn("subject or a text part", r.text)
        self.assertEqual(self.api.requests(), [])

    def test_answers_without_a_message_id_are_not_250(self):
        c = self.client()
        c.ehlo()
        for body in ({"status": "queued"}, "<html>queued</html>"):
            with self.subTest(body=body):
                self.api.control(mode="ok", body=body, count=1)
                self.assertTempfail(self.send_sms(c), "4.4.2", client=c)
        self.assertEqual([q["status"] for q in self.api.requests()], [201, 201])
        self.assertReply(self.send_sms(c), 250, "2.0.0", ref=True, client=c)

    def test_api_errors(self):
        # (staged answer, reply code, enhanced codes allowed)
        cases = [
            ({"mode": "status", "status": 500}, 451, ("4.4.2",)),
            ({"mode": "status", "status": 502, "body": "<html>Bad gateway</html>"}, 451,
             ("4.4.2",)),
            ({"mode": "status", "status": 401}, 451, ("4.3.5",)),
            ({"mode": "status", "status": 403}, 451, ("4.3.5",)),
            # The request itself refused, not the number: the operator's to fix, so the
            # sender waits instead of bouncing.
            ({"mode": "status", "status": 400, "code": 21606,
              "message": "The 'From' phone number is not a valid SMS-capable number"},
             451, ("4.3.0",)),
            # The request went out and the connection closed unanswered.
            ({"mode": "close"}, 451, ("4.4.1", "4.4.2")),
        ]
        c = self.client()
        c.ehlo()
        for n, (staged, code, enhanced) in enumerate(cases, start=1):
            with self.subTest(staged=staged):
                self.api.control(**staged, count=1)
                r = self.send_sms(c)
                self.assertIn(r.enhanced, enhanced, f"{staged}: {r!r}")
                self.assertEqual(r.code, code, f"{r!r}")
                self.assertIsNotNone(r.ref, f"{r!r}")
                self.assertEqual(len(self.api.requests()), n, "not exactly one API request")
        self.assertReply(self.send_sms(c), 250, "2.0.0", ref=True, client=c)
        self.assertNothingRelayedBySmtp()


class SmsTextTest(SmsApiTest):
    """The SMS body from the email: template, MIME decoding, HTML reduced to text."""

    def body_sent(self, message):
        c = self.client()
        c.ehlo()
        self.assertReply(self.send_sms(c, message=message), 250, "2.0.0", ref=True, client=c)
        return self.api.requests()[-1]

    def test_mime_decoded(self):
        req = self.body_sent(mime_message("qp", rfc2047("Température élevée"),
                                          "Salle serveur à 41 °C.", encoding="quoted-printable"))
        self.assertEqual(req["form"]["Body"], "Température élevée\nSalle serveur à 41 °C.")

    def test_html_reduced_to_text(self):
        html = ("<html><head><style>p {color: red}</style></head><body><p>Backup <b>failed"
                "</b> on &lt;db7&gt; &amp; db8</p></body></html>")
        req = self.body_sent(mime_message("html", "Backup", html, subtype="html"))
        body = req["form"]["Body"]
        self.assertNotIn("<", body.replace("<db7>", ""), body)
        self.assertNotIn("color", body, "the style sheet reached the SMS")
        self.assertEqual(" ".join(body.split()), "Backup Backup failed on <db7> & db8")


class ConfiguredSmsTest(SmsApiTest):
    sms_config = {"sms_api_from": None, "sms_api_messaging_service_sid": "MG" + "4" * 32,
                  "sms_template": "{from}: [{subject}] {body} ({sender})"}

    def test_messaging_service_and_template(self):
        c = self.client()
        c.ehlo()
        message = make_message("t", subject="Disk full", body="db7 at 98%").replace(
            b"From: <sender@example.org>",
            b"From: =?UTF-8?Q?Night_Dispatch=2C_Dock_7?= <dispatch@example.org>")
        r = self.send_sms(c, message=message)
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        [req] = self.api.requests()
        self.assertEqual(req["form"], {
            "To": E164, "MessagingServiceSid": "MG" + "4" * 32,
            "Body": "Night Dispatch, Dock 7: [Disk full] db7 at 98% (sender@example.org)"})


class TruncationTest(SmsApiTest):
    """sms_max_segments = 2: at most 306 septets (GSM-7) or 134 UTF-16 units (UCS-2),
    marker included; the fake counts the Body it got independently."""

    sms_config = {"sms_max_segments": "2"}

    def sent(self, subject, body, message=None):
        c = self.client()
        c.ehlo()
        message = message or make_message(uuid.uuid4().hex, subject=subject, body=body)
        self.assertReply(self.send_sms(c, message=message), 250, "2.0.0", ref=True, client=c)
        return self.api.requests()[-1]

    def assertTruncated(self, req, composed, encoding, limit):
        body = req["form"]["Body"]
        self.assertEqual(req["encoding"], encoding, body)
        self.assertEqual(req["segments"], 2, f"{req['units']} units: {body!r}")
        self.assertLessEqual(req["units"], limit)
        self.assertTrue(body.endswith(MARKER), f"no truncation marker: {body!r}")
        kept = body[:-len(MARKER)].rstrip()
        self.assertTrue(composed.startswith(kept), f"not a prefix of the text:\n{body!r}")
        # A cut at a word boundary may give back a word or so, not a sizeable part.
        self.assertGreaterEqual(req["units"], 0.85 * limit, f"cut too short: {body!r}")
        self.assertNotIn("\ufffd", body, "a character was split")

    def test_gsm7_exact_fit_is_not_truncated(self):
        body = ascii_text(300)
        req = self.sent("Alert", body)
        self.assertEqual(req["form"]["Body"], "Alert\n" + body)
        self.assertEqual((req["encoding"], req["units"], req["segments"]), ("GSM-7", 306, 2))

    def test_gsm7_truncation(self):
        # [ ] and € are GSM-7 extension characters: two septets each.
        body = words(["disk", "[db7]", "is", "at", "98%", "€12", "load", "high"], 900)
        req = self.sent("Alert", body)
        self.assertTruncated(req, "Alert\n" + body, "GSM-7", 306)

    def test_gsm7_one_over_is_truncated(self):
        body = ascii_text(301)
        req = self.sent("Alert", body)
        self.assertTruncated(req, "Alert\n" + body, "GSM-7", 306)

    def test_ucs2_truncation(self):
        subject = "Тревога"
        body = words(["сервер", "db7", "перегрет", "😀", "температура", "41°C"], 400)
        req = self.sent(None, None, mime_message("ucs2", rfc2047(subject), body))
        self.assertTruncated(req, subject + "\n" + body, "UCS-2", 134)

    def test_short_ucs2_message_is_sent_whole(self):
        req = self.sent(None, None, mime_message("short", rfc2047("Тревога"), "сервер 😀"))
        self.assertEqual(req["form"]["Body"], "Тревога\nсервер 😀")
        self.assertEqual((req["encoding"], req["segments"]), ("UCS-2", 1))


class RetryAfterTest(SmsApiTest):
    def try_sms(self, c):
        """One transaction; the deciding reply: RCPT's when the pause refused the
        recipient (the client is not asked for a message the API may not take), else the
        end-of-data reply."""
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", client=c)
        r = c.cmd(f"RCPT TO:<{rcpt(NUMBER)}>")
        if r.code != 250:
            self.assertReply(c.cmd("RSET"), 250, client=c)
            return r
        self.assertReply(c.cmd("DATA"), 354, client=c)
        return c.send_message(make_message(uuid.uuid4().hex, to=rcpt(NUMBER)))

    def deliver_after_pause(self, c, pause):
        """Sends until a 250 (each try a 451 4.4.5 until then); the replies in order."""
        replies = []

        def delivered():
            r = self.try_sms(c)
            replies.append(r)
            if r.code != 250:
                self.assertTempfail(r, "4.4.5", client=c)
            return r.code == 250
        harness.poll(delivered, pause + MARGIN, step=0.5, what="delivery after the pause")
        return replies

    def check_pause(self, status, retry_after, pause):
        self.api.control(mode="status", status=status, retry_after=str(retry_after), count=1)
        c = self.client()
        c.ehlo()
        self.assertTempfail(self.send_sms(c), "4.4.5", client=c)
        self.assertEqual(len(self.api.requests()), 1)
        # During the pause a message does not reach the API: the recipient is deferred.
        paused = self.try_sms(c)
        self.assertTempfail(paused, "4.4.5", client=c)
        self.assertIn("try again in", paused.text)
        self.assertEqual(len(self.api.requests()), 1, "a message went out during Retry-After")
        replies = self.deliver_after_pause(c, pause)
        self.assertReply(replies[-1], 250, "2.0.0", ref=True, client=c)
        first, last = self.api.requests()
        self.assertEqual((first["status"], last["status"]), (status, 201))
        self.assertGreaterEqual(last["time"] - first["time"], pause - 0.1,
                                "the next request came before Retry-After had passed")

    def test_429_with_retry_after(self):
        self.check_pause(429, 3, 3)

    def test_503_with_retry_after(self):
        self.check_pause(503, 2, 2)


class SmsApiMetricsTest(SmsApiTest):
    """What the API did, on the metrics endpoint: results by kind, the time requests took,
    the pause and the recipients it deferred."""

    def setUp(self):
        self.metrics_port = free_port()
        self.sms_config = {"metrics_listen": f"127.0.0.1:{self.metrics_port}"}
        super().setUp()

    def scrape(self):
        status, _, body = http_get(self.metrics_port)
        self.assertEqual(status, 200, body)
        return Scrape(self, body)

    def test_results_pause_and_deferrals_are_counted(self):
        m0 = self.scrape()
        self.assertEqual(m0.sum("sms_api_requests_total"), 0)
        self.assertEqual(m0.types.get("textscreen_sms_api_request_duration_seconds"),
                         "histogram")
        c = self.client()
        c.ehlo()
        self.assertReply(self.send_sms(c), 250, "2.0.0", ref=True, client=c)
        self.api.control(mode="status", status=429, retry_after="60", count=1)
        self.assertTempfail(self.send_sms(c), "4.4.5", client=c)
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBER)}>"), 451, "4.4.5", ref=True, client=c)
        self.assertReply(c.cmd("RSET"), 250, client=c)
        m1 = self.scrape()
        self.assertEqual(m1.get("sms_api_requests_total", result="sent"), 1)
        self.assertEqual(m1.get("sms_api_requests_total", result="rate_limited"), 1)
        self.assertEqual(m1.sum("sms_api_requests_total"), 2)
        self.assertEqual(m1.get("sms_api_request_duration_seconds_count"), 2)
        self.assertEqual(m1.get("sms_api_requests_in_flight"), 0)
        self.assertEqual(m1.get("sms_api_recipients_deferred_total"), 1)
        self.assertGreater(m1.get("sms_api_paused_seconds"), 0)
        self.assertLessEqual(m1.get("sms_api_paused_seconds"), 60)
        # textscreenctl status and the dashboard read the same figures.
        rc, out, err = self.daemon.ctl("status", "--json")
        self.assertEqual(rc, 0, err)
        status = json.loads(out)
        self.assertEqual(status["upstream"], "sms_api")
        self.assertEqual(status["sms_api"]["results"], {"sent": 1, "rate_limited": 1})
        self.assertEqual(status["sms_api"]["recipients_deferred"], 1)
        self.assertGreater(status["sms_api"]["paused_seconds"], 0)


class ApiDownTest(SmsApiTest):
    """No API where the URL points, a name that does not resolve, a certificate that
    does not verify: 451 4.4.1 at once, never a wait for the timeout."""

    sms_config = {"sms_api_timeout": "30s"}

    def setUp(self):
        IntegrationTest.setUp(self)
        self.api = self.start_api()
        self.gateway = self.start_gateway()

    def start_daemon_with(self, **overrides):
        self.daemon = self.start_textscreen(
            self.gateway.port, self.api.daemon_config(**self.sms_config, **overrides))

    def unreachable(self):
        c = self.client()
        c.ehlo()
        started = time.monotonic()
        r = self.send_sms(c)
        self.assertTempfail(r, "4.4.1", client=c)
        self.assertLess(time.monotonic() - started, 10 * harness.SLOW,
                        "an unreachable API was waited for")
        self.assertNothingRelayedBySmtp()

    def test_api_down(self):
        self.start_daemon_with()
        self.api.stop()
        self.unreachable()

    def test_name_does_not_resolve(self):
        # The harness points dns_servers at a port nobody answers.
        self.start_daemon_with(sms_api_url="https://api.sms.invalid")
        self.unreachable()

    def test_certificate_from_another_ca(self):
        _, _, other_ca = make_certificate(os.path.join(self.workdir, "other-ca"))
        self.start_daemon_with(sms_api_ca_file=other_ca)
        self.unreachable()
        self.assertEqual(self.api.requests(), [], "a request went to an unverified server")
        harness.poll(lambda: "TLS handshake with 127.0.0.1 failed" in self.api.log(),
                     10 * harness.SLOW, what="the refused handshake at the fake")


class HangTest(SmsApiTest):
    sms_config = {"sms_api_timeout": "3s"}
    TIMEOUT = 3.0

    def timed_send(self, c):
        started = time.monotonic()
        r = self.send_sms(c)
        return r, time.monotonic() - started

    def test_api_hangs_after_the_request(self):
        self.api.control(mode="hang")
        c = self.client()
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<sender@example.org>"), 250, "2.1.0", client=c)
        self.assertReply(c.cmd(f"RCPT TO:<{rcpt(NUMBER)}>"), 250, "2.1.5", client=c)
        self.assertReply(c.cmd("DATA"), 354, client=c)
        started = time.monotonic()
        c.send(make_message("hang") + b".\r\n")
        # While one message waits on the API, the daemon serves everyone else.
        other = self.client()
        self.assertReply(other.cmd("NOOP"), 250, client=other)
        self.assertLess(time.monotonic() - started, self.TIMEOUT, "the loop was blocked")
        r = c.reply()
        took = time.monotonic() - started
        self.assertTempfail(r, "4.4.2", client=c)
        self.assertIn("may have been sent", r.text,
                      "the request went out: the sender must hear it may have been sent")
        self.assertGreaterEqual(took, self.TIMEOUT - 0.5, "gave up before sms_api_timeout")
        self.assertLess(took, self.TIMEOUT + MARGIN, "sms_api_timeout was not honoured")
        self.assertEqual(len(self.api.requests()), 1)
        harness.poll(lambda: "left while we hung" in self.api.log(), 10 * harness.SLOW,
                     what="the daemon to close its connection to the hanging API")
        self.api.control(mode="ok")
        self.assertReply(self.send_sms(c), 250, "2.0.0", ref=True, client=c)

    def test_api_hangs_in_the_tls_handshake(self):
        self.api.control(mode="hang", stage="handshake")
        c = self.client()
        c.ehlo()
        r, took = self.timed_send(c)
        self.assertClass(r, 4, client=c)
        self.assertRegex(r.enhanced or "", r"^4\.4\.[12]$", f"{r!r}")
        self.assertNotIn("may have been sent", r.text, "nothing was sent: the TLS never started")
        self.assertLess(took, self.TIMEOUT + MARGIN, "sms_api_timeout does not cover TLS")
        self.assertEqual(self.api.requests(), [])
        self.api.control(mode="ok")
        self.assertReply(self.send_sms(c), 250, "2.0.0", ref=True, client=c)


class CredentialsTest(SmsApiTest):
    def secrets(self):
        token = self.api.auth_token
        pair = f"{self.api.account_sid}:{token}".encode()
        return [token, base64.b64encode(pair).decode(), "Authorization"]

    def assertNoSecrets(self, text, where):
        for secret in self.secrets():
            self.assertNotIn(secret, text, f"'{secret}' in {where}")

    def test_credentials_never_logged(self):
        c = self.client()
        c.ehlo()
        replies = [self.send_sms(c)]
        for staged in ({"mode": "status", "status": 500}, {"mode": "status", "status": 401},
                       {"mode": "close"}):
            self.api.control(**staged, count=1)
            replies.append(self.send_sms(c))
        self.api.control(bad_numbers=[E164])
        replies.append(self.send_sms(c))
        self.assertEqual([r.code for r in replies][:2], [250, 451], f"{replies!r}")
        for r in replies:
            self.assertIsNotNone(r.ref, f"{r!r}")
            self.assertNoSecrets(r.text, f"the reply {r!r}")
            self.assertNoSecrets(self.lookup_after_rset(c, r.ref), f"the lookup of {r.ref}")
        self.daemon.stop()
        self.assertNoSecrets(self.daemon.log(), "the daemon's log")


class WrongTokenTest(SmsApiTest):
    def setUp(self):
        IntegrationTest.setUp(self)
        self.api = self.start_api()
        self.gateway = self.start_gateway()
        self.wrong = "wrong" + self.api.auth_token
        creds = self.api.credentials_file("wrong", auth_token=self.wrong)
        self.daemon = self.start_textscreen(
            self.gateway.port, self.api.daemon_config(sms_api_credentials_file=creds))

    def test_wrong_token(self):
        c = self.client()
        c.ehlo()
        self.assertTempfail(self.send_sms(c), "4.3.5", client=c)
        [req] = self.api.requests()
        self.assertEqual((req["auth_ok"], req["user"], req["status"]),
                         (False, self.api.account_sid, 401))
        self.daemon.stop()
        self.assertNotIn(self.wrong, self.daemon.log())


class AuthorisedSendersTest(SmsApiTest):
    """trusted_networks = none: only an authenticated client may send."""

    def setUp(self):
        IntegrationTest.setUp(self)
        self.api = self.start_api()
        self.gateway = self.start_gateway()
        self.cert, self.key, self.ca = make_certificate(os.path.join(self.workdir, "certs"))
        users = os.path.join(self.workdir, "users")
        with open(users, "w") as f:
            f.write(f"{USER}:{harness.sha512_crypt(PASSWORD)}\n")
        self.daemon = self.start_textscreen(self.gateway.port, self.api.daemon_config(
            trusted_networks="none", tls_certificate=self.cert, tls_key=self.key,
            auth_users_file=users))

    def test_unauthenticated_client_is_refused(self):
        c = self.client()
        c.ehlo()
        r = first_refusal(c, USER)
        self.assertReply(r, 550, "5.7.1", ref=True, client=c)
        self.assertEqual(self.api.requests(), [])

    def test_authenticated_client_sends(self):
        c = self.client()
        c.ehlo()
        self.assertReply(c.cmd("STARTTLS"), 220, "2.0.0", client=c)
        c.sock = ssl.create_default_context(cafile=self.ca).wrap_socket(
            c.sock, server_hostname="localhost")
        c.ehlo()
        plain = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
        self.assertReply(c.cmd(f"AUTH PLAIN {plain}"), 235, "2.7.0", client=c)
        self.assertReply(first_refusal(c, USER), 250, "2.0.0", ref=True, client=c)
        self.assertEqual([q["form"]["To"] for q in self.api.requests()], [E164])


class AllowlistedDomainTest(UnboundTest):
    """trusted_networks = none: a domain on the allowlist may send when SPF authenticates
    it (127.0.0.2 is in its record); a forger of it may not, nor an authenticated domain
    that is not on the allowlist."""

    zones = ["test"]

    @classmethod
    def records(cls):
        return ['dispatch.test. 300 IN TXT "v=spf1 ip4:127.0.0.2 -all"',
                'sender.test. 300 IN TXT "v=spf1 ip4:127.0.0.2 -all"',
                'mail.test. 300 IN A 127.0.0.10']

    def setUp(self):
        IntegrationTest.setUp(self)
        self.api = FakeSmsApi(self.workdir)
        self.addCleanup(self.api.stop)
        self.api.start()
        self.gateway = self.start_gateway()
        self.daemon = self.start_textscreen(self.gateway.port, self.api.daemon_config(
            trusted_networks="none", dns_servers=self.unbound.address))
        rc, _, err = self.daemon.ctl("allow", "add", "dispatch.test")
        self.assertEqual(rc, 0, err)

    def attempt(self, source, sender):
        c = self.client(source=source)
        c.ehlo("mail.test")
        return c, first_refusal(c, sender)

    def test_authenticated_allowlisted_domain_sends(self):
        c, r = self.attempt("127.0.0.2", "alerts@dispatch.test")
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        self.assertEqual(len(self.api.requests()), 1)

    def test_forged_allowlisted_domain_is_refused(self):
        c, r = self.attempt("127.0.0.3", "alerts@dispatch.test")
        self.assertReply(r, 550, "5.7.1", ref=True, client=c)
        self.assertEqual(self.api.requests(), [])

    def test_authenticated_domain_not_on_the_allowlist_is_refused(self):
        c, r = self.attempt("127.0.0.2", "alerts@sender.test")
        self.assertReply(r, 550, "5.7.1", ref=True, client=c)
        self.assertEqual(self.api.requests(), [])

    def test_mail_that_would_be_held_is_refused(self):
        """A release goes to the SMTP gateway, which an SMS API deployment lacks: what
        would be quarantined is refused, and a forger's mail is refused as such."""
        rc, _, err = self.daemon.ctl("ban", "add", "sender", "alerts@dispatch.test",
                                     "--action", "quarantine", "--reason", "under review")
        self.assertEqual(rc, 0, err)
        c, r = self.attempt("127.0.0.2", "alerts@dispatch.test")
        self.assertReply(r, 550, "5.7.1", ref=True, client=c)
        self.assertIn("under review", r.text)
        c, r = self.attempt("127.0.0.3", "alerts@dispatch.test")
        self.assertReply(r, 550, "5.7.1", ref=True, client=c)
        self.assertIn("did not authenticate", r.text)
        rc, out, err = self.daemon.ctl("status", "--json")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["quarantined"], 0, "mail held that nothing can release")
        self.assertEqual(self.api.requests(), [])


class ReloadTest(SmsApiTest):
    """SIGHUP moves the daemon from the gateway to the API and back, reads the credentials
    file again (a rotated token), and keeps the settings in use when the new ones are
    refused. The daemon starts with upstream = smtp."""

    def setUp(self):
        IntegrationTest.setUp(self)
        self.api = self.start_api()
        self.gateway = self.start_gateway()
        self.daemon = self.start_textscreen(self.gateway.port, {})

    def generation(self):
        rc, out, err = self.daemon.ctl("status", "--json")
        self.assertEqual(rc, 0, err)
        return json.loads(out)["generation"]

    def reload(self, values=None):
        """SIGHUP after writing the config with values; the generation before it."""
        before = self.generation()
        self.daemon.values.update(values or {})
        self.daemon.write_config()
        self.daemon.signal(signal.SIGHUP)
        return before

    def reload_applied(self, values=None):
        before = self.reload(values)
        harness.poll(lambda: self.generation() == before + 1, 20 * harness.SLOW, step=0.1,
                     what="the reload to be applied")

    def sms_in_new_session(self):
        """An upstream change applies to sessions that begin after it."""
        c = self.client()
        c.ehlo()
        return c, self.send_sms(c)

    def test_switch_rotate_refuse_and_switch_back(self):
        c, r = self.sms_in_new_session()
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        self.assertEqual((self.gateway.count(), len(self.api.requests())), (1, 0))

        self.reload_applied(self.api.daemon_config())
        c, r = self.sms_in_new_session()
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        self.assertEqual((self.gateway.count(), len(self.api.requests())), (1, 1))

        # The file is read again on each reload: a token the API refuses, then the right one.
        self.api.credentials_file(auth_token="tok-revoked")
        self.reload_applied()
        c, r = self.sms_in_new_session()
        self.assertTempfail(r, "4.3.5", client=c)
        self.api.credentials_file()
        self.reload_applied()
        c, r = self.sms_in_new_session()
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)

        # A file others may read is refused; the daemon goes on with the token it has.
        log_before = len(self.daemon.log())
        self.api.credentials_file(mode=0o644)
        generation = self.reload()
        harness.poll(lambda: "chmod 600" in self.daemon.log()[log_before:], 20 * harness.SLOW,
                     what="the log to name the credentials file's mode")
        self.assertEqual(self.generation(), generation, "a refused reload was applied")
        c, r = self.sms_in_new_session()
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        self.assertEqual(len(self.api.requests()), 4)

        self.api.credentials_file()
        self.reload_applied({"upstream": "smtp"})
        c, r = self.sms_in_new_session()
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        self.assertEqual((self.gateway.count(), len(self.api.requests())), (2, 4))
        self.assertNoTokenIn(self.daemon.log())

    def assertNoTokenIn(self, text):
        self.assertNotIn(self.api.auth_token, text)
        self.assertNotIn("tok-revoked", text)


class ConfigCheckTest(SmsApiTest):
    """--check-config refuses what would leak or cannot work, naming the key or file."""

    def setUp(self):
        IntegrationTest.setUp(self)
        self.api = self.start_api()
        self.gateway = self.start_gateway()

    def check(self, values):
        d = harness.Daemon(self.workdir, self.gateway.port, values)
        d.write_config()
        return d.run_cli("--config", d.config_path, "--check-config")

    def assertRefused(self, values, *needles):
        rc, out = self.check(values)
        self.assertNotEqual(rc, 0, f"accepted {values}:\n{out}")
        for needle in needles:
            self.assertIn(needle, out)

    def test_good_configuration_passes(self):
        rc, out = self.check(self.api.daemon_config())
        self.assertEqual(rc, 0, out)

    def test_credentials_file_readable_by_others(self):
        for mode in (0o644, 0o640, 0o604, 0o620):
            with self.subTest(mode=oct(mode)):
                path = self.api.credentials_file(f"creds-{mode:o}", mode=mode)
                self.assertRefused(self.api.daemon_config(sms_api_credentials_file=path),
                                   path, "chmod 600")

    def test_credentials_file_owned_by_someone_else(self):
        if os.geteuid() != 0:
            self.skipTest("only root can give a file away")
        path = self.api.credentials_file("creds-nobody")
        os.chown(path, 65534, 65534)
        self.assertRefused(self.api.daemon_config(sms_api_credentials_file=path), path)

    def test_bad_credentials_files(self):
        missing = os.path.join(self.workdir, "no-such-file")
        self.assertRefused(self.api.daemon_config(sms_api_credentials_file=missing), missing)
        self.assertRefused(self.api.daemon_config(sms_api_credentials_file=self.workdir),
                           self.workdir)
        for name, text in (("no-token", "account_sid=AC1\n"), ("no-sid", "auth_token=x\n"),
                           ("empty-token", "account_sid=AC1\nauth_token=\n")):
            with self.subTest(name=name):
                path = os.path.join(self.workdir, name)
                with open(path, "w") as f:
                    f.write(text)
                os.chmod(path, 0o600)
                self.assertRefused(self.api.daemon_config(sms_api_credentials_file=path), path)

    def test_bad_keys(self):
        cases = [
            ({"sms_api_url": f"http://127.0.0.1:{self.api.port}"}, "sms_api_url"),
            ({"sms_api_url": "not a url"}, "sms_api_url"),
            ({"sms_api_from": None}, "sms_api_from"),
            ({"sms_api_messaging_service_sid": "MG" + "1" * 32}, "sms_api_from"),
            ({"sms_api_credentials_file": None}, "sms_api_credentials_file"),
            ({"sms_max_segments": "0"}, "sms_max_segments"),
            ({"sms_max_segments": "11"}, "sms_max_segments"),
            ({"sms_api_timeout": "soon"}, "sms_api_timeout"),
            ({"upstream": "carrier-pigeon"}, "upstream"),
        ]
        for overrides, key in cases:
            with self.subTest(overrides=overrides):
                self.assertRefused(self.api.daemon_config(**overrides), key)


if __name__ == "__main__":
    harness.main()
