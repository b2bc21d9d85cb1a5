#include "clients/cli/model_commands.h"

#include <cstdio>
#include <filesystem>


#include "clients/cli/exit_codes.h"
#include "clients/cli/json_output.h"
#include "engram/v1/model.grpc.pb.h"

namespace engram::cli {
namespace {


void FillSampling(const GenerationFlags& f, v1::Sampling* s) {
  s->set_temperature(f.temperature);
  s->set_top_p(f.top_p);
  s->set_top_k(f.top_k);
  s->set_seed(f.seed);
}

// Prints the stream: text as it arrives (or one JSON object per event), then a summary line on
// stderr. Exit code from the final status.
template <typename Reader>
int Stream(Reader* reader, grpc::ClientContext* ctx, const std::string& target, bool json) {
  (void)ctx;
  v1::CompletionEvent event;
  v1::CompletionSummary summary;
  while (reader->Read(&event)) {
    if (json) {
      std::printf("%s\n", ToJson(event, false).c_str());
    } else if (event.has_token()) {
      std::fputs(event.token().text().c_str(), stdout);
    }
    std::fflush(stdout);
    if (event.has_summary()) summary = event.summary();
  }
  grpc::Status st = reader->Finish();
  if (!json) {
    std::printf("\n");
    if (summary.completion_tokens() > 0 || st.ok()) {
      double tps = summary.decode_ms() > 0 ? summary.completion_tokens() * 1000.0 / summary.decode_ms() : 0.0;
      std::fprintf(stderr, "[%s: %d prompt + %d generated tokens, prefill %.0f ms, %.1f tokens/s]\n",
                   summary.finish_reason().c_str(), summary.prompt_tokens(), summary.completion_tokens(),
                   summary.prefill_ms(), tps);
    }
  }
  if (!st.ok()) return ReportRpcError(st, target);
  return kExitOk;
}

}  // namespace

constexpr double kLongCallS = 3600.0;  // loads and generations are not cut by the unary timeout

int RunModelLoad(const Connection& conn, const std::string& path, bool json) {
  auto stub = v1::Model::NewStub(conn.channel());
  auto ctx = conn.NewContext(kLongCallS);
  v1::LoadModelRequest req;
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  req.set_path(ec ? path : abs.lexically_normal().string());
  v1::LoadModelResponse resp;
  grpc::Status st = stub->Load(ctx.get(), req, &resp);
  if (!st.ok()) return ReportRpcError(st, conn.target());
  const v1::LoadedModelInfo& m = resp.model();
  if (json) {
    std::printf("%s\n", ToJson(resp, false).c_str());
    return kExitOk;
  }
  std::printf("loaded %s\n  architecture %s%s\n  parameters   %.3f M, %.1f MiB of tensors\n", m.path().c_str(),
              m.architecture().c_str(), m.name().empty() ? "" : (" (" + m.name() + ")").c_str(),
              m.parameters() / 1e6, m.bytes() / 1048576.0);
  std::string mix;
  for (const auto& [type, bytes] : m.bytes_by_type()) {
    char item[64];
    std::snprintf(item, sizeof item, "%s%s %.1f MiB", mix.empty() ? "" : ", ", type.c_str(), bytes / 1048576.0);
    mix += item;
  }
  std::printf("  tensors      %s\n  vocabulary   %lld tokens, %lld layers, context %lld\n  KV cache     %s, %lld "
              "bytes per token\n  daemon RSS   %.1f MiB (loaded in %.0f ms)\n",
              mix.c_str(), static_cast<long long>(m.vocab_size()), static_cast<long long>(m.layers()),
              static_cast<long long>(m.context()), m.kv_type().c_str(), static_cast<long long>(m.kv_bytes_per_token()),
              m.rss_bytes() / 1048576.0, m.load_ms());
  return kExitOk;
}

int RunComplete(const Connection& conn, const std::string& prompt, bool suffix_set, const std::string& suffix,
                const GenerationFlags& flags, bool json) {
  auto stub = v1::Model::NewStub(conn.channel());
  auto ctx = conn.NewContext(kLongCallS);
  v1::CompleteRequest req;
  req.set_prompt(prompt);
  if (suffix_set) req.set_suffix(suffix);
  req.set_max_tokens(flags.max_tokens);
  FillSampling(flags, req.mutable_sampling());
  for (const std::string& s : flags.stop) req.add_stop(s);
  auto reader = stub->Complete(ctx.get(), req);
  return Stream(reader.get(), ctx.get(), conn.target(), json);
}

int RunChat(const Connection& conn, const std::vector<std::string>& user_messages, const std::string& system,
            const GenerationFlags& flags, bool json) {
  auto stub = v1::Model::NewStub(conn.channel());
  auto ctx = conn.NewContext(kLongCallS);
  v1::ChatRequest req;
  for (const std::string& m : user_messages) {
    v1::ChatMessage* msg = req.add_messages();
    msg->set_role("user");
    msg->set_content(m);
  }
  req.set_system_prompt(system);
  req.set_max_tokens(flags.max_tokens);
  FillSampling(flags, req.mutable_sampling());
  for (const std::string& s : flags.stop) req.add_stop(s);
  auto reader = stub->Chat(ctx.get(), req);
  return Stream(reader.get(), ctx.get(), conn.target(), json);
}

}  // namespace engram::cli
