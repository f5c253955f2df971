// Every check name a decision record can carry has its own plain words on /why: the names
// are read from the sources (`check = "name"`) plus those set through a variable.
#include "web/check_explanations.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace ts {
namespace {

// Checks whose name is passed in rather than written as `check = "..."`.
const std::set<std::string> kIndirectNames = {"callout",          "rate",
                                              "rate_client",      "rate_identical",
                                              "rate_recipient",   "rate_sender_domain",
                                              "header_date",      "header_date_range",
                                              "header_from",      "header_line_length",
                                              "header_message_id"};

std::set<std::string> namesInSources() {
  std::set<std::string> names;
  std::regex assignment(R"re(check = "([a-z_]+)")re");
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(TEXTSCREEN_SOURCE_DIR "/src")) {
    if (entry.path().extension() != ".cc") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    for (auto it = std::sregex_iterator(s.begin(), s.end(), assignment);
         it != std::sregex_iterator(); ++it) {
      names.insert((*it)[1]);
    }
  }
  return names;
}

TEST(CheckExplanations, EveryCheckInTheSourcesHasItsOwnWords) {
  std::set<std::string> names = namesInSources();
  ASSERT_GT(names.size(), 10u);
  names.insert(kIndirectNames.begin(), kIndirectNames.end());
  std::set<std::string> known;
  for (const CheckExplanation& e : knownCheckExplanations()) known.insert(std::string(e.name));
  for (const std::string& name : names) EXPECT_TRUE(known.count(name)) << name;
}

TEST(CheckExplanations, EveryEntryIsComplete) {
  std::set<std::string_view> seen;
  for (const CheckExplanation& e : knownCheckExplanations()) {
    EXPECT_TRUE(seen.insert(e.name).second) << "twice: " << e.name;
    EXPECT_FALSE(e.title.empty()) << e.name;
    EXPECT_GT(e.meaning.size(), 20u) << e.name;
    EXPECT_GT(e.fix.size(), 20u) << e.name;
    EXPECT_EQ(explainCheck(e.name).meaning, e.meaning);
  }
}

TEST(CheckExplanations, AnUnknownCheckGetsGeneralWords) {
  CheckExplanation e = explainCheck("brand_new_check");
  EXPECT_EQ(e.title, "brand_new_check");
  EXPECT_FALSE(e.meaning.empty());
  EXPECT_FALSE(e.fix.empty());
}

}  // namespace
}  // namespace ts
