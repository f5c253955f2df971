// Every result kind has its SMTP reply: only a bad number is permanent, every text says who
// must act, and nothing of the credentials or the log detail reaches the sender.
#include "relay/sms_api_reply.h"

#include <gtest/gtest.h>

#include <set>

namespace ts {
namespace {

using Kind = SmsApiResult::Kind;

SmsApiResult result(Kind kind, int status = 0) {
  SmsApiResult r;
  r.kind = kind;
  r.http_status = status;
  r.detail = "SECRET-DETAIL auth_token";
  return r;
}

void expectReply(const GatewayReply& reply, int code, const std::string& enhanced,
                 const std::string& words) {
  EXPECT_EQ(reply.failure, GatewayReply::Failure::kNone);
  EXPECT_EQ(reply.code, code) << reply.text();
  EXPECT_EQ(reply.enhanced, enhanced) << reply.text();
  ASSERT_EQ(reply.lines.size(), 1u);
  EXPECT_NE(reply.text().find(words), std::string::npos) << reply.text();
  EXPECT_EQ(reply.text().find("SECRET"), std::string::npos) << reply.text();
  EXPECT_EQ(reply.text().find('\n'), std::string::npos);
}

TEST(SmsApiReply, SentCarriesTheMessageId) {
  SmsApiResult r = result(Kind::kSent, 201);
  r.message_id = "SM0123";
  GatewayReply reply = smsApiReply(r);
  expectReply(reply, 250, "2.0.0", "Sent as SMS, message id SM0123");
  EXPECT_TRUE(reply.positive());
}

TEST(SmsApiReply, BadNumberIsPermanentAndQuotesTheApi) {
  SmsApiResult r = result(Kind::kBadNumber, 400);
  r.api_code = 21211;
  r.api_message = "The 'To' number +1555 is not a valid phone number.";
  GatewayReply reply = smsApiReply(r);
  expectReply(reply, 550, "5.1.1", "code 21211: The 'To' number +1555 is not a valid");
  EXPECT_NE(reply.text().find("check that the number is right"), std::string::npos);
  r.api_code = 0;
  r.api_message.clear();
  expectReply(smsApiReply(r), 550, "5.1.1", "(HTTP 400)");
}

TEST(SmsApiReply, RateLimitedAndPausedSayWhenToRetry) {
  SmsApiResult r = result(Kind::kRateLimited, 429);
  r.retry_after = std::chrono::seconds(30);
  expectReply(smsApiReply(r), 451, "4.4.5", "try again in 30 seconds");
  r.retry_after.reset();
  expectReply(smsApiReply(r), 451, "4.4.5", "try again in a few minutes");
  SmsApiResult paused = result(Kind::kPaused);
  paused.retry_after = std::chrono::seconds(600);
  expectReply(smsApiReply(paused), 451, "4.4.5", "paused");
  expectReply(smsApiReply(paused), 451, "4.4.5", "try again in 10 minutes");
}

TEST(SmsApiReply, ServerErrorIsTemporary) {
  expectReply(smsApiReply(result(Kind::kServerError, 500)), 451, "4.4.2", "(HTTP 500)");
  SmsApiResult lost = result(Kind::kServerError);
  lost.request_sent = true;
  expectReply(smsApiReply(lost), 451, "4.4.2", "may have been sent");
}

TEST(SmsApiReply, TimeoutSaysMayHaveBeenSentOnlyWhenTheRequestLeft) {
  SmsApiResult r = result(Kind::kTimeout);
  GatewayReply before = smsApiReply(r);
  expectReply(before, 451, "4.4.2", "did not answer in time");
  EXPECT_EQ(before.text().find("may have been sent"), std::string::npos);
  r.request_sent = true;
  expectReply(smsApiReply(r), 451, "4.4.2", "may have been sent");
}

TEST(SmsApiReply, UnconfirmedMayHaveBeenSent) {
  SmsApiResult r = result(Kind::kUnconfirmed, 201);
  r.request_sent = true;
  expectReply(smsApiReply(r), 451, "4.4.2", "without a message id");
  expectReply(smsApiReply(r), 451, "4.4.2", "may have been sent");
}

TEST(SmsApiReply, UnreachableIsTemporary) {
  expectReply(smsApiReply(result(Kind::kUnreachable)), 451, "4.4.1", "cannot be reached");
}

TEST(SmsApiReply, AuthFailedTellsTheOperatorToFixCredentials) {
  expectReply(smsApiReply(result(Kind::kAuthFailed, 401)), 451, "4.3.5",
              "operator must fix the API credentials");
}

TEST(SmsApiReply, RefusedRequestIsTheOperatorsToFixAndTemporary) {
  SmsApiResult r = result(Kind::kRefused, 400);
  r.api_code = 21606;
  r.api_message = "The From phone number is not valid";
  expectReply(smsApiReply(r), 451, "4.3.0", "code 21606: The From phone number is not valid");
  expectReply(smsApiReply(r), 451, "4.3.0", "operator must fix");
}

TEST(SmsApiKindName, EveryKindHasItsOwnWord) {
  std::set<std::string_view> names;
  for (Kind kind : {Kind::kSent, Kind::kUnconfirmed, Kind::kBadNumber, Kind::kRefused,
                    Kind::kAuthFailed, Kind::kRateLimited, Kind::kServerError, Kind::kTimeout,
                    Kind::kUnreachable, Kind::kPaused}) {
    names.insert(smsApiKindName(kind));
  }
  EXPECT_EQ(names.size(), 10u);
  EXPECT_EQ(smsApiKindName(Kind::kBadNumber), "bad_number");
  EXPECT_EQ(names.count("unknown"), 0u);
}

TEST(SmsApiReply, OnlyBadNumberIsPermanent) {
  for (Kind kind : {Kind::kSent, Kind::kUnconfirmed, Kind::kBadNumber, Kind::kRefused,
                    Kind::kAuthFailed, Kind::kRateLimited, Kind::kServerError, Kind::kTimeout,
                    Kind::kUnreachable, Kind::kPaused}) {
    GatewayReply reply = smsApiReply(result(kind, 400));
    EXPECT_EQ(reply.code >= 500, kind == Kind::kBadNumber) << reply.code << " " << reply.text();
    EXPECT_EQ(reply.enhanced.front(), static_cast<char>('0' + reply.code / 100));
  }
}

}  // namespace
}  // namespace ts
