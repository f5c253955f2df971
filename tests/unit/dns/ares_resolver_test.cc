// AresResolver against a real DNS server: tests/dns/dns_stub.py on a loopback port, so
// the libevent wiring, TCP fallback, timeouts and cancel are proved end to end.
#include "dns/ares_resolver.h"

#include <event2/event.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ts::dns {
namespace {

using namespace std::chrono_literals;
using std::chrono::seconds;
using std::chrono::steady_clock;

// The DKIM TXT a 4096-bit key needs: well over 512 bytes, in 255-byte strings.
std::string dkimKey() {
  return "v=DKIM1; k=rsa; p=" + std::string(780, 'Q');
}

std::string dkimZoneLine() {
  std::string text = dkimKey();
  std::string line = "k._domainkey.example.com. 600 IN TXT";
  for (std::size_t i = 0; i < text.size(); i += 255) {
    line += " \"" + text.substr(i, 255) + "\"";
  }
  return line;
}

// The stub as a child process; its stdout says when it listens and on which port.
class DnsStub {
 public:
  bool start(const std::vector<std::string>& args) {
    int out[2];
    if (pipe(out) != 0) return false;
    pid_ = fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::string script = std::string(TEXTSCREEN_SOURCE_DIR) + "/tests/dns/dns_stub.py";
      std::vector<char*> argv{const_cast<char*>("/usr/bin/python3"), script.data()};
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    port_ = readReadyPort(out[0]);
    close(out[0]);
    return port_ != 0;
  }

  ~DnsStub() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  int port() const { return port_; }

 private:
  // Waits at most 10 s for "READY <port>\n".
  static int readReadyPort(int fd) {
    std::string line;
    auto deadline = steady_clock::now() + 10s;
    while (steady_clock::now() < deadline && line.find('\n') == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[64];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) return 0;
      line.append(buf, static_cast<std::size_t>(n));
    }
    if (line.rfind("READY ", 0) != 0) return 0;
    return std::atoi(line.c_str() + 6);
  }

  pid_t pid_ = -1;
  int port_ = 0;
};

class AresResolverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stub_ = new DnsStub;
    bool started = stub_->start({
        "--zone",
        "example.com. 3600 IN SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 60",
        "--zone",
        "h.example.com. 300 IN A 192.0.2.1",
        "--zone",
        "h.example.com. 300 IN A 192.0.2.2",
        "--zone",
        "t.example.com. 120 IN TXT \"v=spf1 \" \"-all\"",
        "--zone",
        "tc.example.com. 90 IN A 192.0.2.7",
        "--zone",
        "slow.example.com. 300 IN A 192.0.2.8",
        "--zone",
        dkimZoneLine(),
        "--servfail",
        "sf.example.com",
        "--truncate",
        "tc.example.com",
        "--delay",
        "slow.example.com=2",
    });
    if (!started) {
      delete stub_;
      stub_ = nullptr;
    }
  }
  static void TearDownTestSuite() {
    delete stub_;
    stub_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(stub_, nullptr) << "dns_stub.py did not start";
    base_ = event_base_new();
    ASSERT_NE(base_, nullptr);
  }
  void TearDown() override {
    resolver_.reset();
    if (base_ != nullptr) event_base_free(base_);
  }

  void makeResolver(std::chrono::milliseconds timeout = 1000ms, int tries = 2) {
    AresSettings settings;
    settings.servers = "127.0.0.1:" + std::to_string(stub_->port());
    settings.timeout = timeout;
    settings.tries = tries;
    settings.negative_ttl = seconds(900);
    auto created = AresResolver::create(base_, settings);
    ASSERT_TRUE(created.ok()) << created.error().message;
    resolver_ = std::move(created.value());
  }

  // Runs the loop until done() or the time is up; each turn is bounded by a 20 ms tick.
  void runUntil(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    event* tick = event_new(
        base_, -1, EV_PERSIST, [](evutil_socket_t, short, void*) {}, nullptr);
    timeval tv{0, 20000};
    event_add(tick, &tv);
    auto deadline = steady_clock::now() + limit;
    for (int turn = 0; turn < 10000 && !done() && steady_clock::now() < deadline; ++turn) {
      event_base_loop(base_, EVLOOP_ONCE);
    }
    event_free(tick);
  }

  DnsAnswer resolve(const std::string& name, ns_type type) {
    std::optional<DnsAnswer> got;
    resolver_->query(name, type, [&got](const DnsAnswer& a) { got = a; });
    runUntil([&got] { return got.has_value(); }, 8s);
    EXPECT_TRUE(got.has_value()) << "no answer for " << name;
    return got.value_or(DnsAnswer{});
  }

  static DnsStub* stub_;
  event_base* base_ = nullptr;
  std::unique_ptr<AresResolver> resolver_;
};

DnsStub* AresResolverTest::stub_ = nullptr;

TEST_F(AresResolverTest, AnswersAWithTtl) {
  makeResolver();
  DnsAnswer a = resolve("h.example.com", ns_t_a);
  EXPECT_EQ(a.status, DnsStatus::kOk);
  EXPECT_EQ(a.records, (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
  EXPECT_EQ(a.ttl, seconds(300));
  EXPECT_EQ(resolver_->pendingCount(), 0u);
}

TEST_F(AresResolverTest, AnswersTxtJoinedWithTtl) {
  makeResolver();
  DnsAnswer a = resolve("t.example.com", ns_t_txt);
  EXPECT_EQ(a.status, DnsStatus::kOk);
  EXPECT_EQ(a.records, (std::vector<std::string>{"v=spf1 -all"}));
  EXPECT_EQ(a.ttl, seconds(120));
}

TEST_F(AresResolverTest, LongDkimTxtArrivesWholeOverTcp) {
  makeResolver();
  DnsAnswer a = resolve("k._domainkey.example.com", ns_t_txt);
  EXPECT_EQ(a.status, DnsStatus::kOk);
  ASSERT_EQ(a.records.size(), 1u);
  EXPECT_EQ(a.records[0], dkimKey());
  EXPECT_EQ(a.ttl, seconds(600));
}

TEST_F(AresResolverTest, TruncatedUdpFallsBackToTcp) {
  makeResolver();
  DnsAnswer a = resolve("tc.example.com", ns_t_a);
  EXPECT_EQ(a.status, DnsStatus::kOk);
  EXPECT_EQ(a.records, (std::vector<std::string>{"192.0.2.7"}));
}

TEST_F(AresResolverTest, NxDomainTakesSoaMinimum) {
  makeResolver();
  DnsAnswer a = resolve("missing.example.com", ns_t_a);
  EXPECT_EQ(a.status, DnsStatus::kNxDomain);
  EXPECT_TRUE(a.records.empty());
  EXPECT_EQ(a.ttl, seconds(60));
}

TEST_F(AresResolverTest, NoDataForOtherType) {
  makeResolver();
  DnsAnswer a = resolve("h.example.com", ns_t_mx);
  EXPECT_EQ(a.status, DnsStatus::kNoData);
  EXPECT_EQ(a.ttl, seconds(60));
}

TEST_F(AresResolverTest, ServFail) {
  makeResolver(1000ms, 1);
  EXPECT_EQ(resolve("sf.example.com", ns_t_a).status, DnsStatus::kServFail);
}

TEST_F(AresResolverTest, SlowAnswerTimesOut) {
  makeResolver(300ms, 1);
  auto started = steady_clock::now();
  EXPECT_EQ(resolve("slow.example.com", ns_t_a).status, DnsStatus::kTimeout);
  EXPECT_LT(steady_clock::now() - started, 1500ms);
}

TEST_F(AresResolverTest, CancelledQueryNeverCallsBack) {
  makeResolver();
  int calls = 0;
  QueryId id = resolver_->query("h.example.com", ns_t_a, [&calls](const DnsAnswer&) { ++calls; });
  resolver_->cancel(id);
  EXPECT_EQ(resolver_->pendingCount(), 0u);
  runUntil([] { return false; }, 300ms);
  EXPECT_EQ(calls, 0);
  // The channel stays usable after a dropped answer.
  EXPECT_EQ(resolve("h.example.com", ns_t_a).status, DnsStatus::kOk);
}

TEST_F(AresResolverTest, DestroyingWithQueriesOutstandingIsQuiet) {
  makeResolver();
  int calls = 0;
  resolver_->query("slow.example.com", ns_t_a, [&calls](const DnsAnswer&) { ++calls; });
  runUntil([] { return false; }, 50ms);
  resolver_.reset();
  EXPECT_EQ(calls, 0);
}

TEST_F(AresResolverTest, DeadServerIsATemporaryFault) {
  AresSettings settings;
  settings.servers = "127.0.0.1:1";  // nothing listens there
  settings.timeout = 200ms;
  settings.tries = 1;
  auto created = AresResolver::create(base_, settings);
  ASSERT_TRUE(created.ok()) << created.error().message;
  resolver_ = std::move(created.value());
  DnsAnswer a = resolve("h.example.com", ns_t_a);
  EXPECT_TRUE(isTemporary(a.status)) << toString(a.status);
}

TEST(AresResolverCreate, BadServerListIsAnError) {
  event_base* base = event_base_new();
  AresSettings settings;
  settings.servers = "not an address";
  auto created = AresResolver::create(base, settings);
  EXPECT_FALSE(created.ok());
  event_base_free(base);
}

}  // namespace
}  // namespace ts::dns
