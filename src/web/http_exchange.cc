// Form decoding is libevent's (evhttp_parse_query_str), so '+', %XX and repeated names
// follow the same rules as the request line the server already parsed.
#include "web/http_exchange.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

namespace ts {

std::string fieldValue(const FormFields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return value;
  }
  return "";
}

bool parseFormFields(std::string_view text, FormFields& out) {
  std::string copy(text);
  evkeyvalq pairs{};  // evhttp_parse_query_str initialises it
  if (evhttp_parse_query_str(copy.c_str(), &pairs) != 0) {
    evhttp_clear_headers(&pairs);
    return false;
  }
  for (evkeyval* kv = pairs.tqh_first; kv != nullptr; kv = kv->next.tqe_next) {
    out.emplace_back(kv->key, kv->value);
  }
  evhttp_clear_headers(&pairs);
  return true;
}

}  // namespace ts
