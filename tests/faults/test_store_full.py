#!/usr/bin/python3
# Scenario 7: the disk under the quarantine and the LMDB store is full. Without root it
# is simulated two ways: RLIMIT_FSIZE on the daemon (a write past the limit fails with
# EFBIG, SIGXFSZ ignored) and a small store_map_size (MDB_MAP_FULL). A message whose
# verdict is quarantine then gets 451 4.3.0, never a 250 it cannot keep; the decision
# log's failed writes are logged; relayed mail keeps flowing; the daemon does not crash;
# and after a restart without the limit quarantine works again. Every step is counted.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_harness import FaultTest, main, new_token  # noqa: E402
from harness import NUMBERS, make_message, rcpt  # noqa: E402

HELD = "held@example.org"
PAGE = 4096
# Far more than the slack above the store's size: its overflow pages must extend the file.
BIG_BODY = ("This message is held for review and is big. " * 900).strip()


class StoreFull(FaultTest):

    def setUp(self):
        super().setUp()
        self.gw = self.scripted_gateway()
        self.ledger_ = self.ledger()

    def store_file(self, daemon):
        return os.path.join(daemon.state_dir, "store", "data.mdb")

    def prepare(self, config=None):
        """A normal run that creates the store, bans HELD with --action quarantine and
        holds one message; stopped cleanly."""
        d = self.start_textscreen(self.gw.port, config)
        rc, _, err = d.ctl("ban", "add", "sender", HELD, "--action", "quarantine")
        self.assertEqual(rc, 0, err)
        self.assertReply(self.quarantine(d, BIG_BODY[:200]), 250, "2.0.0", ref=True)
        self.relay(d)
        d.stop()
        return d

    def relay(self, daemon, count=1):
        for i in range(count):
            token = new_token("relay")
            r = self.send_one(self.ledger_, daemon, token, [rcpt(NUMBERS[i % len(NUMBERS)])])
            self.assertReply(r, 250, "2.0.0", ref=True, msg="(relayed mail must keep flowing)")

    def quarantine(self, daemon, body=BIG_BODY):
        token = new_token("held")
        return self.send_one(self.ledger_, daemon, token, [rcpt(NUMBERS[0])], sender=HELD,
                             message=make_message(token, sender=HELD, body=body))

    def assertDeferred(self, r):
        self.assertIsNotNone(r, "the connection broke instead of a reply")
        self.assertReply(r, 451, "4.3.0", ref=True,
                         msg="(a quarantine that cannot be stored must be deferred)")

    def recover(self, config=None):
        """Restarted without the limit on the same state: quarantine works again."""
        d = self.start_textscreen(self.gw.port, config)
        r = self.quarantine(d)
        self.assertReply(r, 250, "2.0.0", ref=True, msg="(after the limit was lifted)")
        self.relay(d)
        self.assertAccounted(self.ledger_, self.gw.tokens(), self.quarantined_tokens(d),
                             msg="(after the restart without the limit)")
        d.stop()

    def test_file_size_limit_just_above_the_store(self):
        d = self.prepare()
        limit = os.path.getsize(self.store_file(d)) + 2 * PAGE
        limited = self.start_limited(self.gw.port, limit)
        self.relay(limited, 3)
        self.assertDeferred(self.quarantine(limited))
        self.relay(limited, 2)
        self.assertAlive(limited)
        self.assertLessEqual(os.path.getsize(self.store_file(d)), limit)
        self.assertAccounted(self.ledger_, self.gw.tokens(), self.quarantined_tokens(limited),
                             msg="(with the file size limit)")
        limited.stop()  # exits 0 with a clean sanitizer log
        self.recover()

    def test_no_store_write_lands(self):
        # The limit below the store's size: only the two meta pages may be written, so
        # every commit fails, the decision log's included (deterministically).
        d = self.prepare()
        limited = self.start_limited(self.gw.port, 2 * PAGE)
        self.relay(limited, 3)
        self.assertDeferred(self.quarantine(limited))
        self.relay(limited)
        self.assertAlive(limited)
        self.assertIn("event=store_error", limited.log(),
                      "a decision record that could not be written left no trace in the log")
        self.assertAccounted(self.ledger_, self.gw.tokens(), self.quarantined_tokens(limited),
                             msg="(no store write lands)")
        limited.stop()
        self.recover()

    def test_map_full(self):
        small = {"store_map_size": "1M", "max_message_size": "256k"}
        self.prepare(small)
        d = self.start_textscreen(self.gw.port, small)
        body = ("Filling the store map one held message at a time. " * 4000).strip()
        for _ in range(20):
            r = self.quarantine(d, body)
            self.assertIsNotNone(r, "the connection broke instead of a reply")
            if r.code != 250:
                break
        else:
            self.fail("a 1 MiB store map never filled up")
        self.assertDeferred(r)
        self.relay(d, 2)
        self.assertAlive(d)
        self.assertAccounted(self.ledger_, self.gw.tokens(), self.quarantined_tokens(d),
                             msg="(map full)")
        d.stop()
        self.recover({"store_map_size": "64M", "max_message_size": "256k"})


if __name__ == "__main__":
    main()
