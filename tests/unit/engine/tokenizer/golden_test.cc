// Golden tests: ids made by independent implementations (tests/golden/README.md).
//  - ggml-vocab-deepseek-{coder,llm}.gguf.{inp,out}: Hugging Face tokenizers.
//  - cases-deepseek-{coder,llm}.jsonl: llama.cpp (commit 3f545bec).
// Tolerance: none. Every case must give exactly the expected ids (no BOS, special tokens not
// parsed) and decode back to exactly its text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/bpe.h"
#include "engine/tokenizer/chat_template.h"
#include "engine/tokenizer/stream_decoder.h"

namespace engram::engine::tokenizer {
namespace {

const std::string kGolden = ENGRAM_GOLDEN_DIR;

struct Case {
  std::string text;
  std::vector<TokenId> ids;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<Tokenizer> LoadTokenizer(const std::string& path) {
  absl::StatusOr<std::unique_ptr<gguf::File>> file = gguf::File::Open(path);
  EXPECT_TRUE(file.ok()) << file.status();
  if (!file.ok()) return nullptr;
  absl::StatusOr<std::unique_ptr<Tokenizer>> tok = Tokenizer::FromGguf(**file);
  EXPECT_TRUE(tok.ok()) << tok.status();
  return tok.ok() ? std::move(*tok) : nullptr;
}

std::vector<Case> ReadJsonl(const std::string& path) {
  std::vector<Case> cases;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    try {
      const nlohmann::json j = nlohmann::json::parse(line);
      cases.push_back({j.at("text").get<std::string>(), j.at("ids").get<std::vector<TokenId>>()});
    } catch (const nlohmann::json::exception& e) {
      ADD_FAILURE() << path << ": line " << cases.size() + 1 << ": " << e.what();
    }
  }
  return cases;
}

// .inp: every text is followed by "\n__ggml_vocab_test__\n"; .out: one line of ids per text.
std::vector<Case> ReadInpOut(const std::string& base) {
  const std::string inp = ReadFile(base + ".inp");
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<Case> cases;
  size_t pos = 0;
  for (size_t next; (next = inp.find(sep, pos)) != std::string::npos; pos = next + sep.size()) {
    cases.push_back({inp.substr(pos, next - pos), {}});
  }
  EXPECT_EQ(pos, inp.size()) << "text after the last separator in " << base << ".inp";
  std::ifstream out(base + ".out");
  std::string line;
  size_t i = 0;
  while (std::getline(out, line)) {
    if (i >= cases.size()) {
      ADD_FAILURE() << base << ".out has more lines than .inp has texts";
      break;
    }
    std::istringstream ls(line);
    for (TokenId id; ls >> id;) cases[i].ids.push_back(id);
    ++i;
  }
  EXPECT_EQ(i, cases.size()) << base << ".out line count";
  return cases;
}

std::string Show(const std::vector<TokenId>& ids) {
  std::string s;
  for (TokenId id : ids) s += (s.empty() ? "" : " ") + std::to_string(id);
  return s;
}

// Encodes and decodes every case; reports the pass count and the first few failures.
void RunCases(const Tokenizer& tok, const std::vector<Case>& cases, const std::string& label) {
  ASSERT_FALSE(cases.empty()) << label;
  size_t passed = 0;
  size_t reported = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const std::vector<TokenId> got = tok.Encode(c.text);
    absl::StatusOr<std::string> back = tok.Decode(c.ids);
    const bool ok = got == c.ids && back.ok() && *back == c.text;
    if (ok) {
      ++passed;
    } else if (reported++ < 10) {
      ADD_FAILURE() << label << " case " << i << ": text " << ::testing::PrintToString(c.text)
                    << "\n  expected " << Show(c.ids) << "\n  got      " << Show(got)
                    << "\n  decoded  "
                    << (back.ok() ? ::testing::PrintToString(*back) : back.status().ToString());
    }
  }
  std::printf("[ golden   ] %s: %zu/%zu cases pass\n", label.c_str(), passed, cases.size());
  EXPECT_EQ(passed, cases.size()) << label;
}

class GoldenVocab : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenVocab, JsonlCasesFromLlamaCpp) {
  const std::string name = GetParam();
  std::unique_ptr<Tokenizer> tok =
      LoadTokenizer(kGolden + "/tokenizer/ggml-vocab-" + name + ".gguf");
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->vocab().pre, name);
  const std::vector<Case> cases = ReadJsonl(kGolden + "/tokenizer/cases-" + name + ".jsonl");
  EXPECT_EQ(cases.size(), 300u);
  RunCases(*tok, cases, "cases-" + name + ".jsonl");
}

TEST_P(GoldenVocab, InpOutCasesFromHuggingFace) {
  const std::string name = GetParam();
  const std::string base = kGolden + "/tokenizer/ggml-vocab-" + name + ".gguf";
  std::unique_ptr<Tokenizer> tok = LoadTokenizer(base);
  ASSERT_NE(tok, nullptr);
  RunCases(*tok, ReadInpOut(base), "ggml-vocab-" + name + ".gguf.inp");
}

TEST_P(GoldenVocab, StreamingDecodeMatchesDecode) {
  const std::string name = GetParam();
  std::unique_ptr<Tokenizer> tok =
      LoadTokenizer(kGolden + "/tokenizer/ggml-vocab-" + name + ".gguf");
  ASSERT_NE(tok, nullptr);
  for (const Case& c : ReadJsonl(kGolden + "/tokenizer/cases-" + name + ".jsonl")) {
    StreamDecoder dec(*tok);
    std::string streamed;
    for (TokenId id : c.ids) {
      const std::string chunk = dec.Push(id);
      EXPECT_TRUE(chunk.empty() || (chunk.back() & 0xC0) != 0xC0) << "chunk ends mid-character";
      streamed += chunk;
      EXPECT_LE(dec.pending_bytes(), 3u);
    }
    streamed += dec.Finish();
    EXPECT_EQ(streamed, c.text);
  }
}

TEST_P(GoldenVocab, SpecialTokensAndFim) {
  const std::string name = GetParam();
  std::unique_ptr<Tokenizer> tok =
      LoadTokenizer(kGolden + "/tokenizer/ggml-vocab-" + name + ".gguf");
  ASSERT_NE(tok, nullptr);
  const TokenId bos = tok->bos_id();
  ASSERT_NE(bos, kNoToken);
  EXPECT_EQ(tok->vocab().tokens[bos], "<｜begin▁of▁sentence｜>");
  // Control tokens are text unless asked for; then they are one id.
  const std::string text = "<｜begin▁of▁sentence｜>hi";
  EXPECT_NE(tok->Encode(text).front(), bos);
  EXPECT_EQ(tok->Encode(text, {.parse_special = true}).front(), bos);
  EXPECT_EQ(*tok->Decode(tok->Encode(text)), text);
  EXPECT_EQ(tok->Encode("hi", {.add_bos = true}).front(), bos);

  absl::StatusOr<FimTemplate> fim = FimTemplate::Create(*tok);
  if (name == "deepseek-coder") {
    ASSERT_TRUE(fim.ok()) << fim.status();
    const std::vector<TokenId> ids = fim->Encode("def f(x):\n    ", "\n    return y\n");
    ASSERT_GE(ids.size(), 5u);
    EXPECT_EQ(ids[0], bos);
    EXPECT_EQ(ids[1], tok->FindToken("<｜fim▁begin｜>"));
    EXPECT_EQ(ids.back(), tok->FindToken("<｜fim▁end｜>"));
    EXPECT_EQ(*tok->Decode(ids, {.render_special = true}),
              "<｜begin▁of▁sentence｜><｜fim▁begin｜>def f(x):\n    <｜fim▁hole｜>\n    return "
              "y\n<｜fim▁end｜>");
  } else {
    EXPECT_EQ(fim.status().code(), absl::StatusCode::kNotFound);
  }
}

INSTANTIATE_TEST_SUITE_P(DeepSeek, GoldenVocab, ::testing::Values("deepseek-coder", "deepseek-llm"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           return p.param == "deepseek-coder" ? std::string("Coder")
                                                              : std::string("Llm");
                         });

// The deepseek2 tiny model: a 512-token synthetic vocabulary with the deepseek-v3 pre-tokenizer.
// No golden ids exist for it: round trips, id range and the chat/FIM markers are checked.
class TinyDeepseek2Vocab : public ::testing::Test {
 protected:
  void SetUp() override {
    tok_ = LoadTokenizer(kGolden + "/deepseek2/tiny-f32.gguf");
    ASSERT_NE(tok_, nullptr);
  }
  std::unique_ptr<Tokenizer> tok_;
};

TEST_F(TinyDeepseek2Vocab, RoundTripsAndStaysInRange) {
  EXPECT_EQ(tok_->n_vocab(), 512);
  EXPECT_EQ(tok_->vocab().pre, "deepseek-v3");
  const std::vector<std::string> texts = {
      "",
      "Hello world",
      "The quick brown fox jumps over the lazy dog.\n\n",
      "int main(int argc, char** argv) {\n\treturn 0;\n}\n",
      "1234567 + 89 = 1234656",
      "   leading and trailing spaces   ",
      "Grüße, 世界! こんにちは カタカナ 🚀 e\u0301",
      "\r\n\r\n  \t\n",
      "<｜User｜> stays text",
      std::string("bytes \xff\xfe and a cut \xe4\xb8", 21),
  };
  for (const std::string& text : texts) {
    const std::vector<TokenId> ids = tok_->Encode(text);
    for (TokenId id : ids) {
      EXPECT_GE(id, 0);
      EXPECT_LT(id, 512);
    }
    absl::StatusOr<std::string> back = tok_->Decode(ids);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, text);
  }
  EXPECT_LT(tok_->Encode("the the the").size(), std::string("the the the").size());
}

TEST_F(TinyDeepseek2Vocab, ChatTemplateMatchesTheGgufTemplate) {
  // tokenizer.chat_template of this file: bos, system content, then <｜User｜>content,
  // <｜Assistant｜>content<｜end▁of▁sentence｜>, and <｜Assistant｜> as the generation prompt.
  absl::StatusOr<ChatTemplate> chat = ChatTemplate::Create(*tok_);
  ASSERT_TRUE(chat.ok()) << chat.status();
  const std::vector<ChatMessage> messages = {
      {"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello."}, {"user", "Sum 2+2"}};
  absl::StatusOr<std::string> text = chat->Render(messages);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "<｜begin▁of▁sentence｜>Be brief.<｜User｜>Hi<｜Assistant｜>Hello.<｜end▁of▁sentence｜>"
            "<｜User｜>Sum 2+2<｜Assistant｜>");
  absl::StatusOr<std::vector<TokenId>> ids = chat->Encode(messages);
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_EQ(*ids, tok_->Encode(*text, {.parse_special = true}));
  EXPECT_EQ(ids->front(), 504);
  EXPECT_EQ(ids->back(), 511);
}

TEST_F(TinyDeepseek2Vocab, FimPrompt) {
  absl::StatusOr<FimTemplate> fim = FimTemplate::Create(*tok_);
  ASSERT_TRUE(fim.ok()) << fim.status();
  EXPECT_EQ(fim->begin_id(), 508);
  EXPECT_EQ(fim->hole_id(), 507);
  EXPECT_EQ(fim->end_id(), 509);
  const std::vector<TokenId> ids = fim->Encode("a = ", "\nb = a");
  std::vector<TokenId> expected = {504, 508};
  for (TokenId id : tok_->Encode("a = ")) expected.push_back(id);
  expected.push_back(507);
  for (TokenId id : tok_->Encode("\nb = a")) expected.push_back(id);
  expected.push_back(509);
  EXPECT_EQ(ids, expected);
}

}  // namespace
}  // namespace engram::engine::tokenizer
