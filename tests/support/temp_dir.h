// A fresh temporary directory per test, removed (recursively) at the end.
#pragma once

#include <string>

namespace certkeeper::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name
  std::string file(const std::string& name) const;

 private:
  std::string path_;
};

// Reads a whole file (test helper; "" when missing).
std::string read_file(const std::string& path);
// Writes bytes to a file, replacing it.
void write_file(const std::string& path, const std::string& data);
// The permission bits of a file (st_mode & 07777), or -1 when missing.
int file_mode(const std::string& path);

}  // namespace certkeeper::testing
