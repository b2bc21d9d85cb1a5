#include "engine/model/model.h"

#include "engine/model/deepseek2.h"
#include "support/status.h"

namespace engram::engine {

absl::StatusOr<std::unique_ptr<Model>> LoadModel(std::shared_ptr<const gguf::File> file, ThreadPool* pool) {
  ASSIGN_OR_RETURN(std::string arch, file->GetString("general.architecture"));
  if (arch == "deepseek2") return LoadDeepseek2(std::move(file), pool);
  return absl::UnimplementedError("model: architecture '" + arch + "' of '" + file->name() +
                                  "' is not supported (supported: deepseek2)");
}

}  // namespace engram::engine
