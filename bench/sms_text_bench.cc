// The SMS text the SMS API upstream makes of each accepted message (issue 12): composeSms
// on a plain 2 KB alert and on an HTML newsletter, and fitToSegments alone on a long
// UCS-2 text, the worst case of the segment arithmetic.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "allocation_counter.h"
#include "sample_message.h"
#include "sms/sms_body.h"
#include "sms/sms_segments.h"

namespace {

const ts::sms::SmsTemplate kTemplate{"{subject}\n{body}"};

void BM_ComposeSmsPlain(benchmark::State& state) {
  std::string message = ts::bench::sampleMessage(2048, "15551234567@sms.example", "<b@x>");
  ts::bench::LoopAllocations loop_allocations(state);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ts::sms::composeSms(message, "alerts@example.com", kTemplate, 3));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * message.size()));
}
BENCHMARK(BM_ComposeSmsPlain);

void BM_ComposeSmsHtml(benchmark::State& state) {
  std::string html;
  for (int i = 0; i < 200; ++i) {
    html += "<tr><td style=\"padding:4px\">Item " + std::to_string(i) +
            "</td><td><a href=\"https://example.com/i/" + std::to_string(i) +
            "\">details</a>&nbsp;&ndash; in stock</td></tr>\r\n";
  }
  std::string message =
      "From: news@example.com\r\nTo: 15551234567@sms.example\r\nSubject: Weekly list\r\n"
      "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><table>" +
      html + "</table></body></html>\r\n";
  ts::bench::LoopAllocations loop_allocations(state);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ts::sms::composeSms(message, "news@example.com", kTemplate, 3));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * message.size()));
}
BENCHMARK(BM_ComposeSmsHtml);

void BM_FitToSegmentsUcs2(benchmark::State& state) {
  std::string text;
  while (text.size() < 100'000) text += "Температура в серверной 35°C 😀 € ";
  ts::bench::LoopAllocations loop_allocations(state);
  for (auto _ : state) benchmark::DoNotOptimize(ts::sms::fitToSegments(text, 10));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_FitToSegmentsUcs2);

}  // namespace
