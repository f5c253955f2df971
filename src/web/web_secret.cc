// Created by writing a private temporary file and link()ing it into place: link fails
// when another process won the race, and then its key is the one read.
#include "web/web_secret.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ts {
namespace {

Result<WebSecret> readSecret(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(path + ": " + std::strerror(errno));
  WebSecret key{};
  ssize_t n = ::read(fd, key.data(), key.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(key.size())) {
    return fail(path + ": not a textscreen web key (" + std::to_string(key.size()) +
                " bytes); remove it and start again to make a new one");
  }
  return key;
}

}  // namespace

Result<WebSecret> loadWebSecret(const std::string& path) {
  if (::access(path.c_str(), F_OK) == 0) return readSecret(path);
  WebSecret key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    return fail(std::string("no random source for the web key"));
  }
  std::string temporary = path + ".new." + std::to_string(::getpid());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail(temporary + ": " + std::strerror(errno));
  bool written =
      ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(temporary.c_str());
    return fail(temporary + ": cannot write the web key");
  }
  int linked = ::link(temporary.c_str(), path.c_str());
  int error = errno;
  ::unlink(temporary.c_str());
  if (linked == 0) return key;
  if (error == EEXIST) return readSecret(path);
  return fail(path + ": " + std::strerror(error));
}

}  // namespace ts
