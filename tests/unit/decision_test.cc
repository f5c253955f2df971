// The policy: the strongest proposal wins, observe never refuses, temporary never rejects.
#include "policy/decision.h"

#include <gtest/gtest.h>

#include <vector>

namespace ts {
namespace {

Proposal proposal(Outcome o, Action a, double score = 0) {
  Proposal p;
  p.result.check = "test";
  p.result.outcome = o;
  p.result.score = score;
  p.action = a;
  return p;
}

TEST(Decision, NothingProposedAcceptsAtEndOfData) {
  DecisionPolicy policy(10);
  EXPECT_EQ(policy.decide(Stage::kEndOfData, {}).verdict, Verdict::kAccept);
  EXPECT_EQ(policy.decide(Stage::kRcpt, {}).verdict, Verdict::kContinue);
}

TEST(Decision, ObserveNeverRefuses) {
  DecisionPolicy policy(10);
  std::vector<Proposal> ps{proposal(Outcome::kFail, Action::kObserve)};
  EXPECT_EQ(policy.decide(Stage::kEndOfData, ps).verdict, Verdict::kAccept);
}

TEST(Decision, StrongestWins) {
  DecisionPolicy policy(10);
  std::vector<Proposal> ps{proposal(Outcome::kFail, Action::kTempfail),
                           proposal(Outcome::kFail, Action::kReject),
                           proposal(Outcome::kFail, Action::kQuarantine)};
  Decision d = policy.decide(Stage::kEndOfData, ps);
  EXPECT_EQ(d.verdict, Verdict::kReject);
  EXPECT_EQ(d.deciding, &ps[1]);
}

TEST(Decision, QuarantineBeatsTempfail) {
  DecisionPolicy policy(10);
  std::vector<Proposal> ps{proposal(Outcome::kFail, Action::kTempfail),
                           proposal(Outcome::kSoftfail, Action::kQuarantine)};
  EXPECT_EQ(policy.decide(Stage::kEndOfData, ps).verdict, Verdict::kQuarantine);
}

TEST(Decision, TemporaryOutcomeNeverRejects) {
  DecisionPolicy policy(10);
  std::vector<Proposal> reject{proposal(Outcome::kTempError, Action::kReject)};
  EXPECT_EQ(policy.decide(Stage::kEndOfData, reject).verdict, Verdict::kTempFail);
  std::vector<Proposal> observe{proposal(Outcome::kTempError, Action::kObserve)};
  EXPECT_EQ(policy.decide(Stage::kEndOfData, observe).verdict, Verdict::kAccept);
}

TEST(Decision, TemporaryOutcomesScoreNothing) {
  DecisionPolicy policy(10);
  std::vector<Proposal> timeouts{proposal(Outcome::kTempError, Action::kScore, 6),
                                 proposal(Outcome::kTempError, Action::kScore, 6)};
  Decision d = policy.decide(Stage::kRcpt, timeouts);
  EXPECT_EQ(d.score, 0);
  EXPECT_NE(d.verdict, Verdict::kReject);
}

TEST(Decision, ScoresAddUpToTheThreshold) {
  DecisionPolicy policy(10);
  std::vector<Proposal> below{proposal(Outcome::kFail, Action::kScore, 4),
                              proposal(Outcome::kFail, Action::kScore, 5.5)};
  EXPECT_EQ(policy.decide(Stage::kEndOfData, below).verdict, Verdict::kAccept);
  std::vector<Proposal> above{proposal(Outcome::kFail, Action::kScore, 4),
                              proposal(Outcome::kFail, Action::kScore, 6)};
  Decision d = policy.decide(Stage::kEndOfData, above);
  EXPECT_EQ(d.verdict, Verdict::kReject);
  EXPECT_DOUBLE_EQ(d.score, 10);
  EXPECT_EQ(d.deciding, &above[1]);
}

TEST(Decision, PassIsNeverRefused) {
  DecisionPolicy policy(10);
  std::vector<Proposal> ps{proposal(Outcome::kPass, Action::kReject)};
  EXPECT_EQ(policy.decide(Stage::kEndOfData, ps).verdict, Verdict::kAccept);
}

TEST(Decision, NamesRoundTrip) {
  for (Action a : {Action::kOff, Action::kObserve, Action::kScore, Action::kTempfail,
                   Action::kReject, Action::kQuarantine}) {
    EXPECT_EQ(parseAction(actionName(a)), a);
  }
  EXPECT_FALSE(parseAction("drop").has_value());
  EXPECT_EQ(verdictName(Verdict::kQuarantine), "quarantine");
  EXPECT_EQ(outcomeName(Outcome::kTempError), "temperror");
}

}  // namespace
}  // namespace ts
