// The STARTTLS keys (STYLE.md 6): the certificate, its key and the TLS 1.2 cipher list.
// Both files empty: STARTTLS is not offered.
#pragma once

#include <span>
#include <string>

namespace ts {

struct ConfigKey;

struct TlsConfig {
  std::string certificate;  // PEM, the server certificate first, then its chain
  std::string key;          // PEM private key
  std::string ciphers;      // OpenSSL cipher list for TLS 1.2; empty: OpenSSL's default

  bool enabled() const { return !certificate.empty(); }
  bool operator==(const TlsConfig&) const = default;
};

std::span<const ConfigKey> tlsConfigKeys();

}  // namespace ts
