// check_host() as SPF_request_query_mailfrom runs it, without two things: its "localhost
// is always allowed" pass for 127.0.0.0/8 and ::1 (a proxy or a test client on loopback
// must be judged like anyone else, and a pass trusts an allowlisted domain), and its
// stderr logging (the daemon logs through its own log lines).
#include "checks/spf/spf_evaluator.h"

#include <algorithm>
#include <cstring>

namespace ts::spf {
namespace {

// libspf2 prints warnings and info lines to stderr by default; they are global hooks.
// Its error handler stays: libspf2 calls it only for a broken invariant, and then aborts.
void silenceLibspf2() {
  SPF_warning_handler = nullptr;
  SPF_info_handler = nullptr;
  SPF_debug_handler = nullptr;
}

void noteFirstError(SPF_response_t* response, SpfEvaluation& out) {
  for (int i = 0; i < SPF_response_messages(response); ++i) {
    SPF_error_t* e = SPF_response_message(response, i);
    if (e != nullptr && SPF_error_errorp(e) && SPF_error_message(e) != nullptr) {
      out.first_error = SPF_error_code(e);
      out.error_text = SPF_error_message(e);
      return;
    }
  }
}

}  // namespace

SpfEvaluator::SpfEvaluator(const std::string& receiver) : receiver_(receiver) {
  silenceLibspf2();
  server_.reset(SPF_server_new_dns(layer_.server(), 0));
  if (server_) SPF_server_set_rec_dom(server_.get(), receiver.c_str());
}

SpfEvaluation SpfEvaluator::evaluate(const SpfQuery& query) {
  layer_.startEvaluation();
  SpfEvaluation out;
  out.result = SPF_RESULT_TEMPERROR;
  out.error = SPF_E_NO_MEMORY;
  if (!server_) return out;
  RequestPtr request(SPF_request_new(server_.get()));
  if (!request) return out;

  if (query.client.size() == 4) {
    in_addr a{};
    std::memcpy(&a, query.client.data(), 4);
    SPF_request_set_ipv4(request.get(), a);
  } else {
    in6_addr a{};
    std::memcpy(&a, query.client.data(), std::min<std::size_t>(query.client.size(), 16));
    SPF_request_set_ipv6(request.get(), a);
  }
  if (!query.helo_scope) SPF_request_set_env_from(request.get(), query.mail_from.c_str());
  // With no sender set, this also makes the sender postmaster@helo (RFC 7208 2.4).
  if (!query.helo.empty()) SPF_request_set_helo_dom(request.get(), query.helo.c_str());
  request->use_helo = query.helo_scope ? 1 : 0;
  request->cur_dom = query.helo_scope ? request->helo_dom : request->env_from_dp;
  if (request->cur_dom == nullptr) return out;

  ResponsePtr response(SPF_response_new(request.get()));
  if (!response) return out;
  SPF_record_t* raw_record = nullptr;
  SPF_errcode_t error =
      SPF_server_get_record(server_.get(), request.get(), response.get(), &raw_record);
  RecordPtr record(raw_record);
  if (error != SPF_E_SUCCESS) {
    // No usable record. libspf2 1.2.10 sets the result only for "no record" (none) and
    // two records (permerror), leaves it unset for a temporary DNS failure and a record
    // that does not compile, and writes no comments on this path; SPF_i_done would, but
    // for none it wants an explanation record there is none of. So it is done here.
    out.result = SPF_response_result(response.get());
    if (out.result == SPF_RESULT_INVALID && error == SPF_E_DNS_ERROR) {
      out.result = SPF_RESULT_TEMPERROR;
    }
    out.error = error;
    noteFirstError(response.get(), out);
    out.comment = out.error_text;
    return out;
  }
  response->spf_record_exp = record.get();
  error = SPF_record_interpret(record.get(), request.get(), response.get(), 0);
  response->spf_record_exp = nullptr;  // freed with record

  out.result = SPF_response_result(response.get());
  out.error = SPF_response_errcode(response.get()) != SPF_E_SUCCESS
                  ? SPF_response_errcode(response.get())
                  : error;
  noteFirstError(response.get(), out);
  const char* comment = SPF_response_get_header_comment(response.get());
  if (comment != nullptr) {
    out.comment = comment;
    std::string prefix = receiver_ + ": ";
    if (out.comment.compare(0, prefix.size(), prefix) == 0) out.comment.erase(0, prefix.size());
  }
  return out;
}

}  // namespace ts::spf
