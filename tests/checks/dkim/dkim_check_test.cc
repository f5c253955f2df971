// The DKIM check against real signatures (libopendkim's signer, dkimpy for ed25519) and a
// scripted resolver: each algorithm and key size passes, changes fail, key faults keep
// their kind (no key is permanent, SERVFAIL temporary), and the run's lifetime holds
// (keys fetched before verification, cancel on destroy, answers before start returns).
#include "checks/dkim/dkim_check.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checks/dkim/dkim_test_signer.h"
#include "unit/dns/fake_resolver.h"

namespace ts {
namespace {

using dkim_testing::keyRecord;
using dkim_testing::readTestFile;
using dkim_testing::TestSigner;
using dkim_testing::withCrlf;
using dns::DnsAnswer;
using dns::DnsStatus;
using dns::testing::FakeResolver;

constexpr const char* kKey2048 = "s2048._domainkey.example.com";
constexpr const char* kKey4096 = "s4096._domainkey.example.com";

// A folded Subject: dkim_header must get the field with its folding CRLF.
const std::string kMessage =
    "From: Dispatch <alerts@example.com>\r\n"
    "To: 15551234567@sms.example.net\r\n"
    "Subject: Road closure on\r\n"
    " Main Street\r\n"
    "Date: Mon, 01 Jan 2024 08:00:00 +0000\r\n"
    "Message-ID: <road-closure@example.com>\r\n"
    "\r\n"
    "Main Street is closed from 09:00.\r\n"
    "Use Oak Avenue.\r\n";

DnsAnswer records(std::vector<std::string> r) {
  return DnsAnswer{DnsStatus::kOk, std::move(r), std::chrono::seconds(300)};
}
DnsAnswer status(DnsStatus s) {
  return DnsAnswer{s, {}, std::chrono::seconds(0)};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

DkimConfig config() {
  DkimConfig c;
  c.fail_score = 4;
  return c;
}

// Runs the check with a FakeResolver the test answers; the verdict lands in result.
class DkimCheckTest : public ::testing::Test {
 protected:
  void start(const std::string& message, const DkimConfig& c = config()) {
    run_.reset();  // a run must not outlive its check
    message_ = message;
    check_.emplace(c);
    run_ = check_->start(message_, resolver_, [this](DkimVerdict v) {
      ++calls_;
      result_ = std::move(v);
    });
  }
  // Answers one open query; the name must have been asked.
  void answer(const std::string& name, const DnsAnswer& a) {
    ASSERT_TRUE(resolver_.answer(name, a)) << name << " was not asked";
  }
  const DkimVerdict& verdict() {
    EXPECT_EQ(calls_, 1);
    static const DkimVerdict kNone;
    return result_ ? *result_ : kNone;
  }

  TestSigner signer_;
  FakeResolver resolver_;
  std::string message_;
  std::optional<DkimCheck> check_;
  std::unique_ptr<CheckRun> run_;
  std::optional<DkimVerdict> result_;
  int calls_ = 0;
};

TEST_F(DkimCheckTest, Rsa2048SignaturePasses) {
  start(signer_.sign(kMessage, "s2048.private", "s2048"));
  EXPECT_EQ(calls_, 0);
  EXPECT_EQ(resolver_.queries_sent, 1);
  answer(kKey2048, records({keyRecord("s2048.record")}));
  const DkimVerdict& v = verdict();
  EXPECT_EQ(v.result.check, "dkim");
  EXPECT_EQ(v.result.outcome, Outcome::kPass);
  EXPECT_EQ(v.result.reason, "DKIM pass for d=example.com");
  EXPECT_EQ(v.result.enhanced, "");
  EXPECT_EQ(v.result.score, 0);
  EXPECT_EQ(v.result.ttl, std::chrono::seconds(0));
  EXPECT_EQ(v.result.detail, "d=example.com s=s2048 a=rsa-sha256 result=pass");
  ASSERT_EQ(v.signatures.size(), 1u);
  EXPECT_EQ(v.signatures[0].domain, "example.com");
  EXPECT_EQ(v.signatures[0].selector, "s2048");
  EXPECT_EQ(v.signatures[0].algorithm, "rsa-sha256");
  EXPECT_EQ(v.signatures[0].outcome, Outcome::kPass);
  EXPECT_FALSE(v.signatures[0].body_length_limited);
}

TEST_F(DkimCheckTest, Rsa4096KeyLongerThanOneUdpStringPasses) {
  std::string key = keyRecord("s4096.record");
  EXPECT_GT(key.size(), 512u);  // several TXT strings, as the resolver concatenates them
  start(signer_.sign(kMessage, "s4096.private", "s4096"));
  answer(kKey4096, records({key}));
  EXPECT_EQ(verdict().result.outcome, Outcome::kPass);
}

TEST_F(DkimCheckTest, Ed25519SignatureFromDkimpyPasses) {
  start(withCrlf(readTestFile("ed25519_signed.eml")));
  answer("ed._domainkey.example.com", records({keyRecord("ed25519.record")}));
  const DkimVerdict& v = verdict();
  EXPECT_EQ(v.result.outcome, Outcome::kPass) << v.result.reason;
  ASSERT_EQ(v.signatures.size(), 1u);
  EXPECT_EQ(v.signatures[0].algorithm, "ed25519-sha256");
}

TEST_F(DkimCheckTest, Ed25519SignatureWithAChangedBodyFails) {
  start(replaced(withCrlf(readTestFile("ed25519_signed.eml")), "22:00", "23:00"));
  answer("ed._domainkey.example.com", records({keyRecord("ed25519.record")}));
  EXPECT_EQ(verdict().result.outcome, Outcome::kFail);
}

TEST_F(DkimCheckTest, ChangedBodyFails) {
  start(replaced(signer_.sign(kMessage, "s2048.private", "s2048"), "Oak Avenue", "Elm Avenue"));
  answer(kKey2048, records({keyRecord("s2048.record")}));
  const DkimVerdict& v = verdict();
  EXPECT_EQ(v.result.outcome, Outcome::kFail);
  EXPECT_EQ(v.result.enhanced, "5.7.20");
  EXPECT_EQ(v.result.score, 4);
  EXPECT_TRUE(contains(v.result.reason,
                       "DKIM fail: the signature of example.com (selector s2048) does not verify "
                       "(body hash mismatch): the message was changed after signing"))
      << v.result.reason;
  EXPECT_EQ(v.result.detail, "d=example.com s=s2048 a=rsa-sha256 result=fail (body hash mismatch)");
  ASSERT_EQ(v.signatures.size(), 1u);
  EXPECT_EQ(v.signatures[0].outcome, Outcome::kFail);
  EXPECT_EQ(v.signatures[0].reason, "body hash mismatch");
}

TEST_F(DkimCheckTest, ChangedSignedHeaderFails) {
  start(replaced(signer_.sign(kMessage, "s2048.private", "s2048"), "Road closure", "Road opening"));
  answer(kKey2048, records({keyRecord("s2048.record")}));
  const DkimVerdict& v = verdict();
  EXPECT_EQ(v.result.outcome, Outcome::kFail);
  ASSERT_EQ(v.signatures.size(), 1u);
  EXPECT_EQ(v.signatures[0].reason, "signature does not verify");
}

TEST_F(DkimCheckTest, KeyThatDidNotSignFails) {
  start(signer_.sign(kMessage, "s4096.private", "s2048"));
  answer(kKey2048, records({keyRecord("s2048.record")}));
  const DkimVerdict& v = verdict();
  EXPECT_EQ(v.result.outcome, Outcome::kFail);
  EXPECT_TRUE(contains(v.result.reason, "is not the one that signed")) << v.result.reason;
}

TEST_F(DkimCheckTest, NoKeyPublishedIsPermerror) {
  for (const DnsAnswer& missing :
       {status(DnsStatus::kNxDomain), status(DnsStatus::kNoData), records({})}) {
    SCOPED_TRACE(dns::toString(missing.status));
    calls_ = 0;
    result_.reset();
    start(signer_.sign(kMessage, "s2048.private", "s2048"));
    answer(kKey2048, missing);
    const DkimVerdict& v = verdict();
    EXPECT_EQ(v.result.outcome, Outcome::kPermError);
    EXPECT_EQ(v.result.enhanced, "5.7.21");
    EXPECT_EQ(v.result.score, 0);
    EXPECT_EQ(v.result.reason,
              "DKIM permerror: the signature of example.com (selector s2048) cannot be used (no "
              "key published at s2048._domainkey.example.com): publish the public key there, or "
              "sign with a selector whose key is published");
    ASSERT_EQ(v.signatures.size(), 1u);
    EXPECT_EQ(v.signatures[0].outcome, Outcome::kPermError);
  }
}

TEST_F(DkimCheckTest, KeyLookupFaultIsTemperror) {
  for (DnsStatus fault : {DnsStatus::kServFail, DnsStatus::kTimeout, DnsStatus::kRefused}) {
    SCOPED_TRACE(dns::toString(fault));
    calls_ = 0;
    result_.reset();
    start(signer_.sign(kMessage, "s2048.private", "s2048"));
    answer(kKey2048, status(fault));
    const DkimVerdict& v = verdict();
    EXPECT_EQ(v.result.outcome, Outcome::kTempError);
    EXPECT_EQ(v.result.enhanced, "4.4.3");
    EXPECT_EQ(v.result.reason,
              "DKIM temperror: the signature of example.com (selector s2048) could not be "
              "checked (key lookup failed: " +
                  std::string(dns::toString(fault)) + "): try again later");
    ASSERT_EQ(v.signatures.size(), 1u);
    EXPECT_EQ(v.signatures[0].outcome, Outcome::kTempError);
  }
}

TEST_F(DkimCheckTest, UnsignedMessageIsNoneWithoutAsking) {
  start(kMessage);
  EXPECT_EQ(resolver_.queries_sent, 0);
  const DkimVerdict& v = verdict();
  EXPECT_EQ(v.result.outcome, Outcome::kNone);
  EXPECT_TRUE(v.signatures.empty());
}

TEST_F(DkimCheckTest, OnePassingSignatureOfTwoIsAPass) {
  // The top signature claims selector "old" but was made with another key than the one
  // published there: it fails, the other passes.
  std::string twice =
      signer_.sign(signer_.sign(kMessage, "s2048.private", "s2048"), "s4096.private", "old");
  start(twice);
  EXPECT_EQ(resolver_.queries_sent, 2);
  answer("old._domainkey.example.com", records({keyRecord("s2048.record")}));
  EXPECT_EQ(calls_, 0);  // verification waits for every key
  answer(kKey2048, records({keyRecord("s2048.record")}));
  const DkimVerdict& v = verdict();
  EXPECT_EQ(v.result.outcome, Outcome::kPass);
  ASSERT_EQ(v.signatures.size(), 2u);
  EXPECT_EQ(v.signatures[0].selector, "old");
  EXPECT_EQ(v.signatures[0].outcome, Outcome::kFail);
  EXPECT_EQ(v.signatures[1].selector, "s2048");
  EXPECT_EQ(v.signatures[1].outcome, Outcome::kPass);
  EXPECT_EQ(v.result.detail,
            "d=example.com s=old a=rsa-sha256 result=fail (signature does not verify); "
            "d=example.com s=s2048 a=rsa-sha256 result=pass");
}

TEST_F(DkimCheckTest, TemperrorOutranksFail) {
  start(signer_.sign(signer_.sign(kMessage, "s2048.private", "s2048"), "s4096.private", "old"));
  answer("old._domainkey.example.com", records({keyRecord("s2048.record")}));
  answer(kKey2048, status(DnsStatus::kServFail));
  const DkimVerdict& v = verdict();
  EXPECT_EQ(v.result.outcome, Outcome::kTempError);
  EXPECT_TRUE(contains(v.result.reason, "; 1 other signature did not pass either"))
      << v.result.reason;
}

TEST_F(DkimCheckTest, BodyLengthLimitIsNoted) {
  const std::string body = "Main Street is closed from 09:00.\r\nUse Oak Avenue.\r\n";
  std::string signed_message = signer_.sign(kMessage, "s2048.private", "s2048", "example.com",
                                            DKIM_SIGN_RSASHA256, static_cast<ssize_t>(body.size()));
  start(signed_message + "Unsigned text appended by anyone.\r\n");
  answer(kKey2048, records({keyRecord("s2048.record")}));
  const DkimVerdict& v = verdict();
  EXPECT_EQ(v.result.outcome, Outcome::kPass);
  ASSERT_EQ(v.signatures.size(), 1u);
  EXPECT_TRUE(v.signatures[0].body_length_limited);
  std::string first = "signed only the first " + std::to_string(body.size()) + " bytes";
  EXPECT_TRUE(contains(v.signatures[0].reason, first)) << v.signatures[0].reason;
  EXPECT_TRUE(contains(v.signatures[0].reason, "35 bytes after them are unsigned"))
      << v.signatures[0].reason;
  EXPECT_TRUE(contains(v.result.reason, first)) << v.result.reason;
  EXPECT_TRUE(contains(v.result.detail, "l=" + std::to_string(body.size()))) << v.result.detail;
}

TEST_F(DkimCheckTest, OneSelectorIsAskedOnce) {
  start(signer_.sign(signer_.sign(kMessage, "s2048.private", "s2048"), "s2048.private", "S2048"));
  EXPECT_EQ(resolver_.queries_sent, 1);
  answer(kKey2048, records({keyRecord("s2048.record")}));
  const DkimVerdict& v = verdict();
  ASSERT_EQ(v.signatures.size(), 2u);
  EXPECT_EQ(v.signatures[0].outcome, Outcome::kPass);
  EXPECT_EQ(v.signatures[1].outcome, Outcome::kPass);
}

TEST_F(DkimCheckTest, SignaturesBeyondTheLimitAreNotVerified) {
  DkimConfig c = config();
  c.max_signatures = 1;
  start(signer_.sign(signer_.sign(kMessage, "s2048.private", "s2048"), "s4096.private", "s4096"),
        c);
  EXPECT_EQ(resolver_.queries_sent, 1);
  answer(kKey4096, records({keyRecord("s4096.record")}));
  const DkimVerdict& v = verdict();
  EXPECT_EQ(v.result.outcome, Outcome::kPass);
  ASSERT_EQ(v.signatures.size(), 2u);
  EXPECT_EQ(v.signatures[1].outcome, Outcome::kNeutral);
  EXPECT_EQ(v.signatures[1].reason, "not verified: only the first 1 signatures are checked");
}

TEST_F(DkimCheckTest, MalformedSignatureIsPermerrorWithoutAsking) {
  start("DKIM-Signature: v=1; a=rsa-sha256; d=example.com; h=from; bh=YQ==; b=YQ==\r\n" + kMessage);
  EXPECT_EQ(resolver_.queries_sent, 0);
  const DkimVerdict& v = verdict();
  EXPECT_EQ(v.result.outcome, Outcome::kPermError);
  EXPECT_EQ(v.result.enhanced, "5.7.21");
  ASSERT_EQ(v.signatures.size(), 1u);
  EXPECT_EQ(v.signatures[0].domain, "example.com");
  EXPECT_TRUE(contains(v.signatures[0].reason, "malformed signature")) << v.signatures[0].reason;
}

TEST_F(DkimCheckTest, RsaSha1IsPermerrorWithoutAsking) {
  start(signer_.sign(kMessage, "s2048.private", "s2048", "example.com", DKIM_SIGN_RSASHA1));
  EXPECT_EQ(resolver_.queries_sent, 0);
  const DkimVerdict& v = verdict();
  EXPECT_EQ(v.result.outcome, Outcome::kPermError);
  ASSERT_EQ(v.signatures.size(), 1u);
  EXPECT_EQ(v.signatures[0].algorithm, "rsa-sha1");
  EXPECT_EQ(v.signatures[0].reason, "rsa-sha1 is no longer accepted (RFC 8301)");
}

TEST_F(DkimCheckTest, SelectorThatIsNotADnsNameIsNotAsked) {
  start(signer_.sign(kMessage, "s2048.private", "bad/selector"));
  EXPECT_EQ(resolver_.queries_sent, 0);
  const DkimVerdict& v = verdict();
  EXPECT_EQ(v.result.outcome, Outcome::kPermError);
}

TEST_F(DkimCheckTest, RevokedKeyIsPermerror) {
  start(signer_.sign(kMessage, "s2048.private", "s2048"));
  answer(kKey2048, records({"v=DKIM1; k=rsa; p="}));
  const DkimVerdict& v = verdict();
  EXPECT_EQ(v.result.outcome, Outcome::kPermError);
  ASSERT_EQ(v.signatures.size(), 1u);
  EXPECT_TRUE(contains(v.signatures[0].reason, "revoked")) << v.signatures[0].reason;
}

TEST_F(DkimCheckTest, KeyRecordTooLongForLibopendkimIsPermerror) {
  start(signer_.sign(kMessage, "s2048.private", "s2048"));
  answer(kKey2048, records({keyRecord("s2048.record") + "; n=" + std::string(700, 'x')}));
  const DkimVerdict& v = verdict();
  EXPECT_EQ(v.result.outcome, Outcome::kPermError);
  ASSERT_EQ(v.signatures.size(), 1u);
  EXPECT_TRUE(contains(v.signatures[0].reason, "longer than this verifier reads"))
      << v.signatures[0].reason;
}

TEST_F(DkimCheckTest, DkimRecordIsChosenAmongOtherTxtRecords) {
  start(signer_.sign(kMessage, "s2048.private", "s2048"));
  answer(kKey2048, records({"v=spf1 -all", keyRecord("s2048.record")}));
  EXPECT_EQ(verdict().result.outcome, Outcome::kPass);
}

TEST_F(DkimCheckTest, TestingKeyFailureIsNeutral) {
  start(replaced(signer_.sign(kMessage, "s2048.private", "s2048"), "Oak Avenue", "Elm Avenue"));
  answer(kKey2048, records({replaced(keyRecord("s2048.record"), "k=rsa;", "k=rsa; t=y;")}));
  const DkimVerdict& v = verdict();
  EXPECT_EQ(v.result.outcome, Outcome::kNeutral);
  ASSERT_EQ(v.signatures.size(), 1u);
  EXPECT_TRUE(contains(v.signatures[0].reason, "testing mode")) << v.signatures[0].reason;
}

TEST_F(DkimCheckTest, MessageWithoutBodyVerifies) {
  std::string header_only = kMessage.substr(0, kMessage.find("\r\n\r\n") + 4);
  start(signer_.sign(header_only, "s2048.private", "s2048"));
  answer(kKey2048, records({keyRecord("s2048.record")}));
  EXPECT_EQ(verdict().result.outcome, Outcome::kPass);
}

TEST_F(DkimCheckTest, DestroyingTheRunCancelsItsQueriesAndNeverCallsBack) {
  start(signer_.sign(signer_.sign(kMessage, "s2048.private", "s2048"), "s4096.private", "s4096"));
  EXPECT_EQ(resolver_.openCount(), 2u);
  answer(kKey2048, records({keyRecord("s2048.record")}));
  run_.reset();
  EXPECT_EQ(resolver_.cancelled, 1);
  EXPECT_EQ(resolver_.openCount(), 0u);
  EXPECT_EQ(calls_, 0);
}

TEST_F(DkimCheckTest, OwnerMayDestroyTheRunInsideDone) {
  message_ = signer_.sign(kMessage, "s2048.private", "s2048");
  check_.emplace(config());
  run_ = check_->start(message_, resolver_, [this](DkimVerdict v) {
    ++calls_;
    result_ = std::move(v);
    run_.reset();
  });
  answer(kKey2048, records({keyRecord("s2048.record")}));
  EXPECT_EQ(calls_, 1);
  EXPECT_EQ(run_, nullptr);
  EXPECT_EQ(result_->result.outcome, Outcome::kPass);
}

// Answers inside query(), as a cache hit does; unknown names are NXDOMAIN.
class SynchronousResolver final : public dns::Resolver {
 public:
  dns::QueryId query(const std::string& name, ns_type, dns::DnsCallback cb) override {
    ++sent;
    auto it = script.find(name);
    cb(it == script.end() ? status(DnsStatus::kNxDomain) : it->second);
    return next_id_++;
  }
  void cancel(dns::QueryId) override { ++cancels; }

  std::map<std::string, DnsAnswer> script;
  int sent = 0;
  int cancels = 0;

 private:
  dns::QueryId next_id_ = 1;
};

TEST(DkimCheckSynchronous, CachedKeysFinishBeforeStartReturns) {
  TestSigner signer;
  std::string message =
      signer.sign(signer.sign(kMessage, "s2048.private", "s2048"), "s4096.private", "s4096");
  SynchronousResolver resolver;
  resolver.script[kKey2048] = records({keyRecord("s2048.record")});
  resolver.script[kKey4096] = records({keyRecord("s4096.record")});
  DkimCheck check(config());
  int calls = 0;
  std::optional<DkimVerdict> verdict;
  auto run = check.start(message, resolver, [&](DkimVerdict v) {
    ++calls;
    verdict = std::move(v);
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(resolver.sent, 2);
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->result.outcome, Outcome::kPass);
  ASSERT_EQ(verdict->signatures.size(), 2u);
  EXPECT_EQ(verdict->signatures[0].outcome, Outcome::kPass);
  EXPECT_EQ(verdict->signatures[1].outcome, Outcome::kPass);
  run.reset();
  EXPECT_EQ(resolver.cancels, 0);  // nothing was left to cancel
}

}  // namespace
}  // namespace ts
