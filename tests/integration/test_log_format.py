#!/usr/bin/python3
# --log-format json: every line the daemon writes to stderr is one JSON object, and the
# decision for a relayed message is found by the reference id its 250 carried, with the
# same fields the text form has (numbers as numbers).
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import IO_TIMEOUT, NUMBERS, IntegrationTest, make_message, poll, rcpt  # noqa: E402


def json_records(log):
    """Every non-empty line of log parsed as a JSON object; fails on the first that is not."""
    records = []
    for number, line in enumerate(log.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as e:
            raise AssertionError(f"log line {number} is not JSON ({e}): {line!r}") from None
        if not isinstance(record, dict):
            raise AssertionError(f"log line {number} is not a JSON object: {line!r}")
        records.append(record)
    return records


class JsonLogTest(IntegrationTest):
    start_daemon = False

    def test_every_line_is_json_and_the_decision_has_the_ref(self):
        self.gateway = self.start_gateway()
        daemon = self.start_textscreen(self.gateway.port, args=["--log-format", "json"])
        token = "json-" + uuid.uuid4().hex
        to = rcpt(NUMBERS[0])
        # A HELO with a quote and a backslash: the line it lands on must still parse.
        c = self.client(daemon=daemon)
        c.ehlo('odd"name\\x.example')
        r = self.transaction(c, recipients=[to], message=make_message(token, to=to))
        self.assertReply(r, 250, "2.0.0", ref=True, client=c)
        self.gateway.wait_for_count(1)
        c.cmd("QUIT")

        def decision():
            return [rec for rec in json_records(daemon.log())
                    if rec.get("ref") == r.ref and rec.get("event") == "decision"]

        found = poll(decision, IO_TIMEOUT, what=f"a JSON decision line for {r.ref}")
        daemon.stop()
        records = json_records(daemon.log())
        self.assertGreater(len(records), 3, daemon.log())
        for rec in records:
            self.assertIn("ref", rec, f"a line without ref: {rec}")
            self.assertIn("event", rec, f"a line without event: {rec}")
        line = found[0]
        self.assertEqual(line["action"], "relay", line)
        self.assertEqual(line["to"], to, line)
        self.assertEqual(line["helo"], 'odd"name\\x.example', line)
        self.assertIsInstance(line["size"], int, f"size is not a JSON number: {line}")
        self.assertGreater(line["size"], 0, line)

    def test_a_bad_format_is_refused(self):
        daemon = harness.Daemon(self.workdir, harness.free_port())
        daemon.write_config()
        rc, out = daemon.run_cli("--config", daemon.config_path, "--check-config",
                                 "--log-format", "xml")
        self.assertNotEqual(rc, 0, out)
        self.assertIn("log_format", out)
        rc, out = daemon.run_cli("--config", daemon.config_path, "--check-config",
                                 "--log_format=json")
        self.assertEqual(rc, 0, out)


if __name__ == "__main__":
    harness.main()
