// The metrics endpoint's text, read from the sources status() reads (check and decision
// tables, limits, gateway pool, DNS cache, surges, store). It runs on the loop for each
// scrape: counters, sizes and one short LMDB read transaction, nothing that waits.
#include "daemon/server.h"

#include <ctime>

#include "obs/prometheus_text.h"
#include "store/decision_log.h"
#include "store/quarantine_store.h"

namespace ts {
namespace {

template <typename T>
std::uint64_t n(T value) {
  return static_cast<std::uint64_t>(value);
}

void writeCheckStats(PrometheusText& out, const CheckStatsTable& table) {
  const CheckStatsTable::Rows& rows = table.rows();
  out.family("check_runs_total", MetricType::kCounter,
             "Results each check gave (every outcome, timeouts included).");
  for (const auto& [check, s] : rows) out.sample({{"check", check}}, s.total);
  out.family("check_outcomes_total", MetricType::kCounter,
             "Results each check gave, by outcome (pass, fail, temperror); the other outcomes "
             "(none, neutral, softfail, permerror) count only in check_runs_total.");
  for (const auto& [check, s] : rows) {
    out.sample({{"check", check}, {"outcome", "pass"}}, s.pass);
    out.sample({{"check", check}, {"outcome", "fail"}}, s.fail);
    out.sample({{"check", check}, {"outcome", "temperror"}}, s.temperror);
  }
  out.family("check_timeouts_total", MetricType::kCounter,
             "Runs whose deadline passed first (also counted as temperror).");
  for (const auto& [check, s] : rows) out.sample({{"check", check}}, s.timeout);
  out.family("check_skipped_total", MetricType::kCounter,
             "Times a check did not run: a trusted client, or the check is off.");
  for (const auto& [check, s] : rows) out.sample({{"check", check}}, s.skip);
  out.family("check_errors_total", MetricType::kCounter,
             "Answers a check could not use (e.g. a DNS list's error codes): counted, never a "
             "verdict.");
  for (const auto& [check, s] : rows) out.sample({{"check", check}}, n(s.errors));
  out.family("check_duration_seconds", MetricType::kHistogram,
             "How long each timed check run took, from its start to its answer or deadline.");
  for (const auto& [check, s] : rows) {
    if (s.latency.count() == 0) continue;
    out.histogram({{"check", check}}, LatencyHistogram::kBounds, s.latency.counts(),
                  s.latency.sumSeconds());
  }
}

// Only in a daemon that has sent through the API (upstream = sms_api at some point).
void writeSmsApiStats(PrometheusText& out, const SmsApiClient& client,
                      const SmsApiUpstream& upstream) {
  const SmsApiStats& stats = client.stats();
  out.family("sms_api_requests_total", MetricType::kCounter,
             "SMS API requests ended, by result: sent, unconfirmed, bad_number, refused, "
             "auth_failed, rate_limited, server_error, timeout, unreachable, paused (not sent: "
             "Retry-After was running).");
  for (std::size_t k = 0; k < kSmsApiKindCount; ++k) {
    auto kind = static_cast<SmsApiResult::Kind>(k);
    out.sample({{"result", smsApiKindName(kind)}}, stats.results[k]);
  }
  out.family("sms_api_request_duration_seconds", MetricType::kHistogram,
             "How long SMS API requests took, from DNS to the API's answer or the timeout.");
  out.histogram({}, LatencyHistogram::kBounds, stats.duration.counts(),
                stats.duration.sumSeconds());
  out.family("sms_api_requests_in_flight", MetricType::kGauge,
             "SMS API requests awaiting their answer.");
  out.sample({}, n(client.inFlightCount()));
  out.family("sms_api_paused_seconds", MetricType::kGauge,
             "Seconds left of the API's Retry-After pause (0 when not paused).");
  out.sample({}, n(client.pausedFor().count()));
  out.family("sms_api_recipients_deferred_total", MetricType::kCounter,
             "Recipients answered 451 4.4.5 at RCPT during a Retry-After pause.");
  out.sample({}, upstream.recipientsDeferred());
}

}  // namespace

std::string Server::metricsText() const {
  PrometheusText out("textscreen_");
  const Config& c = runtime_->config;
  out.family("config_generation", MetricType::kGauge,
             "Generation of the configuration in use: 1 at start, one more per good reload.");
  out.sample({}, c.generation);
  out.family("uptime_seconds", MetricType::kGauge, "Seconds since the daemon started.");
  out.sample({}, n(std::time(nullptr) - started_));
  out.family("draining", MetricType::kGauge, "1 while shutting down (SIGTERM), else 0.");
  out.sample({}, n(draining_));

  out.family("connections_accepted_total", MetricType::kCounter,
             "Client connections accepted, including those refused at once.");
  out.sample({}, accepted_);
  out.family("connections", MetricType::kGauge, "Client sessions open now.");
  out.sample({}, n(limits_.total()));
  out.family("connections_awaiting_proxy_header", MetricType::kGauge,
             "Connections from proxy_networks still waiting for their PROXY header.");
  out.sample({}, n(handshakes_.size()));
  out.family("connections_refused_total", MetricType::kCounter,
             "Client connections refused with 421, by reason: overload (max_connections), "
             "per_address and per_network (their limits), penalty (the penalty box).");
  out.sample({{"reason", "overload"}}, overload_.refusedTotal());
  out.sample({{"reason", "per_address"}}, limits_.refusals().per_address);
  out.sample({{"reason", "per_network"}}, limits_.refusals().per_network);
  out.sample({{"reason", "penalty"}}, refused_penalty_);
  out.family("overloaded", MetricType::kGauge, "1 while every connection slot is taken.");
  out.sample({}, n(overload_.active()));
  out.family("overload_spells_total", MetricType::kCounter, "Spells of overload begun.");
  out.sample({}, overload_.spells());
  out.family("accept_errors_total", MetricType::kCounter,
             "accept() failures (out of descriptors or memory).");
  out.sample({}, accept_errors_);
  out.family("sessions_over_command_rate_total", MetricType::kCounter,
             "Sessions ended for sending more than max_commands_per_minute.");
  out.sample({}, commands_over_rate_);
  out.family("message_memory_bytes", MetricType::kGauge,
             "Bytes reserved now for messages in transit.");
  out.sample({}, memory_.used());
  out.family("message_memory_budget_bytes", MetricType::kGauge, "max_total_message_memory.");
  out.sample({}, memory_.capacity());
  out.family("message_memory_refused_total", MetricType::kCounter,
             "DATA commands answered 452 because the message memory was spent.");
  out.sample({}, memory_.refusals());

  out.family("decisions_total", MetricType::kCounter,
             "Transactions concluded, as the decision log records them, by action (relay, "
             "reject, tempfail, quarantine, abandoned) and cause (the deciding check's name, or "
             "what ended it: gateway, message_size, ...).");
  for (const auto& [key, count] : decision_stats_.rows()) {
    out.sample({{"action", key.first}, {"cause", key.second}}, count);
  }
  writeCheckStats(out, check_stats_);

  const dns::CachingResolver& dns = runtime_->dns->cache();
  out.family("dns_cache_lookups_total", MetricType::kCounter,
             "DNS lookups by result: hit (answered from the cache), miss (asked upstream), "
             "joined (shared a query already in flight). Restarts when a reload changes dns_* "
             "keys.");
  out.sample({{"result", "hit"}}, dns.stats().hits);
  out.sample({{"result", "miss"}}, dns.stats().misses);
  out.sample({{"result", "joined"}}, dns.stats().joined);
  out.family("dns_cache_entries", MetricType::kGauge, "Answers held in the DNS cache.");
  out.sample({}, n(dns.size()));
  out.family("dns_queries_in_flight", MetricType::kGauge, "DNS queries awaiting an answer.");
  out.sample({}, n(dns.inFlightCount()));

  const GatewayStats& gateway = relay_->stats();
  out.family("gateway_connections", MetricType::kGauge,
             "Connections to the gateway by state: idle (pooled for reuse) or in_use.");
  out.sample({{"state", "idle"}}, n(relay_->idleCount()));
  out.sample({{"state", "in_use"}}, n(relay_->inUseCount()));
  out.family("gateway_connections_opened_total", MetricType::kCounter,
             "Connections opened to the gateway.");
  out.sample({}, gateway.opened);
  out.family("gateway_failures_total", MetricType::kCounter,
             "Gateway faults that cost a command its reply, by kind: unreachable, timeout, "
             "lost.");
  out.sample({{"kind", "unreachable"}}, gateway.unreachable);
  out.sample({{"kind", "timeout"}}, gateway.timeouts);
  out.sample({{"kind", "lost"}}, gateway.lost);

  const SurgeStats& surge = surges_->stats();
  out.family("surge_clusters", MetricType::kGauge, "Campaign clusters of message bodies held.");
  out.sample({}, n(clusters_->size()));
  out.family("surges_active", MetricType::kGauge, "Clusters and networks in surge mode now.");
  out.sample({}, n(surges_->activeCount()));
  out.family("surge_events_total", MetricType::kCounter,
             "Surge mode changes: entered, confirmed, exited (hold passed), cleared (by "
             "textscreenctl).");
  out.sample({{"event", "entered"}}, surge.entered);
  out.sample({{"event", "confirmed"}}, surge.confirmed);
  out.sample({{"event", "exited"}}, surge.exited);
  out.sample({{"event", "cleared"}}, surge.cleared);
  out.family("surge_messages_total", MetricType::kCounter,
             "Messages of a surge, by what was done: deferred, rejected, quarantined.");
  out.sample({{"action", "deferred"}}, surge.deferred);
  out.sample({{"action", "rejected"}}, surge.rejected);
  out.sample({{"action", "quarantined"}}, surge.quarantined);

  if (sms_client_) writeSmsApiStats(out, *sms_client_, *sms_api_);

  // DESIGN.md "Scaling out": a fleet that lost Redis says so here, not only in the log.
  if (shared_counters_) {
    RedisHealth redis = shared_counters_->health();
    out.family("shared_counters_up", MetricType::kGauge,
               "1 while rate and surge counters are shared through Redis; 0 while this "
               "process counts alone (the fallback).");
    out.sample({}, std::uint64_t{redis.up ? 1u : 0u});
    out.family("shared_counters_fallback_spells_total", MetricType::kCounter,
               "Times Redis failed and this process fell back to its own counters.");
    out.sample({}, redis.fallback_spells);
    out.family("shared_counters_answers_total", MetricType::kCounter,
               "Counter answers by source: shared (Redis) or local (fallback).");
    out.sample({{"source", "shared"}}, redis.answered_shared);
    out.sample({{"source", "local"}}, redis.answered_local);
  }

  store::ReadTransaction txn(*store_);
  out.family("quarantined_messages", MetricType::kGauge, "Messages held in quarantine.");
  out.sample({}, n(txn.ok() ? store::QuarantineStore::count(txn.get(), store_->dbs()) : 0));
  out.family("decision_records", MetricType::kGauge, "Records kept in the decision log.");
  out.sample({}, n(txn.ok() ? store::DecisionLog::count(txn.get(), store_->dbs()) : 0));
  out.family("store_bytes", MetricType::kGauge, "Size of the LMDB store on disk.");
  out.sample({}, n(store_->sizeOnDisk()));
  out.family("store_writer_queue", MetricType::kGauge,
             "Writes waiting for the store writer thread.");
  out.sample({}, n(writer_->queued()));
  return out.text();
}

}  // namespace ts
