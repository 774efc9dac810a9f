// store::parse_location: the value of --db / CERTKEEPER_DB.
#include <gtest/gtest.h>

#include "certkeeper/store/location.h"

namespace certkeeper::store {
namespace {

TEST(Location, APathOrSqlitePathIsTheSqliteFile) {
  for (const auto& [value, path] : std::vector<std::pair<std::string, std::string>>{
           {"/var/lib/certkeeper/certkeeper.db", "/var/lib/certkeeper/certkeeper.db"},
           {"relative/x.db", "relative/x.db"},
           {"sqlite:/var/lib/x.db", "/var/lib/x.db"},
           {"sqlite:x.db", "x.db"},
           {"./postgresql://x", "./postgresql://x"}}) {
    auto l = parse_location(value);
    ASSERT_TRUE(l) << value << ": " << l.error().what();
    EXPECT_EQ(l->backend, Backend::sqlite);
    EXPECT_EQ(l->path, path);
  }
  EXPECT_STREQ(backend_name(Backend::sqlite), "sqlite");
}

TEST(Location, APostgresqlUriIsThePostgresqlInventoryAsGiven) {
  for (const std::string value : {"postgresql://db.example.test/ck", "postgres://h",
                                  "postgresql://ck@db:5433/ck?sslmode=verify-full&sslrootcert=/etc/ca.pem",
                                  "postgresql:///ck?host=/run/postgresql"}) {
    auto l = parse_location(value);
    ASSERT_TRUE(l) << value << ": " << l.error().what();
    EXPECT_EQ(l->backend, Backend::postgresql);
    EXPECT_EQ(l->path, value);
    EXPECT_TRUE(is_postgresql_location(l->path));
  }
  EXPECT_FALSE(is_postgresql_location("./postgresql://x"));
  EXPECT_STREQ(backend_name(Backend::postgresql), "postgresql");
}

TEST(Location, OtherSchemesAreUsageErrorsNamingThem) {
  for (const std::string value : {"mysql://h/x", "sqlite:///x.db", "postgresqlx://h/x", "file:///x.db"}) {
    auto l = parse_location(value);
    ASSERT_FALSE(l) << value;
    EXPECT_EQ(l.error().code, Errc::usage);
    EXPECT_EQ(l.error().subject, value);
  }
  EXPECT_FALSE(parse_location("sqlite:"));
  EXPECT_FALSE(parse_location(""));
}

TEST(Location, APasswordIsMaskedWhateverTheScheme) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"postgresql://ck:hunter2@db.example.test:5432/ck", "postgresql://ck:***@db.example.test:5432/ck"},
      {"postgresql://ck:hunter2@db/ck?sslmode=verify-full", "postgresql://ck:***@db/ck?sslmode=verify-full"},
      {"postgresql://db/ck?password=hunter2&sslmode=require", "postgresql://db/ck?password=***&sslmode=require"},
      {"postgresql://db/ck?sslmode=require&password=hunter2", "postgresql://db/ck?sslmode=require&password=***"},
      {"sqlite://u:hunter2@x/y.db", "sqlite://u:***@x/y.db"},
      {"postgresql://a:b:hunter2@h/", "postgresql://a:***@h/"},
  };
  for (const auto& [value, shown] : cases) {
    auto l = parse_location(value);
    ASSERT_FALSE(l) << value;
    EXPECT_EQ(l.error().code, Errc::usage);
    EXPECT_EQ(l.error().subject, shown);
    EXPECT_EQ(l.error().what().find("hunter2"), std::string::npos) << l.error().what();
    EXPECT_NE(l.error().message.find("password"), std::string::npos);
  }
  // A user name alone is no password.
  auto l = parse_location("postgresql://ck@db/ck");
  ASSERT_TRUE(l) << l.error().what();
  EXPECT_EQ(l->path, "postgresql://ck@db/ck");
}

}  // namespace
}  // namespace certkeeper::store
