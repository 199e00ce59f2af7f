#pragma once
// Direct access to a test server's SQLite file, for what the API cannot show (how a password
// is stored) or cannot set up (an item with an id the test chooses). Opened alongside the
// running server, as any other process could: WAL lets both use the file at once.
#include <sqlite3.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace latchkey::test {

class SqliteFile {
 public:
  enum class Mode { read_only, read_write };
  // Throws if the file cannot be opened (it is never created).
  SqliteFile(const std::filesystem::path& path, Mode mode);
  ~SqliteFile();
  SqliteFile(const SqliteFile&) = delete;
  SqliteFile& operator=(const SqliteFile&) = delete;

  // The first column of the first row of `sql`, `params` bound as text to ?1, ?2...;
  // nullopt if there is no row or the value is NULL. Throws on an SQL error.
  std::optional<std::string> scalar(const std::string& sql,
                                    const std::vector<std::string>& params = {});
  // Runs one statement to completion; throws on an SQL error.
  void run(const std::string& sql, const std::vector<std::string>& params = {});

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace latchkey::test
