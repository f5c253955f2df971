// libspf2 as C++ sees it: its headers carry no extern "C" and need the socket types first,
// so every file of the SPF check includes them through here, with owners that free each
// libspf2 object on every path (ASan's leak check runs in CI).
#pragma once

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>

#include <memory>

extern "C" {
#include <spf2/spf.h>
#include <spf2/spf_dns.h>
#include <spf2/spf_record.h>
}

namespace ts::spf {

// libspf2 asks for the obsolete SPF RR type (RFC 7208 3.1 retired it) before TXT; glibc may
// or may not name it, so it is spelled out.
inline constexpr ns_type kSpfRrType = static_cast<ns_type>(99);

struct ServerFree {
  void operator()(SPF_server_t* p) const { SPF_server_free(p); }
};
struct RequestFree {
  void operator()(SPF_request_t* p) const { SPF_request_free(p); }
};
struct ResponseFree {
  void operator()(SPF_response_t* p) const { SPF_response_free(p); }
};
struct RecordFree {
  void operator()(SPF_record_t* p) const { SPF_record_free(p); }
};
struct RrFree {
  void operator()(SPF_dns_rr_t* p) const { SPF_dns_rr_free(p); }
};

using ServerPtr = std::unique_ptr<SPF_server_t, ServerFree>;
using RequestPtr = std::unique_ptr<SPF_request_t, RequestFree>;
using ResponsePtr = std::unique_ptr<SPF_response_t, ResponseFree>;
using RecordPtr = std::unique_ptr<SPF_record_t, RecordFree>;
using RrPtr = std::unique_ptr<SPF_dns_rr_t, RrFree>;

}  // namespace ts::spf
