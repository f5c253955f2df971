// Three steps, each answered on the loop: the writer checks the rules and marks the record
// "USER (releasing)" in one write transaction (so a second POST, even a concurrent one, is
// refused: the mark is the guard); the message goes to the gateway on a connection of its
// own; the writer then records the release, or clears the mark when the gateway refused
// it. With no answer after the message the mark stays: it may have arrived.
#include "web/staff_quarantine_release.h"

#include <event2/event.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <memory>

#include "policy/reference_id.h"
#include "relay/held_mail_delivery.h"
#include "store/quarantine_release_rules.h"
#include "util/ascii.h"

namespace ts {
namespace {

constexpr std::string_view kPage = "/staff/quarantine";
constexpr std::string_view kForceName = "the force box ticked";

std::int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What the steps share. It holds copies, not the request: the steps outlive the handler.
// The settings are taken when the POST arrives, so no step reaches back into the daemon.
struct WebRelease {
  HttpRequest http;
  WebServices services;
  std::string user;
  HttpReply reply;
  std::string ref;
  std::string mark;  // "USER (releasing)"
  GatewaySettings gateway;
  store::ReleaseAsk ask;
  store::ReleaseStart start;  // written by the writer thread, read in its completion
  store::MarkResult marked;

  void finish(std::string_view result, HttpResponse response) {
    recordStaffChange(StaffRequest{http, services, user, "", "", ""}, "quarantine_release", ref,
                      result);
    reply(std::move(response));
  }
};

void changeMark(const std::shared_ptr<WebRelease>& release, std::string released_by,
                std::int64_t released_at, std::function<void(int rc)> done) {
  release->services.writer->submit(
      store::StoreWriter::Urgency::kDurable,
      [release, released_by = std::move(released_by), released_at](MDB_txn* txn,
                                                                   const store::Databases& dbs) {
        release->marked = store::changeReleaseMark(txn, dbs, release->ref, release->mark,
                                                   released_by, released_at);
        return release->marked.rc;
      },
      std::move(done));
}

std::string markError(int rc, const store::MarkResult& marked) {
  return rc != 0 ? "cannot write the store: " + store::storeError(rc) : marked.message;
}

void onDelivered(const std::shared_ptr<WebRelease>& release, HeldMailOutcome sent) {
  const std::string& ref = release->ref;
  if (sent.uncertain) {
    std::string text =
        store::uncertainReleaseText(ref, sent.reply, release->mark, release->ask.force_name);
    release->finish("uncertain: " + sent.reply, backWithError(kPage, text));
    return;
  }
  if (!sent.delivered) {
    changeMark(release, "", 0, [release, reply = sent.reply](int rc) {
      store::MarkResult cleared = release->marked;
      if (rc != 0) cleared = {store::MarkResult::Change::kFailed, markError(rc, cleared), rc};
      release->finish("not delivered: " + reply,
                      backWithError(kPage, store::undeliveredText(release->ref, reply, cleared)));
    });
    return;
  }
  changeMark(release, release->user, unixNow(), [release, sent = std::move(sent)](int rc) {
    const std::string& ref = release->ref;
    if (rc != 0 || !release->marked.done()) {
      std::string why = markError(rc, release->marked);
      release->finish(
          "delivered, not recorded: " + why,
          backWithError(kPage, store::unrecordedReleaseText(ref, sent.reply, why, release->mark)));
      return;
    }
    std::string text = fmt::format("released {} to {} by {}: the gateway said {}", ref,
                                   fmt::join(sent.accepted, ", "), release->user, sent.reply);
    if (!sent.refused.empty()) {
      text += fmt::format("; the gateway refused some recipients, which did not get it: {}",
                          fmt::join(sent.refused, "; "));
    }
    release->finish("released: " + sent.reply, backWithNotice(kPage, text));
  });
}

void onMarked(const std::shared_ptr<WebRelease>& release, int rc) {
  if (rc != 0 || !release->start.record) {
    std::string why =
        rc != 0 ? "cannot write the store: " + store::storeError(rc) : release->start.refusal;
    release->finish("refused: " + why, backWithError(kPage, why));
    return;
  }
  if (event_base_got_exit(release->services.base)) {
    // The writer runs its last completions after the loop ended: nothing can be sent now,
    // and the mark stays, as after any release cut off.
    release->finish("interrupted: the daemon is stopping",
                    backWithError(kPage, "the daemon is stopping; nothing was sent"));
    return;
  }
  store::QuarantineRecord& q = *release->start.record;
  HeldMail mail{std::move(q.mail_from), std::move(q.recipients), std::move(q.message)};
  deliverHeldMail(release->services.base, release->gateway, std::move(mail),
                  [release](HeldMailOutcome sent) { onDelivered(release, std::move(sent)); });
}

}  // namespace

void releaseFromQuarantine(const StaffRequest& request, const HttpReply& reply) {
  std::string ref = asciiLower(fieldValue(request.http.form, "ref"));
  if (!isReferenceId(ref)) {
    reply(backWithError(kPage,
                        "that is not a reference id: it looks like ts- followed by 13 "
                        "letters and digits"));
    return;
  }
  const Config& config = request.services.config();
  auto release = std::make_shared<WebRelease>(
      WebRelease{request.http,
                 request.services,
                 request.user,
                 reply,
                 ref,
                 store::releasingMark(request.user),
                 request.services.gateway(),
                 store::ReleaseAsk{unixNow(), config.quarantine_release_max_age,
                                   !fieldValue(request.http.form, "force").empty(), kForceName},
                 {},
                 {}});
  request.services.writer->submit(
      store::StoreWriter::Urgency::kDurable,
      [release](MDB_txn* txn, const store::Databases& dbs) {
        // A failed batch runs its jobs again one by one: each run starts afresh.
        release->start = store::startRelease(txn, dbs, release->ref, release->user, release->ask);
        return release->start.rc;
      },
      [release](int rc) { onMarked(release, rc); });
}

}  // namespace ts
