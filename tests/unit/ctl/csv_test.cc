// The CSV reader behind `allow import`: quoted fields with commas, quotes and line
// breaks stay one field, and each record knows the line it starts on, so an import can
// point at the line to fix.
#include "textscreenctl/csv.h"

#include <gtest/gtest.h>

namespace ts::ctl {
namespace {

using Fields = std::vector<std::string>;

TEST(Csv, PlainRecordsAndLineNumbers) {
  auto r = parseCsv("domain,subdomains\na.example,true\r\n\nb.example,false");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].fields, (Fields{"domain", "subdomains"}));
  EXPECT_EQ((*r)[1].fields, (Fields{"a.example", "true"}));
  EXPECT_EQ((*r)[1].line, 2u);
  EXPECT_EQ((*r)[2].fields, (Fields{"b.example", "false"}));
  EXPECT_EQ((*r)[2].line, 4u) << "the blank line is skipped but still counted";
}

TEST(Csv, QuotedFields) {
  auto r = parseCsv("a,\"b, with comma\",\"say \"\"hi\"\"\",\"two\nlines\"\nnext,,\"\"\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].fields, (Fields{"a", "b, with comma", "say \"hi\"", "two\nlines"}));
  EXPECT_EQ((*r)[1].fields, (Fields{"next", "", ""}));
  EXPECT_EQ((*r)[1].line, 3u) << "a line break inside quotes still counts as a line";
}

TEST(Csv, UnterminatedQuoteNamesItsLine) {
  auto r = parseCsv("a,b\nc,\"never closed\nd,e\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("line 2"), std::string::npos) << r.error().message;
}

TEST(Csv, FieldQuotingRoundTrips) {
  for (std::string value : {"plain", "with, comma", "with \"quote\"", "two\nlines", ""}) {
    std::string line = csvField(value) + "," + csvField("x") + "\n";
    auto r = parseCsv(line);
    ASSERT_TRUE(r.ok()) << line;
    if (value.empty()) {
      ASSERT_EQ(r->size(), 1u);
      EXPECT_EQ((*r)[0].fields, (Fields{"", "x"}));
      continue;
    }
    ASSERT_EQ(r->size(), 1u) << line;
    EXPECT_EQ((*r)[0].fields, (Fields{value, "x"})) << line;
  }
  EXPECT_EQ(csvField("plain"), "plain");
}

}  // namespace
}  // namespace ts::ctl
