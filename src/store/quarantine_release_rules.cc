// The texts name the next step (check the gateway's log, force only if it never arrived)
// because the one reading them is deciding whether an alert reaches a phone twice.
#include "store/quarantine_release_rules.h"

#include <fmt/format.h>

#include "store/quarantine_store.h"
#include "util/time_format.h"

namespace ts::store {

std::string releasingMark(std::string_view who) {
  return std::string(who) + std::string(kReleasingMark);
}

bool releaseInProgress(const QuarantineRecord& q) {
  return q.released_at == 0 && q.released_by.ends_with(kReleasingMark);
}

std::string releasedText(const QuarantineRecord& q) {
  if (q.released_by.empty()) return "-";
  if (q.released_at == 0) return q.released_by;
  return fmt::format("{} at {}", q.released_by, formatTime(q.released_at));
}

std::string notHeldMessage(std::string_view ref) {
  return fmt::format(
      "no quarantined message {} (see 'textscreenctl quarantine list'; 'textscreenctl lookup "
      "{}' shows what happened to it)",
      ref, ref);
}

std::string releaseRefusal(const QuarantineRecord& q, const ReleaseAsk& ask) {
  if (q.released_at != 0) {
    return fmt::format("{} was already released by {} at {}; it is not sent twice", q.ref,
                       q.released_by, formatTime(q.released_at));
  }
  if (releaseInProgress(q) && !ask.force) {
    return fmt::format(
        "{} is being released by {} (or that release was interrupted: check the gateway's log "
        "for {}, and only if it never arrived, release again with {})",
        q.ref, q.released_by.substr(0, q.released_by.size() - kReleasingMark.size()), q.ref,
        ask.force_name);
  }
  std::int64_t max_age = std::chrono::duration_cast<std::chrono::seconds>(ask.max_age).count();
  std::int64_t age = ask.now - q.time;
  if (age > max_age && !ask.force) {
    return fmt::format(
        "{} was held {} ago, longer than quarantine_release_max_age ({}): re-delivering old "
        "alerts confuses people; release it anyway with {}",
        q.ref, formatAge(age), formatDuration(ask.max_age), ask.force_name);
  }
  if (q.recipients.empty()) return fmt::format("{} has no recipients to deliver to", q.ref);
  return "";
}

MarkResult changeReleaseMark(MDB_txn* txn, const Databases& dbs, std::string_view ref,
                             std::string_view expect, std::string_view released_by,
                             std::int64_t released_at) {
  auto found = QuarantineStore::get(txn, dbs, ref);
  if (!found) return {MarkResult::Change::kFailed, found.error().message, 0};
  if (!*found) return {MarkResult::Change::kRefused, notHeldMessage(ref), 0};
  QuarantineRecord q = std::move(**found);
  if (q.released_by != expect) {
    return {MarkResult::Change::kRefused,
            fmt::format("{} changed meanwhile: released by {}", ref, releasedText(q)), 0};
  }
  q.released_by = released_by;
  q.released_at = released_at;
  if (int rc = QuarantineStore::put(txn, dbs, q); rc != 0) {
    return {MarkResult::Change::kFailed, "cannot write the store: " + storeError(rc), rc};
  }
  return {MarkResult::Change::kDone, "", 0};
}

MarkResult changeReleaseMark(StoreEnvironment& store, std::string_view ref, std::string_view expect,
                             std::string_view released_by, std::int64_t released_at) {
  WriteTransaction txn(store);
  if (!txn.ok()) {
    return {MarkResult::Change::kFailed, "cannot write the store: " + storeError(txn.beginError()),
            txn.beginError()};
  }
  MarkResult changed =
      changeReleaseMark(txn.get(), store.dbs(), ref, expect, released_by, released_at);
  if (!changed.done()) return changed;
  if (int rc = txn.commit(); rc != 0) {
    return {MarkResult::Change::kFailed, "cannot write the store: " + storeError(rc), rc};
  }
  return changed;
}

ReleaseStart startRelease(MDB_txn* txn, const Databases& dbs, std::string_view ref,
                          std::string_view who, const ReleaseAsk& ask) {
  ReleaseStart start;
  auto found = QuarantineStore::get(txn, dbs, ref);
  if (!found) {
    start.refusal = found.error().message;
    return start;
  }
  if (!*found) {
    start.refusal = notHeldMessage(ref);
    return start;
  }
  QuarantineRecord q = std::move(**found);
  start.refusal = releaseRefusal(q, ask);
  if (!start.refusal.empty()) return start;
  q.released_by = releasingMark(who);
  q.released_at = 0;
  if (int rc = QuarantineStore::put(txn, dbs, q); rc != 0) {
    start.rc = rc;
    start.refusal = "cannot write the store: " + storeError(rc);
    return start;
  }
  start.record = std::move(q);
  return start;
}

std::string uncertainReleaseText(std::string_view ref, std::string_view reply,
                                 std::string_view mark, std::string_view force_name) {
  return fmt::format(
      "{} went to the gateway but no answer came ({}); it may have been delivered, so it stays "
      "marked '{}': check the gateway's log for {}, and only if it never arrived, release again "
      "with {}",
      ref, reply, mark, ref, force_name);
}

std::string undeliveredText(std::string_view ref, std::string_view reply,
                            const MarkResult& cleared) {
  std::string note = cleared.done() ? std::string("it is still held")
                                    : "and clearing the release mark failed: " + cleared.message;
  return fmt::format("{} was not delivered: {}; {}", ref, reply, note);
}

std::string unrecordedReleaseText(std::string_view ref, std::string_view reply,
                                  std::string_view why, std::string_view mark) {
  return fmt::format(
      "{} was delivered ({}), but recording the release failed: {}; it stays marked '{}' so it "
      "is not sent again",
      ref, reply, why, mark);
}

}  // namespace ts::store
