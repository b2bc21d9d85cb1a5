// engine/gguf/gguf_writer.h: writer -> reader round trips for every value type, arrays, tensors of
// every supported type, alignments, versions; the writer's own validation; Write() on disk.
#include "engine/gguf/gguf_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "kernels/ops.h"
#include "support/file_util.h"
#include "tests/unit/engine/gguf/gguf_test_util.h"

namespace engram::engine::gguf {
namespace {

using kernels::DType;
using testing::Ramp;

std::unique_ptr<File> RoundTrip(const Writer& w) {
  auto image = w.Serialize();
  EXPECT_TRUE(image.ok()) << image.status();
  if (!image.ok()) return nullptr;
  auto file = File::FromBuffer(*std::move(image), "roundtrip.gguf");
  EXPECT_TRUE(file.ok()) << file.status();
  return file.ok() ? *std::move(file) : nullptr;
}

Value Array(ValueType element, decltype(Value::data) data) {
  return Value{ValueType::kArray, element, std::move(data)};
}

TEST(GgufWriter, EveryScalarTypeRoundTrips) {
  Writer w;
  w.AddUint8("u8", 255);
  w.AddInt8("i8", -128);
  w.AddUint16("u16", 65535);
  w.AddInt16("i16", -32768);
  w.AddUint32("u32", 0xFFFFFFFFu);
  w.AddInt32("i32", std::numeric_limits<int32_t>::min());
  w.AddUint64("u64", std::numeric_limits<uint64_t>::max());
  w.AddInt64("i64", std::numeric_limits<int64_t>::min());
  w.AddFloat32("f32", -1.5e-40f);  // an fp32 subnormal
  w.AddFloat64("f64", 1e300);
  w.AddBool("t", true);
  w.AddBool("f", false);
  w.AddString("s", std::string("a\0b\xc3\xa9", 5));
  w.AddString("empty", "");
  auto f = RoundTrip(w);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->version(), 3u);
  EXPECT_EQ(f->keys(), (std::vector<std::string>{"u8", "i8", "u16", "i16", "u32", "i32", "u64",
                                                 "i64", "f32", "f64", "t", "f", "s", "empty"}));
  struct Expect {
    const char* key;
    ValueType type;
    decltype(Value::data) data;
  };
  const Expect expect[] = {
      {"u8", ValueType::kUint8, uint64_t{255}},
      {"i8", ValueType::kInt8, int64_t{-128}},
      {"u16", ValueType::kUint16, uint64_t{65535}},
      {"i16", ValueType::kInt16, int64_t{-32768}},
      {"u32", ValueType::kUint32, uint64_t{0xFFFFFFFFu}},
      {"i32", ValueType::kInt32, int64_t{std::numeric_limits<int32_t>::min()}},
      {"u64", ValueType::kUint64, std::numeric_limits<uint64_t>::max()},
      {"i64", ValueType::kInt64, std::numeric_limits<int64_t>::min()},
      {"f32", ValueType::kFloat32, static_cast<double>(-1.5e-40f)},
      {"f64", ValueType::kFloat64, 1e300},
      {"t", ValueType::kBool, true},
      {"f", ValueType::kBool, false},
      {"s", ValueType::kString, std::string("a\0b\xc3\xa9", 5)},
      {"empty", ValueType::kString, std::string()},
  };
  for (const Expect& e : expect) {
    SCOPED_TRACE(e.key);
    const Value* v = f->Find(e.key);
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->type, e.type);
    EXPECT_TRUE(v->data == e.data);
  }
  EXPECT_EQ(*f->GetString("s"), std::string("a\0b\xc3\xa9", 5));
  EXPECT_EQ(*f->GetInt64("i64"), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(*f->GetUint32("u32"), 0xFFFFFFFFu);
  EXPECT_EQ(*f->GetUint32("u8"), 255u);
  EXPECT_EQ(*f->GetFloat32("f32"), -1.5e-40f);
  EXPECT_EQ(*f->GetFloat32("f64"), std::numeric_limits<float>::infinity());  // narrowed
  EXPECT_TRUE(*f->GetBool("t"));
  EXPECT_FALSE(*f->GetBool("f"));
}

TEST(GgufWriter, EveryArrayTypeRoundTrips) {
  Writer w;
  const std::vector<std::pair<std::string, Value>> arrays = {
      {"a.u8", Array(ValueType::kUint8, std::vector<uint64_t>{0, 1, 255})},
      {"a.i8", Array(ValueType::kInt8, std::vector<int64_t>{-128, 0, 127})},
      {"a.u16", Array(ValueType::kUint16, std::vector<uint64_t>{65535})},
      {"a.i16", Array(ValueType::kInt16, std::vector<int64_t>{-32768, 32767})},
      {"a.u32", Array(ValueType::kUint32, std::vector<uint64_t>{7, 0xFFFFFFFFu})},
      {"a.i32", Array(ValueType::kInt32, std::vector<int64_t>{-7, 2147483647})},
      {"a.u64",
       Array(ValueType::kUint64, std::vector<uint64_t>{std::numeric_limits<uint64_t>::max()})},
      {"a.i64",
       Array(ValueType::kInt64, std::vector<int64_t>{std::numeric_limits<int64_t>::min(), 5})},
      {"a.f32", Array(ValueType::kFloat32, std::vector<double>{0.5, -0.0, 3.25})},
      {"a.f64", Array(ValueType::kFloat64, std::vector<double>{0.1, -1e-300})},
      {"a.bool", Array(ValueType::kBool, std::vector<bool>{true, false, true})},
      {"a.str",
       Array(ValueType::kString, std::vector<std::string>{"", "x", std::string(1000, 'y')})},
      {"a.empty", Array(ValueType::kUint32, std::vector<uint64_t>{})},
      {"a.empty_str", Array(ValueType::kString, std::vector<std::string>{})},
  };
  for (const auto& [key, value] : arrays) w.Add(key, value);
  w.AddInt32Array("h.i32", {1, -2});
  w.AddUint32Array("h.u32", {3, 4});
  w.AddBoolArray("h.bool", {false});
  auto f = RoundTrip(w);
  ASSERT_NE(f, nullptr);
  for (const auto& [key, value] : arrays) {
    SCOPED_TRACE(key);
    const Value* v = f->Find(key);
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->type, ValueType::kArray);
    EXPECT_EQ(v->array_type, value.array_type);
    EXPECT_TRUE(v->data == value.data);
  }
  EXPECT_EQ(*f->GetIntArray("a.u8"), (std::vector<int64_t>{0, 1, 255}));
  EXPECT_EQ(*f->GetIntArray("a.i64"),
            (std::vector<int64_t>{std::numeric_limits<int64_t>::min(), 5}));
  EXPECT_EQ(*f->GetIntArray("h.i32"), (std::vector<int64_t>{1, -2}));
  EXPECT_EQ(*f->GetIntArray("h.u32"), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(*f->GetFloatArray("a.f32"), (std::vector<float>{0.5f, -0.0f, 3.25f}));
  EXPECT_EQ(*f->GetFloatArray("a.f64"), (std::vector<float>{0.1f, -0.0f}));
  EXPECT_EQ(f->GetStringArray("a.str")->size(), 3u);
  EXPECT_TRUE(f->GetStringArray("a.empty_str")->empty());
  EXPECT_EQ(f->Find("h.bool")->array_type, ValueType::kBool);
  // u64 elements above 2^63 do not fit the int64 getter.
  EXPECT_EQ(f->GetIntArray("a.u64").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(GgufWriter, GettersCheckTypesAndRanges) {
  Writer w;
  w.AddInt32("neg", -1);
  w.AddUint64("big", uint64_t{1} << 40);
  w.AddInt64("small", 7);
  w.AddString("s", "x");
  w.AddUint64("huge", std::numeric_limits<uint64_t>::max());
  auto f = RoundTrip(w);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(*f->GetUint32("small"), 7u);
  EXPECT_EQ(*f->GetInt64("neg"), -1);
  auto not_found = f->GetUint32("missing");
  EXPECT_EQ(not_found.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(not_found.status().message(), "gguf: roundtrip.gguf: key 'missing' not found");
  auto neg = f->GetUint32("neg");
  EXPECT_EQ(neg.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(neg.status().message(), "gguf: roundtrip.gguf: key 'neg' value -1 does not fit in u32");
  EXPECT_EQ(f->GetUint32("big").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(f->GetInt64("huge").status().code(), absl::StatusCode::kInvalidArgument);
  auto wrong = f->GetFloat32("s");
  EXPECT_EQ(wrong.status().message(),
            "gguf: roundtrip.gguf: key 's' has type string, expected f32 or f64");
  EXPECT_EQ(f->GetString("small").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(f->GetBool("s").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(f->GetStringArray("s").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(f->GetIntArray("small").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(f->GetFloatArray("small").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(f->Has("missing"));
  EXPECT_TRUE(f->Has("s"));
}

// One tensor of every supported type, with rows that are not a multiple of the alignment.
TEST(GgufWriter, TensorsOfEverySupportedTypeRoundTripAtEveryAlignment) {
  for (uint32_t alignment : {1u, 2u, 8u, 32u, 64u, 4096u}) {
    SCOPED_TRACE(alignment);
    Writer w;
    if (alignment != 32) w.SetAlignment(alignment);
    std::vector<std::string> names;
    std::vector<std::string> payloads;
    for (uint32_t id = 0; id < kernels::kDTypeIdLimit; ++id) {
      const auto t = static_cast<DType>(id);
      if (!kernels::IsSupported(t)) continue;
      const int64_t n = kernels::BlockElems(t) == 1 ? 3 : kernels::BlockElems(t);
      std::string bytes = testing::QuantizedBytes(t, Ramp(n * 3, 0.1f * id), n);
      names.push_back("t." + std::string(kernels::DTypeName(t)));
      payloads.push_back(bytes);
      w.AddTensor(names.back(), t, {n, 3}, std::move(bytes));
    }
    auto f = RoundTrip(w);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->alignment(), alignment);
    ASSERT_EQ(f->tensors().size(), names.size());
    const uint8_t* first = f->TensorData(f->tensors()[0]);
    for (size_t i = 0; i < names.size(); ++i) {
      const TensorInfo* t = f->FindTensor(names[i]);
      ASSERT_NE(t, nullptr) << names[i];
      EXPECT_EQ(t->offset % alignment, 0u);
      EXPECT_EQ(static_cast<uint64_t>(f->TensorData(*t) - first), t->offset);
      EXPECT_EQ(t->n_elements(), t->dims[0] * 3);
      EXPECT_EQ(t->size_bytes, payloads[i].size());
      EXPECT_EQ(std::string(reinterpret_cast<const char*>(f->TensorData(*t)), t->size_bytes),
                payloads[i]);
    }
    // The data section itself starts on the alignment (measured from the end of the file, which
    // ends with the last tensor).
    const TensorInfo& last = f->tensors().back();
    EXPECT_EQ((f->file_size() - last.offset - last.size_bytes) % alignment, 0u);
  }
}

TEST(GgufWriter, F32TensorValuesRoundTrip) {
  Writer w;
  const std::vector<float> values = Ramp(6 * 4);
  w.AddTensorF32("w", {6, 4}, values);  // 4 rows of 6
  auto f = RoundTrip(w);
  ASSERT_NE(f, nullptr);
  const TensorInfo* t = f->FindTensor("w");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->dims, (std::vector<int64_t>{6, 4}));
  EXPECT_EQ(t->type, DType::kF32);
  std::vector<float> got(values.size());
  kernels::DequantizeRow(t->type, f->TensorData(*t), got.data(), t->n_elements());
  EXPECT_EQ(got, values);
  EXPECT_EQ(f->FindTensor("missing"), nullptr);
}

TEST(GgufWriter, Version2RoundTripsAndOtherVersionsAreRefused) {
  Writer w = testing::SmallModelWriter();
  w.SetVersion(2);
  auto f = RoundTrip(w);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->version(), 2u);
  w.SetVersion(1);
  EXPECT_EQ(w.Serialize().status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(GgufWriter, NoTensorsMeansNoDataSection) {
  Writer w;
  w.AddString("general.architecture", "x");
  auto image = w.Serialize();
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->size(), 24u + (8 + 20 + 4 + 8 + 1));  // header, one string entry, no padding
  auto f = File::FromBuffer(*image, "v.gguf");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE((*f)->tensors().empty());
}

TEST(GgufWriter, SetAlignmentReplacesTheKey) {
  Writer w;
  w.SetAlignment(64);
  w.SetAlignment(16);
  auto f = RoundTrip(w);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->alignment(), 16u);
  EXPECT_EQ(f->keys().size(), 1u);
}

TEST(GgufWriter, RefusesInvalidInput) {
  auto expect_refused = [](Writer w, std::string_view needle) {
    auto image = w.Serialize();
    ASSERT_FALSE(image.ok()) << needle;
    EXPECT_EQ(image.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(image.status().message()).find(needle), std::string::npos)
        << image.status();
  };
  {
    Writer w;
    w.AddUint32("k", 1);
    w.AddUint32("k", 2);
    expect_refused(std::move(w), "duplicate key 'k'");
  }
  {
    Writer w;
    w.AddUint32("", 1);
    expect_refused(std::move(w), "empty metadata key");
  }
  {
    Writer w;
    w.Add("k", Value{ValueType::kUint8, ValueType::kUint8, uint64_t{256}});
    expect_refused(std::move(w), "value 256 does not fit u8");
  }
  {
    Writer w;
    w.Add("k", Value{ValueType::kInt16, ValueType::kUint8, int64_t{-40000}});
    expect_refused(std::move(w), "does not fit i16");
  }
  {
    Writer w;
    w.Add("k", Value{ValueType::kString, ValueType::kUint8, uint64_t{1}});
    expect_refused(std::move(w), "key 'k' needs a std::string");
  }
  {
    Writer w;
    w.Add("k", Array(ValueType::kInt8, std::vector<int64_t>{1, 200}));
    expect_refused(std::move(w), "element 200 does not fit i8");
  }
  {
    Writer w;
    w.Add("k", Array(ValueType::kArray, std::vector<uint64_t>{}));
    expect_refused(std::move(w), "array element type");
  }
  {
    Writer w;
    w.Add("k", Array(ValueType::kFloat32, std::vector<int64_t>{1}));
    expect_refused(std::move(w), "wrong vector type");
  }
  {
    Writer w;
    w.SetAlignment(24);
    expect_refused(std::move(w), "not a power of two");
  }
  {
    Writer w;
    w.AddUint64("general.alignment", 32);
    expect_refused(std::move(w), "must be a u32");
  }
  {
    Writer w;
    w.AddTensorF32("t", {2}, {1, 2});
    w.AddTensorF32("t", {2}, {1, 2});
    expect_refused(std::move(w), "duplicate tensor 't'");
  }
  {
    Writer w;
    w.AddTensorF32("t", {2, 2}, {1, 2});
    expect_refused(std::move(w), "tensor 't' has 8 bytes, expected 8 per row x 2 rows");
  }
  {
    Writer w;
    w.AddTensor("t", DType::kQ8_0, {33}, std::string(34, '\0'));
    expect_refused(std::move(w), "not a multiple of the q8_0 block");
  }
  {
    Writer w;
    w.AddTensor("t", DType::kF32, {}, "");
    expect_refused(std::move(w), "needs 1 to 4 dims");
  }
  {
    Writer w;
    w.AddTensor("t", DType::kF32, {1, 0}, "");
    expect_refused(std::move(w), "dim 1 is 0");
  }
  {
    Writer w;
    w.AddTensor("t", static_cast<DType>(4), {1}, "");
    expect_refused(std::move(w), "unknown type 4");
  }
}

TEST(GgufWriter, WriteReplacesTheFileAtomicallyAndOpenMapsIt) {
  const std::string dir = ::testing::TempDir() + "/gguf_writer_test_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/m.gguf";
  ASSERT_TRUE(WriteFileAtomically(path, "old content").ok());
  const Writer w = testing::SmallModelWriter();
  ASSERT_TRUE(w.Write(path).ok());
  auto on_disk = ReadFile(path);
  ASSERT_TRUE(on_disk.ok());
  EXPECT_EQ(*on_disk, *w.Serialize());
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    ++entries;
    EXPECT_EQ(e.path().filename(), "m.gguf");  // no temporary file left behind
  }
  EXPECT_EQ(entries, 1u);
  auto f = File::Open(path);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ((*f)->name(), path);
  EXPECT_EQ((*f)->file_size(), on_disk->size());
  EXPECT_EQ(*(*f)->GetString("general.architecture"), "deepseek2");
  const TensorInfo* t = (*f)->FindTensor("token_embd.weight");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->type, DType::kQ4_K);
  std::vector<float> row(256);
  kernels::DequantizeRow(t->type, (*f)->TensorData(*t), row.data(), 256);
  const std::vector<float> expect = Ramp(256, 0.7f);
  for (int i = 0; i < 256; ++i) EXPECT_NEAR(row[i], expect[i], 0.52f * 2.0f / 15.0f) << i;
  EXPECT_EQ(w.Write(dir + "/missing-dir/m.gguf").code(), absl::StatusCode::kUnavailable);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace engram::engine::gguf
