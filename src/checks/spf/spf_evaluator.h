// One libspf2 server per SPF run, evaluating through the run's own DNS layer. Each call
// to evaluate() is one synchronous pass of check_host() from scratch over the answers
// fetched so far; the run calls it again until nothing is missing.
#pragma once

#include <string>

#include "checks/spf/spf_dns_layer.h"
#include "checks/spf/spf_lib.h"

namespace ts::spf {

// Who asks for what (RFC 7208 4.1): the client, the sender or the HELO name.
struct SpfQuery {
  std::string client;     // address bytes: 4 (IPv4) or 16 (IPv6)
  std::string mail_from;  // local@domain; unused for the HELO scope
  std::string helo;
  bool helo_scope = false;  // evaluate the HELO name (the null sender)
};

struct SpfEvaluation {
  SPF_result_t result = SPF_RESULT_INVALID;
  SPF_errcode_t error = SPF_E_SUCCESS;  // why the result, e.g. SPF_E_BIG_DNS
  // libspf2's first error message and its code, e.g. a syntax error in a record (the
  // result's own code then only says "could not compile").
  SPF_errcode_t first_error = SPF_E_SUCCESS;
  std::string error_text;
  std::string comment;  // "domain of example.com designates 192.0.2.1 as permitted sender"
};

class SpfEvaluator {
 public:
  // receiver is this host's name, for the %{r} macro.
  explicit SpfEvaluator(const std::string& receiver);
  SpfEvaluator(const SpfEvaluator&) = delete;
  SpfEvaluator& operator=(const SpfEvaluator&) = delete;

  SpfDnsLayer& layer() { return layer_; }
  const SpfDnsLayer& layer() const { return layer_; }

  SpfEvaluation evaluate(const SpfQuery& query);

 private:
  SpfDnsLayer layer_;  // before server_: the server points at it
  ServerPtr server_;
  std::string receiver_;  // stripped from the comments: the log line knows who we are
};

}  // namespace ts::spf
