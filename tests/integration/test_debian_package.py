#!/usr/bin/python3
# The Debian package end to end: CPack makes it from the build directory under test, dpkg
# installs it, every file lands where the unit, README and the shipped configuration say,
# the installed daemon with the installed configuration (as the textscreen user, in the
# installed state directory) relays a message sent with smtplib to a capture gateway, and
# dpkg --purge leaves nothing behind. Root only; the sanitizer build is not packaged.
import glob
import grp
import os
import pwd
import shutil
import signal
import smtplib
import stat
import subprocess
import sys
import unittest
from email.message import EmailMessage
from email.utils import formatdate

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (BUILD_DIR, IO_TIMEOUT, NUMBERS, READY_TIMEOUT, STOP_TIMEOUT,  # noqa: E402
                     CaptureGateway, TempDir, build_option, config_values, free_port, poll,
                     rcpt, smtp_greets)

PACKAGING = os.path.join(harness.SOURCE_DIR, "packaging")
PACKAGE = "textscreen"
CONFIG = "/etc/textscreen/textscreen.conf"
STATE_DIR = "/var/lib/textscreen"
# Written before this test installs the package and removed after it purged it: a package
# found installed with this file present is what an aborted run left, and this test may
# purge it; without it the package is someone's real installation and the test skips.
OWNED_MARKER = "/var/tmp/textscreen-test_debian_package.owned"

# Installed path -> the source file it must be a copy of.
COPIES = {
    CONFIG: os.path.join(PACKAGING, "textscreen.conf"),
    "/lib/systemd/system/textscreen.service": os.path.join(PACKAGING, "textscreen.service"),
    "/usr/lib/sysusers.d/textscreen.conf": os.path.join(PACKAGING, "textscreen.sysusers"),
    "/usr/share/textscreen/rules/textscreen.rules":
        os.path.join(harness.SOURCE_DIR, "rules", "textscreen.rules"),
    "/usr/share/doc/textscreen/README.md": os.path.join(harness.SOURCE_DIR, "README.md"),
}
WANTS_LINK = "/etc/systemd/system/multi-user.target.wants/textscreen.service"
BINARIES = ["/usr/sbin/textscreen", "/usr/bin/textscreenctl"]
MAN_PAGES = {"/usr/share/man/man8/textscreen.8.gz": "textscreen.8",
             "/usr/share/man/man8/textscreenctl.8.gz": "textscreenctl.8",
             "/usr/share/man/man5/textscreen.conf.5.gz": "textscreen.conf.5"}


def run(*args, timeout=120):
    p = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    return p.returncode, p.stdout + p.stderr


def package_status():
    """dpkg's state of the package: 'installed', 'config-files', ... or 'not-installed'."""
    rc, out = run("dpkg-query", "-W", "-f=${db:Status-Status}", PACKAGE)
    return out.strip() if rc == 0 and out.strip() else "not-installed"


def banner_ready(port, proc):
    if proc.poll() is not None:
        raise AssertionError(f"the installed textscreen exited with {proc.returncode}")
    return smtp_greets("127.0.0.1", port, IO_TIMEOUT)


@unittest.skipUnless(os.geteuid() == 0, "needs root: installs and purges a package with dpkg")
@unittest.skipUnless(shutil.which("dpkg") and shutil.which("cpack"), "dpkg or cpack is missing")
class DebianPackageTest(unittest.TestCase):
    def setUp(self):
        if build_option("TEXTSCREEN_SANITIZE") == "ON":
            self.skipTest("the sanitizer build is not packaged; the g++ pass tests the package")
        status = package_status()
        if status != "not-installed" and not os.path.exists(OWNED_MARKER):
            self.skipTest(f"{PACKAGE} is {status} on this machine and not by this test: "
                          f"it would purge it (dpkg --purge {PACKAGE} first to run it)")
        tmp = TempDir(prefix="textscreen-deb-")
        self.addCleanup(tmp.cleanup)
        self.workdir = tmp.path
        self.maxDiff = None
        self.addCleanup(self.purge_if_ours)
        if status != "not-installed":
            self.purge_if_ours()  # an aborted run's: start from a machine without it

    def purge_if_ours(self):
        if os.path.exists(OWNED_MARKER):
            if package_status() != "not-installed":
                rc, out = run("dpkg", "--purge", PACKAGE)
                self.assertEqual(rc, 0, out)
            os.unlink(OWNED_MARKER)

    def build_package(self):
        out_dir = os.path.join(self.workdir, "packages")
        rc, out = run("cpack", "--config", os.path.join(BUILD_DIR, "CPackConfig.cmake"),
                      "-B", out_dir, timeout=600)
        self.assertEqual(rc, 0, out)
        debs = glob.glob(os.path.join(out_dir, f"{PACKAGE}_*.deb"))
        self.assertEqual(len(debs), 1, out)
        return debs[0]

    def check_control_fields(self, deb):
        rc, out = run("dpkg-deb", "-f", deb, "Package", "Depends")
        self.assertEqual(rc, 0, out)
        fields = dict(line.split(": ", 1) for line in out.splitlines())
        self.assertEqual(fields["Package"], PACKAGE)
        depends = fields["Depends"]
        for library in ("libc6", "libevent-core", "liblmdb0", "libre2"):  # from dpkg-shlibdeps
            self.assertIn(library, depends)
        self.assertIn("adduser", depends.split(", "))

    def check_files(self):
        for path in BINARIES:
            with self.subTest(path=path):
                st = os.stat(path)
                self.assertEqual(stat.S_IMODE(st.st_mode), 0o755)
                if shutil.which("file"):
                    rc, out = run("file", "-L", path)
                    self.assertIn(", stripped", out, "debug information belongs in -dbgsym")
        for path, source in COPIES.items():
            with self.subTest(path=path):
                with open(path, "rb") as installed, open(source, "rb") as original:
                    self.assertEqual(installed.read(), original.read())
        for path, page in MAN_PAGES.items():
            with self.subTest(path=path):
                if os.path.exists(os.path.join(harness.SOURCE_DIR, "doc", page)):
                    self.assertTrue(os.path.isfile(path))
        rc, out = run("dpkg-query", "-W", "-f=${Conffiles}", PACKAGE)
        self.assertEqual([line.split()[0] for line in out.splitlines() if line.strip()],
                         [CONFIG], "the configuration is the package's only conffile")
        rules = config_values(CONFIG)["content_rules"]
        self.assertTrue(os.path.isfile(rules), f"content_rules = {rules} is not installed")
        self.assertEqual(config_values(CONFIG)["state_dir"], STATE_DIR)

    def check_user_and_state_dir(self):
        user = pwd.getpwnam("textscreen")
        group = grp.getgrnam("textscreen")
        self.assertEqual(user.pw_gid, group.gr_gid, "the user's primary group")
        self.assertEqual(user.pw_dir, STATE_DIR)
        self.assertEqual(user.pw_shell, "/usr/sbin/nologin")
        st = os.stat(STATE_DIR)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o2770, "StateDirectoryMode of the unit")
        self.assertEqual((st.st_uid, st.st_gid), (user.pw_uid, group.gr_gid))

    def check_unit_enabled(self):
        """Enabled whether or not systemd runs (as debhelper does); when it runs, postinst
        has started the service on the shipped configuration: stopped here, so the test's
        daemon has the state directory and the control socket to itself."""
        self.assertEqual(os.readlink(WANTS_LINK), "/lib/systemd/system/textscreen.service")
        if os.path.isdir("/run/systemd/system"):
            rc, out = run("systemctl", "stop", "textscreen.service")
            self.assertEqual(rc, 0, out)

    def run_installed_daemon(self):
        """The installed binary and configuration as the unit runs them (its user, umask and
        state directory), moved to a test port and the capture gateway on the command line."""
        gateway = CaptureGateway(self.workdir)
        self.addCleanup(gateway.stop)
        gateway.start()
        port = free_port()
        log_path = os.path.join(self.workdir, "textscreen.log")
        log = open(log_path, "ab")
        self.addCleanup(log.close)
        proc = subprocess.Popen(
            ["sh", "-c", 'umask 0007 && exec "$@"', "sh",
             "setpriv", "--reuid=textscreen", "--regid=textscreen", "--init-groups",
             "/usr/sbin/textscreen", "--config", CONFIG,
             f"--listen=127.0.0.1:{port}", f"--gateway=127.0.0.1:{gateway.port}",
             "--log=stderr", f"--dns_servers=127.0.0.1:{free_port()}"],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait(timeout=15)))

        def log_text():
            with open(log_path, "rb") as f:
                return f.read().decode(errors="replace")

        try:
            poll(lambda: banner_ready(port, proc), READY_TIMEOUT, what="the installed textscreen")
        except AssertionError as e:
            raise AssertionError(f"{e}; log:\n{log_text()}")

        message = EmailMessage()
        message["From"] = "alerts@dispatch.example"
        message["To"] = rcpt(NUMBERS[0])
        message["Subject"] = "packaged"
        message["Date"] = formatdate()
        message["Message-ID"] = "<debian-package-token@dispatch.example>"
        message.set_content("Truck 12 is at the gate.")
        with smtplib.SMTP("127.0.0.1", port, local_hostname="client.example",
                          timeout=IO_TIMEOUT) as smtp:
            refused = smtp.send_message(message)
        self.assertEqual(refused, {})
        stored = gateway.wait_for_count(1)
        self.assertIn(b"debian-package-token", stored[0]["raw"])
        self.assertEqual(stored[0]["rcpt_tos"], [rcpt(NUMBERS[0])])

        # The installed CLI finds the daemon through the installed configuration alone.
        rc, out = run("/usr/bin/textscreenctl", "status")
        self.assertEqual(rc, 0, out)
        self.assertTrue(os.path.exists(os.path.join(STATE_DIR, "store", "data.mdb")))

        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=STOP_TIMEOUT + 10), 0, log_text())

    def test_install_run_and_purge(self):
        deb = self.build_package()
        self.check_control_fields(deb)
        with open(OWNED_MARKER, "w") as f:
            f.write(f"{deb}\n")
        rc, out = run("dpkg", "-i", deb)
        self.assertEqual(rc, 0, out)
        self.assertEqual(package_status(), "installed")
        rc, out = run("dpkg-query", "-L", PACKAGE)
        installed = [p for p in out.splitlines() if p.startswith("/")]
        self.check_files()
        self.check_user_and_state_dir()
        self.check_unit_enabled()
        self.run_installed_daemon()

        rc, out = run("dpkg", "--purge", PACKAGE)
        self.assertEqual(rc, 0, out)
        self.assertEqual(package_status(), "not-installed")
        left = [p for p in installed if os.path.lexists(p) and not os.path.isdir(p)]
        self.assertEqual(left, [], "files of the package left after purge")
        for path in (STATE_DIR, "/etc/textscreen", "/usr/share/textscreen",
                     "/usr/share/doc/textscreen",
                     WANTS_LINK,
                     "/etc/systemd/system/textscreen.service"):
            self.assertFalse(os.path.lexists(path), f"{path} is left after purge")
        # Debian keeps system users on purge: files the user owned elsewhere would pass to
        # whoever got its uid next (postrm says so too).
        self.assertEqual(pwd.getpwnam("textscreen").pw_dir, STATE_DIR)
        os.unlink(OWNED_MARKER)


if __name__ == "__main__":
    harness.main()
