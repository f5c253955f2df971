// Reads the DATA section: undoes dot-stuffing into a bounded buffer and finds its end.
// Only CRLF "." CRLF ends DATA; a bare CR or LF anywhere taints the message, which is then
// refused (SMTP smuggling, CVE-2023-51764/5/6), and reading goes on to the real end.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ts::smtp {

class DataReader {
 public:
  explicit DataReader(std::size_t max_size) : max_size_(max_size) {}

  // Consumes bytes of the DATA stream and returns how many it used: fewer than given
  // only when the end was reached, the rest belongs to the next command.
  std::size_t feed(std::string_view chunk);

  bool done() const { return state_ == State::kDone; }
  bool oversize() const { return oversize_; }
  bool bareLineEnding() const { return bare_line_ending_; }
  std::size_t size() const { return size_; }
  // The message with CRLF line endings and dots unstuffed; empty once oversize.
  const std::string& message() const { return message_; }
  // Hands the buffer over without a copy; the reader must be reset before reuse.
  std::string takeMessage() { return std::move(message_); }
  void reset(std::size_t max_size);

 private:
  enum class State { kLineStart, kMiddle, kCr, kDot, kDotCr, kDone };

  void append(std::string_view bytes);
  void bareCr();

  std::size_t max_size_;
  State state_ = State::kLineStart;
  std::size_t size_ = 0;
  bool oversize_ = false;
  bool bare_line_ending_ = false;
  std::string message_;
};

}  // namespace ts::smtp
