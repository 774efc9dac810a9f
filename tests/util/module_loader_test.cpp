// The loader of certkeeper's own modules: found beside the executable (the
// test binaries are built there), a clear error for a missing module or
// symbol, and each module loaded once.
#include "certkeeper/util/module_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace certkeeper {
namespace {

std::string own_dir() { return std::filesystem::read_symlink("/proc/self/exe").parent_path().string(); }

TEST(ModuleLoader, SearchesBesideTheExecutableFirstThenTheInstallDirectory) {
  const auto dirs = module_dirs();
  ASSERT_GE(dirs.size(), 1u);
  EXPECT_EQ(dirs.front(), own_dir());
  EXPECT_EQ(dirs.back(), std::string(CERTKEEPER_TEST_MODULE_DIR));
}

TEST(ModuleLoader, LoadsAModuleAndFindsItsEntryPoint) {
  auto first = module_symbol("certkeeper-curl.so", "certkeeper_curl_make_client");
  ASSERT_TRUE(first) << first.error().what();
  EXPECT_NE(*first, nullptr);
  auto again = module_symbol("certkeeper-curl.so", "certkeeper_curl_make_client");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first) << "loaded once, the same entry point";
}

TEST(ModuleLoader, OnlyTheEntryPointsAreExported) {
  // The module's internals (and the static libraries linked into it) stay
  // private, so they can never stand in for the binary's own.
  auto internal = module_symbol("certkeeper-curl.so", "_ZN10certkeeper3net18make_libcurl_clientERKNS0_11HttpOptionsE");
  ASSERT_FALSE(internal);
  EXPECT_EQ(internal.error().code, Errc::io);
}

TEST(ModuleLoader, AMissingModuleNamesTheFileTheDirectoriesAndTheFix) {
  auto missing = module_symbol("certkeeper-nonexistent.so", "entry");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::io);
  EXPECT_EQ(missing.error().subject, "certkeeper-nonexistent.so");
  EXPECT_NE(missing.error().message.find(own_dir()), std::string::npos) << missing.error().message;
  EXPECT_NE(missing.error().message.find("reinstall certkeeper"), std::string::npos) << missing.error().message;
}

TEST(ModuleLoader, AMissingSymbolIsAnErrorNotACrash) {
  auto missing = module_symbol("certkeeper-curl.so", "no_such_entry_point");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::io);
  EXPECT_NE(missing.error().message.find("no_such_entry_point"), std::string::npos);
}

}  // namespace
}  // namespace certkeeper
