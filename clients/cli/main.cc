// engram: the command-line client of engramd (a gRPC client like the editors).
#include <cstdio>

#include "CLI/CLI.hpp"
#include "clients/cli/connection.h"
#include "clients/cli/daemon_commands.h"
#include "clients/cli/exit_codes.h"
#include "clients/cli/model_commands.h"
#include "clients/cli/workspace_commands.h"

int main(int argc, char** argv) {
  using namespace engram::cli;
  CLI::App app{"engram: talk to the engram daemon (engramd)."};
  app.footer(
      "Exit codes: 0 ok, 1 the daemon answered with an error, 2 usage, 3 engramd not reachable,\n"
      "            4 unauthenticated (TCP token), 5 timed out.");
  app.require_subcommand(1);
  app.fallthrough();  // global flags (--json, --socket, ...) may follow the subcommand
  ConnectionOptions conn_options;
  bool json = false;
  app.add_option("--socket", conn_options.socket_path, "engramd's unix socket (default: $XDG_RUNTIME_DIR/engram/engramd.sock)");
  app.add_option("--tcp", conn_options.tcp_address, "use loopback TCP instead, e.g. 127.0.0.1:7411");
  app.add_option("--token-file", conn_options.token_file, "bearer token for TCP (default: $XDG_DATA_HOME/engram/tcp.token; $ENGRAM_TOKEN wins)");
  app.add_option("--timeout", conn_options.timeout_s, "seconds to wait for each answer")->capture_default_str();
  app.add_flag("--json", json, "machine-readable output");

  auto* status = app.add_subcommand("status", "print the daemon's status");
  std::string reason;
  auto* shutdown = app.add_subcommand("shutdown", "stop the daemon gracefully");
  shutdown->add_option("--reason", reason, "logged by the daemon");
  auto* daemon = app.add_subcommand("daemon", "manage the daemon process");
  daemon->require_subcommand(1);
  daemon->fallthrough();
  DaemonStartOptions start_options;
  auto* start = daemon->add_subcommand("start", "start engramd in the background if it is not running, and wait until it answers");
  start->add_option("--engramd", start_options.engramd, "path to the engramd binary");
  start->add_option("--wait", start_options.wait_s, "seconds to wait for the daemon to answer")->capture_default_str();
  start->add_option("args", start_options.args, "extra engramd arguments (after --)");

  auto* model = app.add_subcommand("model", "manage the daemon's model");
  model->require_subcommand(1);
  model->fallthrough();
  std::string model_path;
  auto* load = model->add_subcommand("load", "load a GGUF model into the daemon");
  load->add_option("path", model_path, "model file")->required();

  GenerationFlags gen;
  auto add_generation_flags = [&](CLI::App* cmd) {
    cmd->add_option("--max-tokens", gen.max_tokens, "tokens to generate (default 256)");
    cmd->add_option("--temperature", gen.temperature, "0: greedy");
    cmd->add_option("--top-p", gen.top_p, "nucleus sampling");
    cmd->add_option("--top-k", gen.top_k, "top-k sampling");
    cmd->add_option("--seed", gen.seed, "random seed");
    cmd->add_option("--stop", gen.stop, "stop string (repeatable)");
  };
  std::string prompt, suffix, system;
  auto* complete = app.add_subcommand("complete", "stream a completion of PROMPT (fill-in-the-middle with --suffix)");
  complete->add_option("prompt", prompt, "text to continue")->required();
  auto* suffix_opt = complete->add_option("--suffix", suffix, "text after the cursor: fill in the middle");
  add_generation_flags(complete);
  std::vector<std::string> messages;
  auto* chat = app.add_subcommand("chat", "stream the answer to one or more user messages");
  chat->add_option("messages", messages, "user message(s)")->required();
  chat->add_option("--system", system, "system prompt");
  add_generation_flags(chat);

  std::string index_path;
  IndexFlags index_flags;
  auto* index = app.add_subcommand("index", "index a repository (default: the current directory) and keep it current");
  index->add_option("path", index_path, "workspace directory");
  index->add_flag("--no-watch", index_flags.no_watch, "index once; do not watch for changes");
  index->add_option("--history", index_flags.history_commits, "commits of history to read (default 2000)");
  SearchFlags search_flags;
  auto add_workspace_flags = [&](CLI::App* cmd) {
    cmd->add_option("--workspace,-w", search_flags.workspace, "workspace path or id (default: the one containing the current directory)");
    cmd->add_option("--limit,-n", search_flags.limit, "at most this many results (default 50)");
  };
  std::string query;
  auto* search = app.add_subcommand("search", "find symbols by name (prefix by default) or text with --text");
  search->add_option("query", query, "name or text")->required();
  search->add_flag("--text,-t", search_flags.text, "full-text search over the code");
  search->add_flag("--exact", search_flags.exact, "exact (or qualified) name");
  search->add_flag("--fuzzy,-f", search_flags.fuzzy, "fuzzy name match (subsequence)");
  search->add_flag("--def", search_flags.definition, "definitions of this exact name");
  add_workspace_flags(search);
  std::string outline_file;
  auto* outline = app.add_subcommand("outline", "list the definitions in FILE");
  outline->add_option("file", outline_file, "source file")->required();
  add_workspace_flags(outline);
  std::string refs_name;
  auto* refs = app.add_subcommand("refs", "find calls and type uses of NAME");
  refs->add_option("name", refs_name, "identifier")->required();
  add_workspace_flags(refs);
  std::string context_text;
  ContextFlags context_flags;
  auto* context = app.add_subcommand("context", "what the project memory retrieves for TEXT, with the reasons");
  context->add_option("text", context_text, "instruction, error message, stack trace or code");
  context->add_option("--file", context_flags.file, "the current file");
  context->add_option("--line", context_flags.line, "the cursor line in --file (1-based)");
  context->add_option("--id", context_flags.identifiers, "an identifier the request names (repeatable)");
  context->add_option("--budget", context_flags.budget, "token budget (default 8000)");
  context->add_flag("--brief", context_flags.brief, "print the items and reasons without their text");
  add_workspace_flags(context);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  Connection conn(conn_options);
  if (!conn.token_error().empty()) {
    std::fprintf(stderr, "engram: %s\n", conn.token_error().c_str());
    return kExitUnauthorized;
  }
  if (*status) return RunStatus(conn, json);
  if (*shutdown) return RunShutdown(conn, json, reason);
  if (*start) return RunDaemonStart(conn, conn_options, start_options, json);
  if (*load) return RunModelLoad(conn, model_path, json);
  if (*complete) return RunComplete(conn, prompt, suffix_opt->count() > 0, suffix, gen, json);
  if (*chat) return RunChat(conn, messages, system, gen, json);
  if (*index) return RunIndex(conn, index_path, index_flags, json);
  if (*search) return RunSearch(conn, query, search_flags, json);
  if (*outline) return RunOutline(conn, outline_file, search_flags, json);
  if (*refs) return RunRefs(conn, refs_name, search_flags, json);
  if (*context) return RunContext(conn, context_text, context_flags, search_flags, json);
  return kExitUsage;
}
