// One thread is enough: each session waits for its own answer, so the queue is bounded by
// the connections, and a brute-forcing client gets the penalty box long before it could
// keep a core busy. Passwords are wiped from memory once checked.
#include "auth/password_verifier.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>

namespace ts::auth {
namespace {

bool matches(crypt_data& scratch, const std::string& hash, const std::string& password) {
  std::memset(&scratch, 0, sizeof(scratch));
  const char* computed = crypt_rn(password.c_str(), hash.c_str(), &scratch, sizeof(scratch));
  if (!computed) return false;
  std::size_t n = std::strlen(computed);
  return n == hash.size() && CRYPTO_memcmp(computed, hash.data(), n) == 0;
}

}  // namespace

PasswordVerifier::PasswordVerifier(event_base* base) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  wake_event_ = event_new(base, wake_fd_, EV_READ | EV_PERSIST, wakeCallback, this);
  event_add(wake_event_, nullptr);
  thread_ = std::thread([this] { run(); });
}

PasswordVerifier::~PasswordVerifier() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
  for (std::deque<Job>* jobs : {&queue_, &answered_}) {
    for (Job& j : *jobs) OPENSSL_cleanse(j.password.data(), j.password.size());
  }
  event_free(wake_event_);
  ::close(wake_fd_);
}

void PasswordVerifier::verify(std::string hash, std::string password, Done done) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Job{std::move(hash), std::move(password), std::move(done)});
  }
  cv_.notify_one();
}

void PasswordVerifier::run() {
  // crypt_data is 32 KiB: one for the thread's life, not one per check.
  auto scratch = std::make_unique<crypt_data>();
  while (true) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job.matches = matches(*scratch, job.hash, job.password);
    OPENSSL_cleanse(job.password.data(), job.password.size());
    OPENSSL_cleanse(scratch.get(), sizeof(crypt_data));
    {
      std::lock_guard lock(mutex_);
      answered_.push_back(std::move(job));
    }
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof(one));
  }
}

void PasswordVerifier::wakeCallback(evutil_socket_t fd, short, void* self) {
  std::uint64_t count = 0;
  [[maybe_unused]] auto n = ::read(fd, &count, sizeof(count));
  static_cast<PasswordVerifier*>(self)->answer();
}

void PasswordVerifier::answer() {
  std::deque<Job> done;
  {
    std::lock_guard lock(mutex_);
    done.swap(answered_);
  }
  for (Job& j : done) j.done(j.matches);
}

}  // namespace ts::auth
