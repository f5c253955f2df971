#!/usr/bin/python3
# The spam-surge scenario of issue 7: a campaign of 2,000 near-identical messages from 50
# client addresses interleaved with 200 legitimate alerts from 10 businesses (5
# allowlisted and authenticated by SPF, 5 not). Asserted: no legitimate message refused
# (the unlisted ones may be deferred, and then pass on retry after the surge), every
# allowlisted alert relayed on its first try, at least 99 % of the campaign not relayed.
# The figures are printed at the end.
import os
import random
import sys
import threading
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
from dns_servers import UnboundTest  # noqa: E402

CAMPAIGN_MESSAGES = 2000
CAMPAIGN_CLIENTS = 50  # over 10 /24 networks, client i in network i % 10
BUSINESSES = 10        # biz0..biz4 allowlisted, biz5..biz9 not
ALERTS_PER_BUSINESS = 20
WORKERS = 4

FIRST_NAMES = ["Ann", "Bob", "Carla", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo"]
CAMPAIGN = ("Hello {name}, your parcel {parcel} could not be delivered. A customs fee of "
            "${fee}.{cents} is due. Pay within 24 hours at https://parcel-help{n}.example/"
            "track/{parcel} or it will be returned.")
ALERTS = [
    "Truck {n} dispatched to dock {m} at 14:{m:02d}. Driver confirms load sealed.",
    "Your library hold is ready for pickup at Main branch: item {n}. Held until Friday.",
    "Court reminder: case {n} hearing is scheduled for 09:{m:02d} in room {m}.",
    "ALERT: router core{n} link down on port {m}; failover to backup path active.",
    "Pharmacy: prescription {n} is ready. Pickup counter {m} open until 8pm.",
    "School notice: bus route {n} running {m} minutes late this morning.",
    "Utility outage: crews on site at feeder {n}; restoration expected in {m} hours.",
    "Clinic: your appointment {n} is confirmed for tomorrow at 10:{m:02d}.",
    "Water level sensor {n} reading {m} cm above threshold at station east.",
    "Shift update: warehouse {n} opens at 06:{m:02d} tomorrow, bring badge {m}.",
]


def number(i):
    return f"1415555{1000 + i % 900:04d}"


def business_client(b):
    return f"127.0.{20 + b}.10"


def campaign_client(i):
    return f"127.0.{100 + i % 10}.{10 + i // 10}"


class CampaignScenario(UnboundTest):
    zones = ["test"]
    config = {
        # What this scenario exercises: SPF (the allowlist's authentication), the shipped
        # content rules, surge mode with thresholds sized to the run, and a per-client
        # rate. Surge's hold is short so the deferred unlisted alerts can be retried.
        "content_rules": os.path.join(harness.SOURCE_DIR, "rules", "textscreen.rules"),
        "content_action": "score",
        "reject_score": "10",
        "surge_enabled": "yes",
        "surge_window": "10m",
        "surge_cluster_recipients": "10",
        "surge_cluster_networks": "3",
        "surge_cluster_senders": "10",
        "surge_confirm_networks": "6",
        "surge_confirm_senders": "30",
        "surge_confirmed_action": "reject",
        "surge_hold": "15s",
        "rate_client_limit": "100",
        "rate_client_window": "1h",
        "max_connections_per_ip": "20",
    }

    @classmethod
    def records(cls):
        out = []
        for b in range(BUSINESSES):
            out.append(f'biz{b}.test. 300 IN TXT "v=spf1 ip4:{business_client(b)} -all"')
            out.append(f"biz{b}.test. 300 IN MX 10 mail.biz{b}.test.")
            out.append(f"mail.biz{b}.test. 300 IN A {business_client(b)}")
        return out

    def setUp(self):
        super().setUp()
        for b in range(5):
            rc, _, err = self.daemon.ctl("allow", "add", f"biz{b}.test")
            self.assertEqual(rc, 0, err)
        self.lock = threading.Lock()

    def transact(self, source, helo, sender, to, message):
        """One message on its own connection; the final code (RCPT's when it refused)."""
        with self.daemon.client(source=source) as c:
            c.ehlo(helo)
            r = c.cmd(f"MAIL FROM:<{sender}>")
            if r.code != 250:
                return r.code
            r = c.cmd(f"RCPT TO:<{harness.rcpt(to)}>")
            if r.code != 250:
                c.cmd("QUIT")
                return r.code
            r = c.cmd("DATA")
            if r.code != 354:
                return r.code
            final = c.send_message(message)
            c.cmd("QUIT")
            return final.code

    def jobs(self):
        rng = random.Random(7)
        campaign = []
        for i in range(CAMPAIGN_MESSAGES):
            # A botnet ramps up: a few clients first, all 50 after a few hundred messages.
            client = campaign_client(rng.randrange(min(CAMPAIGN_CLIENTS, 3 + i // 10)))
            body = CAMPAIGN.format(name=rng.choice(FIRST_NAMES), parcel=rng.randrange(10**8),
                                   fee=rng.randrange(1, 9), cents=rng.randrange(10, 99),
                                   n=i % 5)
            sender = f"notice{rng.randrange(1000)}@post{i % 40}.example"
            campaign.append(("campaign", client, sender, number(rng.randrange(900)), body, None))
        legit = []
        for b in range(BUSINESSES):
            for k in range(ALERTS_PER_BUSINESS):
                body = ALERTS[b].format(n=k + 1, m=(k * 7) % 50 + 1)
                kind = "allowlisted" if b < 5 else "unlisted"
                legit.append((kind, business_client(b), f"alerts@biz{b}.test",
                              number(500 + b * 20 + k), body, b))
        # Interleave: the legitimate alerts spread evenly through the campaign.
        out = []
        step = len(campaign) // len(legit)
        for i, job in enumerate(legit):
            out.extend(campaign[i * step:(i + 1) * step])
            out.append(job)
        out.extend(campaign[len(legit) * step:])
        return out

    def run_job(self, job, seq):
        kind, client, sender, to, body, b = job
        helo = f"mail.biz{b}.test" if b is not None else f"host{seq % 50}.example"
        msg = harness.make_message(f"m{seq}", subject="Notice", sender=sender,
                                   to=harness.rcpt(to), body=body)
        return kind, self.transact(client, helo, sender, to, msg), job, seq

    def test_campaign_with_legitimate_alerts(self):
        started = time.monotonic()
        results = {"campaign": [], "allowlisted": [], "unlisted": []}
        deferred_legit = []
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            futures = [pool.submit(self.run_job, job, seq) for seq, job in enumerate(self.jobs())]
            for f in futures:
                kind, code, job, seq = f.result(timeout=600 * harness.SLOW)
                results[kind].append(code)
                if kind != "campaign" and code // 100 == 4:
                    deferred_legit.append((job, seq))

        # While the surge is on, the campaign's own text still flows from an allowlisted,
        # SPF-authenticated business, and not from an unlisted one.
        bulk = CAMPAIGN.format(name="Ann", parcel=1234, fee=3, cents=50, n=1)
        during_allowlisted = self.run_job(
            ("allowlisted", business_client(0), "alerts@biz0.test", number(899), bulk, 0), 90001)[1]
        during_unlisted = self.run_job(
            ("unlisted", business_client(5), "alerts@biz5.test", number(898), bulk, 5), 90002)[1]

        # The deferred alerts are retried once the surge has ended by itself.
        def surge_over():
            rc, out, _ = self.daemon.ctl("--json", "surge", "list")
            return rc == 0 and out.strip() == ""
        if deferred_legit:
            harness.poll(surge_over, 120 * harness.SLOW, step=1, what="the end of the surge")
        retried = {}
        for job, seq in deferred_legit:
            retried[seq] = self.run_job(job, seq + 100000)[1]

        campaign = results["campaign"]
        relayed_campaign = sum(1 for c in campaign if c == 250)
        deferred_campaign = sum(1 for c in campaign if c // 100 == 4)
        rejected_campaign = sum(1 for c in campaign if c // 100 == 5)
        allow = results["allowlisted"]
        unlisted = results["unlisted"]
        figures = (
            f"\n== campaign scenario ({time.monotonic() - started:.0f}s)\n"
            f"campaign: {len(campaign)} sent, {relayed_campaign} relayed "
            f"({100.0 * relayed_campaign / len(campaign):.2f}%), {deferred_campaign} deferred, "
            f"{rejected_campaign} rejected\n"
            f"allowlisted alerts: {len(allow)} sent, {allow.count(250)} relayed on first try\n"
            f"unlisted alerts: {len(unlisted)} sent, {unlisted.count(250)} relayed on first "
            f"try, {len(deferred_legit)} deferred, "
            f"{sum(1 for c in retried.values() if c == 250)} relayed on retry\n"
            f"campaign text during the surge: allowlisted+SPF {during_allowlisted}, "
            f"unlisted {during_unlisted}\n"
            f"legitimate refused (5xx): "
            f"{sum(1 for c in allow + unlisted + list(retried.values()) if c // 100 == 5)}\n")
        print(figures, flush=True)
        status = self.status()
        print(f"surge stats: {status.get('surge')}", flush=True)

        self.assertEqual(len(campaign), CAMPAIGN_MESSAGES)
        self.assertEqual(allow.count(250), len(allow), figures)
        self.assertFalse([c for c in allow + unlisted if c // 100 == 5], figures)
        self.assertTrue(all(c == 250 for c in retried.values()), figures)
        self.assertLessEqual(relayed_campaign, CAMPAIGN_MESSAGES // 100, figures)
        self.assertEqual(during_allowlisted, 250, figures)
        self.assertNotEqual(during_unlisted, 250, figures)
        self.assertEqual(self.gateway.count(),
                         relayed_campaign + allow.count(250) + unlisted.count(250) +
                         sum(1 for c in retried.values() if c == 250) + 1, figures)
        self.assertGreaterEqual(status["surge"]["entered"], 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
