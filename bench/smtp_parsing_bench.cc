// Micro benchmarks for the per-command and per-byte work of an SMTP session: the command
// parser, the MAIL/RCPT argument parsers and the DATA reader. These run once per command
// or once per byte of every message, so they bound the filter's throughput from below.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "allocation_counter.h"
#include "sample_message.h"
#include "smtp/command_parser.h"
#include "smtp/data_reader.h"
#include "smtp/envelope_parser.h"

namespace {

constexpr std::string_view kRecipient = "14155551212@sms.example.net";
constexpr std::size_t kSmsSize = 600;
constexpr std::size_t kLargeSize = 64 * 1024;
// A typical TCP segment payload on Ethernet: what one read from the socket often holds.
constexpr std::size_t kSegment = 1400;
// Generous enough that no benchmarked message is cut off as oversize.
constexpr std::size_t kMaxMessage = 1024 * 1024;

void BM_ParseCommand(benchmark::State& state, std::string_view line) {
  ts::bench::LoopAllocations loop_allocations(state);
  for (auto _ : state) {
    auto cmd = ts::smtp::parseCommand(line);
    benchmark::DoNotOptimize(cmd);
  }
}
BENCHMARK_CAPTURE(BM_ParseCommand, ehlo, std::string_view("EHLO mail.example.com"));
BENCHMARK_CAPTURE(BM_ParseCommand, mail,
                  std::string_view("MAIL FROM:<alerts@bank.example.com> SIZE=600 BODY=8BITMIME"));
BENCHMARK_CAPTURE(BM_ParseCommand, rcpt, std::string_view("RCPT TO:<14155551212@sms.example.net>"));
BENCHMARK_CAPTURE(BM_ParseCommand, data, std::string_view("DATA"));
// A four-letter verb the parser does not know (CHUNKING's BDAT) is compared with every
// entry of the verb table: the worst case of the lookup.
BENCHMARK_CAPTURE(BM_ParseCommand, unknown, std::string_view("BDAT 600 LAST"));

void BM_ParseMailFrom(benchmark::State& state, std::string_view argument) {
  ts::bench::LoopAllocations loop_allocations(state);
  for (auto _ : state) {
    auto result = ts::smtp::parseMailFrom(argument);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK_CAPTURE(BM_ParseMailFrom, plain, std::string_view("FROM:<alerts@bank.example.com>"));
BENCHMARK_CAPTURE(BM_ParseMailFrom, params,
                  std::string_view("FROM:<alerts@bank.example.com> SIZE=600 BODY=8BITMIME"));
BENCHMARK_CAPTURE(BM_ParseMailFrom, null_sender, std::string_view("FROM:<>"));

void BM_ParseRcptTo(benchmark::State& state, std::string_view argument) {
  ts::bench::LoopAllocations loop_allocations(state);
  for (auto _ : state) {
    auto result = ts::smtp::parseRcptTo(argument, false);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK_CAPTURE(BM_ParseRcptTo, subscriber, std::string_view("TO:<14155551212@sms.example.net>"));
BENCHMARK_CAPTURE(BM_ParseRcptTo, source_route,
                  std::string_view("TO:<@relay.example.org:14155551212@sms.example.net>"));

// range(0): message size; range(1): bytes per feed() call, 0 for the whole message at once.
void BM_DataReaderFeed(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const auto chunk = static_cast<std::size_t>(state.range(1));
  const std::string wire =
      ts::bench::dotStuffed(ts::bench::sampleMessage(size, kRecipient, "bench@example.com"));
  const std::string_view all(wire);
  const std::size_t step = chunk == 0 ? wire.size() : chunk;
  // One reader for all iterations, as a session reuses its reader across messages.
  ts::smtp::DataReader reader(kMaxMessage);
  ts::bench::LoopAllocations loop_allocations(state);
  for (auto _ : state) {
    reader.reset(kMaxMessage);
    for (std::size_t at = 0; at < all.size() && !reader.done(); at += step) {
      reader.feed(all.substr(at, std::min(step, all.size() - at)));
    }
    benchmark::DoNotOptimize(reader.message().data());
  }
  if (!reader.done() || reader.bareLineEnding() || reader.oversize()) {
    state.SkipWithError("the sample message was not read as one clean message");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(wire.size()));
}
// An SMS-sized message fits in one segment, so its chunked case would repeat the whole one.
BENCHMARK(BM_DataReaderFeed)
    ->ArgNames({"size", "chunk"})
    ->Args({kSmsSize, 0})
    ->Args({kLargeSize, 0})
    ->Args({kLargeSize, kSegment});

}  // namespace

BENCHMARK_MAIN();
