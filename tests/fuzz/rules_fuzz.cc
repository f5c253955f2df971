// Fuzzes the rule compiler with the input as a rule file: a bad file must come back as an
// error naming where it went wrong, never a crash, and a file that compiles must run
// against a message. Inputs are cut at kMaxInput: a few kilobytes make every directive and
// regex shape, and a longer file would mostly time RE2's compiler rather than ours.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "checks/content/message_content.h"
#include "checks/content/rule_set.h"

namespace {

constexpr std::size_t kMaxInput = 4096;

const ts::MessageContent& sampleMessage() {
  static const ts::MessageContent message = [] {
    ts::MessageContent m;
    m.headers = {{"From", "Prize Desk <win@promo.example>"},
                 {"Subject", "CONGRATULATIONS YOU WON!!!"},
                 {"X-Mailer", "SendBlaster 4"}};
    m.text = "You have been selected. Claim your prize at http://192.0.2.7/claim now.\n";
    m.urls = {{"http://192.0.2.7/claim", "192.0.2.7"}, {"https://bit.ly/x", "bit.ly"}};
    m.attachments = {{"invoice.pdf.exe", "application/octet-stream"}};
    m.size = 2048;
    return m;
  }();
  return message;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rules = ts::RuleSet::parse(text, "fuzz.rules");
  if (!rules) {
    if (rules.error().message.empty()) std::abort();
    return 0;
  }
  std::size_t count = (*rules)->size();
  std::vector<ts::RuleHit> hits = (*rules)->evaluate(sampleMessage());
  if (hits.size() > count) std::abort();
  for (const ts::RuleHit& hit : hits) {
    if (hit.name.empty() || hit.description.empty()) std::abort();
  }
  return 0;
}
