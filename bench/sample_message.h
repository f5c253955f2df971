// Test messages shaped like email-to-SMS traffic, shared by the micro benchmarks and the
// load generator so both measure the same bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ts::bench {

// A plain-text message of exactly `size` bytes (headers, blank line, body; CRLF line
// endings, no final CRLF terminator of DATA). `message_id` goes into the Message-ID header.
// Sizes below the headers' own length give the headers and a one-line body.
std::string sampleMessage(std::size_t size, std::string_view to, std::string_view message_id);

// The message as it goes on the wire after DATA: dots stuffed, ending in CRLF "." CRLF.
std::string dotStuffed(std::string_view message);

}  // namespace ts::bench
