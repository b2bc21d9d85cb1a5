// engram-eval: check the engine against other implementations.
//
//   engram-eval logits --model M --tokens-file F --out O [--mode batch|seq|chunk --chunk N]
//                      [--kv f32|f16|bf16|fp8] [--threads N]
//     writes the logits of every position as raw little-endian float32 [n_tokens, n_vocab]
//     (the format of tests/golden), computed in one batch, one token at a time, or in chunks.
//   engram-eval tokenize --model M  < text
//     prints the token ids of stdin (UTF-8, no BOS) as a JSON array.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "engine/gguf/gguf_file.h"
#include "engine/model/model.h"
#include "engine/tokenizer/bpe.h"


namespace {

using engram::ThreadPool;
namespace engine = engram::engine;

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "engram-eval: %s\n", std::string(s.message()).c_str());
  return 1;
}

absl::StatusOr<std::vector<int32_t>> ReadTokens(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("cannot open tokens file '" + path + "'");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<int32_t> ids;
  std::string item;
  std::istringstream items(text);
  while (std::getline(items, item, ',')) {
    size_t b = item.find_first_not_of(" \t\r\n"), e = item.find_last_not_of(" \t\r\n");
    if (b == std::string::npos) continue;
    item = item.substr(b, e - b + 1);
    if (item.find_first_not_of("0123456789") != std::string::npos) {
      return absl::InvalidArgumentError("tokens file '" + path + "': '" + item + "' is not a token id");
    }
    ids.push_back(std::stoi(item));
  }
  return ids;
}

int RunLogits(const std::string& model_path, const std::string& tokens_path, const std::string& out_path,
              const std::string& mode, int chunk, int threads, const std::string& kv) {
  auto file = engine::gguf::File::Open(model_path);
  if (!file.ok()) return Fail(file.status());
  ThreadPool pool(threads);
  auto model = engine::LoadModel(std::shared_ptr<const engine::gguf::File>(std::move(*file)), &pool);
  if (!model.ok()) return Fail(model.status());
  auto tokens = ReadTokens(tokens_path);
  if (!tokens.ok()) return Fail(tokens.status());
  const size_t n = tokens->size(), V = static_cast<size_t>((*model)->info().n_vocab);
  size_t step = mode == "batch" ? n : mode == "seq" ? 1 : static_cast<size_t>(chunk);
  if (step == 0) step = 1;
  auto seq = (*model)->NewSequence(static_cast<int64_t>(n), *engine::KvTypeFromName(kv));
  std::vector<float> logits(n * V);
  for (size_t b = 0; b < n; b += step) {
    size_t m = std::min(step, n - b);
    absl::Status s = (*model)->Forward(std::span<const int32_t>(*tokens).subspan(b, m), seq.get(), true,
                                       logits.data() + b * V);
    if (!s.ok()) return Fail(s);
  }
  std::ofstream out(out_path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(logits.data()), static_cast<std::streamsize>(logits.size() * sizeof(float)));
  if (!out) return Fail(absl::UnavailableError("cannot write '" + out_path + "'"));
  std::fprintf(stderr, "engram-eval: wrote %zu x %zu logits to %s\n", n, V, out_path.c_str());
  return 0;
}

int RunTokenize(const std::string& model_path) {
  auto file = engine::gguf::File::Open(model_path);
  if (!file.ok()) return Fail(file.status());
  auto tokenizer = engine::tokenizer::Tokenizer::FromGguf(**file);
  if (!tokenizer.ok()) return Fail(tokenizer.status());
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  std::vector<engine::tokenizer::TokenId> ids = (*tokenizer)->Encode(text);
  std::string json = "[";
  for (size_t i = 0; i < ids.size(); ++i) json += (i ? "," : "") + std::to_string(ids[i]);
  std::printf("%s]\n", json.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"engram-eval: compare the engine with other implementations"};
  app.require_subcommand(1);
  std::string model, tokens_file, out, mode = "batch";
  int chunk = 16, threads = 0;
  std::string kv = "f32";
  auto* logits = app.add_subcommand("logits", "write the logits of every position (float32 [n_tokens, n_vocab])");
  logits->add_option("--model", model, "GGUF model")->required();
  logits->add_option("--tokens-file", tokens_file, "comma-separated token ids")->required();
  logits->add_option("--out", out, "output file")->required();
  logits->add_option("--mode", mode, "batch, seq or chunk")->check(CLI::IsMember({"batch", "seq", "chunk"}))->capture_default_str();
  logits->add_option("--chunk", chunk, "tokens per step in chunk mode")->check(CLI::PositiveNumber)->capture_default_str();
  logits->add_option("--threads", threads, "threads (0: all cores)")->capture_default_str();
  logits->add_option("--kv", kv, "KV cache storage: f32, f16, bf16 or fp8")
      ->check(CLI::IsMember({"f32", "f16", "bf16", "fp8"}))
      ->capture_default_str();
  auto* tokenize = app.add_subcommand("tokenize", "print the token ids of stdin as a JSON array (no BOS)");
  tokenize->add_option("--model", model, "GGUF model or vocabulary file")->required();
  CLI11_PARSE(app, argc, argv);
  if (*logits) return RunLogits(model, tokens_file, out, mode, chunk, threads, kv);
  return RunTokenize(model);
}
