// Every module library compiles this file, so a module is a valid library
// even before it has sources of its own.
namespace certkeeper { void module_anchor() {} }
