// Writes the seed corpus of gguf_fuzz into the directory given as argv[1]: valid files from the
// Writer (every value type, every supported tensor type, alignments, v2, vocabulary-only) and
// deliberately broken ones (each names its defect). The generated files are committed under
// tests/fuzz/corpus/gguf/; rerun after changing the format code:
//   build/<dir>/tests/fuzz/make_gguf_corpus tests/fuzz/corpus/gguf
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "engine/gguf/gguf_writer.h"
#include "kernels/dtype.h"
#include "tests/unit/engine/gguf/gguf_test_util.h"

namespace {

using engram::engine::gguf::Value;
using engram::engine::gguf::ValueType;
using engram::engine::gguf::Writer;
using engram::kernels::DType;
namespace t = engram::engine::gguf::testing;

constexpr uint32_t kU32 = 4, kBool = 7, kString = 8, kArray = 9, kU64 = 10;

std::string MustSerialize(const Writer& w) {
  auto image = w.Serialize();
  if (!image.ok()) {
    std::fprintf(stderr, "make_gguf_corpus: %s\n", std::string(image.status().message()).c_str());
    std::exit(1);
  }
  return *image;
}

std::vector<std::pair<std::string, std::string>> Seeds() {
  std::vector<std::pair<std::string, std::string>> seeds;
  const std::string valid = MustSerialize(t::SmallModelWriter());
  seeds.emplace_back("valid-small-model.gguf", valid);
  {
    Writer w = t::SmallModelWriter();
    w.SetVersion(2);
    seeds.emplace_back("valid-v2.gguf", MustSerialize(w));
  }
  for (uint32_t a : {1u, 8u, 256u}) {
    Writer w = t::SmallModelWriter();
    w.SetAlignment(a);
    seeds.emplace_back("valid-align" + std::to_string(a) + ".gguf", MustSerialize(w));
  }
  {
    Writer w;
    w.AddUint8("u8", 1);
    w.AddInt8("i8", -1);
    w.AddUint16("u16", 2);
    w.AddInt16("i16", -2);
    w.AddUint32("u32", 3);
    w.AddInt32("i32", -3);
    w.AddUint64("u64", 4);
    w.AddInt64("i64", -4);
    w.AddFloat32("f32", 0.5f);
    w.AddFloat64("f64", 0.25);
    w.AddBool("bool", true);
    w.AddString("str", "text");
    w.Add("a.u8", Value{ValueType::kArray, ValueType::kUint8, std::vector<uint64_t>{1, 2}});
    w.Add("a.i16", Value{ValueType::kArray, ValueType::kInt16, std::vector<int64_t>{-1, 2}});
    w.Add("a.u64", Value{ValueType::kArray, ValueType::kUint64, std::vector<uint64_t>{9}});
    w.Add("a.f64", Value{ValueType::kArray, ValueType::kFloat64, std::vector<double>{1.5}});
    w.AddBoolArray("a.bool", {true, false});
    w.AddStringArray("a.str", {"x", "yz"});
    w.AddFloat32Array("a.f32", {1.0f, 2.0f});
    seeds.emplace_back("valid-every-value-type.gguf", MustSerialize(w));
  }
  {
    Writer w;
    for (uint32_t id = 0; id < engram::kernels::kDTypeIdLimit; ++id) {
      const auto type = static_cast<DType>(id);
      if (!engram::kernels::IsSupported(type)) continue;
      const int64_t n =
          engram::kernels::BlockElems(type) == 1 ? 4 : engram::kernels::BlockElems(type);
      w.AddTensor("t." + std::string(engram::kernels::DTypeName(type)), type, {n, 2},
                  t::QuantizedBytes(type, t::Ramp(2 * n, 0.1f * id), n));
    }
    seeds.emplace_back("valid-every-dtype.gguf", MustSerialize(w));
  }
  {
    Writer w;
    w.AddString("tokenizer.ggml.model", "gpt2");
    std::vector<std::string> tokens;
    for (int i = 0; i < 64; ++i) tokens.push_back("tok" + std::to_string(i));
    w.AddStringArray("tokenizer.ggml.tokens", tokens);
    w.AddStringArray("tokenizer.ggml.merges", {"t o", "to k"});
    seeds.emplace_back("valid-vocab-only.gguf", MustSerialize(w));
  }

  // Truncations of the valid model.
  for (size_t cut : {size_t{0}, size_t{3}, size_t{10}, size_t{23}, size_t{60}, size_t{200},
                     valid.size() - 300, valid.size() - 1}) {
    seeds.emplace_back("truncated-at-" + std::to_string(cut) + ".gguf", valid.substr(0, cut));
  }

  // Header.
  const std::string empty_v3 = "GGUF" + t::LeU32(3) + t::LeU64(0) + t::LeU64(0);
  seeds.emplace_back("bad-magic.gguf", "GGML" + empty_v3.substr(4));
  seeds.emplace_back("version-1.gguf", "GGUF" + t::LeU32(1) + t::LeU64(0) + t::LeU64(0));
  seeds.emplace_back("version-4.gguf", "GGUF" + t::LeU32(4) + t::LeU64(0) + t::LeU64(0));
  seeds.emplace_back("big-endian.gguf",
                     "GGUF" + std::string("\0\0\0\3", 4) + t::LeU64(0) + t::LeU64(0));

  // Counts and lengths far beyond the file.
  seeds.emplace_back("huge-tensor-count.gguf", "GGUF" + t::LeU32(3) + t::LeU64(uint64_t{1} << 60) +
                                                   t::LeU64(0) + std::string(64, '\0'));
  seeds.emplace_back("huge-kv-count.gguf",
                     "GGUF" + t::LeU32(3) + t::LeU64(0) + t::LeU64(~uint64_t{0}));
  const std::string one_kv = "GGUF" + t::LeU32(3) + t::LeU64(0) + t::LeU64(1);
  seeds.emplace_back("huge-key-length.gguf",
                     one_kv + t::LeU64(uint64_t{1} << 62) + std::string(32, 'k'));
  seeds.emplace_back("huge-array-length.gguf",
                     one_kv + t::Kv("k", kArray, t::LeU32(kU64) + t::LeU64(uint64_t{1} << 61)));
  seeds.emplace_back(
      "huge-string-array.gguf",
      one_kv + t::Kv("k", kArray,
                     t::LeU32(kString) + t::LeU64(uint64_t{1} << 40) + t::LeU64(3) + "abc"));

  // Wrong types.
  seeds.emplace_back("unknown-value-type.gguf", one_kv + t::Kv("k", 13, t::LeU32(0)));
  seeds.emplace_back(
      "nested-array.gguf",
      one_kv + t::Kv("k", kArray, t::LeU32(kArray) + t::LeU64(1) + t::LeU32(kU32) + t::LeU64(0)));
  seeds.emplace_back("bool-value-2.gguf", one_kv + t::Kv("k", kBool, "\x02"));
  seeds.emplace_back("alignment-not-power-of-two.gguf",
                     one_kv + t::Kv("general.alignment", kU32, t::LeU32(48)));
  seeds.emplace_back("alignment-u64.gguf", one_kv + t::Kv("general.alignment", kU64, t::LeU64(32)));
  seeds.emplace_back("duplicate-key.gguf", "GGUF" + t::LeU32(3) + t::LeU64(0) + t::LeU64(2) +
                                               t::Kv("k", kU32, t::LeU32(1)) +
                                               t::Kv("k", kU32, t::LeU32(2)));

  // Tensor infos.
  const std::string data(64, '\x11');
  auto one_tensor = [&](std::vector<uint64_t> dims, uint32_t type, uint64_t offset) {
    return t::RawFile(3, 0, "", {t::RawTensor{"w", std::move(dims), type, offset}}, data);
  };
  seeds.emplace_back("valid-raw-tensor.gguf", one_tensor({4, 2}, 0, 0));
  seeds.emplace_back("zero-dims.gguf", one_tensor({}, 0, 0));
  seeds.emplace_back("five-dims.gguf", one_tensor({1, 1, 1, 1, 1}, 0, 0));
  seeds.emplace_back("zero-size-dim.gguf", one_tensor({4, 0}, 0, 0));
  seeds.emplace_back("element-count-overflow.gguf",
                     one_tensor({uint64_t{1} << 40, uint64_t{1} << 30}, 0, 0));
  seeds.emplace_back("unknown-dtype.gguf", one_tensor({4}, 99, 0));
  seeds.emplace_back("retired-dtype.gguf", one_tensor({32}, 4, 0));
  seeds.emplace_back("unsupported-dtype-q2_K.gguf", one_tensor({256}, 10, 0));
  seeds.emplace_back("partial-block.gguf", one_tensor({33}, 8, 0));
  seeds.emplace_back("misaligned-tensor.gguf", one_tensor({4}, 0, 4));
  seeds.emplace_back("tensor-past-eof.gguf", one_tensor({32}, 0, 0));
  seeds.emplace_back("tensor-offset-huge.gguf", one_tensor({4}, 0, uint64_t{1} << 63));
  seeds.emplace_back(
      "overlapping-tensors.gguf",
      t::RawFile(3, 0, "", {t::RawTensor{"a", {8}, 0, 0}, t::RawTensor{"b", {4}, 0, 0}}, data));
  seeds.emplace_back(
      "duplicate-tensor.gguf",
      t::RawFile(3, 0, "", {t::RawTensor{"a", {4}, 0, 0}, t::RawTensor{"a", {4}, 0, 32}}, data));
  seeds.emplace_back("empty-tensor-name.gguf",
                     t::RawFile(3, 0, "", {t::RawTensor{"", {4}, 0, 0}}, data));
  return seeds;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_gguf_corpus <output dir>\n");
    return 2;
  }
  for (const auto& [name, bytes] : Seeds()) {
    const std::string path = std::string(argv[1]) + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::fprintf(stderr, "make_gguf_corpus: cannot write %s\n", path.c_str());
      return 1;
    }
  }
  return 0;
}
