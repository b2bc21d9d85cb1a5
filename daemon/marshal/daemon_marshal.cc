#include "daemon/marshal/daemon_marshal.h"

namespace engram::daemon::marshal {

void ToProto(const StatusSnapshot& s, v1::StatusResponse* out) {
  out->set_version(s.version);
  out->set_pid(s.pid);
  out->set_uptime_ms(s.uptime_ms);
  v1::BuildFeatures* f = out->mutable_features();
  f->set_cuda_compiled(s.devices.cuda_compiled);
  f->set_gpu_present(s.devices.gpu_count > 0);
  f->set_gpu_count(s.devices.gpu_count);
  f->set_gpu_name(s.devices.gpu_name);
  f->set_cpu_features(s.devices.cpu_features);
  f->set_kernel_variant(s.devices.kernel_variant);
  for (const EndpointInfo& e : s.endpoints) {
    v1::Endpoint* ep = out->add_endpoints();
    ep->set_address(e.address);
    ep->set_requires_token(e.requires_token);
  }
  out->set_active_calls(s.active_calls);
  out->mutable_memory()->set_rss_bytes(s.rss_bytes);
  out->mutable_memory()->set_peak_rss_bytes(s.peak_rss_bytes);
  for (const WorkspaceBrief& w : s.workspaces) {
    v1::WorkspaceInfo* info = out->add_workspaces();
    info->set_path(w.path);
    info->set_id(w.id);
  }
  if (s.model) {
    v1::ModelInfo* m = out->mutable_model();
    m->set_path(s.model->path);
    m->set_architecture(s.model->info.architecture);
    m->set_parameters(s.model->info.n_params);
    m->set_bytes(s.model->info.n_bytes);
  }
  out->set_data_dir(s.data_dir);
  out->set_log_file(s.log_file);
}

}  // namespace engram::daemon::marshal
