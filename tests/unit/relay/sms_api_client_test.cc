// SmsApiClient on a real loop against an HTTPS server in the same process (evhttp with an
// OpenSSL bufferevent, a certificate made here): delivery, a refused certificate, a server
// that hangs, a refused connect, Retry-After and the pause, names through the Resolver,
// cancel and destruction from inside a handler.
#include "relay/sms_api_client.h"

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "relay/sms_api_request.h"
#include "unit/dns/fake_resolver.h"

namespace ts {
namespace {

using Kind = SmsApiResult::Kind;
using std::chrono::milliseconds;

// A self-signed certificate that is its own CA, for 127.0.0.1 and sms.example.test.
struct Certificate {
  Certificate() {
    key = EVP_EC_gen("P-256");
    cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("sms api test"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:sms.example.test,IP:127.0.0.1"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(cert, key, EVP_sha256());
  }
  ~Certificate() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  std::string pem() const {
    BIO* out = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(out, cert);
    char* data = nullptr;
    long len = BIO_get_mem_data(out, &data);
    std::string text(data, static_cast<std::size_t>(len));
    BIO_free(out);
    return text;
  }

  EVP_PKEY* key;
  X509* cert;
};

std::uint16_t boundPort(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

// Twilio's Messages resource in miniature.
class FakeApi {
 public:
  enum class Mode { kCreated, kTooMany, kHang, kHugeBody };
  struct Seen {
    std::string path;
    std::string authorization;
    std::string host;
    std::string body;
  };

  FakeApi(event_base* base, const Certificate& cert) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx_, cert.cert);
    SSL_CTX_use_PrivateKey(ctx_, cert.key);
    http_ = evhttp_new(base);
    evhttp_bound_socket* socket = evhttp_bind_socket_with_handle(http_, "127.0.0.1", 0);
    port = boundPort(evhttp_bound_socket_get_fd(socket));
    evhttp_set_bevcb(http_, newConnection, this);
    evhttp_set_gencb(http_, onRequest, this);
  }
  ~FakeApi() {
    evhttp_free(http_);
    SSL_CTX_free(ctx_);
  }

  Mode mode = Mode::kCreated;
  std::uint16_t port = 0;
  std::vector<Seen> seen;

 private:
  static bufferevent* newConnection(event_base* base, void* arg) {
    auto* self = static_cast<FakeApi*>(arg);
    return bufferevent_openssl_socket_new(base, -1, SSL_new(self->ctx_), BUFFEREVENT_SSL_ACCEPTING,
                                          BEV_OPT_CLOSE_ON_FREE);
  }
  static void onRequest(evhttp_request* request, void* arg) {
    auto* self = static_cast<FakeApi*>(arg);
    evkeyvalq* in = evhttp_request_get_input_headers(request);
    const char* authorization = evhttp_find_header(in, "Authorization");
    const char* host = evhttp_find_header(in, "Host");
    evbuffer* input = evhttp_request_get_input_buffer(request);
    std::string body(evbuffer_get_length(input), '\0');
    evbuffer_copyout(input, body.data(), body.size());
    self->seen.push_back(Seen{evhttp_request_get_uri(request), authorization ? authorization : "",
                              host ? host : "", body});
    evkeyvalq* out = evhttp_request_get_output_headers(request);
    evhttp_add_header(out, "Content-Type", "application/json");
    evbuffer* reply = evbuffer_new();
    switch (self->mode) {
      case Mode::kCreated:
        evbuffer_add_printf(reply, R"({"sid": "SM%032d", "status": "queued"})",
                            static_cast<int>(self->seen.size()));
        evhttp_send_reply(request, 201, "Created", reply);
        break;
      case Mode::kTooMany:
        evhttp_add_header(out, "Retry-After", "5");
        evbuffer_add_printf(reply, R"({"code": 20429, "message": "Too Many Requests"})");
        evhttp_send_reply(request, 429, "Too Many Requests", reply);
        break;
      case Mode::kHugeBody:
        evbuffer_add_printf(reply, R"({"sid": "SM1", "pad": "%0200000d"})", 0);
        evhttp_send_reply(request, 201, "Created", reply);
        break;
      case Mode::kHang:
        break;
    }
    evbuffer_free(reply);
  }

  SSL_CTX* ctx_;
  evhttp* http_;
};

// A listening socket nobody accepts from: the TCP connect succeeds (the kernel's backlog)
// and the TLS handshake then waits forever.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    ::listen(fd_, 8);
    port = boundPort(fd_);
  }
  ~SilentListener() { ::close(fd_); }
  std::uint16_t port = 0;

 private:
  int fd_;
};

class SmsApiClientLoop : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = event_base_new();
    ticker_ = event_new(
        base_, -1, EV_PERSIST, [](evutil_socket_t, short, void*) {}, nullptr);
    timeval tick{0, 10000};
    event_add(ticker_, &tick);
    api_ = std::make_unique<FakeApi>(base_, cert_);
    ca_file_ = writeTemp("ca.pem", cert_.pem());
  }
  void TearDown() override {
    api_.reset();
    event_free(ticker_);
    event_base_free(base_);
    for (const std::string& path : temp_files_) std::filesystem::remove(path);
  }

  std::string writeTemp(const std::string& name, const std::string& text) {
    std::string path = (std::filesystem::temp_directory_path() /
                        ("textscreen-sms-api-" + std::to_string(::getpid()) + "-" + name))
                           .string();
    std::ofstream(path) << text;
    temp_files_.push_back(path);
    return path;
  }

  SmsApiSettings settings(const std::string& url, milliseconds timeout = milliseconds(5000)) {
    SmsApiSettings s;
    s.url = url;
    s.ca_file = ca_file_;
    s.from = "+15005550006";
    s.timeout = timeout;
    s.credentials = {"AC0123", "Zq9-secret-token"};
    return s;
  }
  std::string local() const { return "https://127.0.0.1:" + std::to_string(api_->port); }

  // Runs the loop until done() or the bound; false when the bound was hit.
  bool runUntil(const std::function<bool()>& done, milliseconds bound = milliseconds(10000)) {
    auto until = std::chrono::steady_clock::now() + bound;
    while (!done()) {
      if (std::chrono::steady_clock::now() > until) return false;
      event_base_loop(base_, EVLOOP_ONCE);
    }
    return true;
  }

  // Sends one SMS and waits for its result.
  std::optional<SmsApiResult> sendAndWait(SmsApiClient& client,
                                          milliseconds bound = milliseconds(10000)) {
    std::optional<SmsApiResult> result;
    bool in_send = true;
    client.send(resolver_, "+14155551212", "Disk full on db1 & db2", [&](const SmsApiResult& r) {
      EXPECT_FALSE(in_send) << "the handler ran inside send()";
      EXPECT_FALSE(result.has_value()) << "the handler ran twice";
      result = r;
    });
    in_send = false;
    EXPECT_TRUE(runUntil([&] { return result.has_value(); }, bound));
    return result;
  }

  Certificate cert_;
  event_base* base_ = nullptr;
  event* ticker_ = nullptr;
  std::unique_ptr<FakeApi> api_;
  std::string ca_file_;
  std::vector<std::string> temp_files_;
  dns::testing::FakeResolver resolver_;
};

TEST_F(SmsApiClientLoop, CreatedIsSentWithTheFormAndBasicAuth) {
  SmsApiClient client(base_, settings(local() + "/"));
  auto result = sendAndWait(client);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->kind, Kind::kSent) << result->detail;
  EXPECT_EQ(result->http_status, 201);
  EXPECT_EQ(result->message_id, "SM00000000000000000000000000000001");
  EXPECT_TRUE(result->request_sent);
  ASSERT_EQ(api_->seen.size(), 1u);
  EXPECT_EQ(api_->seen[0].path, "/2010-04-01/Accounts/AC0123/Messages.json");
  EXPECT_EQ(api_->seen[0].authorization, basicAuthorization({"AC0123", "Zq9-secret-token"}));
  EXPECT_EQ(api_->seen[0].host, "127.0.0.1:" + std::to_string(api_->port));
  EXPECT_EQ(api_->seen[0].body,
            "To=%2B14155551212&From=%2B15005550006&Body=Disk+full+on+db1+%26+db2");
  EXPECT_EQ(resolver_.queries_sent, 0) << "an address literal needs no DNS";
  EXPECT_EQ(client.pausedFor().count(), 0);
}

TEST_F(SmsApiClientLoop, WrongCaIsUnreachableAndNothingIsSent) {
  Certificate other;
  SmsApiSettings s = settings(local());
  s.ca_file = writeTemp("other-ca.pem", other.pem());
  SmsApiClient client(base_, s);
  auto result = sendAndWait(client);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->kind, Kind::kUnreachable) << result->detail;
  EXPECT_FALSE(result->request_sent);
  EXPECT_NE(result->detail.find("certificate failed verification"), std::string::npos)
      << result->detail;
  EXPECT_EQ(result->detail.find("Zq9-secret-token"), std::string::npos);
  EXPECT_TRUE(api_->seen.empty());
}

TEST_F(SmsApiClientLoop, NameIsResolvedAndChecked) {
  SmsApiClient client(base_, settings("https://sms.example.test:" + std::to_string(api_->port)));
  std::optional<SmsApiResult> result;
  client.send(resolver_, "+14155551212", "x", [&](const SmsApiResult& r) { result = r; });
  ASSERT_TRUE(runUntil([&] { return resolver_.openCount() == 1; }));
  ASSERT_TRUE(resolver_.answer("sms.example.test", {dns::DnsStatus::kNoData, {}, {}}));
  ASSERT_TRUE(runUntil([&] { return resolver_.openCount() == 1; })) << "A, then AAAA";
  ASSERT_TRUE(resolver_.answer("sms.example.test",
                               {dns::DnsStatus::kOk, {"127.0.0.1"}, std::chrono::seconds(60)}));
  ASSERT_TRUE(runUntil([&] { return result.has_value(); }));
  EXPECT_EQ(result->kind, Kind::kSent) << result->detail;
  ASSERT_EQ(api_->seen.size(), 1u);
  EXPECT_EQ(api_->seen[0].host, "sms.example.test:" + std::to_string(api_->port));
}

TEST_F(SmsApiClientLoop, NameTheCertificateDoesNotCarryIsRefused) {
  SmsApiClient client(base_, settings("https://other.example.test:" + std::to_string(api_->port)));
  std::optional<SmsApiResult> result;
  client.send(resolver_, "+14155551212", "x", [&](const SmsApiResult& r) { result = r; });
  ASSERT_TRUE(runUntil([&] { return resolver_.openCount() == 1; }));
  resolver_.answer("other.example.test",
                   {dns::DnsStatus::kOk, {"127.0.0.1"}, std::chrono::seconds(60)});
  ASSERT_TRUE(runUntil([&] { return result.has_value(); }));
  EXPECT_EQ(result->kind, Kind::kUnreachable) << result->detail;
  EXPECT_NE(result->detail.find("other.example.test"), std::string::npos) << result->detail;
  EXPECT_TRUE(api_->seen.empty());
}

TEST_F(SmsApiClientLoop, UnknownNameIsUnreachable) {
  SmsApiClient client(base_, settings("https://gone.example.test"));
  std::optional<SmsApiResult> result;
  client.send(resolver_, "+14155551212", "x", [&](const SmsApiResult& r) { result = r; });
  ASSERT_TRUE(runUntil([&] { return resolver_.openCount() == 1; }));
  resolver_.answer("gone.example.test", {dns::DnsStatus::kNxDomain, {}, {}});
  ASSERT_TRUE(runUntil([&] { return result.has_value(); }));
  EXPECT_EQ(result->kind, Kind::kUnreachable);
  EXPECT_NE(result->detail.find("A: "), std::string::npos) << result->detail;
  EXPECT_EQ(resolver_.queries_sent, 1) << "NXDOMAIN needs no AAAA";
}

TEST_F(SmsApiClientLoop, RefusedConnectIsUnreachable) {
  std::uint16_t closed_port;
  {
    SilentListener gone;
    closed_port = gone.port;
  }
  SmsApiClient client(base_, settings("https://127.0.0.1:" + std::to_string(closed_port)));
  auto result = sendAndWait(client);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->kind, Kind::kUnreachable) << result->detail;
  EXPECT_FALSE(result->request_sent);
}

TEST_F(SmsApiClientLoop, HangingAnswerTimesOutWithinTheBound) {
  api_->mode = FakeApi::Mode::kHang;
  SmsApiClient client(base_, settings(local(), milliseconds(300)));
  auto start = std::chrono::steady_clock::now();
  auto result = sendAndWait(client, milliseconds(3000));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->kind, Kind::kTimeout) << result->detail;
  EXPECT_TRUE(result->request_sent) << "the request reached the server";
  EXPECT_EQ(api_->seen.size(), 1u);
  EXPECT_GE(took, milliseconds(290));
  EXPECT_LT(took, milliseconds(1500));
}

TEST_F(SmsApiClientLoop, HangingHandshakeTimesOutBeforeTheRequestLeft) {
  SilentListener silent;
  SmsApiClient client(
      base_, settings("https://127.0.0.1:" + std::to_string(silent.port), milliseconds(300)));
  auto start = std::chrono::steady_clock::now();
  auto result = sendAndWait(client, milliseconds(3000));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->kind, Kind::kTimeout) << result->detail;
  EXPECT_FALSE(result->request_sent);
  EXPECT_NE(result->detail.find("connecting"), std::string::npos) << result->detail;
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1500));
}

TEST_F(SmsApiClientLoop, RetryAfterPausesWithoutNetworkUse) {
  api_->mode = FakeApi::Mode::kTooMany;
  SmsApiClient client(base_, settings(local()));
  auto limited = sendAndWait(client);
  ASSERT_TRUE(limited.has_value());
  EXPECT_EQ(limited->kind, Kind::kRateLimited) << limited->detail;
  EXPECT_EQ(limited->http_status, 429);
  EXPECT_EQ(limited->retry_after, std::chrono::seconds(5));
  EXPECT_GT(client.pausedFor().count(), 0);
  EXPECT_LE(client.pausedFor().count(), 5);

  api_->mode = FakeApi::Mode::kCreated;
  auto paused = sendAndWait(client);
  ASSERT_TRUE(paused.has_value());
  EXPECT_EQ(paused->kind, Kind::kPaused);
  ASSERT_TRUE(paused->retry_after.has_value());
  EXPECT_GT(paused->retry_after->count(), 0);
  EXPECT_LE(paused->retry_after->count(), 5);
  EXPECT_FALSE(paused->request_sent);
  EXPECT_EQ(api_->seen.size(), 1u) << "nothing reached the API during the pause";
}

TEST_F(SmsApiClientLoop, StatsCountEachResultAndTimeOnlyWhatWasSent) {
  SmsApiClient client(base_, settings(local()));
  auto cancelled = client.send(resolver_, "+14155551212", "x", [](const SmsApiResult&) {});
  client.cancel(cancelled);
  ASSERT_TRUE(sendAndWait(client).has_value());
  api_->mode = FakeApi::Mode::kTooMany;
  ASSERT_TRUE(sendAndWait(client).has_value());
  ASSERT_TRUE(sendAndWait(client).has_value());

  auto count = [&](Kind k) { return client.stats().results[static_cast<std::size_t>(k)]; };
  EXPECT_EQ(count(Kind::kSent), 1u);
  EXPECT_EQ(count(Kind::kRateLimited), 1u);
  EXPECT_EQ(count(Kind::kPaused), 1u);
  std::uint64_t total = 0;
  for (std::uint64_t n : client.stats().results) total += n;
  EXPECT_EQ(total, 3u) << "the cancelled request was counted";
  EXPECT_EQ(client.stats().duration.count(), 2u) << "the paused request was timed";
  EXPECT_GT(client.stats().duration.sumSeconds(), 0.0);
  EXPECT_EQ(client.inFlightCount(), 0u);
}

TEST_F(SmsApiClientLoop, HugeBodyIsRefusedAndTheStatusStillCounts) {
  api_->mode = FakeApi::Mode::kHugeBody;
  SmsApiClient client(base_, settings(local()));
  auto result = sendAndWait(client);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->kind, Kind::kUnconfirmed) << result->detail;
  EXPECT_EQ(result->http_status, 201);
  EXPECT_TRUE(result->request_sent);
  EXPECT_NE(result->detail.find("the body was lost"), std::string::npos) << result->detail;
}

TEST_F(SmsApiClientLoop, CancelledHandlerNeverRuns) {
  SmsApiClient client(base_, settings(local()));
  bool cancelled_ran = false;
  auto id = client.send(resolver_, "+14155551212", "first",
                        [&](const SmsApiResult&) { cancelled_ran = true; });
  client.cancel(id);
  client.cancel(id);
  auto second = sendAndWait(client);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->kind, Kind::kSent);
  EXPECT_FALSE(cancelled_ran);
  EXPECT_EQ(api_->seen.size(), 1u);
}

TEST_F(SmsApiClientLoop, CancelWhileResolvingCancelsTheQuery) {
  SmsApiClient client(base_, settings("https://sms.example.test"));
  auto id = client.send(resolver_, "+14155551212", "x",
                        [](const SmsApiResult&) { ADD_FAILURE() << "a cancelled handler ran"; });
  ASSERT_TRUE(runUntil([&] { return resolver_.openCount() == 1; }));
  client.cancel(id);
  EXPECT_EQ(resolver_.openCount(), 0u);
  EXPECT_EQ(resolver_.cancelled, 1);
}

TEST_F(SmsApiClientLoop, ClientMayBeDestroyedInsideAHandler) {
  auto client = std::make_unique<SmsApiClient>(
      base_, settings("https://sms.example.test:" + std::to_string(api_->port)));
  std::vector<SmsApiResult> results;
  auto handler = [&](const SmsApiResult& r) {
    results.push_back(r);
    client.reset();
  };
  client->send(resolver_, "+14155551212", "x", handler);
  client->send(resolver_, "+14155551213", "y", handler);
  ASSERT_TRUE(runUntil([&] { return resolver_.openCount() == 2; }));
  resolver_.answer("sms.example.test",
                   {dns::DnsStatus::kOk, {"127.0.0.1"}, std::chrono::seconds(60)});
  ASSERT_TRUE(runUntil([&] { return !results.empty(); }));
  EXPECT_EQ(results[0].kind, Kind::kSent) << results[0].detail;
  EXPECT_EQ(client, nullptr);
  EXPECT_EQ(resolver_.openCount(), 0u) << "the other request's query was cancelled";
  // The exchange whose callback destroyed the client is freed by a one-shot event.
  event_base_loop(base_, EVLOOP_NONBLOCK);
  EXPECT_EQ(results.size(), 1u) << "a dropped request's handler ran";
}

TEST_F(SmsApiClientLoop, UnusableSettingsEndEverySendUnreachable) {
  SmsApiClient client(base_, settings("http://127.0.0.1:1"));
  EXPECT_NE(client.settingsError().find("is not https"), std::string::npos);
  auto result = sendAndWait(client);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->kind, Kind::kUnreachable);
  EXPECT_NE(result->detail.find("is not https"), std::string::npos);
  client.reconfigure(settings(local()));
  EXPECT_EQ(client.settingsError(), "");
  auto sent = sendAndWait(client);
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->kind, Kind::kSent) << sent->detail;
}

}  // namespace
}  // namespace ts
