#!/usr/bin/python3
# The packaged deployment: the systemd unit keeps its hardening (each directive asserted,
# systemd-analyze's verify and offline security score when it is installed), the shipped
# configuration agrees with the unit on where the state lives, and the store and control
# socket a daemon makes under the unit's umask are usable by a member of its group who
# is neither the daemon's user nor root (setpriv with throwaway ids, root only).
import os
import pwd
import grp
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (SLOW, TEXTSCREEN_BIN, TEXTSCREENCTL_BIN, Daemon, IntegrationTest,  # noqa: E402
                     config_values, poll)

PACKAGING = os.path.join(harness.SOURCE_DIR, "packaging")
UNIT = os.path.join(PACKAGING, "textscreen.service")
SYSUSERS = os.path.join(PACKAGING, "textscreen.sysusers")
SHIPPED_CONFIG = os.path.join(PACKAGING, "textscreen.conf")
INSTALLED_BIN = "/usr/sbin/textscreen"
STATE_DIR = "/var/lib/textscreen"

# Directive -> the value it must have. Losing any of these weakens the sandbox.
REQUIRED = {
    "User": "textscreen",
    "Group": "textscreen",
    "Type": "simple",
    "ExecStart": f"{INSTALLED_BIN} --config /etc/textscreen/textscreen.conf",
    "ExecReload": "/bin/kill -HUP $MAINPID",
    "Restart": "on-failure",
    "LimitNOFILE": "65536",
    "StateDirectory": "textscreen",
    "StateDirectoryMode": "2770",
    "UMask": "0007",
    "CapabilityBoundingSet": "CAP_NET_BIND_SERVICE",
    "AmbientCapabilities": "CAP_NET_BIND_SERVICE",
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ReadWritePaths": STATE_DIR,
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes",
    "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "RestrictNamespaces": "yes",
    "LockPersonality": "yes",
    "MemoryDenyWriteExecute": "yes",
    "SystemCallFilter": "@system-service",
    "SystemCallArchitectures": "native",
}
# systemd-analyze security's exposure, in tenths (1.8 when this was written; 10 is
# "UNSAFE"): the unit may not drift above 2.0.
MAX_EXPOSURE_TENTHS = 20


def unit_directives(path):
    """{(section, key): [values]} of a unit file; comments and blank lines skipped."""
    directives = {}
    section = None
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            key, _, value = line.partition("=")
            directives.setdefault((section, key.strip()), []).append(value.strip())
    return directives


class UnitFileTest(unittest.TestCase):
    def test_every_hardening_directive_is_there_once_with_its_value(self):
        directives = unit_directives(UNIT)
        for key, want in REQUIRED.items():
            with self.subTest(key=key):
                got = directives.get(("Service", key))
                self.assertEqual(got, [want], f"{key}= in {UNIT}")
        self.assertEqual(directives.get(("Install", "WantedBy")), ["multi-user.target"])

    def test_the_shipped_configuration_keeps_its_state_where_the_unit_allows_writes(self):
        values = config_values(SHIPPED_CONFIG)
        self.assertEqual(values.get("state_dir"), STATE_DIR)
        socket_path = values.get("control_socket", "")
        self.assertTrue(socket_path == "" or socket_path.startswith(STATE_DIR + "/"),
                        f"control_socket = {socket_path} is outside the writable {STATE_DIR}")

    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is not installed")
    def test_systemd_analyze_verify_finds_nothing(self):
        # verify insists that ExecStart's binary exists: point it at the built one.
        with tempfile.TemporaryDirectory() as tmp:
            unit = os.path.join(tmp, "textscreen.service")
            with open(UNIT) as f:
                text = f.read()
            self.assertIn(INSTALLED_BIN, text)
            with open(unit, "w") as f:
                f.write(text.replace(INSTALLED_BIN, os.path.abspath(TEXTSCREEN_BIN)))
            p = subprocess.run(["systemd-analyze", "verify", unit], capture_output=True,
                               text=True, timeout=60)
            # verify exits 0 on unknown or misspelt keys and only warns: any output fails.
            self.assertEqual((p.returncode, p.stdout + p.stderr), (0, ""))

    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is not installed")
    def test_systemd_analyze_security_scores_it_as_hardened(self):
        p = subprocess.run(["systemd-analyze", "security", "--offline=yes",
                            f"--threshold={MAX_EXPOSURE_TENTHS}", UNIT],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, f"exposure above {MAX_EXPOSURE_TENTHS / 10}:\n"
                                          f"{p.stdout[-3000:]}{p.stderr}")

    @unittest.skipUnless(shutil.which("systemd-sysusers"), "systemd-sysusers is not installed")
    def test_sysusers_creates_the_user_and_its_group(self):
        with tempfile.TemporaryDirectory() as root:
            os.mkdir(os.path.join(root, "etc"))
            p = subprocess.run(["systemd-sysusers", f"--root={root}", SYSUSERS],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(root, "etc", "passwd")) as f:
                users = {line.split(":")[0]: line.split(":") for line in f}
            with open(os.path.join(root, "etc", "group")) as f:
                groups = {line.split(":")[0]: line.split(":") for line in f}
            self.assertIn("textscreen", users)
            self.assertIn("textscreen", groups)
            self.assertEqual(users["textscreen"][3], groups["textscreen"][2],
                             "the user's primary group is not the textscreen group")
            self.assertEqual(users["textscreen"][5], STATE_DIR)


def unused_ids(count, lookup):
    """count ids in 61000-61999 that lookup (getpwuid / getgrgid) does not know."""
    found = []
    for i in range(61000, 62000):
        try:
            lookup(i)
        except KeyError:
            found.append(i)
            if len(found) == count:
                return found
    raise unittest.SkipTest("no unused ids in 61000-61999")


@unittest.skipUnless(os.geteuid() == 0, "needs root to run the daemon and CLI as other ids")
@unittest.skipUnless(shutil.which("setpriv"), "setpriv is not installed")
class GroupAccessTest(IntegrationTest):
    """The daemon as one throwaway uid, staff as another whose supplementary group is the
    daemon's group, the state directory prepared as StateDirectoryMode=2770 makes it."""

    start_daemon = False

    def setUp(self):
        super().setUp()
        self.daemon_uid, self.staff_uid, self.outsider_uid = unused_ids(3, pwd.getpwuid)
        self.group, self.staff_group = unused_ids(2, grp.getgrgid)
        # The workdir holds the config and the state: the others must get through it.
        os.chmod(self.workdir, 0o755)
        self.gateway = self.start_gateway()
        self.daemon = Daemon(self.workdir, self.gateway.port)
        os.chown(self.daemon.state_dir, self.daemon_uid, self.group)
        os.chmod(self.daemon.state_dir, 0o2770)
        self.daemon.launcher = self.as_user(self.daemon_uid, self.group, [], umask="0007")
        self.addCleanup(self.daemon.stop)
        self.daemon.start()

    def as_user(self, uid, gid, groups, umask="0022"):
        setpriv = ["setpriv", f"--reuid={uid}", f"--regid={gid}"]
        setpriv += [f"--groups={','.join(map(str, groups))}"] if groups else ["--clear-groups"]
        return ["sh", "-c", f'umask {umask} && exec "$@"', "sh"] + setpriv

    def ctl_as(self, uid, gid, groups, *args):
        p = subprocess.run(self.as_user(uid, gid, groups) +
                           [TEXTSCREENCTL_BIN, "--config", self.daemon.config_path] + list(args),
                           capture_output=True, text=True, timeout=60 * SLOW,
                           stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout + p.stderr

    def test_store_and_control_socket_are_the_groups(self):
        state = self.daemon.state_dir
        paths = {"data.mdb": os.path.join(state, "store", "data.mdb"),
                 "lock.mdb": os.path.join(state, "store", "lock.mdb"),
                 "control.sock": os.path.join(state, "control.sock")}
        poll(lambda: os.path.exists(paths["control.sock"]), 10 * SLOW, what="control socket")
        for name, path in paths.items():
            with self.subTest(path=name):
                st = os.stat(path)
                self.assertEqual(stat.S_IMODE(st.st_mode), 0o660, f"{name} mode")
                self.assertEqual(st.st_gid, self.group, f"{name} group")
        store_dir = os.stat(os.path.join(state, "store"))
        self.assertEqual(stat.S_IMODE(store_dir.st_mode), 0o2770, "store directory mode")

    def test_a_member_of_the_group_writes_the_store_and_asks_the_daemon(self):
        staff = (self.staff_uid, self.staff_group, [self.group])
        rc, out = self.ctl_as(*staff, "allow", "add", "dispatch.example", "--note", "group test")
        self.assertEqual(rc, 0, out)
        rc, out = self.ctl_as(*staff, "allow", "list")
        self.assertEqual(rc, 0, out)
        self.assertIn("dispatch.example", out)
        rc, out = self.ctl_as(*staff, "status")
        self.assertEqual(rc, 0, out)

    def test_someone_outside_the_group_gets_nothing(self):
        rc, out = self.ctl_as(self.outsider_uid, self.staff_group, [], "allow", "list")
        self.assertNotEqual(rc, 0, out)
        rc, out = self.ctl_as(self.outsider_uid, self.staff_group, [], "status")
        self.assertNotEqual(rc, 0, out)


if __name__ == "__main__":
    harness.main()
