// The line is rewritten in place with a carriage return and cleared to its end, so a
// shorter count never leaves digits of a longer one behind.
#include "progress.h"

#include <unistd.h>

#include <fmt/format.h>

#include <utility>

namespace ts::ctl {

Progress::Progress(std::string label, std::size_t total, std::FILE* out, bool shown,
                   std::function<Clock::time_point()> now)
    : label_(std::move(label)), total_(total), out_(out), shown_(shown), now_(std::move(now)) {}

Progress::~Progress() {
  finish();
}

void Progress::update(std::size_t done) {
  if (!shown_) return;
  Clock::time_point t = now_();
  if (drawn_ && t - drawn_at_ < kInterval && done < total_) return;
  unsigned percent = total_ == 0 ? 100u : static_cast<unsigned>(done * 100 / total_);
  fmt::print(out_, "\r{}: {}/{} ({}%)\x1b[K", label_, done, total_, percent);
  std::fflush(out_);
  drawn_ = true;
  drawn_at_ = t;
}

void Progress::finish() {
  if (!drawn_) return;
  fmt::print(out_, "\n");
  std::fflush(out_);
  drawn_ = false;
}

bool stderrIsTerminal() {
  return ::isatty(STDERR_FILENO) == 1;
}

}  // namespace ts::ctl
