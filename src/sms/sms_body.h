// The SMS an email becomes when the upstream is an SMS API: the template filled with the
// mail's subject, its readable body, the sender and the From: name, cut to the configured
// number of parts.
#pragma once

#include <string_view>

#include "sms/sms_segments.h"
#include "sms/sms_template.h"

namespace ts::sms {

// body: the text/plain part(s) when one has text, else the HTML part(s) reduced to text;
// MIME decoded (quoted-printable, base64, charsets, RFC 2047 subject) by extractContent.
// In the body, runs of spaces become one space and blank lines disappear (one line break
// at most between lines); subject, sender and From: name become one line each. The filled
// template is trimmed; when it does not fit, the body is cut (fitByCuttingBody) so that what
// follows {body} in the template is kept, and only when even an empty body does not fit is the text
// cut at its end (fitToSegments). An empty result has 0 segments.
FittedText composeSms(std::string_view raw_message, std::string_view sender,
                      const SmsTemplate& tmpl, unsigned max_segments);

}  // namespace ts::sms
