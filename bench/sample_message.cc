// One body line starts with a dot on purpose, so every message exercises dot-stuffing on
// the way out and unstuffing in the filter.
#include "sample_message.h"

#include <fmt/core.h>

#include <algorithm>

namespace ts::bench {
namespace {

// Ordinary words only: no URLs or money, so content rules have no reason to refuse it.
constexpr std::string_view kFiller =
    "Your table for four is booked for Friday at seven, see you then and thanks again. ";
constexpr std::size_t kLineWidth = 72;

}  // namespace

std::string sampleMessage(std::size_t size, std::string_view to, std::string_view message_id) {
  std::string out = fmt::format(
      "From: Load Generator <loadgen@example.com>\r\n"
      "To: <{}>\r\n"
      "Subject: Booking reminder\r\n"
      "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
      "Message-ID: <{}>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=us-ascii\r\n"
      "\r\n"
      ".Booking confirmed.\r\n",
      to, message_id);
  // Bounded: each pass adds at least one byte until the size is reached.
  std::size_t filler_at = 0;
  while (out.size() < size) {
    std::size_t room = size - out.size();
    if (room <= 2) {
      // Too little room for a line of its own: lengthen the last one instead, which keeps
      // every line ending in CRLF.
      out.insert(out.size() - 2, room, 'x');
      break;
    }
    std::size_t line = std::min(kLineWidth, room - 2);
    for (std::size_t i = 0; i < line; ++i) {
      out.push_back(kFiller[filler_at]);
      filler_at = (filler_at + 1) % kFiller.size();
    }
    out.append("\r\n");
  }
  return out;
}

std::string dotStuffed(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 64 + 8);
  bool line_start = true;
  for (char c : message) {
    if (line_start && c == '.') out.push_back('.');
    out.push_back(c);
    line_start = c == '\n';
  }
  if (!line_start) out.append("\r\n");
  out.append(".\r\n");
  return out;
}

}  // namespace ts::bench
