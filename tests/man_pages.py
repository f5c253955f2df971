#!/usr/bin/python3
# The manual pages in doc/ render without a groff or man warning, and stay in step with
# the programs: every option of `textscreen --help`, and every textscreenctl command,
# subcommand and option its --help texts list, is in the page.
# Usage: man_pages.py SOURCE_DIR TEXTSCREEN_BIN TEXTSCREENCTL_BIN
import glob
import os
import re
import subprocess
import sys
import unittest

SOURCE_DIR, TEXTSCREEN_BIN, TEXTSCREENCTL_BIN = sys.argv[1:4]
DOC = os.path.join(SOURCE_DIR, "doc")
# An option line of a --help text: "  --json", "  -c [ --config ] arg" (Boost's form).
OPTION_RE = re.compile(r"^\s+(?:-\w \[ )?(--[a-z][a-z-]*)", re.M)


def render(page, width="80", extra=()):
    """(exit code, text, warnings) of man formatting page as plain text."""
    p = subprocess.run(["man", "--warnings", *extra, "-l", page], capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL,
                       env=dict(os.environ, MANWIDTH=width, LC_ALL="C.UTF-8"))
    return p.returncode, p.stdout, p.stderr


def page_text(page):
    """The page on one long line per paragraph, so no option is hyphenated or wrapped."""
    rc, text, warnings = render(os.path.join(DOC, page), "1000",
                                ("--no-hyphenation", "--no-justification"))
    assert rc == 0, warnings
    return text


def help_text(*args):
    p = subprocess.run(list(args) + ["--help"], capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, f"{args} --help exited {p.returncode}: {p.stderr}"
    return p.stdout


class RenderingTest(unittest.TestCase):
    def test_every_page_renders_without_warnings(self):
        pages = sorted(glob.glob(os.path.join(DOC, "*.[1-8]")))
        self.assertIn(os.path.join(DOC, "textscreen.8"), pages)
        for page in pages:
            with self.subTest(page=os.path.basename(page)):
                rc, text, warnings = render(page)
                self.assertEqual((rc, warnings), (0, ""))
                self.assertIn("NAME", text)


class DaemonPageTest(unittest.TestCase):
    def test_every_command_line_option_is_documented(self):
        options_part = help_text(TEXTSCREEN_BIN).split("Configuration keys")[0]
        options = OPTION_RE.findall(options_part)
        self.assertIn("--check-config", options)
        text = page_text("textscreen.8")
        for option in options:
            with self.subTest(option=option):
                self.assertTrue(option in text, f"{option} is not in textscreen.8")
        for signal in ("SIGHUP", "SIGTERM"):
            self.assertTrue(signal in text, f"{signal} is not in textscreen.8")


class CtlPageTest(unittest.TestCase):
    def commands(self):
        """{group: [subcommands]} from the Commands: list of textscreenctl --help."""
        usage = help_text(TEXTSCREENCTL_BIN)
        listing = usage.split("Commands:\n")[1].split("\n\n")[0]
        commands = {}
        for line in listing.splitlines():
            words = line.split()
            subcommands = words[1].split("|") if len(words) > 1 and "|" in words[1] else []
            commands[words[0]] = subcommands
        return usage, commands

    def test_every_command_subcommand_and_option_is_documented(self):
        usage, commands = self.commands()
        self.assertIn("quarantine", commands)
        text = page_text("textscreenctl.8")
        for option in OPTION_RE.findall(usage.split("Global options:")[1]):
            with self.subTest(option=option):
                self.assertTrue(option in text, f"{option} is not in textscreenctl.8")
        for group, subcommands in commands.items():
            for sub in subcommands or [None]:
                command = f"{group} {sub}" if sub else group
                with self.subTest(command=command):
                    self.assertTrue(command in text, f"'{command}' is not in textscreenctl.8")
                    args = [TEXTSCREENCTL_BIN, group] + ([sub] if sub else [])
                    for option in OPTION_RE.findall(help_text(*args)):
                        self.assertTrue(option in text,
                                        f"{option} of {command} is not in textscreenctl.8")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
