// IndexStore: the input of the repo map's symbol graph (index_store.cc has opening and writes).
//
// LoadGraphFacts reads four tables in one snapshot. References dominate (about 10 M rows for the
// Linux kernel): they are read from the covering index `refs_name` (name_id, rowid), which is a
// fraction of the table's size and yields each name's rows in file order, so equal (name, file)
// pairs are adjacent and aggregate without a hash map; a two-pass radix sort then orders the pairs
// by (file, name). While a bulk load has dropped that index, the table is scanned in rowid order
// (file-major) and each file's names are counted in a hash map instead.
#include <algorithm>
#include <charconv>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "repo_index/store/index_store.h"
#include "repo_index/store/sqlite.h"
#include "repo_index/store/store_internal.h"
#include "support/status.h"

namespace engram::repo_index {
namespace {

using internal::ForEachRow;
using internal::kSeqBits;

constexpr uint32_t kAbsent = std::numeric_limits<uint32_t>::max();

// Database id → dense index (position in the vector the ids came from). A direct table when the
// ids are compact (the usual case: rowids with few holes), a hash map otherwise.
class DenseIds {
 public:
  explicit DenseIds(const std::vector<int64_t>& ids) {
    int64_t max_id = -1;
    bool non_negative = true;
    for (int64_t id : ids) {
      max_id = std::max(max_id, id);
      if (id < 0) non_negative = false;
    }
    direct_ = non_negative && max_id < static_cast<int64_t>(4 * ids.size() + 4096);
    if (direct_) {
      table_.assign(static_cast<size_t>(max_id + 1), kAbsent);
      for (size_t i = 0; i < ids.size(); ++i) table_[static_cast<size_t>(ids[i])] = uint32_t(i);
    } else {
      map_.reserve(ids.size());
      for (size_t i = 0; i < ids.size(); ++i) map_.emplace(ids[i], static_cast<uint32_t>(i));
    }
  }

  // kAbsent for an id that was not in the vector.
  uint32_t Find(int64_t id) const {
    if (direct_) {
      return id >= 0 && static_cast<size_t>(id) < table_.size() ? table_[static_cast<size_t>(id)]
                                                                : kAbsent;
    }
    auto it = map_.find(id);
    return it == map_.end() ? kAbsent : it->second;
  }

 private:
  bool direct_ = true;
  std::vector<uint32_t> table_;
  absl::flat_hash_map<int64_t, uint32_t> map_;
};

// Stable counting sort of `items` by key(item) in [0, buckets).
template <typename T, typename Key>
void CountingSort(std::vector<T>* items, size_t buckets, Key key) {
  std::vector<uint32_t> start(buckets + 1, 0);
  for (const T& item : *items) ++start[key(item) + 1];
  for (size_t b = 0; b < buckets; ++b) start[b + 1] += start[b];
  std::vector<T> sorted(items->size());
  for (const T& item : *items) sorted[start[key(item)]++] = item;
  *items = std::move(sorted);
}

absl::StatusOr<uint64_t> ParseGeneration(const std::optional<std::string>& value,
                                         const std::string& db_path) {
  if (!value || value->empty()) return 0;
  uint64_t generation = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), generation);
  if (ec != std::errc() || end != value->data() + value->size()) {
    return absl::DataLossError("index: " + db_path + ": unreadable symbols_generation '" +
                               value->substr(0, 40) + "'");
  }
  return generation;
}

absl::Status ReadFiles(SqliteDb& db, GraphFacts* facts, std::vector<int64_t>* ids) {
  ASSIGN_OR_RETURN(SqliteStmt st, db.Prepare("SELECT id, path FROM files ORDER BY path"));
  return ForEachRow(st, [&] {
    ids->push_back(st.ColumnInt64(0));
    facts->files.emplace_back(st.ColumnText(1));
    return absl::OkStatus();
  });
}

absl::Status ReadNames(SqliteDb& db, GraphFacts* facts, std::vector<int64_t>* ids) {
  // The unique index on name yields the names sorted by bytes (BINARY collation = memcmp).
  ASSIGN_OR_RETURN(SqliteStmt st, db.Prepare("SELECT id, name FROM names ORDER BY name"));
  return ForEachRow(st, [&] {
    ids->push_back(st.ColumnInt64(0));
    facts->names.emplace_back(st.ColumnText(1));
    return absl::OkStatus();
  });
}

absl::Status ReadDefinitions(SqliteDb& db, const DenseIds& files, const DenseIds& names,
                             GraphFacts* facts) {
  ASSIGN_OR_RETURN(SqliteStmt st,
                   db.Prepare("SELECT id, name_id, kind, start_line, end_line, signature "
                              "FROM symbols ORDER BY id"));
  int64_t last_file_id = -1;
  uint32_t file = kAbsent;
  RETURN_IF_ERROR(ForEachRow(st, [&]() -> absl::Status {
    const int64_t id = st.ColumnInt64(0);
    if ((id >> kSeqBits) != last_file_id) {
      last_file_id = id >> kSeqBits;
      file = files.Find(last_file_id);
    }
    const uint32_t name = names.Find(st.ColumnInt64(1));
    if (file == kAbsent || name == kAbsent) return absl::OkStatus();  // orphan row: not ours
    std::string_view signature = st.ColumnText(5);
    if (facts->signatures.size() + signature.size() > std::numeric_limits<uint32_t>::max()) {
      return absl::ResourceExhaustedError("index: " + db.path() +
                                          ": symbol signatures exceed 4 GiB");
    }
    GraphFacts::Definition d;
    d.file = file;
    d.name = name;
    d.kind = static_cast<SymbolKind>(st.ColumnInt64(2));
    d.start_line = static_cast<uint32_t>(st.ColumnInt64(3));
    d.end_line = static_cast<uint32_t>(st.ColumnInt64(4));
    d.symbol_id = id;
    d.signature_offset = static_cast<uint32_t>(facts->signatures.size());
    d.signature_size = static_cast<uint32_t>(signature.size());
    facts->signatures.append(signature);
    facts->definitions.push_back(d);
    return absl::OkStatus();
  }));
  // Rowid order is file-id order; dense files are in path order. Within a file rowid order is
  // source order, which the stable sort keeps.
  CountingSort(&facts->definitions, facts->files.size(),
               [](const GraphFacts::Definition& d) { return d.file; });
  return absl::OkStatus();
}

absl::StatusOr<bool> HasIndex(SqliteDb& db, std::string_view index) {
  ASSIGN_OR_RETURN(SqliteStmt st,
                   db.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?1"));
  st.Bind(1, index);
  ASSIGN_OR_RETURN(bool found, st.Step());
  st.Reset();
  return found;
}

// Rows of `refs_name` are (name_id, rowid) in that order: each name's rows come file by file.
absl::Status ReadReferencesByName(SqliteDb& db, const DenseIds& files, const DenseIds& names,
                                  GraphFacts* facts) {
  ASSIGN_OR_RETURN(
      SqliteStmt st,
      db.Prepare("SELECT name_id, id FROM refs INDEXED BY refs_name ORDER BY name_id"));
  int64_t last_name_id = -1, last_file_id = -1;
  uint32_t name = kAbsent, file = kAbsent;
  GraphFacts::RefCount* current = nullptr;
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    const int64_t name_id = st.ColumnInt64(0);
    const int64_t file_id = st.ColumnInt64(1) >> kSeqBits;
    if (name_id == last_name_id && file_id == last_file_id) {
      if (current != nullptr) ++current->count;
      return absl::OkStatus();
    }
    if (name_id != last_name_id) {
      last_name_id = name_id;
      name = names.Find(name_id);
    }
    if (file_id != last_file_id) {
      last_file_id = file_id;
      file = files.Find(file_id);
    }
    current = nullptr;
    if (name != kAbsent && file != kAbsent) {
      facts->references.push_back({file, name, 1});
      current = &facts->references.back();
    }
    return absl::OkStatus();
  }));
  // (name id, file) order → (file, dense name) order: a two-pass radix sort.
  CountingSort(&facts->references, facts->names.size(),
               [](const GraphFacts::RefCount& r) { return r.name; });
  CountingSort(&facts->references, facts->files.size(),
               [](const GraphFacts::RefCount& r) { return r.file; });
  return absl::OkStatus();
}

// The fallback while a bulk load has dropped `refs_name`: rowid order is file-major.
absl::Status ReadReferencesByFile(SqliteDb& db, const DenseIds& files, const DenseIds& names,
                                  GraphFacts* facts) {
  ASSIGN_OR_RETURN(SqliteStmt st, db.Prepare("SELECT id, name_id FROM refs ORDER BY id"));
  absl::flat_hash_map<uint32_t, uint32_t> counts;  // dense name → count, for the current file
  int64_t last_file_id = -1;
  uint32_t file = kAbsent;
  auto flush = [&] {
    if (file == kAbsent) return;
    const size_t first = facts->references.size();
    for (const auto& [name, count] : counts) facts->references.push_back({file, name, count});
    std::sort(facts->references.begin() + static_cast<ptrdiff_t>(first), facts->references.end(),
              [](const GraphFacts::RefCount& a, const GraphFacts::RefCount& b) {
                return a.name < b.name;
              });
  };
  RETURN_IF_ERROR(ForEachRow(st, [&] {
    const int64_t file_id = st.ColumnInt64(0) >> kSeqBits;
    if (file_id != last_file_id) {
      flush();
      counts.clear();
      last_file_id = file_id;
      file = files.Find(file_id);
    }
    const uint32_t name = names.Find(st.ColumnInt64(1));
    if (name != kAbsent) ++counts[name];
    return absl::OkStatus();
  }));
  flush();
  CountingSort(&facts->references, facts->files.size(),
               [](const GraphFacts::RefCount& r) { return r.file; });
  return absl::OkStatus();
}

absl::StatusOr<GraphFacts> ReadGraphFacts(SqliteDb& db, uint64_t generation) {
  GraphFacts facts;
  facts.symbols_generation = generation;
  std::vector<int64_t> name_ids;
  RETURN_IF_ERROR(ReadFiles(db, &facts, &facts.file_ids));
  RETURN_IF_ERROR(ReadNames(db, &facts, &name_ids));
  const DenseIds files(facts.file_ids);
  const DenseIds names(name_ids);
  name_ids = {};
  RETURN_IF_ERROR(ReadDefinitions(db, files, names, &facts));
  ASSIGN_OR_RETURN(bool indexed, HasIndex(db, "refs_name"));
  if (indexed) {
    RETURN_IF_ERROR(ReadReferencesByName(db, files, names, &facts));
  } else {
    RETURN_IF_ERROR(ReadReferencesByFile(db, files, names, &facts));
  }
  return facts;
}

}  // namespace

absl::StatusOr<uint64_t> IndexStore::SymbolsGeneration() {
  ASSIGN_OR_RETURN(std::optional<std::string> value, GetMeta("symbols_generation"));
  return ParseGeneration(value, path_);
}

absl::StatusOr<GraphFacts> IndexStore::LoadGraphFacts() {
  // One read transaction makes the generation and the rows one snapshot (WAL); inside the caller's
  // write transaction its uncommitted rows are read as they stand.
  const bool own_transaction = !write_->in_transaction;
  if (own_transaction) RETURN_IF_ERROR(db_->Exec("BEGIN"));
  absl::StatusOr<GraphFacts> facts = [&]() -> absl::StatusOr<GraphFacts> {
    ASSIGN_OR_RETURN(uint64_t generation, SymbolsGeneration());
    return ReadGraphFacts(*db_, generation);
  }();
  if (own_transaction) {
    absl::Status end = db_->Exec(facts.ok() ? "COMMIT" : "ROLLBACK");
    if (facts.ok() && !end.ok()) return end;
  }
  if (!facts.ok())
    return Annotate(facts.status(), "index: " + path_ + ": loading the symbol graph");
  return facts;
}

}  // namespace engram::repo_index
