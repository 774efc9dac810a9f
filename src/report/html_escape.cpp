#include "html_escape.h"

#include "certkeeper/util/text.h"

namespace certkeeper::report::detail {
namespace {

// Appends `text`, replacing each character for which `reference` gives a
// character reference; runs of plain characters are appended at once.
template <class Reference>
void append_replacing(std::string& out, std::string_view text, Reference reference) {
  std::size_t plain = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char* ref = reference(text[i]);
    if (!ref) continue;
    out.append(text.data() + plain, i - plain);
    out += ref;
    plain = i + 1;
  }
  out.append(text.data() + plain, text.size() - plain);
}

const char* text_reference(char c) {
  switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    default: return nullptr;
  }
}

const char* attribute_reference(char c) {
  switch (c) {
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return text_reference(c);
  }
}

}  // namespace

// Text from the database quotes certificate fields (outside input): control
// characters and bytes that are not UTF-8 are shown escaped (text.h) before
// the HTML references are applied.
template <class Reference>
void append_shown(std::string& out, std::string_view text, Reference reference) {
  if (text::is_printable(text)) {
    append_replacing(out, text, reference);
  } else {
    append_replacing(out, text::printable(text), reference);
  }
}

void append_escaped(std::string& out, std::string_view text) { append_shown(out, text, attribute_reference); }

void append_text(std::string& out, std::string_view text) { append_shown(out, text, text_reference); }

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text);
  return out;
}

std::string shorten(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes;
  // Never split a multi-byte character: back off over continuation bytes.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "\u2026";
}

}  // namespace certkeeper::report::detail
