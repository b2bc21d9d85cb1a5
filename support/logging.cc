#include "support/logging.h"

#include <mutex>
#include <vector>

#include "spdlog/sinks/basic_file_sink.h"
#include "spdlog/sinks/stdout_sinks.h"

namespace engram {
namespace {

constexpr char kPattern[] = "ts=%Y-%m-%dT%H:%M:%S.%e%z level=%l component=%n pid=%P msg=\"%v\"";

struct Registry {
  std::mutex mu;
  std::vector<spdlog::sink_ptr> sinks;  // guarded by mu
  spdlog::level::level_enum level = spdlog::level::info;
};

Registry& GetRegistry() {
  static Registry* registry = [] {
    auto* r = new Registry;
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    sink->set_pattern(kPattern);
    r->sinks.push_back(sink);
    return r;
  }();
  return *registry;
}

}  // namespace

absl::Status InitLogging(const LogOptions& options) {
  auto level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    return absl::InvalidArgumentError("log: unknown level '" + options.level +
                                      "' (expected trace, debug, info, warn, error or off)");
  }
  std::vector<spdlog::sink_ptr> sinks;
  if (options.to_stderr) sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (!options.file.empty()) {
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file));
    } catch (const spdlog::spdlog_ex& e) {
      return absl::UnavailableError("log: cannot open log file '" + options.file + "': " + e.what());
    }
  }
  for (auto& s : sinks) s->set_pattern(kPattern);

  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.sinks = sinks;
  r.level = level;
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& logger) {
    logger->sinks() = sinks;
    logger->set_level(level);
  });
  spdlog::flush_on(spdlog::level::info);
  return absl::OkStatus();
}

std::shared_ptr<spdlog::logger> GetLogger(std::string_view component) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  std::string name(component);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = std::make_shared<spdlog::logger>(name, r.sinks.begin(), r.sinks.end());
  logger->set_level(r.level);
  logger->flush_on(spdlog::level::info);
  spdlog::register_logger(logger);
  return logger;
}

void FlushLogs() {
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& logger) { logger->flush(); });
}

}  // namespace engram
