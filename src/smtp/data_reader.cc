// A byte state machine; runs of ordinary bytes are copied whole, so the common case costs
// one scan and one append per line.
#include "smtp/data_reader.h"

namespace ts::smtp {

void DataReader::reset(std::size_t max_size) {
  max_size_ = max_size;
  state_ = State::kLineStart;
  size_ = 0;
  oversize_ = false;
  bare_line_ending_ = false;
  message_.clear();
}

void DataReader::append(std::string_view bytes) {
  size_ += bytes.size();
  if (oversize_) return;
  if (size_ > max_size_) {
    // The message will be refused: keep none of it, so the memory goes back at once.
    oversize_ = true;
    std::string().swap(message_);
    return;
  }
  message_.append(bytes);
}

// A CR not followed by LF: kept as data, and the message is marked for refusal.
void DataReader::bareCr() {
  bare_line_ending_ = true;
  append("\r");
  state_ = State::kMiddle;
}

std::size_t DataReader::feed(std::string_view chunk) {
  std::size_t i = 0;
  const std::size_t n = chunk.size();
  while (i < n && state_ != State::kDone) {
    char c = chunk[i];
    switch (state_) {
      case State::kLineStart:
        if (c == '.') {
          state_ = State::kDot;
          ++i;
          continue;
        }
        state_ = State::kMiddle;
        continue;
      case State::kMiddle: {
        std::size_t run = i;
        while (run < n && chunk[run] != '\r' && chunk[run] != '\n') ++run;
        append(chunk.substr(i, run - i));
        i = run;
        if (i == n) continue;
        if (chunk[i] == '\n') {
          bare_line_ending_ = true;
          append("\n");
        } else {
          state_ = State::kCr;
        }
        ++i;
        continue;
      }
      case State::kCr:
        if (c == '\n') {
          append("\r\n");
          state_ = State::kLineStart;
          ++i;
        } else {
          bareCr();
        }
        continue;
      case State::kDot:
        if (c == '\r') {
          state_ = State::kDotCr;
          ++i;
        } else {
          // A stuffed dot: drop it, the rest of the line is data (RFC 5321 section 4.5.2).
          state_ = State::kMiddle;
        }
        continue;
      case State::kDotCr:
        if (c == '\n') {
          state_ = State::kDone;
          ++i;
        } else {
          bareCr();
        }
        continue;
      case State::kDone:
        break;
    }
  }
  return i;
}

}  // namespace ts::smtp
