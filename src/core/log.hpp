#pragma once
// Structured logging over spdlog: one event = a message plus key/value fields, printed as
// `msg k=v ...` (text) or one JSON object per line (json). Never pass secrets (passwords,
// tokens, hashes) as fields.
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <variant>

namespace latchkey::core {

enum class LogFormat { text, json };
enum class LogLevel { debug, info, warn, error };

struct LogField {
  std::string_view key;
  std::variant<std::string_view, int64_t, double> value;
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, int64_t v) : key(k), value(v) {}
  LogField(std::string_view k, int v) : key(k), value(int64_t(v)) {}
  LogField(std::string_view k, unsigned v) : key(k), value(int64_t(v)) {}
  LogField(std::string_view k, uint64_t v) : key(k), value(int64_t(v)) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
};

// Call once at start; before it, events go to stderr as text at info level.
void init_logging(LogFormat format, LogLevel min_level);
void log_event(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
bool log_enabled(LogLevel level);
// Writes out buffered lines (info lines are flushed periodically, warnings at once).
void flush_logs();

}  // namespace latchkey::core
