#!/usr/bin/python3
# doc/textscreen.conf.5 must list every key the daemon accepts, with the default it really
# has, and no key it does not: the page is compared with `textscreen --help`, rendered by
# `man -l`, and its generated OPTIONS section with `textscreen --print-config-man`. The
# page must also render without a groff warning.
# usage: conf_man_doc.py SOURCE_DIR TEXTSCREEN_BIN
import os
import re
import subprocess
import sys

REGENERATE = ("run tools/gen-conf-man.sh (or: cmake --build build-dev --target conf_man) "
              "and commit doc/textscreen.conf.5")
BEGIN = '.\\" BEGIN GENERATED OPTIONS'
END = '.\\" END GENERATED OPTIONS'


def run(args, env=None):
    p = subprocess.run(args, capture_output=True, timeout=120, stdin=subprocess.DEVNULL,
                       env=env)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def squeeze(text):
    """Whitespace-insensitive form: both formatters wrap long lines where they like."""
    return re.sub(r"\s+", "", text)


def help_keys(help_text):
    """{key: default} of the configuration keys in --help (not --config, --help...)."""
    lines = help_text.splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("Configuration keys")), None)
    if start is None:
        raise SystemExit("--help has no 'Configuration keys' section: the parser below no "
                         "longer matches configHelp()")
    keys, current, parts = {}, None, []

    def finish():
        if current is None:
            return
        text = " ".join(parts)
        m = re.search(r"\[[^\[\]]*, default ?([^\[\]]*)\]\s*$", text)
        if not m:
            raise SystemExit(f"--help: no '[unit, default ...]' for {current}: {text!r}")
        keys[current] = m.group(1).strip()

    for line in lines[start + 1:]:
        m = re.match(r"^\s+--([a-z0-9_]+) arg\b\s*(.*)$", line)
        if m:
            finish()
            current, parts = m.group(1), [m.group(2).strip()]
        elif line.startswith(" ") and current is not None:
            parts.append(line.strip())
        else:  # a group caption or a blank line
            finish()
            current, parts = None, []
    finish()
    return keys


def man_keys(rendered):
    """{key: [defaults]} from the OPTIONS section of the rendered page."""
    lines = rendered.splitlines()
    start = next((i for i, l in enumerate(lines) if l.strip() == "OPTIONS" and l[0] != " "),
                 None)
    if start is None:
        return None
    keys, current = {}, None
    for line in lines[start + 1:]:
        if line and not line[0].isspace():
            break  # the next section
        m = re.match(r"^ {7}([a-z0-9_]+) = \S.*$", line)
        if m:
            current = m.group(1)
            keys.setdefault(current, [])
            continue
        m = re.match(r"^\s+Default: (.*?)\s*$", line)
        if m and current is not None:
            value = m.group(1)
            keys[current].append("" if value == "(empty)" else value)
    return keys


def main():
    root, binary = sys.argv[1], sys.argv[2]
    page = os.path.join(root, "doc", "textscreen.conf.5")
    problems = []

    rc, help_text, err = run([binary, "--help"])
    if rc != 0:
        raise SystemExit(f"textscreen --help exited {rc}: {err}")
    accepted = help_keys(help_text)
    if len(accepted) < 20:
        raise SystemExit(f"--help listed only {len(accepted)} keys: the parser no longer "
                         f"matches its format:\n{help_text}")

    env = dict(os.environ, MANWIDTH="200", LC_ALL="C.UTF-8", MANPAGER="cat", PAGER="cat")
    env.pop("MAN_KEEP_FORMATTING", None)
    rc, rendered, err = run(["man", "-l", page], env=env)
    if rc != 0:
        raise SystemExit(f"man -l {page} exited {rc}: {err}")
    # Overstrike bold/underline if a formatter kept it; typographic dashes as ASCII.
    rendered = re.sub(r".\x08", "", rendered).replace("\u2212", "-").replace("\u2010", "-")
    listed = man_keys(rendered)
    if listed is None:
        raise SystemExit(f"man -l {page} shows no OPTIONS section; {REGENERATE}")

    for key, default in accepted.items():
        if key not in listed:
            problems.append(f"{key} (default '{default}') is in --help but not in the man page")
        elif len(listed[key]) != 1:
            problems.append(f"{key}: the man page gives {len(listed[key])} defaults")
        elif squeeze(listed[key][0]) != squeeze(default):
            problems.append(f"{key}: --help says default '{default}', the man page "
                            f"'{listed[key][0]}'")
    for key in listed:
        if key not in accepted:
            problems.append(f"{key} is in the man page but the daemon does not accept it")

    # The OPTIONS section is exactly what the key table writes now (doc lines included).
    text = open(page, encoding="utf-8").read()
    begin, end = text.find(BEGIN), text.find(END)
    rc, generated, err = run([binary, "--print-config-man"])
    if rc != 0:
        problems.append(f"textscreen --print-config-man exited {rc}: {err}")
    elif begin < 0 or end < begin:
        problems.append(f"{page} lost its GENERATED OPTIONS markers")
    else:
        section = text[text.index("\n", begin) + 1:end]
        if section != generated:
            problems.append("the OPTIONS section differs from textscreen --print-config-man")

    rc, _, warnings = run(["groff", "-man", "-Tutf8", "-ww", "-z", page],
                          env=dict(os.environ, LC_ALL="C.UTF-8"))
    if rc != 0 or warnings.strip():
        problems.append(f"groff warns about {page} (exit {rc}):\n{warnings}")

    for p in problems:
        print(f"doc/textscreen.conf.5: {p}")
    if problems:
        print(f"to fix: {REGENERATE}")
        return 1
    print(f"doc/textscreen.conf.5 lists all {len(accepted)} keys of --help with their defaults")
    return 0


if __name__ == "__main__":
    sys.exit(main())
