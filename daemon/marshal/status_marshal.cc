#include "daemon/marshal/status_marshal.h"

namespace engram::daemon::marshal {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace engram::daemon::marshal
