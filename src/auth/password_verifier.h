// Checks passwords against crypt(3) hashes on a thread of its own: yescrypt and SHA-512
// are slow on purpose (milliseconds), and the event loop never blocks (DESIGN.md
// invariant 1). Answers come back on the loop through an eventfd, like the store writer's.
#pragma once

#include <event2/event.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace ts::auth {

class PasswordVerifier {
 public:
  // Runs on the loop with the answer.
  using Done = std::function<void(bool matches)>;

  explicit PasswordVerifier(event_base* base);
  ~PasswordVerifier();  // drops what is queued without answering it, joins
  PasswordVerifier(const PasswordVerifier&) = delete;
  PasswordVerifier& operator=(const PasswordVerifier&) = delete;

  void verify(std::string hash, std::string password, Done done);

 private:
  struct Job {
    std::string hash;
    std::string password;
    Done done;
    bool matches = false;
  };

  void run();
  void answer();
  static void wakeCallback(evutil_socket_t fd, short what, void* self);

  int wake_fd_ = -1;
  event* wake_event_ = nullptr;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> queue_;     // waiting for the thread
  std::deque<Job> answered_;  // waiting for the loop
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ts::auth
