// The content check's cost per message: reading a ~2 KB multipart alert (text plus an HTML
// alternative) with GMime and libxml2, and running the shipped rules over what was read.
// Both run once per message at end of data on the single loop thread.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "allocation_counter.h"
#include "checks/content/content_check.h"
#include "checks/content/message_content.h"
#include "checks/content/rule_set.h"
#include "checks/mime/gmime_safe_text.h"
#include "sample_message.h"

namespace {

// The shipped rules, found next to this file's source, so the benchmark needs no install.
std::string shippedRulesPath() {
  std::string file = __FILE__;
  return file.substr(0, file.size() - std::string("bench/rules_bench.cc").size()) +
         "rules/textscreen.rules";
}

std::shared_ptr<const ts::RuleSet> shippedRules() {
  static const std::shared_ptr<const ts::RuleSet> rules = [] {
    auto loaded = ts::RuleSet::load({shippedRulesPath()});
    if (!loaded) {
      std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
      std::abort();
    }
    return *loaded;
  }();
  return rules;
}

// A monitoring alert as a notification service sends it: headers, a text part and an
// HTML alternative with a few links; about 2 KB.
std::string sampleMessage() {
  std::string paragraph =
      "Host db-prod-01 reported disk usage above 95% on /var at 14:05 UTC. The nightly "
      "rotation did not run; see the runbook for the cleanup steps and escalate if it "
      "stays above the threshold for another hour.";
  std::string footer =
      "You receive this because you are on call for the database team this week. "
      "Acknowledge the alert in the paging console to stop the repeats.";
  return "Received: from mon1.example.net (mon1.example.net [192.0.2.10])\r\n"
         "\tby mx.sms.example with ESMTPS id 4VbX2k; Mon, 6 May 2024 14:05:01 +0000\r\n"
         "From: Monitoring <alerts@monitor.example.net>\r\n"
         "To: 15551234567@sms.example\r\n"
         "Subject: =?UTF-8?Q?[WARN]_db-prod-01_disk_95=25_=E2=80=93_/var?=\r\n"
         "Date: Mon, 6 May 2024 14:05:00 +0000\r\n"
         "Message-ID: <20240506140500.4711@monitor.example.net>\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: multipart/alternative; boundary=\"alt-7f3a\"\r\n"
         "\r\n"
         "--alt-7f3a\r\n"
         "Content-Type: text/plain; charset=utf-8\r\n"
         "Content-Transfer-Encoding: quoted-printable\r\n"
         "\r\n" +
         paragraph + "\r\n\r\n" + footer +
         "\r\n\r\nRunbook: https://wiki.example.net/runbooks/disk-full\r\n"
         "Dashboard: https://grafana.example.net/d/hosts?var-host=3Ddb-prod-01\r\n"
         "\r\n"
         "--alt-7f3a\r\n"
         "Content-Type: text/html; charset=utf-8\r\n"
         "\r\n"
         "<html><head><style>p{font-family:sans-serif}</style></head><body>\r\n"
         "<h2>[WARN] db-prod-01 disk 95%</h2>\r\n<p>" +
         paragraph +
         "</p>\r\n<ul><li><a href=\"https://wiki.example.net/runbooks/disk-full\">Runbook</a>"
         "</li>\r\n<li><a href=\"https://grafana.example.net/d/hosts?var-host=db-prod-01\">"
         "Dashboard</a></li>\r\n<li><a href=\"https://status.example.net/\">Status page</a>"
         "</li></ul>\r\n<p>" +
         footer +
         "</p>\r\n<p>Sent by the monitoring service of Example Networks.</p>\r\n"
         "</body></html>\r\n"
         "--alt-7f3a--\r\n";
}

void BM_ContentExtract(benchmark::State& state) {
  std::string raw = sampleMessage();
  ts::bench::LoopAllocations loop_allocations(state);
  for (auto _ : state) {
    ts::MessageContent content = ts::extractContent(raw);
    benchmark::DoNotOptimize(content);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * raw.size()));
  state.counters["message_bytes"] = static_cast<double>(raw.size());
}
BENCHMARK(BM_ContentExtract);

// The common case at a gateway: a ~600-byte single-part plain-text alert.
void BM_ContentExtractPlain(benchmark::State& state) {
  std::string raw = ts::bench::sampleMessage(600, "15551234567@sms.example", "bench-1");
  ts::bench::LoopAllocations loop_allocations(state);
  for (auto _ : state) {
    ts::MessageContent content = ts::extractContent(raw);
    benchmark::DoNotOptimize(content);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * raw.size()));
}
BENCHMARK(BM_ContentExtractPlain);

void runGMimeSafeText(benchmark::State& state, const std::string& raw) {
  for (auto _ : state) {
    std::string storage;
    benchmark::DoNotOptimize(ts::gmimeSafeText(raw, storage));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * raw.size()));
}

// What extractContent adds to keep GMime 3.2.13 from leaking: the usual message has no
// '(' after a ']' and is handed on as it is.
void BM_GMimeSafeText(benchmark::State& state) {
  runGMimeSafeText(state, sampleMessage());
}
BENCHMARK(BM_GMimeSafeText);

// The rare message that needs it: every byte read, and a copy.
void BM_GMimeSafeTextPatched(benchmark::State& state) {
  runGMimeSafeText(state, "Cc: a@[192.0.2.1] (x\r\n" + sampleMessage());
}
BENCHMARK(BM_GMimeSafeTextPatched);

void BM_RulesEvaluate(benchmark::State& state) {
  ts::ContentConfig config;
  config.rules = shippedRules();
  ts::ContentCheck check(config);
  ts::MessageContent content = ts::extractContent(sampleMessage());
  ts::bench::LoopAllocations loop_allocations(state);
  for (auto _ : state) {
    ts::CheckResult result = check.evaluate(content);
    benchmark::DoNotOptimize(result);
  }
  state.counters["rules"] = static_cast<double>(config.rules->size());
}
BENCHMARK(BM_RulesEvaluate);

}  // namespace
