// engram.v1 Model messages <-> engine types. Request fields are validated here (ranges, sizes) so
// the engine sees only well-formed values; errors are INVALID_ARGUMENT naming the field.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "engine/engine.h"
#include "engram/v1/model.pb.h"

namespace engram::daemon::marshal {

// Sampling with proto3 zero values meaning "default".
absl::StatusOr<engine::SamplingParams> FromProto(const v1::Sampling& s);
absl::StatusOr<std::vector<engine::tokenizer::ChatMessage>> FromProto(const google::protobuf::RepeatedPtrField<v1::ChatMessage>& m);
// Sampling, max_tokens (0: 256) and stop strings (at most 16, each 1..256 bytes) of a Complete or
// Chat request.
absl::Status FillGenerationOptions(const v1::Sampling& sampling, int32_t max_tokens,
                                   const google::protobuf::RepeatedPtrField<std::string>& stop,
                                   engine::GenerateRequest* out);

void ToProto(const engine::LoadedModel& m, v1::LoadedModelInfo* out);
void ToProto(const engine::GeneratedChunk& c, v1::TokenChunk* out);
void ToProto(const engine::GenerateResult& r, v1::CompletionSummary* out);

}  // namespace engram::daemon::marshal
