// Native daemon state -> engram.v1 Daemon messages.
#pragma once

#include "daemon/state.h"
#include "engram/v1/daemon.pb.h"

namespace engram::daemon::marshal {

void ToProto(const StatusSnapshot& snapshot, v1::StatusResponse* out);

}  // namespace engram::daemon::marshal
