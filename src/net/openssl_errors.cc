#include "net/openssl_errors.h"

#include <openssl/err.h>

namespace ts {

std::string takeOpensslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(e, text, sizeof(text));
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out.empty() ? std::string("unknown OpenSSL error") : out;
}

}  // namespace ts
