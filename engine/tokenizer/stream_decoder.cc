#include "engine/tokenizer/stream_decoder.h"

#include "engine/tokenizer/utf8.h"

namespace engram::engine::tokenizer {

StreamDecoder::StreamDecoder(const Tokenizer& tokenizer, DecodeOptions options)
    : tokenizer_(&tokenizer), options_(options) {}

std::string StreamDecoder::Push(TokenId id) {
  pending_.append(tokenizer_->TokenToPiece(id, options_.render_special));
  std::string out;
  size_t i = 0;
  while (i < pending_.size()) {
    const std::string_view rest = std::string_view(pending_).substr(i);
    const size_t valid = ValidUtf8Prefix(rest);
    out.append(rest.substr(0, valid));
    i += valid;
    if (i == pending_.size()) break;
    const Utf8Scan s = ScanUtf8Sequence(std::string_view(pending_).substr(i));
    if (s.status == Utf8Scan::kIncomplete) break;  // wait for the next token
    out.append("\xEF\xBF\xBD");                    // an invalid sequence: U+FFFD
    i += s.length;
  }
  pending_.erase(0, i);
  return out;
}

std::string StreamDecoder::Finish() {
  std::string out = pending_.empty() ? std::string() : SanitizeUtf8(pending_);
  pending_.clear();
  return out;
}

}  // namespace engram::engine::tokenizer
