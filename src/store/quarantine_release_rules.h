// The rules of releasing a quarantined message, shared by `textscreenctl quarantine
// release` and the staff dashboard so both refuse the same things in the same words:
// never twice, not while another release runs, not when stale, each unless forced
// (except the first). released_by goes "" -> "WHO (releasing)" -> "WHO" with
// released_at, or back to "" when the gateway refused the message.
#pragma once

#include <lmdb.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/records.h"
#include "store/store_environment.h"

namespace ts::store {

// A release in progress is marked "WHO (releasing)" in released_by, with released_at 0.
constexpr std::string_view kReleasingMark = " (releasing)";

std::string releasingMark(std::string_view who);
bool releaseInProgress(const QuarantineRecord& q);
// "-", "alice at 2026-11-23T15:20:00Z", or "alice (releasing)".
std::string releasedText(const QuarantineRecord& q);
std::string notHeldMessage(std::string_view ref);

struct ReleaseAsk {
  std::int64_t now = 0;                 // unix seconds
  std::chrono::milliseconds max_age{};  // quarantine_release_max_age
  bool force = false;
  // How the override is named to the one asking: "--force", or a box on the page.
  std::string_view force_name = "--force";
};

// Why q may not be released now, or empty when it may.
std::string releaseRefusal(const QuarantineRecord& q, const ReleaseAsk& ask);

// A change of released_by inside the caller's write transaction (not committed here), made
// only if released_by is still `expect`: check and set are one step across processes.
struct MarkResult {
  enum class Change { kDone, kRefused, kFailed };
  Change change = Change::kFailed;
  std::string message;  // why not, for kRefused and kFailed
  int rc = 0;           // the MDB code of a failed write (the transaction is spoiled)
  bool done() const { return change == Change::kDone; }
};
MarkResult changeReleaseMark(MDB_txn* txn, const Databases& dbs, std::string_view ref,
                             std::string_view expect, std::string_view released_by,
                             std::int64_t released_at);
// The same in a write transaction of its own, committed: for textscreenctl.
MarkResult changeReleaseMark(StoreEnvironment& store, std::string_view ref, std::string_view expect,
                             std::string_view released_by, std::int64_t released_at);

// The first step of a release inside the caller's write transaction: the rules checked on
// the record as it is now and, if they allow it, the "WHO (releasing)" mark set. `record`
// is the marked record to send; otherwise `refusal` says why not (rc: a store failure).
struct ReleaseStart {
  std::optional<QuarantineRecord> record;
  std::string refusal;
  int rc = 0;
};
ReleaseStart startRelease(MDB_txn* txn, const Databases& dbs, std::string_view ref,
                          std::string_view who, const ReleaseAsk& ask);

// What the one releasing is told when the gateway did not take the message.
// No reply after the message: it may have arrived, so the mark stays.
std::string uncertainReleaseText(std::string_view ref, std::string_view reply,
                                 std::string_view mark, std::string_view force_name);
// Refused or never sent: `cleared` is the result of taking the mark off again.
std::string undeliveredText(std::string_view ref, std::string_view reply,
                            const MarkResult& cleared);
// Delivered, but the final mark could not be written.
std::string unrecordedReleaseText(std::string_view ref, std::string_view reply,
                                  std::string_view why, std::string_view mark);

}  // namespace ts::store
