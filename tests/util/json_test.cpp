// parse_json: the one JSON reader, with its depth limit (issue 14).
#include <gtest/gtest.h>

#include <string>

#include "certkeeper/util/json.h"

namespace certkeeper {
namespace {

std::string arrays(int levels) { return std::string(levels, '[') + std::string(levels, ']'); }

TEST(ParseJson, ReadsADocument) {
  auto doc = parse_json(R"({"status":"valid","list":[1,"two",{"three":3}]})");
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ((*doc)["status"], "valid");
  EXPECT_EQ((*doc)["list"][2]["three"], 3);
}

TEST(ParseJson, SixtyFourLevelsAreReadSixtyFiveAreNot) {
  auto deepest = parse_json(arrays(kMaxJsonDepth));
  ASSERT_TRUE(deepest) << deepest.error().message;
  EXPECT_TRUE(deepest->is_array());
  auto deeper = parse_json(arrays(kMaxJsonDepth + 1));
  ASSERT_FALSE(deeper);
  EXPECT_EQ(deeper.error().code, Errc::invalid_input);
  EXPECT_EQ(deeper.error().message, "JSON nested too deeply (more than 64 levels)");
}

TEST(ParseJson, ObjectsAndArraysCountAlike) {
  std::string mixed;
  for (int i = 0; i < 65; ++i) mixed += i % 2 ? "[" : "{\"k\":";
  mixed += "1";
  for (int i = 64; i >= 0; --i) mixed += i % 2 ? "]" : "}";
  EXPECT_FALSE(parse_json(mixed));
  EXPECT_TRUE(json_nested_deeper_than(mixed, 64));
  EXPECT_FALSE(json_nested_deeper_than(mixed, 65));
}

TEST(ParseJson, AHundredThousandLevelsAreRefusedWithoutRecursion) {
  // Before the limit this text, once parsed, crashed whoever copied or
  // dumped it; it must now be refused without being built.
  auto doc = parse_json(arrays(100'000));
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().message.find("nested too deeply"), std::string::npos);
}

TEST(ParseJson, BracketsInsideStringsAreText) {
  const std::string brackets(200, '[');
  auto doc = parse_json("{\"detail\":\"" + brackets + "\\\"" + brackets + "\"}");
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ((*doc)["detail"].get<std::string>().size(), 401u);
  // An escaped backslash ends before the closing quote.
  EXPECT_TRUE(parse_json(R"(["a\\", [[1]]])"));
  EXPECT_FALSE(json_nested_deeper_than(R"(["\\\"[[[[", 1])", 1));
}

TEST(ParseJson, SyntaxErrorsNameTheByteNotTheInput) {
  auto doc = parse_json("{\"secret-ish\": \x1b[31m}");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code, Errc::invalid_input);
  EXPECT_EQ(doc.error().message.rfind("not valid JSON (syntax error at byte ", 0), 0u) << doc.error().message;
  EXPECT_EQ(doc.error().message.find("secret-ish"), std::string::npos);
  EXPECT_EQ(doc.error().message.find('\x1b'), std::string::npos);
}

TEST(ParseJson, TextThatIsNotUtf8IsRefused) {
  EXPECT_FALSE(parse_json("[\"\xff\xfe\"]"));
  EXPECT_FALSE(parse_json(""));
  EXPECT_FALSE(parse_json("1e999999"));  // a number out of range
  EXPECT_FALSE(parse_json("{} trailing"));
}

TEST(ParseJson, ANulByteIsNotTheEndOfTheText) {
  // nlohmann's lexer stops at a NUL as if the text ended there, so "8\0..."
  // read as 8 whatever followed (found by tests/fuzz/json_fuzz). RFC 8259
  // has no NUL outside a string, and none raw inside one.
  using namespace std::string_literals;
  for (const std::string& text : {"8\0[[["s, "{}\0garbage"s, "{\"a\":\"b\0c\"}"s, "\0"s}) {
    auto doc = parse_json(text);
    ASSERT_FALSE(doc) << doc->dump();
    EXPECT_EQ(doc.error().message.rfind("not valid JSON (syntax error at byte ", 0), 0u) << doc.error().message;
  }
  EXPECT_TRUE(parse_json(R"({"escaped":"a\u0000b"})"));
}

TEST(ParseJson, OrNullGivesNullForWhatCannotBeRead) {
  EXPECT_TRUE(parse_json_or_null("{oops").is_null());
  EXPECT_TRUE(parse_json_or_null(arrays(65)).is_null());
  EXPECT_EQ(parse_json_or_null("[1]"), nlohmann::json::array({1}));
}

}  // namespace
}  // namespace certkeeper
