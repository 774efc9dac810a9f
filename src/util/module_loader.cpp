// dlopen of certkeeper's own modules, from fixed directories only.
#include "certkeeper/util/module_loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <mutex>

namespace certkeeper {

#ifndef CERTKEEPER_MODULE_DIR
#error "CERTKEEPER_MODULE_DIR must be defined by the build"
#endif

namespace {

std::string executable_dir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

}  // namespace

std::vector<std::string> module_dirs() {
  std::vector<std::string> dirs;
  const std::string own = executable_dir();
  if (!own.empty()) dirs.push_back(own);
  if (own != CERTKEEPER_MODULE_DIR) dirs.push_back(CERTKEEPER_MODULE_DIR);
  return dirs;
}

Result<void*> module_symbol(const std::string& file, const std::string& symbol) {
  static std::mutex mutex;
  static std::map<std::string, void*> loaded;  // file -> handle, never closed
  std::lock_guard<std::mutex> lock(mutex);

  void* handle = nullptr;
  if (auto it = loaded.find(file); it != loaded.end()) {
    handle = it->second;
  } else {
    std::string searched;
    for (const std::string& dir : module_dirs()) {
      const std::string path = dir + "/" + file;
      searched += (searched.empty() ? "" : ", ") + dir;
      if (::access(path.c_str(), F_OK) != 0) continue;
      // RTLD_LOCAL: the module's libraries stay out of the global namespace.
      handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle == nullptr) {
        const char* why = ::dlerror();
        return make_error(Errc::io,
                          std::string("cannot load certkeeper module: ") + (why ? why : "dlopen failed") +
                              "; reinstall certkeeper",
                          path);
      }
      break;
    }
    if (handle == nullptr) {
      return make_error(Errc::io, "certkeeper module not found in " + searched + "; reinstall certkeeper", file);
    }
    loaded.emplace(file, handle);
  }
  ::dlerror();
  void* address = ::dlsym(handle, symbol.c_str());
  if (address == nullptr) {
    return make_error(Errc::io, "certkeeper module lacks " + symbol + " (a different build?); reinstall certkeeper", file);
  }
  return address;
}

}  // namespace certkeeper
