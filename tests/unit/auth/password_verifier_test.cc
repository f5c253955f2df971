// The password verifier: answers arrive on the loop thread through the event base, the
// right password matches (SHA-512 and yescrypt), a wrong one or a broken hash does not,
// and what is still queued at destruction is dropped without an answer.
#include "auth/password_verifier.h"

#include <gtest/gtest.h>

#include <crypt.h>
#include <event2/event.h>

#include <chrono>
#include <optional>
#include <thread>
#include <vector>

namespace ts::auth {
namespace {

constexpr const char* kSha512CorrectHorse =
    "$6$abcdefgh12345678$hH3FjZZkD.RuGmIukoJ6X1/ojxI7Q6oXs70HmGNrON9WfqbLQ0xd/ksJZ6H.4WbnNfveboF8"
    "T745gOj/MOnsv.";

class PasswordVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override { base_ = event_base_new(); }
  void TearDown() override { event_base_free(base_); }

  // Runs the loop until done() holds, bounded so a lost wake-up fails instead of hanging.
  template <typename Done>
  bool runLoopUntil(Done&& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    timeval tick{0, 50'000};
    event* timer = evtimer_new(
        base_, [](evutil_socket_t, short, void*) {}, nullptr);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      evtimer_add(timer, &tick);
      event_base_loop(base_, EVLOOP_ONCE);
    }
    event_free(timer);
    return done();
  }

  event_base* base_ = nullptr;
};

TEST_F(PasswordVerifierTest, AnswersOnTheLoopThread) {
  PasswordVerifier verifier(base_);
  std::thread::id loop_thread = std::this_thread::get_id();
  std::vector<std::optional<bool>> answers(3);
  std::vector<std::thread::id> threads;
  auto record = [&](std::size_t i) {
    return [&, i](bool matches) {
      answers[i] = matches;
      threads.push_back(std::this_thread::get_id());
    };
  };
  verifier.verify(kSha512CorrectHorse, "correct horse", record(0));
  verifier.verify(kSha512CorrectHorse, "correct horsf", record(1));
  verifier.verify("$6$broken", "correct horse", record(2));
  EXPECT_FALSE(answers[0].has_value()) << "answered before the loop ran";
  ASSERT_TRUE(runLoopUntil([&] { return threads.size() == 3; }));
  EXPECT_EQ(answers[0], std::optional<bool>(true));
  EXPECT_EQ(answers[1], std::optional<bool>(false));
  EXPECT_EQ(answers[2], std::optional<bool>(false));
  for (std::thread::id t : threads) EXPECT_EQ(t, loop_thread);
}

TEST_F(PasswordVerifierTest, Yescrypt) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  ASSERT_NE(crypt_gensalt_rn("$y$", 0, nullptr, 0, setting, sizeof(setting)), nullptr);
  crypt_data data{};
  const char* hash = crypt_rn("s3cret", setting, &data, sizeof(data));
  ASSERT_NE(hash, nullptr);
  PasswordVerifier verifier(base_);
  std::optional<bool> right, wrong;
  verifier.verify(hash, "s3cret", [&](bool m) { right = m; });
  verifier.verify(hash, "S3cret", [&](bool m) { wrong = m; });
  ASSERT_TRUE(runLoopUntil([&] { return right && wrong; }));
  EXPECT_TRUE(*right);
  EXPECT_FALSE(*wrong);
}

TEST_F(PasswordVerifierTest, QueuedChecksAreDroppedAtDestruction) {
  bool answered = false;
  {
    PasswordVerifier verifier(base_);
    for (int i = 0; i < 50; ++i) {
      verifier.verify(kSha512CorrectHorse, "correct horse", [&](bool) { answered = true; });
    }
  }
  // The loop never ran while the verifier lived: no answer may arrive now.
  event_base_loop(base_, EVLOOP_NONBLOCK);
  EXPECT_FALSE(answered);
}

}  // namespace
}  // namespace ts::auth
