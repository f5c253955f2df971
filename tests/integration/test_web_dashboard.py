#!/usr/bin/python3
# The staff dashboard against the real daemon: basic auth (and loopback mode without a
# users file), the CSRF wall in front of every change, the allowlist changed from the
# browser taking effect for the next message, the decisions filter and lookup, hostile
# HELO names shown escaped, ending a surge, and every change in the log with its user.
import http.client
import os
import re
import sys
import urllib.parse
from base64 import b64encode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from dns_servers import DnsStub  # noqa: E402
from harness import IO_TIMEOUT, NUMBERS, IntegrationTest, make_message, poll, rcpt  # noqa: E402

PASSWORDS = {"alice": "correct horse", "bob": "battery staple"}
HOSTILE_HELO = "<script>alert(1)</script>"


def basic(user, password=None):
    password = PASSWORDS[user] if password is None else password
    return "Basic " + b64encode(f"{user}:{password}".encode()).decode()


class Page:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def __repr__(self):
        return f"<{self.status} {self.body[:600]!r}>"

    def rows(self, attribute):
        """The values of attribute on each <tr>, in order (data-ref, data-domain ...)."""
        return re.findall(rf'<tr {attribute}="([^"]*)"', self.body)

    def cells(self, cls):
        return re.findall(rf'<td class="{cls}[^"]*">(.*?)</td>', self.body)

    def csrf(self):
        m = re.search(r'name="csrf" value="([^"]+)"', self.body)
        return m.group(1) if m else None


class DashboardTest(IntegrationTest):
    """A daemon with web_listen and two staff users; helpers speak HTTP to it."""

    start_daemon = False
    users = True
    config = {}

    def setUp(self):
        super().setUp()
        self.web_port = harness.free_port()
        values = {"web_listen": f"127.0.0.1:{self.web_port}"}
        if self.users:
            path = os.path.join(self.workdir, "staff-users")
            with open(path, "w") as f:
                for user, password in PASSWORDS.items():
                    f.write(f"{user}:{harness.sha512_crypt(password)}\n")
            values["web_staff_users_file"] = path
        values.update(self.config)
        values.update(self.extra_config())
        self.gateway = self.start_gateway()
        self.daemon = self.start_textscreen(self.gateway.port, values)

    def extra_config(self):
        return {}

    def request(self, method, path, auth=None, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.web_port, timeout=IO_TIMEOUT)
        try:
            h = dict(headers or {})
            if auth:
                h["Authorization"] = auth
            if body is not None:
                h["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            return Page(r.status, {k.lower(): v for k, v in r.getheaders()},
                        r.read().decode("utf-8", errors="replace"))
        finally:
            conn.close()

    def get(self, path, user="alice"):
        return self.request("GET", path, auth=basic(user) if user and self.users else None)

    def post(self, path, fields, user="alice", origin="same"):
        headers = {}
        if origin == "same":
            headers["Origin"] = f"http://127.0.0.1:{self.web_port}"
        elif origin:
            headers["Origin"] = origin
        return self.request("POST", path, auth=basic(user) if user and self.users else None,
                            body=urllib.parse.urlencode(fields), headers=headers)

    def post_form(self, page_path, action, fields, user="alice"):
        """Sends a form the way a browser does: the token from the page, our Origin.
        Returns the page the 303 leads to, after checking it is a 303 back to page_path."""
        token = self.get(page_path, user).csrf()
        self.assertTrue(token, f"{page_path} has no CSRF field")
        r = self.post(action, dict(fields, csrf=token), user)
        self.assertEqual(r.status, 303, r)
        location = r.headers.get("location", "")
        self.assertTrue(location.startswith(page_path + "?"), location)
        return self.get(location, user)

    def assertLogged(self, user, action, target, result="ok"):
        line = (f"event=web user={user} client=127.0.0.1 action={action} target={target} "
                f"result={result}")
        poll(lambda: line in self.daemon.log(), IO_TIMEOUT, what=f"log line '{line}'")

    def message(self, source, sender, body, helo="[127.0.0.2]", number=NUMBERS[0]):
        """One message on its own connection; the end-of-data reply (or the refusal)."""
        with self.daemon.client(source=source) as c:
            c.ehlo(helo)
            self.assertReply(c.cmd(f"MAIL FROM:<{sender}>"), 250, client=c)
            r = c.cmd(f"RCPT TO:<{rcpt(number)}>")
            if r.code != 250:
                return r
            self.assertReply(c.cmd("DATA"), 354, client=c)
            final = c.send_message(make_message("m", sender=sender, body=body))
            c.cmd("QUIT")
            return final


class SignInTest(DashboardTest):

    def test_no_credentials_wrong_password_and_right_one(self):
        r = self.request("GET", "/staff/")
        self.assertEqual(r.status, 401, r)
        self.assertIn("Basic", r.headers.get("www-authenticate", ""))
        r = self.request("GET", "/staff/", auth=basic("alice", "wrong"))
        self.assertEqual(r.status, 401, r)
        poll(lambda: "action=sign-in user=alice client=127.0.0.1 result=refused"
             in self.daemon.log(), IO_TIMEOUT, what="the refused sign-in in the log")
        r = self.request("GET", "/staff/", auth=basic("nobody", "x"))
        self.assertEqual(r.status, 401, r)
        r = self.get("/staff/")
        self.assertEqual(r.status, 200, r)
        self.assertIn('<table id="counters">', r.body)
        self.assertIn('data-refresh="/staff/fragment/counters"', r.body)
        self.assertIn("alice", r.body)

    def test_counters_fragment_follows_the_daemon(self):
        def figure(name):
            r = self.get("/staff/fragment/counters")
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.body.startswith('<table id="counters">'), r)
            self.assertNotIn("<html", r.body)
            m = re.search(rf'<tr data-counter="{name}"><th scope="row">[^<]*</th><td>([^<]*)</td>',
                          r.body)
            self.assertTrue(m, f"no {name} in {r}")
            return m.group(1)
        self.assertEqual(figure("connections_accepted"), figure("connections_accepted"))
        before = int(figure("connections_accepted"))
        c = self.client()
        c.ehlo()
        poll(lambda: int(figure("connections_accepted")) > before, IO_TIMEOUT,
             what="connections_accepted to grow")
        self.assertGreaterEqual(int(figure("connections")), 1)
        self.assertEqual(self.get("/staff/fragment/counters", user=None).status, 401)


class CsrfTest(DashboardTest):

    def allowlisted(self):
        return self.get("/staff/allowlist").rows("data-domain")

    def test_changes_need_our_token_for_this_user_and_our_origin(self):
        alice_token = self.get("/staff/allowlist", "alice").csrf()
        bob_token = self.get("/staff/allowlist", "bob").csrf()
        self.assertTrue(alice_token and bob_token)
        add = {"domain": "dispatch.example", "note": "ticket 7"}
        for fields, origin, why in (
                (add, "same", "no token"),
                (dict(add, csrf=bob_token), "same", "another user's token"),
                (dict(add, csrf=alice_token + "0"), "same", "a forged token"),
                (dict(add, csrf=alice_token), "http://evil.example", "a foreign Origin")):
            r = self.post("/staff/allowlist/add", fields, "alice", origin=origin)
            self.assertEqual(r.status, 403, f"{why}: {r}")
            self.assertIn('id="error"', r.body, why)
            self.assertEqual(self.allowlisted(), [], f"{why} changed the allowlist")
        r = self.post("/staff/allowlist/add", dict(add, csrf=alice_token), "alice")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(self.allowlisted(), ["dispatch.example"])
        self.assertLogged("alice", "allow-add", "dispatch.example")
        self.assertNotIn("user=bob client=127.0.0.1 action=allow-add", self.daemon.log())

    def test_allowlist_page_adds_lists_and_removes(self):
        page = self.post_form("/staff/allowlist", "/staff/allowlist/add",
                              {"domain": "Dispatch.Example.", "note": "<b>ops</b> & co",
                               "subdomains": "yes"})
        self.assertIn('<p id="notice"', page.body)
        self.assertEqual(page.rows("data-domain"), ["dispatch.example"])
        self.assertEqual(page.cells("added-by"), ["alice"])
        self.assertEqual(page.cells("subdomains"), ["yes"])
        self.assertEqual(page.cells("note"), ["&lt;b&gt;ops&lt;/b&gt; &amp; co"])
        rc, out, err = self.daemon.ctl("allow", "show", "dispatch.example")
        self.assertEqual(rc, 0, err)
        self.assertIn("alice", out)
        # The CLI's own check refuses what the CLI would.
        page = self.post_form("/staff/allowlist", "/staff/allowlist/add",
                              {"domain": "not a domain"})
        self.assertIn('<p id="error"', page.body)
        self.assertIn("is not a domain name", page.body)
        self.assertEqual(page.rows("data-domain"), ["dispatch.example"])
        page = self.post_form("/staff/allowlist", "/staff/allowlist/remove",
                              {"domain": "dispatch.example"}, user="bob")
        self.assertIn('<p id="notice"', page.body)
        self.assertEqual(page.rows("data-domain"), [])
        page = self.post_form("/staff/allowlist", "/staff/allowlist/remove",
                              {"domain": "dispatch.example"}, user="bob")
        self.assertIn("There is no allowlist entry for dispatch.example", page.body)
        self.assertLogged("alice", "allow-add", "dispatch.example")
        self.assertLogged("alice", "allow-add", '"not a domain"', result='"refused: ')
        self.assertLogged("bob", "allow-remove", "dispatch.example")
        self.assertLogged("bob", "allow-remove", "dispatch.example",
                          result='"failed: There is no allowlist entry')


class DecisionsTest(DashboardTest):

    def refuse(self, sender, helo="client.example"):
        """A transaction refused at RCPT (not a phone number); its reference id."""
        with self.daemon.client() as c:
            c.ehlo(helo)
            self.assertReply(c.cmd(f"MAIL FROM:<{sender}>"), 250, client=c)
            r = c.cmd(f"RCPT TO:<notanumber@{harness.GATEWAY_DOMAIN}>")
            self.assertEqual(r.code // 100, 5, r)
            c.cmd("QUIT")
            return r.ref

    def relay(self, sender):
        with self.daemon.client() as c:
            c.ehlo("client.example")
            end = self.transaction(c, sender=sender, recipients=[rcpt(NUMBERS[1])],
                                   message=make_message("d", sender=sender))
            self.assertReply(end, 250, "2.0.0", ref=True, client=c)
            c.cmd("QUIT")
            return end.ref

    def listed(self, query=""):
        r = self.get("/staff/decisions" + query)
        self.assertEqual(r.status, 200, r)
        return r

    def test_filters_narrow_and_hostile_text_is_escaped(self):
        hostile = self.refuse("a@alpha.example", helo=HOSTILE_HELO)
        alpha = self.refuse("b@alpha.example")
        relayed = self.relay("c@beta.example")
        everything = {hostile, alpha, relayed}
        poll(lambda: everything <= set(self.listed().rows("data-ref")), IO_TIMEOUT,
             what="the three decisions on the page")
        page = self.listed()
        times = page.cells("time")  # "2026-12-02 14:05:09 UTC": sorts as text
        self.assertEqual(times, sorted(times, reverse=True), "not newest first")
        self.assertIn('<form id="decision-filter" method="get"', page.body)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page.cells("helo"))
        self.assertNotIn(HOSTILE_HELO, page.body)
        self.assertIn(f'<a href="/staff/lookup?q={hostile}">', page.body)
        self.assertEqual(set(self.listed("?domain=ALPHA.example").rows("data-ref")),
                         {hostile, alpha})
        self.assertEqual(self.listed("?action=relay").rows("data-ref"), [relayed])
        self.assertEqual(set(self.listed("?action=reject").rows("data-ref")), {hostile, alpha})
        reason = self.listed("?action=reject").cells("reason")[0]
        word = max(re.findall(r"[A-Za-z]{5,}", reason), key=len)
        self.assertEqual(set(self.listed("?reason=" + word.upper()).rows("data-ref")),
                         {hostile, alpha})
        self.assertEqual(self.listed("?domain=beta.example&action=reject").rows("data-ref"), [])
        bad = self.get("/staff/decisions?action=deliver")
        self.assertEqual(bad.status, 400, bad)
        self.assertIn("is not an action", bad.body)
        bad = self.get("/staff/decisions?domain=%3Cscript%3E")
        self.assertEqual(bad.status, 400, bad)
        self.assertNotIn("<script>", bad.body)

    def test_lookup_by_reference_and_by_domain(self):
        ref = self.refuse("x@alpha.example", helo=HOSTILE_HELO)
        page = poll(lambda: (lambda p: p if p.status == 200 else None)(
            self.get(f"/staff/lookup?q=[{ref.upper()}]")), IO_TIMEOUT, what="the lookup of ref")
        self.assertIn('<section id="lookup-result">', page.body)
        self.assertIn(f'<dd id="lookup-ref">{ref}</dd>', page.body)
        self.assertIn('<dd id="lookup-helo">&lt;script&gt;alert(1)&lt;/script&gt;</dd>',
                      page.body)
        self.assertIn('<dd id="lookup-client">127.0.0.1</dd>', page.body)
        self.assertIn(f"notanumber@{harness.GATEWAY_DOMAIN}", page.body)
        self.assertIn('<tr data-check="recipient">', page.body)
        self.assertNotIn(HOSTILE_HELO, page.body)
        page = self.get("/staff/lookup?q=alpha.example")
        self.assertEqual(page.status, 200, page)
        self.assertIn('<section id="lookup-result">', page.body)
        self.assertEqual(page.rows("data-ref"), [ref])
        unknown = self.get("/staff/lookup?q=ts-aaaaaaaaaaaaa")
        self.assertEqual(unknown.status, 404, unknown)
        bad = self.get("/staff/lookup?q=%22%3E%3Cimg")
        self.assertEqual(bad.status, 400, bad)
        self.assertNotIn("<img", bad.body)


class LoopbackTest(DashboardTest):
    users = False

    def test_loopback_clients_sign_in_as_loopback(self):
        r = self.request("GET", "/staff/")
        self.assertEqual(r.status, 200, r)
        self.assertIn("loopback", r.body)
        page = self.post_form("/staff/allowlist", "/staff/allowlist/add",
                              {"domain": "dispatch.example"}, user=None)
        self.assertEqual(page.cells("added-by"), ["loopback"])
        self.assertLogged("loopback", "allow-add", "dispatch.example")
        # CSRF applies to loopback too: no token, no change.
        r = self.post("/staff/allowlist/remove", {"domain": "dispatch.example"}, user=None)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.get("/staff/allowlist", user=None).rows("data-domain"),
                         ["dispatch.example"])


RULES = """\
body     TEST_GIFT      /free (bitcoin|crypto)/i
describe TEST_GIFT      Promises free cryptocurrency
score    TEST_GIFT      6
"""
SPAM = "Claim your FREE BITCOIN today at our site."


class AllowlistEffectTest(DashboardTest):
    """dispatch.test publishes SPF for 127.0.0.2; its message trips a content rule."""

    config = {"trusted_networks": "none", "content_action": "score", "reject_score": "5"}

    def extra_config(self):
        stub = DnsStub(self.workdir, [
            "--zone", 'dispatch.test. 300 IN TXT "v=spf1 ip4:127.0.0.2 -all"']).start()
        self.addCleanup(stub.stop)
        rules = os.path.join(self.workdir, "test.rules")
        with open(rules, "w") as f:
            f.write(RULES)
        return {"dns_servers": stub.address, "content_rules": rules}

    def test_allowlisting_lets_the_next_message_through_and_removing_undoes_it(self):
        refused = self.message("127.0.0.2", "alerts@dispatch.test", SPAM)
        self.assertReply(refused, 550, "5.7.1", ref=True)
        self.assertEqual(self.gateway.count(), 0)
        self.post_form("/staff/allowlist", "/staff/allowlist/add", {"domain": "dispatch.test"})
        passed = self.message("127.0.0.2", "alerts@dispatch.test", SPAM)
        self.assertReply(passed, 250, "2.0.0", ref=True)
        self.gateway.wait_for_count(1)
        # Allowlisting trusts only an authenticated sender: from outside its SPF record
        # the same message is still screened.
        forged = self.message("127.0.0.3", "alerts@dispatch.test", SPAM)
        self.assertEqual(forged.code // 100, 5, forged)
        self.post_form("/staff/allowlist", "/staff/allowlist/remove", {"domain": "dispatch.test"})
        again = self.message("127.0.0.2", "alerts@dispatch.test", SPAM)
        self.assertReply(again, 550, "5.7.1", ref=True)
        self.assertEqual(self.gateway.count(), 1)
        self.assertLogged("alice", "allow-add", "dispatch.test")
        self.assertLogged("alice", "allow-remove", "dispatch.test")


class SurgeTest(DashboardTest):
    config = {"trusted_networks": "none", "surge_enabled": "yes",
              "surge_cluster_recipients": "3", "surge_cluster_networks": "2",
              "surge_cluster_senders": "100", "surge_confirm_networks": "4",
              "surge_confirm_senders": "100", "surge_hold": "10m"}
    CAMPAIGN = "Your parcel {n} is held at the depot. Pay the fee at http://pay.example/{n}"

    def campaign(self, source, n):
        return self.message(source, f"noreply{n}@spam{n}.example", self.CAMPAIGN.format(n=n),
                            helo="client.example", number=NUMBERS[n])

    def test_a_surge_is_listed_and_ended_from_the_page(self):
        self.assertEqual(self.get("/staff/surges").rows("data-surge"), [])
        self.campaign("127.0.7.1", 1)
        self.campaign("127.0.8.1", 2)
        r = self.campaign("127.0.9.1", 3)
        self.assertReply(r, 451, "4.7.1", ref=True)
        page = self.get("/staff/surges")
        [surge] = page.rows("data-surge")
        self.assertIn('<form class="surge-end" method="post" action="/staff/surges/end">',
                      page.body)
        self.assertEqual(page.cells("level"), ["surge"])
        overview = self.get("/staff/fragment/counters")
        self.assertIn('<tr data-counter="surges_active"><th scope="row">Active surges</th>'
                      '<td>1</td>', overview.body)
        page = self.post_form("/staff/surges", "/staff/surges/end",
                              {"id": surge + "-not-this-one"})
        self.assertIn('<p id="error"', page.body)
        self.assertEqual(page.rows("data-surge"), [surge])
        # An empty id would end every surge: refused.
        page = self.post_form("/staff/surges", "/staff/surges/end", {"id": ""})
        self.assertIn('<p id="error"', page.body)
        self.assertEqual(page.rows("data-surge"), [surge])
        page = self.post_form("/staff/surges", "/staff/surges/end", {"id": surge}, user="bob")
        self.assertIn('<p id="notice"', page.body)
        self.assertEqual(page.rows("data-surge"), [])
        rc, out, _ = self.daemon.ctl("--json", "surge", "list")
        self.assertEqual((rc, out.strip()), (0, ""))
        self.assertLogged("bob", "surge-end", surge)


if __name__ == "__main__":
    harness.main()
