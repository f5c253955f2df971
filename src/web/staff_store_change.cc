// Urgency::kDurable: the browser is told "done" only once the change is on disk, and the
// next transaction's read of the store already sees it.
#include "web/staff_store_change.h"

#include <memory>

#include "web/html.h"

namespace ts {
namespace {

// What recordStaffChange reads of the request, kept past the handler's return.
struct Author {
  HttpRequest http;
  std::string user;
};

}  // namespace

void submitStaffChange(const StaffRequest& request, const HttpReply& reply, StaffStoreChange change,
                       store::StoreWriter::Job job) {
  auto author = std::make_shared<Author>(Author{HttpRequest{}, request.user});
  author->http.peer = request.http.peer;
  // Only who and from where are kept: the log line needs no more, and the services may be
  // gone when the writer runs its last completions at shutdown.
  request.services.writer->submit(
      store::StoreWriter::Urgency::kDurable, std::move(job),
      [author, reply, change = std::move(change)](int rc) {
        WebServices none;
        StaffRequest who{author->http, none, author->user, "", "", ""};
        if (rc == 0) {
          recordStaffChange(who, change.action, change.target, "ok");
          reply(backWithNotice(change.page, change.notice));
          return;
        }
        std::string why = change.explain ? change.explain(rc) : std::string();
        if (why.empty())
          why = "The change was not saved: the store failed (" + store::storeError(rc) + ")";
        recordStaffChange(who, change.action, change.target, "failed: " + why);
        reply(backWithError(change.page, why));
      });
}

}  // namespace ts
