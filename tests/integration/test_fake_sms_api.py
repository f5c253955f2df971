#!/usr/bin/python3
# The fake SMS API (tools/fake-sms-api) on its own, through harness.FakeSmsApi, before
# test_sms_api.py trusts it as the daemon's peer: Twilio-shaped answers, the checks the
# real API makes (credentials, account, E.164, required fields), every staged failure
# (status with Retry-After, hang before and after TLS, close), the request record, and
# the segment arithmetic it reports for each Body.
import base64
import http.client
import importlib.machinery
import importlib.util
import json
import os
import socket
import ssl
import sys
import threading
import unittest
import unittest.mock
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import FakeSmsApi, TempDir  # noqa: E402

TO = "+14155551212"


def load_tool():
    """tools/fake-sms-api as a module (it has no .py name), for its segment arithmetic."""
    loader = importlib.machinery.SourceFileLoader("fake_sms_api", harness.FAKE_SMS_API)
    spec = importlib.util.spec_from_loader("fake_sms_api", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class FakeSmsApiTest(unittest.TestCase):
    def setUp(self):
        tmp = TempDir(prefix="textscreen-fake-sms-")
        self.addCleanup(tmp.cleanup)
        self.api = FakeSmsApi(tmp.path)
        self.addCleanup(self.api.stop)
        self.api.start()

    def send(self, fields, auth=None, path=None, timeout=harness.IO_TIMEOUT):
        data = urllib.parse.urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Authorization": auth or basic(self.api.account_sid, self.api.auth_token)}
        return self.api.call("POST", path or self.api.messages_path, data, headers, timeout)

    def message(self, to=TO, body="Disk full on db7", timeout=harness.IO_TIMEOUT):
        return self.send({"To": to, "From": FakeSmsApi.SENDER, "Body": body}, timeout=timeout)

    def assertTwilioError(self, answer, status, code):
        got_status, _, body = answer
        self.assertEqual(got_status, status, f"{answer}")
        self.assertEqual(body["code"], code, f"{answer}")
        self.assertEqual(body["status"], status, f"{answer}")
        self.assertIsInstance(body["message"], str)
        self.assertEqual(body["more_info"], f"https://www.twilio.com/docs/errors/{code}")

    # --- the happy path --------------------------------------------------------------------

    def test_message_is_accepted_and_recorded(self):
        status, headers, body = self.message(body="Disk full\non db7 €")
        self.assertEqual(status, 201, body)
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertRegex(body["sid"], r"^SM[0-9a-f]{32}$")
        self.assertEqual((body["to"], body["from"], body["body"], body["status"]),
                         (TO, FakeSmsApi.SENDER, "Disk full\non db7 €", "queued"))
        self.assertEqual(body["account_sid"], self.api.account_sid)
        self.assertEqual(body["num_segments"], "1")
        self.assertEqual(body["uri"], f"/2010-04-01/Accounts/{self.api.account_sid}/"
                                      f"Messages/{body['sid']}.json")
        [entry] = self.api.requests()
        self.assertEqual(entry["form"], {"To": TO, "From": FakeSmsApi.SENDER,
                                         "Body": "Disk full\non db7 €"})
        self.assertEqual((entry["auth_ok"], entry["user"], entry["status"], entry["sid"]),
                         (True, self.api.account_sid, 201, body["sid"]))
        self.assertEqual((entry["encoding"], entry["units"], entry["segments"]), ("GSM-7", 19, 1))
        self.assertEqual(entry["path"], self.api.messages_path)
        self.assertEqual(entry["content_type"], "application/x-www-form-urlencoded")
        with open(self.api.record_path, encoding="utf-8") as f:
            self.assertEqual([json.loads(line) for line in f], [entry])

    def test_messaging_service_instead_of_from(self):
        status, _, body = self.send({"To": TO, "MessagingServiceSid": "MG" + "1" * 32,
                                     "Body": "hi"})
        self.assertEqual(status, 201, body)
        self.assertEqual((body["from"], body["messaging_service_sid"], body["status"]),
                         (None, "MG" + "1" * 32, "accepted"))

    # --- what the real API refuses -----------------------------------------------------------

    def test_wrong_credentials_get_401_and_the_token_is_never_recorded(self):
        wrong = "not-" + self.api.auth_token
        answers = [
            self.send({"To": TO, "From": FakeSmsApi.SENDER, "Body": "x"},
                      auth=basic(self.api.account_sid, wrong)),
            self.send({"To": TO, "From": FakeSmsApi.SENDER, "Body": "x"},
                      auth=basic("AC" + "9" * 32, self.api.auth_token)),
            self.send({"To": TO, "From": FakeSmsApi.SENDER, "Body": "x"}, auth="Bearer x"),
            self.send({"To": TO, "From": FakeSmsApi.SENDER, "Body": "x"}, auth="Basic !!"),
        ]
        for answer in answers:
            self.assertTwilioError(answer, 401, 20003)
            self.assertEqual(answer[1]["WWW-Authenticate"], 'Basic realm="Twilio API"')
        entries = self.api.requests()
        self.assertEqual([e["auth_ok"] for e in entries], [False] * 4)
        self.assertEqual([e["status"] for e in entries], [401] * 4)
        with open(self.api.record_path, encoding="utf-8") as f:
            record = f.read()
        for secret in (self.api.auth_token, wrong):
            self.assertNotIn(secret, record)
            self.assertNotIn(secret, self.api.log())

    def test_other_account_in_the_path_is_not_found(self):
        path = self.api.messages_path.replace(self.api.account_sid, "AC" + "7" * 32)
        self.assertTwilioError(self.send({"To": TO, "From": FakeSmsApi.SENDER, "Body": "x"},
                                         path=path), 404, 20404)
        self.assertTwilioError(self.api.call("GET", "/nowhere"), 404, 20404)

    def test_invalid_requests(self):
        cases = [
            ({"To": "14155551212", "From": FakeSmsApi.SENDER, "Body": "x"}, 21211),
            ({"To": "+0123", "From": FakeSmsApi.SENDER, "Body": "x"}, 21211),
            ({"To": "+1415555121299999", "From": FakeSmsApi.SENDER, "Body": "x"}, 21211),
            ({"From": FakeSmsApi.SENDER, "Body": "x"}, 21604),
            ({"To": TO, "Body": "x"}, 21603),
            ({"To": TO, "From": FakeSmsApi.SENDER}, 21602),
            ({"To": TO, "From": FakeSmsApi.SENDER, "Body": ""}, 21602),
            ({"To": TO, "From": FakeSmsApi.SENDER, "Body": "x" * 1601}, 21617),
        ]
        for fields, code in cases:
            with self.subTest(fields=fields):
                self.assertTwilioError(self.send(fields), 400, code)
        self.assertEqual(self.message(body="x" * 1600)[0], 201)

    def test_bad_numbers(self):
        state = self.api.control(bad_numbers=["+12015550123"])
        self.assertEqual(state["bad_numbers"], ["+12015550123"])
        answer = self.message(to="+12015550123")
        self.assertTwilioError(answer, 400, 21211)
        self.assertIn("+12015550123", answer[2]["message"])
        self.assertEqual(self.message()[0], 201)
        # A mode change leaves the list alone; an empty list clears it.
        self.api.control(mode="ok")
        self.assertEqual(self.message(to="+12015550123")[0], 400)
        self.api.control(bad_numbers=[])
        self.assertEqual(self.message(to="+12015550123")[0], 201)

    # --- staged failures -----------------------------------------------------------------------

    def test_status_with_retry_after_for_a_count_of_requests(self):
        state = self.api.control(mode="status", status=429, retry_after="5", count=2)
        self.assertEqual((state["mode"], state["count"]), ("status", 2))
        for _ in range(2):
            answer = self.message()
            self.assertTwilioError(answer, 429, 20429)
            self.assertEqual(answer[1]["Retry-After"], "5")
        status, headers, body = self.message()
        self.assertEqual(status, 201, body)
        self.assertIsNone(headers["Retry-After"])
        self.assertEqual(self.api.control()["mode"], "ok")
        self.assertEqual([(e["mode"], e["status"]) for e in self.api.requests()],
                         [("status", 429), ("status", 429), ("ok", 201)])

    def test_status_overrides(self):
        self.api.control(mode="status", status=503, retry_after="Wed, 21 Oct 2026 07:28:00 GMT")
        answer = self.message()
        self.assertTwilioError(answer, 503, 20503)
        self.assertEqual(answer[1]["Retry-After"], "Wed, 21 Oct 2026 07:28:00 GMT")
        self.api.control(mode="status", status=400, code=21610, message="unsubscribed")
        status, headers, body = self.message()
        self.assertEqual((status, body["code"], body["message"]), (400, 21610, "unsubscribed"))
        self.assertIsNone(headers["Retry-After"], "retry_after outlived its mode")
        self.api.control(mode="status", status=400, code=21606)
        self.assertEqual(self.message()[2]["message"], "Error 21606",
                         "another code kept the text of 21211")
        self.api.control(mode="status", status=502, body="<html>Bad gateway</html>")
        self.assertEqual(self.message(), (502, unittest.mock.ANY, "<html>Bad gateway</html>"))

    def test_ok_with_another_body(self):
        self.api.control(mode="ok", body={"status": "queued"})
        self.assertEqual(self.message()[::2], (201, {"status": "queued"}))
        self.assertIsNone(self.api.requests()[0]["sid"])

    def test_close_without_answer(self):
        self.api.control(mode="close")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.message()
        self.assertEqual([e["mode"] for e in self.api.requests()], ["close"])

    def test_hang_until_released(self):
        self.api.control(mode="hang")
        answers = []
        t = threading.Thread(target=lambda: answers.append(self.message()))
        t.start()
        self.addCleanup(t.join, 30)
        harness.poll(lambda: self.api.requests(), 10 * harness.SLOW, what="the hung request")
        self.assertEqual(self.api.requests()[0]["mode"], "hang")
        self.assertIsNone(self.api.requests()[0]["status"])
        t.join(0.5)
        self.assertEqual(answers, [], "a hanging fake answered")
        self.api.control(mode="status", status=500)
        t.join(10 * harness.SLOW)
        self.assertEqual([a[0] for a in answers], [500])

    def test_hang_ends_when_the_client_leaves(self):
        self.api.control(mode="hang")
        with self.assertRaises((TimeoutError, socket.timeout)):
            self.message(timeout=0.5)
        harness.poll(lambda: "left while we hung" in self.api.log(), 10 * harness.SLOW,
                     what="the fake noticing the client left")
        self.api.control(mode="ok")
        self.assertEqual(self.message()[0], 201)

    def test_hang_before_the_tls_handshake(self):
        self.api.control(mode="hang", stage="handshake")
        raw = socket.create_connection(("127.0.0.1", self.api.port), timeout=0.5)
        with self.assertRaises((TimeoutError, socket.timeout)):
            self.api.context.wrap_socket(raw, server_hostname="127.0.0.1")
        raw.close()
        self.assertEqual(self.api.requests(), [])
        self.api.control(mode="ok")
        self.assertEqual(self.message()[0], 201)

    def test_tls_is_verified_against_its_ca(self):
        other = ssl.create_default_context()  # the system store: does not know the test CA
        with socket.create_connection(("127.0.0.1", self.api.port), timeout=10) as raw:
            with self.assertRaises(ssl.SSLCertVerificationError):
                other.wrap_socket(raw, server_hostname="127.0.0.1")
        harness.poll(lambda: "TLS handshake with 127.0.0.1 failed" in self.api.log(),
                     10 * harness.SLOW, what="the failed handshake in the fake's log")
        self.assertEqual(self.message()[0], 201)

    def test_bad_control_changes_nothing(self):
        before = self.api.control(mode="status", status=500)
        cases = [b"not json", b"[1]", b'{"mode": "sleep"}', b'{"mode": "status"}',
                 b'{"mode": "status", "status": 9000}', b'{"colour": "red"}',
                 b'{"count": 0}', b'{"count": "2"}', b'{"bad_numbers": "+1415"}',
                 b'{"mode": "hang", "stage": "dns"}', b'{"mode": "ok", "body": 5}']
        for data in cases:
            with self.subTest(data=data):
                status, _, body = self.api.call("POST", "/_control", data)
                self.assertEqual(status, 400, body)
                self.assertIn("error", body)
        self.assertEqual(self.api.control(), before)


class Ipv6Test(unittest.TestCase):
    def test_listens_on_ipv6(self):
        tmp = TempDir(prefix="textscreen-fake-sms-")
        self.addCleanup(tmp.cleanup)
        api = FakeSmsApi(tmp.path, host="::1")
        self.addCleanup(api.stop)
        api.start()
        self.assertTrue(api.url.startswith("https://[::1]:"), api.url)
        self.assertEqual(api.control(mode="ok")["mode"], "ok")
        self.assertIn(f"listening on https://[::1]:{api.port}", api.log())


class SegmentArithmeticTest(unittest.TestCase):
    """What the fake reports as encoding/units/segments: test_sms_api.py checks the
    daemon's truncation with it."""

    segments = staticmethod(load_tool().segments)

    def test_table(self):
        cases = [
            ("", ("GSM-7", 0, 1)),
            ("a" * 160, ("GSM-7", 160, 1)),
            ("a" * 161, ("GSM-7", 161, 2)),
            ("a" * 306, ("GSM-7", 306, 2)),
            ("a" * 307, ("GSM-7", 307, 3)),
            ("€" * 80, ("GSM-7", 160, 1)),
            ("[" * 81, ("GSM-7", 162, 2)),
            # An escape pair that would straddle septets 153/154 moves to the next part.
            ("a" * 152 + "€" + "a" * 152, ("GSM-7", 306, 3)),
            ("a" * 151 + "€" + "a" * 153, ("GSM-7", 306, 2)),
            ("éüÄØ@£$¥\n", ("GSM-7", 9, 1)),
            ("ê", ("UCS-2", 1, 1)),
            ("ж" * 70, ("UCS-2", 70, 1)),
            ("ж" * 71, ("UCS-2", 71, 2)),
            ("ж" * 134, ("UCS-2", 134, 2)),
            ("😀" * 35, ("UCS-2", 70, 1)),
            ("😀" * 36, ("UCS-2", 72, 2)),
            # A surrogate pair that would straddle units 67/68 moves to the next part.
            ("ж" * 66 + "😀" + "ж" * 66, ("UCS-2", 134, 3)),
            ("a" * 100 + "ж", ("UCS-2", 101, 2)),
        ]
        for text, want in cases:
            with self.subTest(text=text[:20], length=len(text)):
                self.assertEqual(self.segments(text), want)


if __name__ == "__main__":
    harness.main()
