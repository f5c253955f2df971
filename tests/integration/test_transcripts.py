#!/usr/bin/python3
# Runs the golden SMTP transcripts of tests/transcripts/ against the real daemon and the
# capture gateway: the dialog in, the replies expected out (Postfix's .in/.ref habit).
import glob
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import IntegrationTest  # noqa: E402

TRANSCRIPTS = os.path.join(harness.SOURCE_DIR, "tests", "transcripts")


def parse(path):
    config, steps = {}, []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith("# config:"):
                key, _, value = line[len("# config:"):].partition("=")
                config[key.strip()] = value.strip()
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith("C:"):
                text = line[3:] if line.startswith("C: ") else line[2:]
                as_is = text.endswith("\\")
                text = text[:-1] if as_is else text
                data = text.encode("utf-8").decode("unicode_escape").encode("latin-1")
                steps.append(("C", data if as_is else data + b"\r\n"))
            elif line.startswith("S: "):
                steps.append(("S", line[3:].split()))
            else:
                raise ValueError(f"{path}: cannot read line {line!r}")
    return config, steps


class TranscriptTest(IntegrationTest):
    start_daemon = False

    def test_transcripts(self):
        files = sorted(glob.glob(os.path.join(TRANSCRIPTS, "*.smtp")))
        self.assertGreater(len(files), 0, f"no transcripts in {TRANSCRIPTS}")
        gateway = self.start_gateway()
        for path in files:
            with self.subTest(transcript=os.path.basename(path)):
                config, steps = parse(path)
                daemon = self.start_textscreen(gateway.port, config)
                c = daemon.client(banner=False)
                self.addCleanup(c.close)
                self.run_steps(c, steps, os.path.basename(path))
                c.close()
                daemon.stop()

    def run_steps(self, c, steps, name):
        pending = b""
        for kind, value in steps:
            if kind == "C":
                pending += value
                continue
            if pending:
                c.send(pending)
                pending = b""
            if value == ["close"]:
                self.assertTrue(c.at_eof(timeout=harness.IO_TIMEOUT),
                                f"{name}: expected the server to close{c.dump()}")
                continue
            r = c.reply()
            code = int(value[0])
            enhanced = value[1] if len(value) > 1 else None
            # Refusals and the envelope replies must carry the reference id.
            self.assertReply(r, code, enhanced, ref=code >= 400 or enhanced in ("2.1.0", "2.1.5"),
                             client=c, msg=f"in {name}")


if __name__ == "__main__":
    harness.main()
