// Rows of the reference documentation that live beside the code they
// describe (`certkeeper docs` prints them; tests hold the code to them).
#pragma once

#include <span>

namespace certkeeper {

// One member of a JSON document. `path` is dotted from the document's top:
// "certificates[]" is an array of objects whose members follow as
// "certificates[].name"; "settings.*" is an object with keys of its own
// choosing (e.g. one per setting), documented as a whole. `shape`, when
// set, names a JsonDocument of json shapes whose fields are this member's
// members (an object, or the objects of an array), e.g. "install"; with an
// empty `path`, the shape's members are the document's own.
struct JsonField {
  const char* path;
  const char* meaning;
  const char* shape = nullptr;
};

// A JSON document a command prints with --json, or a shape shared by
// several documents (then `command` is the shape's name).
struct JsonDocument {
  const char* command;  // "report", "target list", ...; or a shape name
  const char* when;     // "" for the usual document; else when this one is printed
  std::span<const JsonField> fields;
};

}  // namespace certkeeper
