#include "daemon/marshal/model_marshal.h"

namespace engram::daemon::marshal {

absl::StatusOr<engine::SamplingParams> FromProto(const v1::Sampling& s) {
  engine::SamplingParams p;
  p.temperature = s.temperature();
  p.top_k = s.top_k();
  p.top_p = s.top_p() == 0.0f ? 1.0f : s.top_p();
  p.min_p = s.min_p();
  p.repetition_penalty = s.repetition_penalty() == 0.0f ? 1.0f : s.repetition_penalty();
  p.presence_penalty = s.presence_penalty();
  p.frequency_penalty = s.frequency_penalty();
  p.penalty_last_n = s.penalty_last_n() == 0 ? 64 : s.penalty_last_n();
  p.seed = s.seed();
  p.n_logprobs = s.logprobs();
  if (auto st = engine::ValidateSamplingParams(p); !st.ok()) return st;
  return p;
}

absl::StatusOr<std::vector<engine::tokenizer::ChatMessage>> FromProto(
    const google::protobuf::RepeatedPtrField<v1::ChatMessage>& messages) {
  if (messages.empty()) return absl::InvalidArgumentError("chat: messages must not be empty");
  std::vector<engine::tokenizer::ChatMessage> out;
  for (int i = 0; i < messages.size(); ++i) {
    const std::string& role = messages[i].role();
    if (role != "system" && role != "user" && role != "assistant") {
      return absl::InvalidArgumentError("chat: messages[" + std::to_string(i) + "].role '" + role.substr(0, 32) +
                                        "' is not system, user or assistant");
    }
    out.push_back({role, messages[i].content()});
  }
  return out;
}

absl::Status FillGenerationOptions(const v1::Sampling& sampling, int32_t max_tokens,
                                   const google::protobuf::RepeatedPtrField<std::string>& stop,
                                   engine::GenerateRequest* out) {
  auto params = FromProto(sampling);
  if (!params.ok()) return params.status();
  out->sampling = *params;
  if (max_tokens < 0) return absl::InvalidArgumentError("max_tokens must be >= 0");
  out->max_tokens = max_tokens == 0 ? 256 : max_tokens;
  if (stop.size() > 16) return absl::InvalidArgumentError("stop: at most 16 stop strings");
  for (int i = 0; i < stop.size(); ++i) {
    if (stop[i].empty() || stop[i].size() > 256) {
      return absl::InvalidArgumentError("stop[" + std::to_string(i) + "] must be 1..256 bytes");
    }
    out->stop.push_back(stop[i]);
  }
  return absl::OkStatus();
}

void ToProto(const engine::LoadedModel& m, v1::LoadedModelInfo* out) {
  out->set_path(m.path);
  out->set_architecture(m.info.architecture);
  out->set_name(m.info.name);
  out->set_parameters(m.info.n_params);
  out->set_bytes(m.info.n_bytes);
  for (const auto& [type, bytes] : m.bytes_by_type) (*out->mutable_bytes_by_type())[type] = bytes;
  out->set_vocab_size(m.info.n_vocab);
  out->set_layers(m.info.n_layer);
  out->set_context(m.context);
  out->set_load_ms(m.load_ms);
  out->set_kv_type(std::string(engine::KvTypeName(m.kv_type)));
  out->set_kv_bytes_per_token(m.kv_bytes_per_token);
}

void ToProto(const engine::GeneratedChunk& c, v1::TokenChunk* out) {
  out->set_text(c.text);
  out->set_token(c.token);
  out->set_logprob(c.logprob);
  for (const engine::TokenLogprob& t : c.top) {
    v1::TokenLogprob* p = out->add_top();
    p->set_token(t.token);
    p->set_logprob(t.logprob);
  }
}

void ToProto(const engine::GenerateResult& r, v1::CompletionSummary* out) {
  out->set_finish_reason(std::string(engine::FinishReasonName(r.reason)));
  out->set_prompt_tokens(r.prompt_tokens);
  out->set_completion_tokens(r.completion_tokens);
  out->set_prefill_ms(r.prefill_ms);
  out->set_decode_ms(r.decode_ms);
}

}  // namespace engram::daemon::marshal
