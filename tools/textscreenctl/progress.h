// A progress line for long textscreenctl operations (a large allowlist import): drawn on
// stderr only when it is a terminal, and redrawn a few times a second at most, so a pipe,
// a log or a script sees exactly the output it always did.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <string>

namespace ts::ctl {

class Progress {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kInterval{250};

  // shown: false makes every call a no-op (stderr is not a terminal, or the work is
  // short); now: the clock, which tests replace.
  Progress(std::string label, std::size_t total, std::FILE* out, bool shown,
           std::function<Clock::time_point()> now = Clock::now);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();

  // Redraws when kInterval has passed since the last drawing, and always at the end.
  void update(std::size_t done);
  // Ends the line if one was drawn, so what is printed next starts on a line of its own.
  void finish();

 private:
  std::string label_;
  std::size_t total_;
  std::FILE* out_;
  bool shown_;
  std::function<Clock::time_point()> now_;
  Clock::time_point drawn_at_{};
  bool drawn_ = false;
};

// Whether stderr is a terminal (a person watching), not a pipe or a file.
bool stderrIsTerminal();

}  // namespace ts::ctl
