// bench/engine: prefill and decode speed of the deepseek2 engine on a scaled-down DeepSeek-V3
// (random weights; shape from the engine issue), against the machine's memory read bandwidth
// measured in the same run.
//
//   engine_bench [--threads 2] [--dir /tmp/engram-bench] [--prompt 512] [--decode 128] [--mix q8_0,q4_k_m]
//
// decode efficiency = decode tokens/s x bytes of weights read per token / read bandwidth, where the
// bytes per token count every tensor once except the embedding (one row) and the routed experts
// (6 of 64 per layer, the experts one token uses).
#include <immintrin.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "bench/engine/bench_model.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/model.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/ops.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace engram;

double Seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

int64_t PeakRssBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return 0;
}

__attribute__((target("avx2"))) float SumAvx2(const float* p, size_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i + 32 <= n; i += 32) {
    a0 = _mm256_add_ps(a0, _mm256_load_ps(p + i));
    a1 = _mm256_add_ps(a1, _mm256_load_ps(p + i + 8));
    a2 = _mm256_add_ps(a2, _mm256_load_ps(p + i + 16));
    a3 = _mm256_add_ps(a3, _mm256_load_ps(p + i + 24));
  }
  float out[8];
  _mm256_storeu_ps(out, _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
  float s = 0;
  for (float v : out) s += v;
  return s;
}

float SumScalar(const float* p, size_t n) {
  float s = 0;
  for (size_t i = 0; i < n; ++i) s += p[i];
  return s;
}

// STREAM-like read bandwidth: every thread sums its share of a 1 GiB array; best of 5 passes.
double ReadBandwidth(ThreadPool* pool) {
  const size_t n = (size_t{1} << 30) / sizeof(float);
  float* data = static_cast<float*>(std::aligned_alloc(64, n * sizeof(float)));
  pool->ParallelFor(static_cast<int64_t>(n), 1 << 20, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) data[i] = 1.0f;
  });
  const bool avx2 = kernels::GetCpuFeatures().avx2;
  double best = 0.0;
  volatile float sink = 0.0f;
  for (int pass = 0; pass < 5; ++pass) {
    std::vector<float> partial(static_cast<size_t>(pool->size()) * 64, 0.0f);
    auto t0 = Clock::now();
    // One contiguous chunk per thread.
    const int64_t chunk = static_cast<int64_t>(n) / pool->size();
    pool->ParallelFor(pool->size(), 1, [&](int64_t b, int64_t e) {
      for (int64_t t = b; t < e; ++t) {
        const float* p = data + t * chunk;
        partial[static_cast<size_t>(t) * 64] = avx2 ? SumAvx2(p, static_cast<size_t>(chunk)) : SumScalar(p, static_cast<size_t>(chunk));
      }
    });
    const double s = Seconds(t0);
    for (float v : partial) sink = sink + v;
    best = std::max(best, static_cast<double>(n * sizeof(float)) / s);
  }
  std::free(data);
  return best;
}

struct Result {
  std::string mix;
  double file_gib = 0, prefill_tps = 0, decode_tps = 0, active_mib = 0, efficiency = 0, gen_s = 0;
  int64_t peak_rss = 0, kv_f32 = 0, kv_fp8 = 0;
  bool reused = false;
};

// Bytes each decoded token reads: all tensors except routed experts, plus each used expert's slice.
double ActiveBytesPerToken(const engine::gguf::File& f, int64_t n_used) {
  double bytes = 0;
  for (const auto& t : f.tensors()) {
    if (t.name == "token_embd.weight") {
      bytes += static_cast<double>(t.size_bytes) / static_cast<double>(t.dims[1]);  // one row
    } else if (t.name.find("_exps.") != std::string::npos) {
      bytes += static_cast<double>(t.size_bytes) / static_cast<double>(t.dims[2]) * static_cast<double>(n_used);
    } else {
      bytes += static_cast<double>(t.size_bytes);
    }
  }
  return bytes;
}

Result Run(bench::Mix mix, const std::string& dir, ThreadPool* pool, int prompt_len, int decode_len, double bandwidth) {
  Result r;
  r.mix = mix == bench::Mix::kQ8_0 ? "Q8_0" : "Q4_K_M";
  auto t0 = Clock::now();
  auto path = bench::MakeBenchModel(dir, mix, pool, &r.reused);
  if (!path.ok()) {
    std::fprintf(stderr, "engine_bench: %s\n", std::string(path.status().message()).c_str());
    std::exit(1);
  }
  r.gen_s = Seconds(t0);
  auto file = engine::gguf::File::Open(*path);
  if (!file.ok()) {
    std::fprintf(stderr, "engine_bench: %s\n", std::string(file.status().message()).c_str());
    std::exit(1);
  }
  r.file_gib = static_cast<double>((*file)->file_size()) / (1 << 30);
  r.active_mib = ActiveBytesPerToken(**file, 6) / (1 << 20);
  std::shared_ptr<const engine::gguf::File> shared(std::move(*file));
  auto model = engine::LoadModel(shared, pool);
  if (!model.ok()) {
    std::fprintf(stderr, "engine_bench: %s\n", std::string(model.status().message()).c_str());
    std::exit(1);
  }
  const int64_t V = (*model)->info().n_vocab;
  std::mt19937 rng(7);
  std::vector<int32_t> prompt(static_cast<size_t>(prompt_len));
  for (auto& t : prompt) t = static_cast<int32_t>(rng() % static_cast<uint32_t>(V));

  auto seq = (*model)->NewSequence(prompt_len + decode_len + 1);
  r.kv_f32 = seq->kv_bytes_per_token();
  r.kv_fp8 = (*model)->NewSequence(1, engine::KvType::kFp8)->kv_bytes_per_token();
  std::vector<float> logits(static_cast<size_t>(V));
  // Warm the page cache and the weights' mapping with one token, outside the timings.
  {
    auto warm = (*model)->NewSequence(2);
    (void)(*model)->Forward(std::span<const int32_t>(prompt.data(), 1), warm.get(), false, logits.data());
  }
  t0 = Clock::now();
  if (auto s = (*model)->Forward(prompt, seq.get(), false, logits.data()); !s.ok()) std::exit(1);
  r.prefill_tps = prompt_len / Seconds(t0);
  t0 = Clock::now();
  for (int i = 0; i < decode_len; ++i) {
    int32_t next = static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    if (auto s = (*model)->Forward(std::span<const int32_t>(&next, 1), seq.get(), false, logits.data()); !s.ok()) {
      std::exit(1);
    }
  }
  r.decode_tps = decode_len / Seconds(t0);
  r.peak_rss = PeakRssBytes();
  r.efficiency = r.decode_tps * r.active_mib * (1 << 20) / bandwidth;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"engine_bench: deepseek2 prefill/decode speed vs memory bandwidth"};
  int threads = 2, prompt_len = 512, decode_len = 128;
  std::string dir = "/tmp/engram-bench", mixes = "q8_0,q4_k_m";
  app.add_option("--threads", threads)->capture_default_str();
  app.add_option("--dir", dir, "where the generated models are kept")->capture_default_str();
  app.add_option("--prompt", prompt_len)->capture_default_str();
  app.add_option("--decode", decode_len)->capture_default_str();
  app.add_option("--mix", mixes, "comma-separated: q8_0, q4_k_m")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  ThreadPool pool(threads);
  const double bw = ReadBandwidth(&pool);
  std::printf("machine: %ld cores online, %d threads used, cpu \"%s\", kernels %s\n", sysconf(_SC_NPROCESSORS_ONLN),
              threads, kernels::GetCpuFeatures().ToString().c_str(), std::string(kernels::ActiveVariant()).c_str());
  std::printf("memory read bandwidth (1 GiB, %d threads, best of 5): %.2f GB/s\n\n", threads, bw / 1e9);
  std::printf("| model | file GiB | prefill %d tok/s | decode tok/s | prefill/decode | active MiB/token | decode efficiency | peak RSS GiB | KV B/token f32 | KV B/token fp8 |\n",
              prompt_len);
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  std::stringstream list(mixes);
  std::string item;
  while (std::getline(list, item, ',')) {
    bench::Mix mix = item == "q8_0" ? bench::Mix::kQ8_0 : bench::Mix::kQ4_K_M;
    Result r = Run(mix, dir, &pool, prompt_len, decode_len, bw);
    std::printf("| %s | %.2f | %.1f | %.2f | %.1fx | %.1f | %.2f | %.2f | %lld | %lld |\n", r.mix.c_str(), r.file_gib,
                r.prefill_tps, r.decode_tps, r.prefill_tps / r.decode_tps, r.active_mib, r.efficiency,
                r.peak_rss / double(1 << 30), static_cast<long long>(r.kv_f32), static_cast<long long>(r.kv_fp8));
    std::fflush(stdout);
    if (!r.reused) std::fprintf(stderr, "(generated %s model in %.0f s)\n", r.mix.c_str(), r.gen_s);
  }
  return 0;
}
