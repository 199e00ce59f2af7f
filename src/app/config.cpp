#include "app/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "crypto/digest.hpp"

namespace latchkey::app {
namespace {

constexpr size_t kMinSecretBytes = 32;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

Result<std::string> checked_secret(std::string secret, std::string_view source) {
  if (secret.size() < kMinSecretBytes) {
    return fail(Error::startup(Errc::invalid_input, std::string(source) + " is " + std::to_string(secret.size()) +
                    " bytes long; a JWT secret needs at least 32 random bytes. Make one with: "
                    "openssl rand -base64 48"));
  }
  return secret;
}

}  // namespace

Result<Listen> parse_listen(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return fail(Error::startup(Errc::invalid_input, "listen address must look like [::1]:8000"));
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return fail(Error::startup(Errc::invalid_input, "listen address '" + std::string(text) +
                                           "' must be HOST:PORT, e.g. 127.0.0.1:8000"));
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || port.empty() || ec != std::errc() || end != port.data() + port.size() ||
      value > 65535) {
    return fail(Error::startup(Errc::invalid_input, "listen address '" + std::string(text) + "' must be HOST:PORT with a port 0-65535"));
  }
  return Listen{std::string(host), uint16_t(value)};
}

size_t effective_max_connections(size_t configured, uint64_t descriptor_limit, uint64_t reserved) {
  if (descriptor_limit <= reserved) return 1;
  const uint64_t room = descriptor_limit - reserved;
  return room < configured ? static_cast<size_t>(room) : configured;
}

Result<void> load_dotenv(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    auto s = trim(line);
    if (s.empty() || s.front() == '#') continue;
    if (s.substr(0, 7) == "export ") s = trim(s.substr(7));
    const auto eq = s.find('=');
    if (eq == std::string_view::npos) {
      return fail(Error::startup(Errc::invalid_input, path + ":" + std::to_string(number) + ": expected KEY=VALUE"));
    }
    const std::string key(trim(s.substr(0, eq)));
    auto value = trim(s.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    } else if (const auto hash = value.find(" #"); hash != std::string_view::npos) {
      value = trim(value.substr(0, hash));
    }
    if (key.empty()) continue;
    setenv(key.c_str(), std::string(value).c_str(), /*overwrite=*/0);
  }
  return {};
}

Result<std::string> resolve_jwt_secret(const std::string& data_dir) {
  if (const char* v = std::getenv("LATCHKEY_JWT_SECRET"); v && *v) {
    return checked_secret(v, "LATCHKEY_JWT_SECRET");
  }
  if (const char* v = std::getenv("SECRET_KEY"); v && *v) return checked_secret(v, "SECRET_KEY");

  const std::string path = data_dir + "/jwt_secret";
  if (std::ifstream in(path); in) {
    std::stringstream text;
    text << in.rdbuf();
    std::string secret(trim(text.str()));
    while (!secret.empty() && secret.back() == '\n') secret.pop_back();
    return checked_secret(std::move(secret), path);
  }
  // First start: 32 random bytes, kept as base64url text so the same value can be copied
  // into LATCHKEY_JWT_SECRET on other nodes. O_EXCL: never overwrite a secret.
  const std::string secret = crypto::random_token(kMinSecretBytes);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return fail(Error::startup(Errc::unavailable, "cannot create " + path + ": " + std::strerror(errno)));
  }
  const std::string line = secret + "\n";
  const bool written =
      ::write(fd, line.data(), line.size()) == ssize_t(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written)
    return fail(Error::startup(Errc::unavailable, "cannot write " + path + ": " + std::strerror(errno)));
  return secret;
}

Result<DatabaseTarget> parse_database_url(const Config& config) {
  std::string_view url = config.database_url;
  if (url.empty())
    return DatabaseTarget{DatabaseTarget::Kind::sqlite, config.data_dir + "/latchkey.db"};
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    return DatabaseTarget{DatabaseTarget::Kind::postgres, std::string(url)};
  }
  if (url.starts_with("sqlite://")) {
    url.remove_prefix(9);
  } else if (url.starts_with("sqlite:")) {
    url.remove_prefix(7);
  } else if (url.find("://") != std::string_view::npos) {
    return fail(Error::startup(Errc::invalid_input, "database URL scheme not supported: use sqlite:PATH"));
  }
  if (url.empty()) return fail(Error::startup(Errc::invalid_input, "database URL names no SQLite file"));
  return DatabaseTarget{DatabaseTarget::Kind::sqlite, std::string(url)};
}

}  // namespace latchkey::app
