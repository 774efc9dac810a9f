#include "certkeeper/util/text.h"

#include <gtest/gtest.h>

namespace certkeeper::text {
namespace {

using namespace std::string_literals;

TEST(Utf8, WellFormedInputIsAccepted) {
  EXPECT_TRUE(is_utf8(""));
  EXPECT_TRUE(is_utf8("mail.example.com"));
  EXPECT_TRUE(is_utf8("b\xC3\xBC" "cher.example"));            // ü
  EXPECT_TRUE(is_utf8("\xE2\x82\xAC"));                        // €
  EXPECT_TRUE(is_utf8("\xF0\x9F\x94\x92"));                    // U+1F512
  EXPECT_TRUE(is_utf8("a\0b"s)) << "NUL is a character; printable() escapes it";
}

TEST(Utf8, MalformedInputIsRefused) {
  EXPECT_FALSE(is_utf8("\xFF"));
  EXPECT_FALSE(is_utf8("\x80"));                  // lone continuation byte
  EXPECT_FALSE(is_utf8("\xE2\x82"));              // cut inside a character
  EXPECT_FALSE(is_utf8("\xC0\xAF"));              // overlong '/'
  EXPECT_FALSE(is_utf8("\xE0\x80\xAF"));          // overlong, three bytes
  EXPECT_FALSE(is_utf8("\xED\xA0\x80"));          // UTF-16 surrogate
  EXPECT_FALSE(is_utf8("\xF4\x90\x80\x80"));      // above U+10FFFF
  EXPECT_FALSE(is_utf8("\xF8\x88\x80\x80\x80"));  // five-byte form
}

TEST(Utf8, ToUtf8EscapesOnlyTheBadBytes) {
  EXPECT_EQ(to_utf8("ok"), "ok");
  EXPECT_EQ(to_utf8("b\xC3\xBC"), "b\xC3\xBC");
  EXPECT_EQ(to_utf8("a\xFF" "b"), "a\\xFFb");
  EXPECT_EQ(to_utf8("\xE2\x82"), "\\xE2\\x82");
  EXPECT_EQ(to_utf8("\xC0\xAF"), "\\xC0\\xAF");
  EXPECT_EQ(to_utf8("x\n\x1B"), "x\n\x1B") << "controls are valid UTF-8: only printable() escapes them";
  EXPECT_TRUE(is_utf8(to_utf8("\xFF\xFE\xE2\x82\xAC\xED\xA0\x80")));
}

TEST(Printable, ControlCharactersAreEscaped) {
  EXPECT_EQ(printable("plain text, with (punctuation)"), "plain text, with (punctuation)");
  EXPECT_EQ(printable("evil\x1B[31mred"), "evil\\x1B[31mred");
  EXPECT_EQ(printable("bell\x07"), "bell\\x07");
  EXPECT_EQ(printable("row\nforged,row"), "row\\x0Aforged,row");
  EXPECT_EQ(printable("cr\r"), "cr\\x0D");
  EXPECT_EQ(printable("tab\there"), "tab\\x09here");
  EXPECT_EQ(printable("del\x7F"), "del\\x7F");
  EXPECT_EQ(printable("nul\0cut"s), "nul\\x00cut") << "a NUL does not cut the text short";
  EXPECT_EQ(printable("c1\xC2\x9B" "31m"), "c1\\u{009B}31m") << "U+009B is a one-character CSI";
}

TEST(Printable, BidirectionalOverridesAreEscaped) {
  EXPECT_EQ(printable("moc.\xE2\x80\xAElive"), "moc.\\u{202E}live");
  EXPECT_EQ(printable("\xE2\x81\xA6x\xE2\x81\xA9"), "\\u{2066}x\\u{2069}");
  EXPECT_EQ(printable("\xE2\x80\x8F"), "\\u{200F}");
}

TEST(Printable, BadBytesAndGoodCharactersTogether) {
  EXPECT_EQ(printable("m\xC3\xBCnchen\xFF\x1B"), "m\xC3\xBCnchen\\xFF\\x1B");
  EXPECT_TRUE(is_printable(printable("\x01\x02\xFF\xC2\x85\xE2\x80\xAE")));
  EXPECT_FALSE(is_printable("a\nb"));
  EXPECT_TRUE(is_printable("CN=a\\,b,O=x"));
}

TEST(PrintableLines, LineFeedsStayEverythingElseIsEscaped) {
  EXPECT_EQ(printable_lines("a\nb\n"), "a\nb\n");
  EXPECT_EQ(printable_lines(""), "");
  EXPECT_EQ(printable_lines("row\x1B[2J\r\nnext\xFF\n\n"), "row\\x1B[2J\\x0D\nnext\\xFF\n\n");
  EXPECT_EQ(printable_lines("nul\0\n"s), "nul\\x00\n");
}

TEST(Truncate, NeverCutsInsideACharacter) {
  std::string euros;
  for (int i = 0; i < 200; ++i) euros += "\xE2\x82\xAC";
  const std::string cut = truncate_utf8(euros, 300);
  EXPECT_LE(cut.size(), 300u);
  EXPECT_TRUE(is_utf8(cut));
  EXPECT_EQ(cut.substr(cut.size() - 3), "...");
  EXPECT_EQ(cut.size(), 99 * 3 + 3u) << "297 bytes of whole characters are 99 euros";
  EXPECT_EQ(prefix_utf8(euros, 4), "\xE2\x82\xAC");
  EXPECT_EQ(prefix_utf8(euros, 2), "");
  EXPECT_EQ(truncate_utf8("short", 300), "short");
  EXPECT_EQ(truncate_utf8("abcdef", 2), "ab");
}

TEST(Truncate, MalformedBytesCountAsOneCharacter) {
  EXPECT_EQ(prefix_utf8("\xFF\xFF\xFF", 2), "\xFF\xFF");
  EXPECT_EQ(prefix_utf8("a\xE2\x82", 2), "a\xE2");
}

}  // namespace
}  // namespace certkeeper::text
