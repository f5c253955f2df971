// Fitting a filled template by cutting the body alone, so that what the template puts
// after {body} (a signature, the sender) still reaches the phone.
#pragma once

#include <optional>

#include "sms/sms_segments.h"
#include "sms/sms_template.h"

namespace ts::sms {

// The template filled with the longest beginning of fields.body that, with
// kTruncationMarker after it, lets the trimmed text fit max_segments (0 counts as 1); the
// cut is at a space among the body's last 20 characters kept when there is one. Null when
// the text does not fit even with an empty body. fields.body must be valid UTF-8.
std::optional<FittedText> fitByCuttingBody(const SmsTemplate& tmpl, const SmsFields& fields,
                                           unsigned max_segments);

}  // namespace ts::sms
