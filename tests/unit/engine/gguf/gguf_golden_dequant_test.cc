// Golden dequantization: tests/golden/deepseek2/kquants/<file>.<tensor>.<TYPE>.f32 hold tensors of
// llama.cpp-quantized files dequantized to float32 by the GGUF reference library (numpy shape =
// reversed ggml dims, so the raw floats are the rows in order). Every element must agree.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "kernels/ops.h"
#include "support/file_util.h"

namespace engram::engine::gguf {
namespace {

struct GoldenCase {
  std::string file;    // "small-q4_k_m"
  std::string tensor;  // "blk.0.attn_k_b.weight"
  std::string type;    // "Q5_0"
  std::string path;
};

std::vector<GoldenCase> FindCases() {
  std::vector<GoldenCase> cases;
  const std::string dir = std::string(ENGRAM_GOLDEN_DIR) + "/deepseek2/kquants";
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".f32" || name.find(".logits.") != std::string::npos) continue;
    const std::string stem = name.substr(0, name.size() - 4);  // drop ".f32"
    const size_t first = stem.find('.'), last = stem.rfind('.');
    if (first == std::string::npos || first == last) continue;
    cases.push_back({stem.substr(0, first), stem.substr(first + 1, last - first - 1),
                     stem.substr(last + 1), e.path().string()});
  }
  return cases;
}

TEST(GgufGoldenDequant, EveryElementMatchesTheReferenceDequantization) {
  const std::vector<GoldenCase> cases = FindCases();
  ASSERT_EQ(cases.size(), 9u);  // q4_k_m: 4 tensors, q5_k_m: 3, q6_k: 2
  std::map<std::string, std::unique_ptr<File>> files;
  std::map<std::string, int> types_seen;
  for (const GoldenCase& c : cases) {
    SCOPED_TRACE(c.path);
    std::unique_ptr<File>& f = files[c.file];
    if (f == nullptr) {
      auto opened =
          File::Open(std::string(ENGRAM_GOLDEN_DIR) + "/deepseek2/kquants/" + c.file + ".gguf");
      ASSERT_TRUE(opened.ok()) << opened.status();
      f = *std::move(opened);
    }
    const TensorInfo* t = f->FindTensor(c.tensor);
    ASSERT_NE(t, nullptr) << c.tensor;
    ASSERT_EQ(kernels::DTypeFromName(c.type), t->type) << kernels::DTypeName(t->type);
    ++types_seen[c.type];
    auto raw = ReadFile(c.path);
    ASSERT_TRUE(raw.ok()) << raw.status();
    ASSERT_EQ(raw->size(), static_cast<size_t>(t->n_elements()) * sizeof(float));
    std::vector<float> expect(static_cast<size_t>(t->n_elements()));  // [rows, dims[0]]
    std::memcpy(expect.data(), raw->data(), raw->size());
    const int64_t n = t->dims[0];
    const int64_t row_bytes = kernels::RowBytes(t->type, n);
    std::vector<float> row(static_cast<size_t>(n));  // [dims[0]]
    int64_t mismatches = 0;
    for (int64_t r = 0; r < t->n_elements() / n; ++r) {
      kernels::DequantizeRow(t->type, f->TensorData(*t) + r * row_bytes, row.data(), n);
      for (int64_t i = 0; i < n; ++i) {
        const float want = expect[static_cast<size_t>(r * n + i)];
        // 1e-6 relative (the README's promise): both sides compute d * scale * q - dmin * min in
        // float32 from the same fp16 fields, so in practice they agree bit for bit.
        if (std::fabs(row[i] - want) > 1e-6f * std::fabs(want)) {
          if (++mismatches <= 5) {
            ADD_FAILURE() << c.tensor << " row " << r << " col " << i << ": " << row[i] << " vs "
                          << want;
          }
        }
      }
    }
    EXPECT_EQ(mismatches, 0);
  }
  EXPECT_EQ(types_seen,
            (std::map<std::string, int>{
                {"Q4_K", 1}, {"Q5_0", 1}, {"Q5_1", 1}, {"Q5_K", 2}, {"Q6_K", 3}, {"Q8_0", 1}}));
}

}  // namespace
}  // namespace engram::engine::gguf
