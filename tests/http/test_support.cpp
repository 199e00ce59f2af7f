#include "test_support.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>

#include "pg_support.hpp"

namespace latchkey::test {
namespace {

std::atomic<int> g_counter{0};

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), int(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace

std::string unique_email(std::string_view tag) {
  return std::string(tag) + "-" + std::to_string(getpid()) + "-" + std::to_string(++g_counter) +
         "@example.com";
}

std::string unique_password() {
  return "pw-" + std::to_string(getpid()) + "-" + std::to_string(++g_counter) + "-Zq8!vT";
}

Headers bearer(std::string_view token) {
  return {{"Authorization", "Bearer " + std::string(token)}};
}

Account register_account(const HttpClient& client, std::string_view tag) {
  Account a;
  a.email = unique_email(tag);
  a.password = unique_password();
  const Response r = client.post("/auth/register", {{"email", a.email}, {"password", a.password}});
  a.body = r.json();
  if (r.status != 200 || !a.body.is_object() || !a.body.contains("access_token") ||
      !a.body["access_token"].is_string() || !a.body.contains("user") ||
      !a.body["user"].is_object() || !a.body["user"].contains("id") ||
      !a.body["user"]["id"].is_string()) {
    a.error = "register " + a.email + " -> " + std::to_string(r.status) + " " + r.body;
    return a;
  }
  a.id = a.body["user"]["id"];
  a.access_token = a.body["access_token"];
  if (a.body.contains("refresh_token") && a.body["refresh_token"].is_string()) {
    a.refresh_token = a.body["refresh_token"];
  }
  a.ok = true;
  return a;
}

::testing::AssertionResult IsErrorBody(const Response& r, int status) {
  if (r.status != status) {
    return ::testing::AssertionFailure()
           << "status " << r.status << ", expected " << status << "; body: " << r.body;
  }
  const json j = r.json();
  if (!j.is_object())
    return ::testing::AssertionFailure() << "body is not a JSON object: " << r.body;
  if (!j.contains("detail") || !(j["detail"].is_string() || j["detail"].is_array())) {
    return ::testing::AssertionFailure() << "no string/list `detail`: " << r.body;
  }
  if (!j.contains("error") || j["error"] != true) {
    return ::testing::AssertionFailure() << "`error` is not true: " << r.body;
  }
  if (!j.contains("message") || !j["message"].is_string() ||
      j["message"].get<std::string>().empty()) {
    return ::testing::AssertionFailure() << "no non-empty string `message`: " << r.body;
  }
  if (!j.contains("status_code") || !j["status_code"].is_number_integer() ||
      j["status_code"] != status) {
    return ::testing::AssertionFailure() << "`status_code` is not " << status << ": " << r.body;
  }
  const auto type = r.header("Content-Type");
  if (!type || type->find("application/json") == std::string::npos) {
    return ::testing::AssertionFailure()
           << "Content-Type is " << type.value_or("<none>") << ", not application/json";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult IsError(const Response& r, int status, std::string_view detail) {
  auto shape = IsErrorBody(r, status);
  if (!shape) return shape;
  const json j = r.json();
  if (!j["detail"].is_string() || j["detail"] != detail) {
    return ::testing::AssertionFailure()
           << "detail is " << j["detail"].dump() << ", expected \"" << detail << "\"";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult IsValidationError(const Response& r) {
  auto shape = IsErrorBody(r, 422);
  if (!shape) return shape;
  const json j = r.json();
  if (!j["detail"].is_array() || j["detail"].empty()) {
    return ::testing::AssertionFailure() << "422 detail is not a non-empty list: " << r.body;
  }
  for (const auto& e : j["detail"]) {
    if (!e.is_object() || !e.contains("loc") || !e["loc"].is_array() || e["loc"].empty() ||
        !e.contains("msg") || !e["msg"].is_string() || !e.contains("type") ||
        !e["type"].is_string()) {
      return ::testing::AssertionFailure()
             << "422 detail entry is not {loc: [..], msg, type}: " << e.dump();
    }
    for (const auto& part : e["loc"]) {
      if (!part.is_string() && !part.is_number_integer()) {
        return ::testing::AssertionFailure() << "loc part is not a string or int: " << e.dump();
      }
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult IsUnauthorized(const Response& r) {
  auto shape = IsErrorBody(r, 401);
  if (!shape) return shape;
  const auto www = r.header("WWW-Authenticate");
  if (!www || www->rfind("Bearer", 0) != 0) {
    return ::testing::AssertionFailure()
           << "WWW-Authenticate is " << www.value_or("<absent>") << ", expected Bearer...";
  }
  return ::testing::AssertionSuccess();
}

std::optional<int64_t> parse_time_us(std::string_view s) {
  int y, mo, d, h, mi, sec, consumed = 0;
  const std::string z(s);
  if (std::sscanf(z.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &consumed) !=
          6 ||
      consumed != 19) {
    return std::nullopt;
  }
  size_t i = 19;
  int64_t frac_us = 0;
  if (i < z.size() && z[i] == '.') {
    ++i;
    int digits = 0;
    while (i < z.size() && z[i] >= '0' && z[i] <= '9') {
      if (digits < 6) frac_us = frac_us * 10 + (z[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return std::nullopt;
    for (int k = digits; k < 6; ++k) frac_us *= 10;
  }
  int64_t offset_s = 0;
  if (i < z.size() && z[i] == 'Z' && i + 1 == z.size()) {
    // UTC
  } else if (i + 6 == z.size() && (z[i] == '+' || z[i] == '-') && z[i + 3] == ':') {
    const int oh = std::atoi(z.substr(i + 1, 2).c_str());
    const int om = std::atoi(z.substr(i + 4, 2).c_str());
    offset_s = (z[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;  // no zone, or junk after it
  }
  using namespace std::chrono;
  const year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  const auto tp = sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec) - seconds(offset_s);
  return duration_cast<microseconds>(tp.time_since_epoch()).count() + frac_us;
}

int64_t now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

std::string base64url_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-')
      v = 62;
    else if (c == '_')
      v = 63;
    else
      return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((acc >> bits) & 0xff));
    }
  }
  return out;
}

json jwt_part(std::string_view token, int index) {
  size_t start = 0;
  for (int i = 0; i < index; ++i) {
    start = token.find('.', start);
    if (start == std::string_view::npos) return json::value_t::discarded;
    ++start;
  }
  const size_t end = token.find('.', start);
  if (end == std::string_view::npos) return json::value_t::discarded;
  const auto decoded = base64url_decode(token.substr(start, end - start));
  if (!decoded) return json::value_t::discarded;
  return json::parse(*decoded, nullptr, false);
}

std::string sign_hs256(const json& header, const json& payload, std::string_view key) {
  const std::string signing_input =
      base64url_encode(header.dump()) + "." + base64url_encode(payload.dump());
  return signing_input + "." + base64url_encode(hmac_sha256(key, signing_input));
}

std::string test_api_key(std::string_view role, int64_t ttl_s) {
  const int64_t now_s = now_us() / 1'000'000;
  return sign_hs256({{"alg", "HS256"}, {"typ", "JWT"}},
                    {{"iss", "latchkey"}, {"role", role}, {"iat", now_s}, {"exp", now_s + ttl_s}},
                    kTestJwtSecret);
}

bool has_hs256_signature(std::string_view token, std::string_view key) {
  const size_t last = token.rfind('.');
  if (last == std::string_view::npos) return false;
  const std::string expected = base64url_encode(hmac_sha256(key, token.substr(0, last)));
  const std::string_view actual = token.substr(last + 1);
  return expected.size() == actual.size() &&
         CRYPTO_memcmp(expected.data(), actual.data(), expected.size()) == 0;
}

std::unique_ptr<ServerProcess> ApiTest::server_;
std::string ApiTest::start_error_;
std::vector<std::string> ApiTest::database_args_;

void ApiTest::start_shared(ServeOptions options) {
  start_error_.clear();
  // LATCHKEY_TEST_BACKEND=postgres: the same suite against a fresh database on this process's
  // throwaway cluster (the http_postgres ctest entry).
  bool postgres = false;
  database_args_.clear();
  try {
    postgres = postgres_requested();
    if (postgres) {
      const PgDatabase db = new_database(testing::PgCluster::shared());
      database_args_ = {"--database-url", db.app_url};
      options = on_postgres(std::move(options), db);
    }
  } catch (const std::exception& e) {
    start_error_ = e.what();
    return;
  }
  server_ = ServerProcess::start(std::move(options), &start_error_);
  // A suite asked to run on PostgreSQL that silently ran on SQLite would prove nothing.
  if (server_ && postgres && ready_backend(*server_) != "postgres") {
    start_error_ = "LATCHKEY_TEST_BACKEND=postgres but the server is not on PostgreSQL:\n" +
                   server_->captured_stderr();
    server_.reset();
  }
}

RunResult ApiTest::run_admin(std::vector<std::string> args) {
  args.insert(args.end(), {"--data-dir", server_->data_dir().string()});
  args.insert(args.end(), database_args_.begin(), database_args_.end());
  return run_latchkey(args, {{"LATCHKEY_JWT_SECRET", std::string(kTestJwtSecret)}},
                      server_->data_dir());
}

void ApiTest::TearDownTestSuite() {
  if (!server_) return;
  const ExitStatus s = server_->stop();
  // A server that crashes or hangs on shutdown fails the suite that ran it.
  EXPECT_TRUE(s.exited && s.code == 0) << "server shutdown: " << describe(s) << "\n"
                                       << server_->captured_stderr();
  server_.reset();
}

void ApiTest::SetUp() {
  ASSERT_TRUE(server_ != nullptr) << "server did not start: " << start_error_;
  ASSERT_TRUE(server_->running()) << "server is gone; stderr:\n" << server_->captured_stderr();
}

}  // namespace latchkey::test
