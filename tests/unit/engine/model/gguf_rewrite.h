// Test helper: rewrite a GGUF file in memory through our writer, changing metadata and tensors, to
// make model variants (older tensor layouts, broken files, routing without discrete choices).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"

namespace engram::engine::testing {

struct Rewrite {
  // Called for every metadata key; return false to drop it (after optionally adding a replacement).
  std::function<bool(const std::string& key, gguf::Writer& w)> key = nullptr;
  // Called for every tensor; return false to drop it (after optionally adding a replacement).
  std::function<bool(const gguf::TensorInfo& t, gguf::Writer& w)> tensor = nullptr;
};

inline absl::StatusOr<std::unique_ptr<gguf::File>> RewriteGguf(const gguf::File& f, const Rewrite& r,
                                                               const std::string& name) {
  gguf::Writer w;
  for (const std::string& key : f.keys()) {
    if (!r.key || r.key(key, w)) w.Add(key, *f.Find(key));
  }
  for (const gguf::TensorInfo& t : f.tensors()) {
    if (!r.tensor || r.tensor(t, w)) {
      w.AddTensor(t.name, t.type, t.dims, std::string(reinterpret_cast<const char*>(f.TensorData(t)), t.size_bytes));
    }
  }
  auto bytes = w.Serialize();
  if (!bytes.ok()) return bytes.status();
  return gguf::File::FromBuffer(std::move(*bytes), name);
}

}  // namespace engram::engine::testing
