// Result<T, E>: a value or an error, because the data path does not throw.
// C++20 has no std::expected; this is the small subset the project needs.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace ts {

struct Error {
  std::string message;
};

template <typename E>
struct Failure {
  E error;
};

template <typename E>
Failure<E> fail(E error) {
  return Failure<E>{std::move(error)};
}

inline Failure<Error> fail(std::string message) {
  return Failure<Error>{Error{std::move(message)}};
}

template <typename T, typename E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Failure<E> f) : v_(std::in_place_index<1>, std::move(f.error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const E& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

struct Ok {};

template <typename E = Error>
using Status = Result<Ok, E>;

}  // namespace ts
