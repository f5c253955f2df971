// The libevent prober against a tiny SMTP server on 127.0.0.1: a thread with a blocking
// socket plays a script while the test's loop runs the probe, so every byte on the wire
// and every wait is real: normal and multi-line dialogs, refusals, a refused connection,
// a server that never greets, broken replies, and cancelling a probe in flight.
#include "checks/callout/smtp_prober.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ts {
namespace {

using namespace std::chrono_literals;

// One connection's worth of server: accepts once, runs the script on the socket, closes.
class ScriptedServer {
 public:
  using Script = std::function<void(ScriptedServer&)>;

  explicit ScriptedServer(Script script) : script_(std::move(script)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(listen_fd_, 4), 0);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    thread_.join();
    ::close(listen_fd_);
  }

  std::uint16_t port() const { return port_; }
  SocketAddress address() const {
    return *SocketAddress::parse("127.0.0.1:" + std::to_string(port_));
  }

  // Script steps, on the server thread.
  void say(const std::string& text) {
    std::size_t sent = 0;
    while (sent < text.size()) {
      ssize_t n = ::send(fd_, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }
  // The next line from the client without its CRLF; nullopt at EOF or after 5 s.
  std::optional<std::string> hear() {
    while (true) {
      std::size_t eol = buffer_.find("\r\n");
      if (eol != std::string::npos) {
        std::string line = buffer_.substr(0, eol);
        buffer_.erase(0, eol + 2);
        std::lock_guard lock(mutex_);
        heard_.push_back(line);
        return line;
      }
      char chunk[512];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  // Hears one command and answers it.
  void answer(const std::string& reply) {
    if (hear()) say(reply);
  }
  // Waits until the client closes (true) or 5 s pass (false).
  bool waitForClose() {
    char c;
    return ::recv(fd_, &c, 1, 0) == 0;
  }

  std::vector<std::string> heard() {
    std::lock_guard lock(mutex_);
    return heard_;
  }
  bool accepted() const { return accepted_; }
  bool sawClose() const { return saw_close_; }
  void noteClose(bool closed) { saw_close_ = closed; }

 private:
  void serve() {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 5000) != 1) return;
    fd_ = ::accept(listen_fd_, nullptr, nullptr);
    if (fd_ < 0) return;
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    accepted_ = true;
    script_(*this);
    ::close(fd_);
  }

  Script script_;
  int listen_fd_ = -1;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::string buffer_;
  std::mutex mutex_;
  std::vector<std::string> heard_;
  std::atomic<bool> accepted_{false};
  std::atomic<bool> saw_close_{false};
  std::thread thread_;
};

class CalloutSmtpProberTest : public ::testing::Test {
 protected:
  void SetUp() override { base_ = event_base_new(); }
  void TearDown() override { event_base_free(base_); }

  // Runs the loop until done() holds, at most 10 s.
  template <typename Done>
  bool runUntil(Done&& done) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    event* tick = evtimer_new(
        base_, [](evutil_socket_t, short, void*) {}, nullptr);
    timeval tv{0, 20'000};
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      evtimer_add(tick, &tv);
      event_base_loop(base_, EVLOOP_ONCE);
    }
    event_free(tick);
    return done();
  }

  ProbeRequest request(const SocketAddress& server,
                       std::vector<std::string> recipients = {"ts-probe-1@example.com",
                                                              "bob@example.com"}) {
    ProbeRequest r;
    r.server = server;
    r.helo_name = "mx.carrier.example";
    r.recipients = std::move(recipients);
    r.wait_timeout = 3s;
    r.total_timeout = 8s;
    return r;
  }

  // Probes and runs the loop until the report is in.
  std::optional<ProbeReport> probe(const ProbeRequest& r) {
    LibeventSmtpProber prober(base_);
    std::optional<ProbeReport> report;
    int calls = 0;
    auto handle = prober.probe(r, [&](ProbeReport got) {
      ++calls;
      report = std::move(got);
    });
    EXPECT_EQ(calls, 0);  // never before probe() returns
    EXPECT_TRUE(runUntil([&] { return report.has_value(); }));
    EXPECT_EQ(calls, 1);
    return report;
  }

  event_base* base_ = nullptr;
};

TEST_F(CalloutSmtpProberTest, NormalDialogAsksEachRecipientInOrderThenQuits) {
  ScriptedServer server([](ScriptedServer& s) {
    s.say("220 mx.example.com ESMTP\r\n");
    s.answer("250-mx.example.com\r\n250-PIPELINING\r\n250 SIZE 1000000\r\n");
    s.answer("250 2.1.0 Ok\r\n");
    s.answer("550 5.1.1 <ts-probe-1@example.com>: Recipient address rejected\r\n");
    s.answer("250 2.1.5 Ok\r\n");
    s.answer("221 2.0.0 Bye\r\n");
  });
  auto report = probe(request(server.address()));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->fault, ProbeFault::kNone);
  EXPECT_EQ(report->stage, ProbeStage::kQuit);
  EXPECT_EQ(report->greeting.code, 220);
  EXPECT_EQ(report->greeting.text, "mx.example.com ESMTP");
  EXPECT_EQ(report->hello.code, 250);
  EXPECT_EQ(report->hello.text, "mx.example.com; PIPELINING; SIZE 1000000");
  EXPECT_EQ(report->mail.code, 250);
  ASSERT_EQ(report->rcpt.size(), 2u);
  EXPECT_EQ(report->rcpt[0].code, 550);
  EXPECT_EQ(report->rcpt[0].text, "5.1.1 <ts-probe-1@example.com>: Recipient address rejected");
  EXPECT_EQ(report->rcpt[1].code, 250);
  std::vector<std::string> expected = {"EHLO mx.carrier.example", "MAIL FROM:<>",
                                       "RCPT TO:<ts-probe-1@example.com>",
                                       "RCPT TO:<bob@example.com>", "QUIT"};
  EXPECT_EQ(server.heard(), expected);
}

TEST_F(CalloutSmtpProberTest, MultiLineRepliesAreJoined) {
  ScriptedServer server([](ScriptedServer& s) {
    s.say("220-mx.example.com ESMTP\r\n220-no UCE\r\n220 welcome\r\n");
    s.answer("250 mx.example.com\r\n");
    s.answer("250 Ok\r\n");
    s.answer(
        "550-5.1.1 The email account that you tried to reach does not exist.\r\n"
        "550-5.1.1 Please double-check the recipient's address\r\n"
        "550 5.1.1 for typos.\r\n");
    s.answer("250 Ok\r\n");
    s.answer("221 Bye\r\n");
  });
  auto report = probe(request(server.address()));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->fault, ProbeFault::kNone);
  EXPECT_EQ(report->greeting.text, "mx.example.com ESMTP; no UCE; welcome");
  ASSERT_EQ(report->rcpt.size(), 2u);
  EXPECT_EQ(report->rcpt[0].code, 550);
  EXPECT_EQ(report->rcpt[0].text,
            "5.1.1 The email account that you tried to reach does not exist.; 5.1.1 Please "
            "double-check the recipient's address; 5.1.1 for typos.");
}

TEST_F(CalloutSmtpProberTest, EhloRefusedFallsBackToHelo) {
  ScriptedServer server([](ScriptedServer& s) {
    s.say("220 old.example.com\r\n");
    s.answer("502 command not implemented\r\n");
    s.answer("250 old.example.com\r\n");
    s.answer("250 ok\r\n");
    s.answer("250 ok\r\n");
    s.answer("221 bye\r\n");
  });
  auto report = probe(request(server.address(), {"bob@example.com"}));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->fault, ProbeFault::kNone);
  EXPECT_EQ(report->hello.code, 250);
  std::vector<std::string> expected = {"EHLO mx.carrier.example", "HELO mx.carrier.example",
                                       "MAIL FROM:<>", "RCPT TO:<bob@example.com>", "QUIT"};
  EXPECT_EQ(server.heard(), expected);
}

TEST_F(CalloutSmtpProberTest, StopsAtTheFirstTemporaryFailure) {
  ScriptedServer server([](ScriptedServer& s) {
    s.say("220 mx\r\n");
    s.answer("250 mx\r\n");
    s.answer("250 ok\r\n");
    s.answer("451 4.7.1 greylisted, try again later\r\n");
    s.answer("221 bye\r\n");
  });
  auto report = probe(request(server.address()));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->fault, ProbeFault::kNone);
  ASSERT_EQ(report->rcpt.size(), 1u);
  EXPECT_EQ(report->rcpt[0].code, 451);
  EXPECT_EQ(server.heard().back(), "QUIT");
  EXPECT_EQ(server.heard().size(), 4u);
}

TEST_F(CalloutSmtpProberTest, RefusalAtTheGreetingEndsWithQuit) {
  ScriptedServer server([](ScriptedServer& s) {
    s.say("554 5.7.1 no SMTP service for you\r\n");
    s.answer("221 bye\r\n");
  });
  auto report = probe(request(server.address()));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->fault, ProbeFault::kNone);
  EXPECT_EQ(report->greeting.code, 554);
  EXPECT_TRUE(report->rcpt.empty());
  EXPECT_EQ(server.heard(), std::vector<std::string>{"QUIT"});
}

TEST_F(CalloutSmtpProberTest, ServerClosingAfterQuitWithoutAnswerIsNoFault) {
  ScriptedServer server([](ScriptedServer& s) {
    s.say("220 mx\r\n");
    s.answer("250 mx\r\n");
    s.answer("250 ok\r\n");
    s.answer("250 ok\r\n");
    s.hear();  // QUIT, then close without 221
  });
  auto report = probe(request(server.address(), {"bob@example.com"}));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->fault, ProbeFault::kNone);
  ASSERT_EQ(report->rcpt.size(), 1u);
  EXPECT_EQ(report->rcpt[0].code, 250);
}

TEST_F(CalloutSmtpProberTest, ConnectionRefusedIsReportedAsSuch) {
  // A port that was just free: bind, read the number, close.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  auto report =
      probe(request(*SocketAddress::parse("127.0.0.1:" + std::to_string(ntohs(a.sin_port)))));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->fault, ProbeFault::kConnectFailed);
  EXPECT_EQ(report->stage, ProbeStage::kConnect);
  EXPECT_FALSE(report->fault_detail.empty());
}

TEST_F(CalloutSmtpProberTest, ServerThatNeverGreetsTimesOut) {
  ScriptedServer server([](ScriptedServer& s) { s.noteClose(s.waitForClose()); });
  ProbeRequest r = request(server.address());
  r.wait_timeout = 200ms;
  auto started = std::chrono::steady_clock::now();
  auto report = probe(r);
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(report);
  EXPECT_EQ(report->fault, ProbeFault::kTimeout);
  EXPECT_EQ(report->stage, ProbeStage::kGreeting);
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 3s);
}

TEST_F(CalloutSmtpProberTest, TheWholeDialogHasADeadline) {
  // Each answer comes within the wait timeout, but together they take too long.
  ScriptedServer server([](ScriptedServer& s) {
    s.say("220 mx\r\n");
    for (int i = 0; i < 5; ++i) {
      if (!s.hear()) return;
      std::this_thread::sleep_for(150ms);
      s.say("250 ok\r\n");
    }
  });
  ProbeRequest r = request(server.address());
  r.wait_timeout = 1s;
  r.total_timeout = 400ms;
  auto report = probe(r);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->fault, ProbeFault::kTimeout);
  EXPECT_NE(report->stage, ProbeStage::kQuit);
}

TEST_F(CalloutSmtpProberTest, BrokenRepliesAreProtocolFaults) {
  for (std::string bad : {std::string(3000, 'x'), std::string("hello there\r\n"),
                          std::string("220-mx\r\n250 mixed codes\r\n")}) {
    ScriptedServer server([bad](ScriptedServer& s) {
      s.say(bad);
      s.waitForClose();
    });
    auto report = probe(request(server.address()));
    ASSERT_TRUE(report);
    EXPECT_EQ(report->fault, ProbeFault::kProtocol) << bad.substr(0, 20);
    EXPECT_EQ(report->stage, ProbeStage::kGreeting);
  }
}

TEST_F(CalloutSmtpProberTest, ServerSpeakingOutOfTurnIsAProtocolFault) {
  ScriptedServer server([](ScriptedServer& s) {
    s.say("220 mx\r\n250 unasked\r\n");
    s.waitForClose();
  });
  auto report = probe(request(server.address()));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->fault, ProbeFault::kProtocol);
}

TEST_F(CalloutSmtpProberTest, ServerClosingMidDialogIsReported) {
  ScriptedServer server([](ScriptedServer& s) {
    s.say("220 mx\r\n");
    s.hear();
  });
  auto report = probe(request(server.address()));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->fault, ProbeFault::kClosed);
  EXPECT_EQ(report->stage, ProbeStage::kHello);
}

TEST_F(CalloutSmtpProberTest, UnsafeRecipientIsNeverSent) {
  LibeventSmtpProber prober(base_);
  std::optional<ProbeReport> report;
  ProbeRequest r = request(*SocketAddress::parse("127.0.0.1:9"), {"a@b>\r\nDATA"});
  auto handle = prober.probe(r, [&](ProbeReport got) { report = std::move(got); });
  EXPECT_FALSE(report);
  ASSERT_TRUE(runUntil([&] { return report.has_value(); }));
  EXPECT_EQ(report->fault, ProbeFault::kProtocol);
}

TEST_F(CalloutSmtpProberTest, DestroyingTheProbeClosesTheConnectionAndNeverCallsBack) {
  ScriptedServer server([](ScriptedServer& s) { s.noteClose(s.waitForClose()); });
  LibeventSmtpProber prober(base_);
  bool called = false;
  auto handle = prober.probe(request(server.address()), [&](ProbeReport) { called = true; });
  ASSERT_TRUE(runUntil([&] { return server.accepted(); }));
  handle.reset();
  ASSERT_TRUE(runUntil([&] { return server.sawClose(); }));
  // Give any stray timer or event a chance to fire.
  auto until = std::chrono::steady_clock::now() + 300ms;
  runUntil([&] { return std::chrono::steady_clock::now() >= until; });
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace ts
