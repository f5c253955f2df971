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

}  // namespace ts::ctl
