#include "daemon/server/call_info.h"

namespace engram::daemon {

CallInfo CallInfoFrom(const grpc::CallbackServerContext& ctx, std::string method) {
  CallInfo info;
  info.method = std::move(method);
  info.peer = ctx.peer();
  const auto& md = ctx.client_metadata();
  if (auto it = md.find("authorization"); it != md.end()) info.authorization.assign(it->second.data(), it->second.size());
  info.deadline = ctx.deadline();
  return info;
}

}  // namespace engram::daemon
