// The rule compiler: every directive matches what doc/rules.md says, and every bad rule is
// refused with its file:line, because an operator fixes a rule file from that message.
#include "checks/content/rule_set.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace ts {
namespace {

std::shared_ptr<const RuleSet> compile(const std::string& text) {
  auto rules = RuleSet::parse(text, "test.rules");
  EXPECT_TRUE(rules.ok()) << (rules.ok() ? "" : rules.error().message);
  return rules.ok() ? *rules : nullptr;
}

std::string errorOf(const std::string& text) {
  auto rules = RuleSet::parse(text, "test.rules");
  return rules.ok() ? "no error" : rules.error().message;
}

std::string names(const std::vector<RuleHit>& hits) {
  std::string out;
  for (const RuleHit& h : hits) out += (out.empty() ? "" : " ") + h.name;
  return out;
}

// One rule with its describe and score lines.
std::string rule(const std::string& definition, const std::string& name = "R") {
  return definition + "\ndescribe " + name + " a sign\nscore " + name + " 1\n";
}

MessageContent sample() {
  MessageContent m;
  m.headers = {{"From", "Shop <shop@example.com>"},
               {"Subject", "FREE BITCOIN FOR EVERYONE"},
               {"Received", "from a"},
               {"Received", "from b"}};
  m.text = "Hello,\nget FREE btc today\nat our site";
  m.urls = {{"https://Bit.ly/x", "bit.ly"}, {"http://shop.example.com/a", "shop.example.com"}};
  m.attachments = {{"invoice.pdf.exe", "application/octet-stream"}};
  m.size = 5000;
  return m;
}

TEST(RuleSetTest, BodyRulesRunTogether) {
  auto rules = compile(rule("body A /free (bitcoin|btc)/i", "A") + rule("body B /free btc/", "B") +
                       rule("body C /^get/", "C") + rule("body D /Hello.*today/s", "D") +
                       rule("body E /Hello.*today/", "E"));
  ASSERT_TRUE(rules);
  EXPECT_EQ(rules->size(), 5u);
  EXPECT_EQ(names(rules->evaluate(sample())), "A D");
}

TEST(RuleSetTest, HitsCarryScoreAndDescription) {
  auto rules = compile("body A /btc/\ndescribe A crypto words\nscore A -2.5\n");
  ASSERT_TRUE(rules);
  auto hits = rules->evaluate(sample());
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].name, "A");
  EXPECT_EQ(hits[0].score, -2.5);
  EXPECT_EQ(hits[0].description, "crypto words");
}

TEST(RuleSetTest, HeaderRules) {
  auto rules = compile(
      rule("header A Subject =~ /^[^a-z]{16,}$/", "A") +
      rule("header B subject =~ /bitcoin/", "B") + rule("header C Subject =~ /bitcoin/i", "C") +
      rule("header D Received =~ /from b/", "D") + rule("header E Subject !~ /BITCOIN/", "E") +
      rule("header F X-Missing =~ /^$/", "F") + rule("header G X-Missing !~ /./", "G") +
      rule("header H ALL =~ /^From: Shop/", "H") + rule("header I ALL =~ /^Subject: free/", "I"));
  ASSERT_TRUE(rules);
  EXPECT_EQ(names(rules->evaluate(sample())), "A C D F G H");
}

TEST(RuleSetTest, UriRules) {
  auto rules = compile(rule("uri_count A >= 2", "A") + rule("uri_count B > 2", "B") +
                       rule("uri_count C ==2", "C") + rule("uri_host D t.co BIT.LY", "D") +
                       rule("uri_host E example.com", "E") + rule("uri_host F ly", "F") +
                       rule("uri_host G it.ly", "G"));
  ASSERT_TRUE(rules);
  // example.com matches its subdomain shop.example.com; "ly" is a parent domain of bit.ly.
  EXPECT_EQ(names(rules->evaluate(sample())), "A C D E F");
  auto uri = compile(rule("uri A /^https://bit\\.ly/", "A") +
                     rule("uri B /^https://bit\\.ly/i", "B") + rule("uri C /shop.*\\/a$/", "C"));
  ASSERT_TRUE(uri);
  EXPECT_EQ(names(uri->evaluate(sample())), "B C");
}

TEST(RuleSetTest, SizeAndAttachmentRules) {
  auto rules =
      compile(rule("size A > 4999", "A") + rule("size B >= 5k", "B") + rule("size C < 5001", "C") +
              rule("attachment D any", "D") + rule("attachment E /\\.(exe|scr)$/i", "E") +
              rule("attachment F /^invoice$/", "F"));
  ASSERT_TRUE(rules);
  EXPECT_EQ(names(rules->evaluate(sample())), "A C D E");
  MessageContent none;
  EXPECT_EQ(names(rules->evaluate(none)), "C");
}

TEST(RuleSetTest, CommentsBlankLinesCrlfAndAnyOrder) {
  auto rules = compile(
      "# a comment\r\n\r\n   \r\nscore A 2\r\n  # indented comment\r\n"
      "describe A regex with a # inside\r\nbody A /#\\d+/\r\n");
  ASSERT_TRUE(rules);
  MessageContent m;
  m.text = "order #42";
  auto hits = rules->evaluate(m);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].description, "regex with a # inside");
  EXPECT_EQ(hits[0].score, 2);
}

TEST(RuleSetTest, EmptyTextHasNoRules) {
  auto rules = compile("# nothing yet\n");
  ASSERT_TRUE(rules);
  EXPECT_EQ(rules->size(), 0u);
  EXPECT_TRUE(rules->evaluate(sample()).empty());
}

TEST(RuleSetTest, RefusesBadRulesWithFileAndLine) {
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"bodie A /x/", "test.rules:1: unknown directive 'bodie'"},
      {"\nbody", "test.rules:2: body needs a rule name"},
      {"body A-B /x/", "test.rules:1: 'A-B' is not a rule name"},
      {"body A (x", "test.rules:1: body A: expected a regex written /pattern/"},
      {"body A //", "test.rules:1: body A: the regex is empty"},
      {"body A /x/g", "test.rules:1: body A: unknown regex flag 'g'"},
      {"body A /(x/", "test.rules:1: body A: bad regex /(x/: missing )"},
      {"body A /(?<=x)y/", "test.rules:1: body A: bad regex"},
      {"header A Subject ~ /x/", "test.rules:1: header A: bad operator '~'; expected =~ or !~"},
      {"header A Subject", "test.rules:1: header A: expected 'Header =~ /regex/'"},
      {"header A Subject =~ /[x/", "test.rules:1: header A: bad regex /[x/: missing ]"},
      {"uri_count A => 4", "test.rules:1: uri_count A: bad operator '=>'"},
      {"uri_count A >= many", "test.rules:1: uri_count A: 'many' is not a count"},
      {"size A > 2x", "test.rules:1: size A: '2x' is not a size"},
      {"uri_host A", "test.rules:1: uri_host A: needs at least one host name"},
      {"uri_host A bit.ly http://x", "test.rules:1: uri_host A: 'http://x' is not a host name"},
      {"attachment A some", "test.rules:1: attachment A: expected a regex"},
      {"uri A bit.ly", "test.rules:1: uri A: expected a regex"},
      {"body A /x/\nscore A 1", "test.rules:1: rule A has no describe line"},
      {"body A /x/\ndescribe A x", "test.rules:1: rule A has no score line"},
      {"body A /x/\ndescribe A x\ndescribe A y\nscore A 1",
       "test.rules:3: second describe for A; the first is at test.rules:2"},
      {"body A /x/\ndescribe A x\nscore A 1\nscore A 2",
       "test.rules:4: second score for A; the first is at test.rules:3"},
      {"describe A", "test.rules:1: describe A needs a text"},
      {"score A lots", "test.rules:1: score A: 'lots' is not a number"},
      {"score A", "test.rules:1: score A: '' is not a number"},
      {"describe B x", "test.rules:1: describe for unknown rule B"},
      {"score B 1", "test.rules:1: score for unknown rule B"},
      {rule("body A /x/", "A") + "\nheader A Subject =~ /y/",
       "test.rules:5: rule A is already defined at test.rules:1"},
  };
  for (const Case& c : cases) {
    std::string error = errorOf(c.text);
    EXPECT_EQ(error.rfind(c.error, 0), 0u) << c.text << "\n gave: " << error;
  }
}

class RuleSetFilesTest : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    char path[] = "/tmp/textscreen-rules-XXXXXX";
    int fd = mkstemp(path);
    EXPECT_GE(fd, 0);
    close(fd);
    std::ofstream(path) << text;
    paths_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (const std::string& p : paths_) std::remove(p.c_str());
  }
  std::vector<std::string> paths_;
};

TEST_F(RuleSetFilesTest, LoadsSeveralFilesInOrder) {
  std::string a = write(rule("body A /btc/", "A"));
  std::string b = write(rule("uri_host B bit.ly", "B") + "score C 1\n");
  std::string c = write("body C /Hello/\ndescribe C greeting\n");
  auto rules = RuleSet::load({a, b, c});
  ASSERT_TRUE(rules.ok()) << rules.error().message;
  EXPECT_EQ(names((*rules)->evaluate(sample())), "A B C");
}

TEST_F(RuleSetFilesTest, DuplicateNameAcrossFiles) {
  std::string a = write(rule("body A /btc/", "A"));
  std::string b = write("# second\n" + rule("body A /eth/", "A"));
  auto rules = RuleSet::load({a, b});
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.error().message, b + ":2: rule A is already defined at " + a + ":1");
}

TEST_F(RuleSetFilesTest, UnreadableFile) {
  auto rules = RuleSet::load({"/nonexistent/x.rules"});
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.error().message, "/nonexistent/x.rules: cannot read the rule file");
}

}  // namespace
}  // namespace ts
