// Older deepseek2 GGUF files carry one attn_kv_b tensor instead of split attn_k_b / attn_v_b. We
// rewrite tiny-f32.gguf into that layout with our GGUF writer and check the forward pass is unchanged.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/model/model.h"
#include "tests/unit/engine/model/gguf_rewrite.h"

namespace engram::engine {
namespace {

const std::string kModel = std::string(ENGRAM_GOLDEN_DIR) + "/deepseek2/tiny-f32.gguf";

const float* F32(const gguf::File& f, const std::string& name) {
  return reinterpret_cast<const float*>(f.TensorData(*f.FindTensor(name)));
}

TEST(Deepseek2KvB, MergedKvBGivesTheSameLogitsAsSplitKAndV) {
  auto src = gguf::File::Open(kModel);
  ASSERT_TRUE(src.ok()) << src.status();
  const gguf::File& f = **src;
  const int64_t H = 4, nope = 32, v = 32, lora = 64;  // tests/golden/deepseek2/tiny-f32.json

  testing::Rewrite merge_kv_b;
  merge_kv_b.tensor = [&](const gguf::TensorInfo& t, gguf::Writer& w) {
    const std::string& name = t.name;
    if (name.find("attn_v_b") != std::string::npos) return false;
    if (name.find("attn_k_b") == std::string::npos) return true;
    const std::string prefix = name.substr(0, name.find("attn_k_b"));
    const float* k_b = F32(f, name);                        // [H][lora][nope]
    const float* v_b = F32(f, prefix + "attn_v_b.weight");  // [H][v][lora]
    std::vector<float> kv_b(static_cast<size_t>(H * (nope + v) * lora));  // [H * (nope + v)][lora]
    for (int64_t h = 0; h < H; ++h) {
      for (int64_t r = 0; r < lora; ++r) {
        for (int64_t d = 0; d < nope; ++d) kv_b[((h * (nope + v) + d) * lora + r)] = k_b[(h * lora + r) * nope + d];
        for (int64_t c = 0; c < v; ++c) kv_b[((h * (nope + v) + nope + c) * lora + r)] = v_b[(h * v + c) * lora + r];
      }
    }
    w.AddTensorF32(prefix + "attn_kv_b.weight", {lora, H * (nope + v)}, kv_b);
    return false;
  };
  auto merged = testing::RewriteGguf(f, merge_kv_b, "tiny-f32-kv_b.gguf");
  ASSERT_TRUE(merged.ok()) << merged.status();
  ASSERT_EQ((*merged)->FindTensor("blk.0.attn_k_b.weight"), nullptr);

  ThreadPool pool(2);
  auto a = LoadModel(std::shared_ptr<const gguf::File>(std::move(*src)), &pool);
  auto b = LoadModel(std::shared_ptr<const gguf::File>(std::move(*merged)), &pool);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  std::vector<int32_t> tokens = {504, 332, 32, 113, 117, 482, 267, 114, 502, 110};
  std::vector<float> la(tokens.size() * 512), lb(la.size());
  auto sa = (*a)->NewSequence(16), sb = (*b)->NewSequence(16);
  ASSERT_TRUE((*a)->Forward(tokens, sa.get(), true, la.data()).ok());
  ASSERT_TRUE((*b)->Forward(tokens, sb.get(), true, lb.data()).ok());
  // Same weights, same absorbed computation: only summation order could differ.
  double max_diff = 0.0;
  for (size_t i = 0; i < la.size(); ++i) max_diff = std::max(max_diff, std::fabs(double(la[i]) - lb[i]));
  EXPECT_LE(max_diff, 1e-5);
}

TEST(Deepseek2Load, MissingOrMisshapenTensorsAreNamed) {
  auto src = gguf::File::Open(kModel);
  ASSERT_TRUE(src.ok());
  const gguf::File& f = **src;
  for (const char* mode : {"drop", "reshape"}) {
    testing::Rewrite breakage;
    breakage.tensor = [&](const gguf::TensorInfo& t, gguf::Writer& w) {
      if (t.name != "blk.1.ffn_gate_inp.weight") return true;
      if (std::string(mode) == "reshape") {  // transposed dims
        w.AddTensor(t.name, t.type, {t.dims[1], t.dims[0]},
                    std::string(reinterpret_cast<const char*>(f.TensorData(t)), t.size_bytes));
      }
      return false;
    };
    auto file = testing::RewriteGguf(f, breakage, "broken.gguf");
    ASSERT_TRUE(file.ok()) << file.status();
    ThreadPool pool(1);
    auto model = LoadModel(std::shared_ptr<const gguf::File>(std::move(*file)), &pool);
    ASSERT_FALSE(model.ok()) << mode;
    EXPECT_NE(model.status().message().find("blk.1.ffn_gate_inp.weight"), std::string::npos) << model.status();
    EXPECT_NE(model.status().message().find("broken.gguf"), std::string::npos) << model.status();
  }
}

}  // namespace
}  // namespace engram::engine
