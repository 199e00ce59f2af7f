#include "core/log.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <string>

#include "core/clock.hpp"
#include "core/json_text.hpp"
#include "core/time_format.hpp"

namespace latchkey::core {
namespace {

std::atomic<LogFormat> g_format{LogFormat::text};

spdlog::level::level_enum to_spdlog(LogLevel l) {
  switch (l) {
    case LogLevel::debug:
      return spdlog::level::debug;
    case LogLevel::info:
      return spdlog::level::info;
    case LogLevel::warn:
      return spdlog::level::warn;
    case LogLevel::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

const char* level_name(LogLevel l) {
  switch (l) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
  }
  return "info";
}

// Text values with spaces or quotes are quoted so a line stays machine-splittable.
void append_text_value(std::string& out, std::string_view s) {
  if (s.find_first_of(" \"=\n") == std::string_view::npos && !s.empty()) {
    out += s;
  } else {
    append_json_string(out, s);
  }
}

}  // namespace

void init_logging(LogFormat format, LogLevel min_level) {
  g_format = format;
  // stderr through a buffered stream: spdlog's stderr sink flushes every line, one write(2)
  // per request. Lines are flushed every second, at once for warnings and errors, and at exit.
  std::shared_ptr<spdlog::logger> logger;
  try {
    logger = spdlog::basic_logger_mt("latchkey", "/dev/stderr", /*truncate=*/false);
  } catch (const spdlog::spdlog_ex&) {
    logger = spdlog::stderr_logger_mt("latchkey");  // no /dev (minimal containers)
  }
  if (format == LogFormat::json) {
    logger->set_pattern("%v");  // the whole line is built in log_event
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(to_spdlog(min_level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  spdlog::flush_every(std::chrono::seconds(1));
}

void flush_logs() { spdlog::default_logger_raw()->flush(); }

bool log_enabled(LogLevel level) {
  return spdlog::default_logger_raw()->should_log(to_spdlog(level));
}

void log_event(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  auto* logger = spdlog::default_logger_raw();
  if (!logger->should_log(to_spdlog(level))) return;
  std::string line;
  line.reserve(160);
  if (g_format == LogFormat::json) {
    line += "{\"ts\":";
    append_json_string(line, format_rfc3339(SystemClock().now_us()));
    line += ",\"level\":\"";
    line += level_name(level);
    line += "\",\"msg\":";
    append_json_string(line, msg);
    for (const auto& f : fields) {
      line.push_back(',');
      append_json_string(line, f.key);
      line.push_back(':');
      if (auto* s = std::get_if<std::string_view>(&f.value)) {
        append_json_string(line, *s);
      } else if (auto* i = std::get_if<int64_t>(&f.value)) {
        line += std::to_string(*i);
      } else {
        line += fmt::format("{:.3f}", std::get<double>(f.value));
      }
    }
    line.push_back('}');
  } else {
    line += msg;
    for (const auto& f : fields) {
      line.push_back(' ');
      line += f.key;
      line.push_back('=');
      if (auto* s = std::get_if<std::string_view>(&f.value)) {
        append_text_value(line, *s);
      } else if (auto* i = std::get_if<int64_t>(&f.value)) {
        line += std::to_string(*i);
      } else {
        line += fmt::format("{:.3f}", std::get<double>(f.value));
      }
    }
  }
  logger->log(to_spdlog(level), "{}", line);
}

}  // namespace latchkey::core
