// The number is put in E.164 when the recipient is accepted, so a number the API could
// never text is refused at RCPT; the text is made from the message at end of data.
#include "relay/sms_api_upstream.h"

#include <fmt/format.h>

#include <utility>

#include "config/config.h"
#include "obs/log.h"
#include "policy/subscriber_number.h"
#include "relay/sms_api_reply.h"
#include "sms/sms_body.h"

namespace ts {
namespace {

std::string_view encodingName(sms::Encoding e) {
  return e == sms::Encoding::kGsm7 ? "gsm7" : "ucs2";
}

std::string recordOf(const SmsApiResult& r) {
  if (!r.message_id.empty()) return fmt::format("{} message {}", r.http_status, r.message_id);
  if (r.http_status == 0) return fmt::format("no answer ({})", r.detail);
  if (r.api_code != 0)
    return fmt::format("{} code {}: {}", r.http_status, r.api_code, r.api_message);
  return fmt::format("{} {}", r.http_status, r.api_message);
}

class SmsApiTransaction : public UpstreamTransaction {
 public:
  SmsApiTransaction(SmsApiClient& client, std::uint64_t& deferred, UpstreamEnvelope envelope)
      : client_(client), deferred_(deferred), envelope_(std::move(envelope)) {}

  ~SmsApiTransaction() override {
    if (request_ != 0) client_.cancel(request_);
  }

  void addRecipient(const std::string& forward_path, UpstreamHandler handler) override {
    std::string local = forward_path.substr(0, forward_path.rfind('@'));
    std::optional<std::string> number = e164Number(local, envelope_.config->default_region);
    if (!number) {
      handler({550, "5.1.1",
               fmt::format("<{}> is not a phone number: this gateway sends SMS through an API "
                           "and can reach numbers only, written as <number@domain>",
                           forward_path),
               "", ""});
      return;
    }
    if (std::chrono::seconds wait = client_.pausedFor(); wait.count() > 0) {
      ++deferred_;
      handler({451, "4.4.5",
               fmt::format("The SMS service asked us to slow down; nothing was accepted, try "
                           "again in {} seconds",
                           wait.count()),
               "", ""});
      return;
    }
    to_ = std::move(*number);
    handler(
        {250, "2.1.5", fmt::format("Recipient ok: the message goes as SMS to {}", to_), "", ""});
  }

  bool ready() const override { return !to_.empty(); }

  void deliver(std::string, std::string message, UpstreamHandler handler) override {
    const SmsApiConfig& api = envelope_.config->sms_api;
    sms::FittedText text = sms::composeSms(message, envelope_.sender,
                                           sms::SmsTemplate{api.template_text}, api.max_segments);
    if (text.text.empty()) {
      // The API refuses an empty text; so would every retry of this message.
      UpstreamHandler call = handler;
      call({554, "5.6.0",
            "The message has nothing to send as SMS: give it a subject or a text part", "", ""});
      return;
    }
    request_ = client_.send(
        *envelope_.resolver, to_, text.text,
        [this, count = text.count, truncated = text.truncated,
         handler = std::move(handler)](const SmsApiResult& result) {
          request_ = 0;
          LogLine(envelope_.ref)
              .kv("event", "sms_api")
              .kv("to", to_)
              .kv("result", smsApiKindName(result.kind))
              .kv("status", result.http_status)
              .kv("api_code", result.api_code)
              .kv("segments", static_cast<unsigned long long>(count.segments))
              .kv("encoding", encodingName(count.encoding))
              .kv("truncated", truncated ? "yes" : "no")
              .kv("message_id", result.message_id)
              .kv("detail", result.detail);
          GatewayReply reply = smsApiReply(result);
          UpstreamHandler call = handler;  // the call may free this transaction
          call({reply.code, reply.enhanced, reply.text(), recordOf(result), result.message_id});
        });
  }

  void end() override {
    if (request_ != 0) client_.cancel(request_);
    request_ = 0;
  }

 private:
  SmsApiClient& client_;
  std::uint64_t& deferred_;
  UpstreamEnvelope envelope_;
  std::string to_;  // E.164
  SmsApiClient::RequestId request_ = 0;
};

}  // namespace

std::unique_ptr<UpstreamTransaction> SmsApiUpstream::begin(UpstreamEnvelope envelope) {
  return std::make_unique<SmsApiTransaction>(client_, recipients_deferred_, std::move(envelope));
}

}  // namespace ts
