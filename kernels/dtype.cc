#include "kernels/dtype.h"

#include <cstdint>
#include <limits>

namespace engram::kernels {
namespace {

struct Traits {
  std::string_view name;  // empty: not a known id
  int64_t block_elems;
  int64_t block_bytes;
  bool supported;
};

// Indexed by id. Geometry of each format: block elements and the bytes of its block struct.
constexpr Traits kTraits[kDTypeIdLimit] = {
    /* 0 */ {"f32", 1, 4, true},
    /* 1 */ {"f16", 1, 2, true},
    /* 2 */ {"q4_0", 32, 18, true},  // fp16 d, 16 bytes of nibbles
    /* 3 */ {"q4_1", 32, 20, true},  // fp16 d, fp16 m, 16 bytes of nibbles
    /* 4 */ {},                      // retired (q4_2)
    /* 5 */ {},                      // retired (q4_3)
    /* 6 */ {"q5_0", 32, 22, true},  // fp16 d, 4 bytes of high bits, 16 bytes of nibbles
    /* 7 */ {"q5_1", 32, 24, true},  // fp16 d, fp16 m, 4 + 16 bytes
    /* 8 */ {"q8_0", 32, 34, true},  // fp16 d, 32 int8
    /* 9 */ {"q8_1", 32, 36, true},  // fp16 d, fp16 s, 32 int8
    /* 10 */ {"q2_K", 256, 84, false},
    /* 11 */ {"q3_K", 256, 110, false},
    /* 12 */ {"q4_K", 256, 144, true},  // fp16 d, dmin, 12 bytes of 6-bit scales, 128 bytes
    /* 13 */ {"q5_K", 256, 176, true},  // as q4_K plus 32 bytes of high bits
    /* 14 */ {"q6_K", 256, 210, true},  // 128 + 64 bytes of quants, 16 int8 scales, fp16 d
    /* 15 */ {"q8_K", 256, 292, true},  // float d, 256 int8, 16 int16 block sums
    /* 16 */ {"iq2_xxs", 256, 66, false},
    /* 17 */ {"iq2_xs", 256, 74, false},
    /* 18 */ {"iq3_xxs", 256, 98, false},
    /* 19 */ {"iq1_s", 256, 50, false},
    /* 20 */ {"iq4_nl", 32, 18, false},
    /* 21 */ {"iq3_s", 256, 110, false},
    /* 22 */ {"iq2_s", 256, 82, false},
    /* 23 */ {"iq4_xs", 256, 136, false},
    /* 24 */ {"i8", 1, 1, true},
    /* 25 */ {"i16", 1, 2, true},
    /* 26 */ {"i32", 1, 4, true},
    /* 27 */ {"i64", 1, 8, true},
    /* 28 */ {"f64", 1, 8, true},
    /* 29 */ {"iq1_m", 256, 56, false},
    /* 30 */ {"bf16", 1, 2, true},
    /* 31 */ {},  // retired (q4_0_4_4)
    /* 32 */ {},  // retired (q4_0_4_8)
    /* 33 */ {},  // retired (q4_0_8_8)
    /* 34 */ {"tq1_0", 256, 54, false},
    /* 35 */ {"tq2_0", 256, 66, false},
    /* 36 */ {},  // retired (iq4_nl_4_4)
    /* 37 */ {},  // retired (iq4_nl_4_8)
    /* 38 */ {},  // retired (iq4_nl_8_8)
    /* 39 */ {"mxfp4", 32, 17, false},
};

const Traits* Find(DType type) {
  const auto id = static_cast<uint32_t>(type);
  if (id >= kDTypeIdLimit || kTraits[id].name.empty()) return nullptr;
  return &kTraits[id];
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool IsKnownDType(uint32_t id) { return Find(static_cast<DType>(id)) != nullptr; }

bool IsSupported(DType type) {
  const Traits* t = Find(type);
  return t != nullptr && t->supported;
}

std::string_view DTypeName(DType type) {
  const Traits* t = Find(type);
  return t != nullptr ? t->name : std::string_view("unknown");
}

std::optional<DType> DTypeFromName(std::string_view name) {
  for (uint32_t id = 0; id < kDTypeIdLimit; ++id) {
    std::string_view candidate = kTraits[id].name;
    if (candidate.empty() || candidate.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i) same = Lower(candidate[i]) == Lower(name[i]);
    if (same) return static_cast<DType>(id);
  }
  return std::nullopt;
}

int64_t BlockElems(DType type) {
  const Traits* t = Find(type);
  return t != nullptr ? t->block_elems : 0;
}

int64_t BlockBytes(DType type) {
  const Traits* t = Find(type);
  return t != nullptr ? t->block_bytes : 0;
}

int64_t RowBytes(DType type, int64_t n) {
  const Traits* t = Find(type);
  if (t == nullptr || n < 0 || n % t->block_elems != 0) return -1;
  const int64_t blocks = n / t->block_elems;
  if (blocks > std::numeric_limits<int64_t>::max() / t->block_bytes) return -1;
  return blocks * t->block_bytes;
}

DType ActivationType(DType weight) {
  switch (weight) {
    case DType::kQ4_0:
    case DType::kQ5_0:
    case DType::kQ8_0:
      return DType::kQ8_0;
    case DType::kQ4_1:
    case DType::kQ5_1:
      return DType::kQ8_1;
    case DType::kQ2_K:
    case DType::kQ3_K:
    case DType::kQ4_K:
    case DType::kQ5_K:
    case DType::kQ6_K:
      return DType::kQ8_K;
    case DType::kF16:
      return DType::kF16;
    case DType::kBF16:
      return DType::kBF16;
    default:
      return DType::kF32;
  }
}

}  // namespace engram::kernels
