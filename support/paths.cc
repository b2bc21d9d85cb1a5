#include "support/paths.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace engram {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return (v != nullptr && v[0] == '/') ? std::string(v) : std::string();  // XDG: relative paths are ignored
}

std::string Home() {
  std::string home = Env("HOME");
  if (!home.empty()) return home;
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_dir != nullptr) return pw->pw_dir;
  return "/tmp";
}

std::string XdgOr(const char* var, const char* home_suffix) {
  std::string base = Env(var);
  if (base.empty()) base = Home() + home_suffix;
  return base + "/engram";
}

}  // namespace

std::string RuntimeDir() {
  std::string base = Env("XDG_RUNTIME_DIR");
  if (base.empty()) return "/tmp/engram-" + std::to_string(::getuid());
  return base + "/engram";
}

std::string DataDir() { return XdgOr("XDG_DATA_HOME", "/.local/share"); }
std::string CacheDir() { return XdgOr("XDG_CACHE_HOME", "/.cache"); }
std::string ConfigDir() { return XdgOr("XDG_CONFIG_HOME", "/.config"); }
std::string DefaultSocketPath() { return RuntimeDir() + "/engramd.sock"; }

}  // namespace engram
