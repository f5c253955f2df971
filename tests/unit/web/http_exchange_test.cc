// Form and query decoding: libevent's rules ('+' is a space, %XX), order kept, the first
// of repeated names wins, and broken escapes are refused.
#include "web/http_exchange.h"

#include <gtest/gtest.h>

namespace ts {
namespace {

TEST(HttpExchange, DecodesFormFields) {
  FormFields fields;
  ASSERT_TRUE(parseFormFields("domain=example.com&note=Truck+dispatch%21&csrf=1.ab", fields));
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fieldValue(fields, "domain"), "example.com");
  EXPECT_EQ(fieldValue(fields, "note"), "Truck dispatch!");
  EXPECT_EQ(fieldValue(fields, "csrf"), "1.ab");
  EXPECT_EQ(fieldValue(fields, "absent"), "");
}

TEST(HttpExchange, FirstOfRepeatedNamesWins) {
  FormFields fields;
  ASSERT_TRUE(parseFormFields("ref=first&ref=second", fields));
  EXPECT_EQ(fieldValue(fields, "ref"), "first");
}

TEST(HttpExchange, EmptyTextHasNoFields) {
  FormFields fields;
  EXPECT_TRUE(parseFormFields("", fields));
  EXPECT_TRUE(fields.empty());
}

TEST(HttpExchange, RefusesBrokenEncoding) {
  FormFields fields;
  EXPECT_FALSE(parseFormFields("novalue", fields));
}

}  // namespace
}  // namespace ts
