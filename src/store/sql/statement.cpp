#include "statement.h"

#include "certkeeper/util/text.h"

namespace certkeeper::store::sql {

Database::Database(std::unique_ptr<Driver> driver) : driver_(std::move(driver)), dialect_(driver_->dialect()) {}

void Database::exec(std::string_view script) {
  Failure failure;
  if (!driver_->exec(script, failure)) throw DbError(failure);
}

std::vector<std::string> Database::notifications() {
  std::vector<std::string> payloads;
  Failure failure;
  if (!driver_->notifications(payloads, failure)) throw DbError(failure);
  return payloads;
}

std::int64_t Database::query_int(std::string_view sql) {
  Statement q(*this, sql);
  if (!q.executeStep() || q.is_null(0)) return 0;
  return q.int64(0);
}

bool Column::isNull() const { return q_.is_null(index_); }
std::int64_t Column::getInt64() const { return q_.int64(index_); }
std::string Column::getString() const { return q_.text(index_); }
std::string_view Column::view() const { return q_.view(index_); }

Statement::Statement(Database& db, std::string_view sql) {
  Failure failure;
  cursor_ = db.driver().prepare(sql, failure);
  if (!cursor_) throw DbError(failure);
}

Param& Statement::set(int index) {
  if (index < 1) throw DbError(Failure{FailureKind::other, "SQL parameter index out of range"});
  if (params_.size() < static_cast<std::size_t>(index)) params_.resize(static_cast<std::size_t>(index));
  return params_[static_cast<std::size_t>(index - 1)];
}

int Statement::index_of(const char* name) const {
  int index = cursor_->parameter_index(name);
  if (index == 0) throw DbError(Failure{FailureKind::other, std::string("no SQL parameter ") + name});
  return index;
}

void Statement::bind(int index, std::string_view value) {
  Param& p = set(index);
  p.type = Param::Type::text;
  // The store's texts are valid UTF-8 without NUL on both backends
  // (PostgreSQL refuses anything else, SQLite would keep it): outside text
  // (a certificate field, an error a server sent) that is not is stored
  // with the bytes written as \xNN (text::to_utf8), and a NUL as the four
  // characters \x00, which is how every output shows them anyway. The
  // callers already pass such text through to_utf8; this is the net under
  // them.
  if (!text::is_utf8(value)) {
    p.text = text::to_utf8(value);
    value = p.text;
  }
  if (value.find('\0') == std::string_view::npos) {
    if (p.text.data() != value.data()) p.text.assign(value);
    return;
  }
  std::string out;
  out.reserve(value.size() + 8);
  for (const char c : value) {
    if (c == '\0') {
      out += "\\x00";
    } else {
      out += c;
    }
  }
  p.text = std::move(out);
}

void Statement::bind(int index) { set(index).type = Param::Type::null; }

void Statement::bind(int index, const std::optional<std::int64_t>& value) {
  if (value) {
    bind(index, *value);
  } else {
    bind(index);
  }
}

void Statement::bind_blob(int index, std::string_view bytes) {
  Param& p = set(index);
  p.type = Param::Type::blob;
  p.text.assign(bytes);
}

bool Statement::executeStep() {
  // As SQLiteCpp: a statement that has run to its end runs again only
  // after reset(), so that a forgotten reset is a loud error.
  if (done_) throw DbError(Failure{FailureKind::other, "a finished statement was stepped again without reset()"});
  Failure failure;
  int rc = cursor_->step(params_, failure);
  if (rc < 0) throw DbError(failure);
  if (rc == 0) done_ = true;
  return rc == 1;
}

std::int64_t Statement::exec() {
  while (executeStep()) {
  }
  // done_ now: a second exec() needs reset() first.
  return cursor_->changes();
}

void Statement::reset() {
  cursor_->reset();
  done_ = false;
}

Transaction::Transaction(Database& db, bool write) : db_(db) {
  Failure failure;
  if (!db_.driver().begin(write, failure)) throw DbError(failure);
}

Transaction::~Transaction() {
  if (open_) db_.driver().rollback();
}

void Transaction::commit() {
  Failure failure;
  open_ = false;
  if (!db_.driver().commit(failure)) {
    db_.driver().rollback();
    throw DbError(failure);
  }
}

}  // namespace certkeeper::store::sql
