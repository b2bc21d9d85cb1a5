// Tensor element types, numbered as ggml numbers them (the ids stored in GGUF tensor infos).
//
//   DType t = DType::kQ4_K;
//   DTypeName(t);           // "q4_K"
//   BlockElems(t);          // 256 elements per block
//   BlockBytes(t);          // 144 bytes per block
//   RowBytes(t, 4096);      // 2304; -1 when 4096 were not a multiple of the block
//
// Every id ggml has defined is known here (name, block geometry); only the ones engram can convert
// to float32 (kernels/ops.h DequantizeRow) are "supported", and readers refuse the rest. Ids ggml
// has retired (4, 5, 31..33, 36..38) and ids past the last one are unknown. Thread-safe: pure
// functions over constant tables.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace engram::kernels {

enum class DType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kIQ2_XXS = 16,
  kIQ2_XS = 17,
  kIQ3_XXS = 18,
  kIQ1_S = 19,
  kIQ4_NL = 20,
  kIQ3_S = 21,
  kIQ2_S = 22,
  kIQ4_XS = 23,
  kI8 = 24,
  kI16 = 25,
  kI32 = 26,
  kI64 = 27,
  kF64 = 28,
  kIQ1_M = 29,
  kBF16 = 30,
  kTQ1_0 = 34,
  kTQ2_0 = 35,
  kMXFP4 = 39,
};

// One past the largest id in the table (ids >= this are unknown).
inline constexpr uint32_t kDTypeIdLimit = 40;

// True when `id` is a ggml type id with a known layout (whether or not engram supports it).
bool IsKnownDType(uint32_t id);
// True when engram converts `type` to float32 (DequantizeRow) and readers accept it.
bool IsSupported(DType type);

// ggml's name ("f32", "q4_K", "bf16"); "unknown" for an id that is not known.
std::string_view DTypeName(DType type);
// Inverse of DTypeName, ASCII case-insensitive ("Q4_K" and "q4_k" both give kQ4_K).
std::optional<DType> DTypeFromName(std::string_view name);

// Elements per block (1 for plain types, 32 or 256 for block-quantized ones); 0 when unknown.
int64_t BlockElems(DType type);
// Bytes per block; 0 when unknown.
int64_t BlockBytes(DType type);
// Bytes holding `n` consecutive elements of a row; -1 when the type is unknown, n is negative or
// not a multiple of BlockElems(type), or the result would overflow int64_t.
int64_t RowBytes(DType type, int64_t n);

// The packed format a matmul's activations take for weights of `weight` type (what an integer dot
// product consumes, as in ggml's CPU backend): q8_0 for q4_0 / q5_0 / q8_0, q8_1 for q4_1 / q5_1,
// q8_K for the k-quants, f16 / bf16 for those weights, f32 for everything else.
DType ActivationType(DType weight);

}  // namespace engram::kernels
