// --json output of the CLI: proto messages printed with their proto field names and every field.
#pragma once

#include <google/protobuf/message.h>

#include <string>

namespace engram::cli {

// `pretty`: indented, for one-shot answers; compact for streams (one object per line).
std::string ToJson(const google::protobuf::Message& message, bool pretty);

}  // namespace engram::cli
