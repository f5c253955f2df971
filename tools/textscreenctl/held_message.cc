// A message that is not held may have been deleted or never quarantined; the decision
// log still knows what happened to it, so the error points there.
#include "held_message.h"

#include <fmt/format.h>

#include "policy/reference_text.h"
#include "store/quarantine_store.h"
#include "time_text.h"

namespace ts::ctl {

HeldMessage loadHeld(CliContext& ctx, std::string_view ref_text) {
  HeldMessage held;
  auto ref = parseReference(ref_text);
  if (!ref) {
    held.exit_code = usageError(ref.error().message);
    return held;
  }
  store::StoreEnvironment* store = ctx.store();
  if (!store) {
    held.exit_code = kExitFailure;
    return held;
  }
  store::ReadTransaction txn(*store);
  if (!txn.ok()) {
    held.exit_code = ctx.storeFailure("read the store", txn.beginError());
    return held;
  }
  auto found = store::QuarantineStore::get(txn.get(), store->dbs(), *ref);
  if (!found) {
    held.exit_code = failure(found.error().message);
  } else if (!*found) {
    held.exit_code = failure(notHeldMessage(*ref));
  } else {
    held.record = std::move(**found);
  }
  return held;
}

bool releaseInProgress(const store::QuarantineRecord& q) {
  return q.released_at == 0 && q.released_by.ends_with(kReleasingMark);
}

std::string releasedText(const store::QuarantineRecord& q) {
  if (q.released_by.empty()) return "-";
  if (q.released_at == 0) return q.released_by;
  return fmt::format("{} at {}", q.released_by, formatTime(q.released_at));
}

std::string notHeldMessage(const std::string& ref) {
  return fmt::format(
      "no quarantined message {} (see 'textscreenctl quarantine list'; 'textscreenctl lookup "
      "{}' shows what happened to it)",
      ref, ref);
}

}  // namespace ts::ctl
