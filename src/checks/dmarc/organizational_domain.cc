// psl_latest picks the newer of libpsl's built-in list and the distribution's file
// (/usr/share/publicsuffix), because the built-in one is as old as the libpsl build.
#include "checks/dmarc/organizational_domain.h"

#include <libpsl.h>

#include <memory>

#include "util/ascii.h"

namespace ts {
namespace {

struct PslFree {
  void operator()(psl_ctx_t* psl) const { psl_free(psl); }
};

const psl_ctx_t* publicSuffixList() {
  // psl_latest owns its copy (freed at exit); psl_builtin is static data, never freed.
  static const std::unique_ptr<psl_ctx_t, PslFree> latest(psl_latest(nullptr));
  return latest ? latest.get() : psl_builtin();
}

std::string normalised(std::string_view domain) {
  std::string out = asciiLower(domain);
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

}  // namespace

void loadPublicSuffixList() {
  (void)publicSuffixList();
}

std::string organizationalDomain(std::string_view domain) {
  std::string name = normalised(domain);
  const psl_ctx_t* psl = publicSuffixList();
  // The result points into name (not a copy), so it is copied before name goes.
  const char* registrable = psl ? psl_registrable_domain(psl, name.c_str()) : nullptr;
  return registrable ? std::string(registrable) : name;
}

bool aligned(std::string_view from_domain, std::string_view other, Alignment mode) {
  std::string from = normalised(from_domain);
  std::string id = normalised(other);
  if (from.empty() || id.empty()) return false;
  if (from == id) return true;
  return mode == Alignment::kRelaxed && organizationalDomain(from) == organizationalDomain(id);
}

}  // namespace ts
