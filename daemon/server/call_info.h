// Reads the native CallInfo (peer, authorization, deadline, method) out of a gRPC server context.
#pragma once

#include <grpcpp/server_context.h>

#include "daemon/session/session_manager.h"

namespace engram::daemon {

CallInfo CallInfoFrom(const grpc::CallbackServerContext& ctx, std::string method);

}  // namespace engram::daemon
