// The GSM 03.38 default alphabet (3GPP TS 23.038, 6.2.1): which characters an SMS can carry
// in 7-bit septets and how many each takes. One character outside it sends the whole message
// as UCS-2, which holds less than half as much per part.
#pragma once

#include <cstddef>

namespace ts::sms {

// 1 for the basic table, 2 for the extension table (an escape septet plus the character),
// 0 when the code point has no GSM-7 form.
std::size_t gsm7Septets(char32_t code_point);

}  // namespace ts::sms
