// The SMS API's account id and token, read from their own file (sms_api_credentials_file)
// so the token never sits in the main config, which more people may read.
#pragma once

#include <string>

#include "util/result.h"

namespace ts {

struct SmsApiCredentials {
  std::string account_sid;
  std::string auth_token;
};

// Lines `account_sid=AC...` and `auth_token=...`; blank lines and # comments allowed.
// Refuses, with a sentence naming the file and the fix: a missing file, one that is not a
// regular file, not owned by the effective uid, or open to group or others (mode & 077);
// unknown, repeated or missing keys, empty values, and an account_sid that is not letters
// and digits (it goes into the URL path and the Basic auth user name).
Result<SmsApiCredentials> readSmsApiCredentials(const std::string& path);

}  // namespace ts
