// The API's answers as Twilio gives them, and Retry-After in each of its forms: every
// status class and body shape maps to one result kind.
#include "relay/sms_api_response.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

using Kind = SmsApiResult::Kind;
using std::chrono::seconds;

// RFC 9110's example date, "Sun, 06 Nov 1994 08:49:37 GMT".
const auto kNow = std::chrono::system_clock::from_time_t(784111777);

SmsApiResult parse(int status, std::string_view body, std::string_view retry_after = "") {
  return parseSmsApiResponse(status, body, retry_after, kNow);
}

TEST(SmsApiResponse, CreatedWithSidIsSent) {
  auto r = parse(201, R"({"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"})");
  EXPECT_EQ(r.kind, Kind::kSent);
  EXPECT_EQ(r.http_status, 201);
  EXPECT_EQ(r.message_id, "SM0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(r.request_sent);
}

TEST(SmsApiResponse, CreatedWithoutUsableSidIsUnconfirmed) {
  EXPECT_EQ(parse(201, R"({"status": "queued"})").kind, Kind::kUnconfirmed);
  EXPECT_EQ(parse(201, R"({"sid": ""})").kind, Kind::kUnconfirmed);
  EXPECT_EQ(parse(201, R"({"sid": 12})").kind, Kind::kUnconfirmed);
  EXPECT_EQ(parse(200, R"(["SM1"])").kind, Kind::kUnconfirmed);
  auto garbage = parse(201, "<html>oops");
  EXPECT_EQ(garbage.kind, Kind::kUnconfirmed);
  EXPECT_NE(garbage.detail.find("unreadable"), std::string::npos);
  EXPECT_EQ(parse(201, "").kind, Kind::kUnconfirmed);
}

TEST(SmsApiResponse, SidWithLineBreaksCannotInjectIntoTheReply) {
  auto r = parse(201, R"({"sid": "SM1\r\n250 fake"})");
  EXPECT_EQ(r.kind, Kind::kSent);
  EXPECT_EQ(r.message_id, "SM1??250 fake");
}

TEST(SmsApiResponse, InvalidToNumberIsBadNumber) {
  auto r = parse(400,
                 R"({"code": 21211, "message": "The 'To' number +1555 is not a valid phone number.",
                     "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})");
  EXPECT_EQ(r.kind, Kind::kBadNumber);
  EXPECT_EQ(r.http_status, 400);
  EXPECT_EQ(r.api_code, 21211);
  EXPECT_EQ(r.api_message, "The 'To' number +1555 is not a valid phone number.");
  EXPECT_NE(r.detail.find("21211"), std::string::npos);
  for (int code : {21214, 21217, 21408, 21610, 21612, 21614}) {
    EXPECT_EQ(parse(400, R"({"code": )" + std::to_string(code) + "}").kind, Kind::kBadNumber)
        << code;
  }
}

TEST(SmsApiResponse, OtherRequestErrorsAreRefused) {
  auto r = parse(400, R"({"code": 21606, "message": "The From phone number is not valid"})");
  EXPECT_EQ(r.kind, Kind::kRefused);
  EXPECT_EQ(r.api_code, 21606);
  EXPECT_EQ(parse(422, "{}").kind, Kind::kRefused);
  EXPECT_EQ(parse(400, "not json").kind, Kind::kRefused);
  EXPECT_EQ(parse(400, R"({"code": "21211"})").kind, Kind::kRefused) << "a code must be a number";
}

TEST(SmsApiResponse, CredentialsRefusedIsAuthFailed) {
  auto r = parse(401, R"({"code": 20003, "message": "Authenticate", "status": 401})");
  EXPECT_EQ(r.kind, Kind::kAuthFailed);
  EXPECT_EQ(r.api_code, 20003);
  EXPECT_EQ(parse(403, "").kind, Kind::kAuthFailed);
}

TEST(SmsApiResponse, TooManyRequestsWithRetryAfterSeconds) {
  auto r = parse(429, R"({"code": 20429, "message": "Too Many Requests"})", "30");
  EXPECT_EQ(r.kind, Kind::kRateLimited);
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_EQ(*r.retry_after, seconds(30));
  auto none = parse(429, "");
  EXPECT_EQ(none.kind, Kind::kRateLimited);
  EXPECT_FALSE(none.retry_after.has_value());
}

TEST(SmsApiResponse, TooManyRequestsWithRetryAfterDate) {
  auto r = parse(429, "", "Sun, 06 Nov 1994 08:51:07 GMT");
  EXPECT_EQ(r.kind, Kind::kRateLimited);
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_EQ(*r.retry_after, seconds(90));
}

TEST(SmsApiResponse, UnavailableIsRateLimitedOnlyWithRetryAfter) {
  auto r = parse(503, "", "120");
  EXPECT_EQ(r.kind, Kind::kRateLimited);
  EXPECT_EQ(r.retry_after, seconds(120));
  EXPECT_EQ(parse(503, "").kind, Kind::kServerError);
}

TEST(SmsApiResponse, ServerErrorsAndOddStatuses) {
  auto r = parse(500, R"({"code": 20500, "message": "Internal Server Error"})");
  EXPECT_EQ(r.kind, Kind::kServerError);
  EXPECT_EQ(r.http_status, 500);
  EXPECT_EQ(parse(502, "<html>").kind, Kind::kServerError);
  EXPECT_EQ(parse(404, R"({"code": 20404})").kind, Kind::kServerError);
  EXPECT_EQ(parse(301, "").kind, Kind::kServerError);
  EXPECT_EQ(parse(100, "").kind, Kind::kServerError);
}

TEST(SmsApiResponse, ApiMessageIsPrintableAndCut) {
  std::string long_message(500, 'x');
  auto r = parse(400, R"({"code": 21211, "message": ")" + long_message + R"("})");
  EXPECT_EQ(r.api_message, std::string(200, 'x') + "...");
  auto control = parse(400, R"({"code": 1, "message": "a\r\nb\u00e9"})");
  EXPECT_EQ(control.api_message, "a??b??");
}

TEST(SmsApiResponse, HugeBodyIsNotParsed) {
  std::string huge = R"({"sid": "SM1", "pad": ")" + std::string(2 * kSmsApiMaxBody, 'x') + "\"}";
  EXPECT_EQ(parse(201, huge).kind, Kind::kUnconfirmed);
  std::string huge_error =
      R"({"code": 21211, "pad": ")" + std::string(2 * kSmsApiMaxBody, 'x') + "\"}";
  auto r = parse(400, huge_error);
  EXPECT_EQ(r.kind, Kind::kRefused) << "the code inside an unread body does not count";
  EXPECT_EQ(r.api_code, 0);
  std::string deep(60000, '[');
  EXPECT_EQ(parse(201, deep).kind, Kind::kUnconfirmed);
}

TEST(RetryAfter, DeltaSeconds) {
  EXPECT_EQ(parseRetryAfter("0", kNow), seconds(0));
  EXPECT_EQ(parseRetryAfter(" 45 ", kNow), seconds(45));
  EXPECT_EQ(parseRetryAfter("3600", kNow), seconds(3600));
  EXPECT_EQ(parseRetryAfter("3601", kNow), seconds(3600)) << "capped at an hour";
  EXPECT_EQ(parseRetryAfter("999999999999999999999999", kNow), seconds(3600));
}

TEST(RetryAfter, HttpDateInEachForm) {
  EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:50:37 GMT", kNow), seconds(60));
  EXPECT_EQ(parseRetryAfter("Sunday, 06-Nov-94 08:50:37 GMT", kNow), seconds(60));
  EXPECT_EQ(parseRetryAfter("Sun Nov  6 08:50:37 1994", kNow), seconds(60));
  EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:49:00 GMT", kNow), seconds(0)) << "past";
  EXPECT_EQ(parseRetryAfter("Mon, 07 Nov 1994 08:49:37 GMT", kNow), seconds(3600)) << "capped";
  EXPECT_EQ(parseRetryAfter("Wed, 01 Jan 2031 00:00:00 GMT", kNow), seconds(3600));
}

TEST(RetryAfter, AnythingElseIsIgnored) {
  for (std::string_view value : {"", "  ", "-1", "5s", "1.5", "soon", "Sun, 06 Nov 1994 08:50:37",
                                 "Sun, 06 Nov 1994 08:50:37 UTC", "Sun, 6 Nov 1994 08:50:37 GMT",
                                 "Sun, 06 Foo 1994 08:50:37 GMT", "Sun, 32 Nov 1994 08:50:37 GMT",
                                 "Sun, 06 Nov 1994 25:50:37 GMT", "Sun Nov  6 08:50:37 94",
                                 "Sun, 06 Nov 1994 08:50:37 GMT x"}) {
    EXPECT_FALSE(parseRetryAfter(value, kNow).has_value()) << value;
  }
}

}  // namespace
}  // namespace ts
