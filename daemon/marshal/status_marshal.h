// absl::Status <-> grpc::Status. The one place where error codes cross the wire boundary
// (absl and gRPC share code numbers; messages pass through unchanged).
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace engram::daemon::marshal {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace engram::daemon::marshal
