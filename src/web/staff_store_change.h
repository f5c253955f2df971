// A dashboard change that is a store write: queued on the store writer, answered once it
// is durable (or failed), and logged with who made it. The request is gone by then, so
// what the answer needs is copied here.
#pragma once

#include <functional>
#include <string>

#include "store/store_writer.h"
#include "web/staff_page.h"

namespace ts {

struct StaffStoreChange {
  std::string page;    // where the browser goes back to, e.g. /staff/allowlist
  std::string action;  // the log's action, e.g. allow-add
  std::string target;  // what was changed, e.g. the domain
  std::string notice;  // shown when the write committed
  // The words for a job's own refusal (an MDB code it returned, like MDB_NOTFOUND);
  // "" for a store failure, which is reported as such.
  std::function<std::string(int rc)> explain;
};

void submitStaffChange(const StaffRequest& request, const HttpReply& reply, StaffStoreChange change,
                       store::StoreWriter::Job job);

}  // namespace ts
