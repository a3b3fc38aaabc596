// ListQuery: filtering is the read model's; what every list does alike is here: sorting
// on any column (`sort=field,-field`), keyset paging with an opaque cursor, choosing
// columns (`columns=`), and the page as JSON rows (the HTTP layer also writes CSV).
//
// Paging is by key, not by offset: the cursor holds the sort values of the last row
// given, and the next page starts after them. A write between two pages never repeats or
// skips a row that did not itself change. The list's first column is its unique id and
// the last tie-breaker, so the order is total.
//
// Threading: pure functions over rows the caller keeps locked.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/coding.h"
#include "base/json_text.h"
#include "base/status.h"
#include "projections/collation.h"

namespace caseengine {

// One sortable value of a row: a number or a text; a person's name sorts by the en-GB
// collation (CollateNames), other text (ids, dates, statuses) by its bytes.
struct Cell {
  bool number = false;
  int64_t num = 0;
  std::string_view text;
  bool name = false;
  static Cell Num(int64_t n) { return {true, n, {}, false}; }
  static Cell Text(std::string_view t) { return {false, 0, t, false}; }
  static Cell Name(std::string_view t) { return {false, 0, t, true}; }
};

inline int CompareCells(const Cell& a, const Cell& b) {
  if (a.number != b.number) return a.number ? -1 : 1;
  if (a.number) return a.num < b.num ? -1 : (a.num > b.num ? 1 : 0);
  // A cursor's values are plain text: a row's name cell makes the comparison a collation.
  if (a.name || b.name) return CollateNames(a.text, b.text);
  const int c = a.text.compare(b.text);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

template <class Row>
struct ListColumn {
  const char* name;
  std::function<Cell(const Row&)> cell;
  // Writes the JSON value shown (one value); the cell's when not given. Text, not a
  // document: a page is written as text, and building a tree per cell cost more than
  // the rest of the page.
  std::function<void(const Row&, JsonWriter*)> write;
};

struct SortKey {
  size_t column = 0;
  bool descending = false;
};

struct ListRequest {
  std::string sort;     // "field,-field"; empty: the list's default
  size_t limit = 50;    // 1..1000
  std::string cursor;   // from the previous page's next_cursor
  std::string columns;  // "a,b,c"; empty: all
  // The rows as JSON text (ListPage::rows_text) rather than as a document: what an HTTP
  // answer needs, written directly, several times faster for a page of many columns.
  bool as_text = false;
};

struct ListPage {
  nlohmann::json rows = nlohmann::json::array();  // unless the request asked for text
  // A JSON array, when it did, appended to what the caller put here first (an answer's
  // head: the rows are then written into the answer once).
  std::string rows_text;
  std::vector<std::string> columns;  // in the order chosen
  std::string next_cursor;           // empty on the last page
  size_t total = 0;                  // rows matching the filters, over all pages
  bool total_known = true;           // false when the list was not asked to count
};

inline constexpr size_t kMaxPageSize = 1000;

namespace list_query_internal {

inline std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    std::string part = s.substr(start, end - start);
    if (!part.empty()) out.push_back(part);
    start = end + 1;
  }
  return out;
}

// Cursors travel in URLs: base64url without padding.
inline std::string EncodeCursor(const std::string& text) { return Base64UrlEncode(text); }
inline bool DecodeCursor(const std::string& s, std::string* text) {
  return Base64UrlDecode(s, text);
}

}  // namespace list_query_internal

// InvalidArgument naming the first filter that is not in `known`.
inline Status CheckFilters(const std::map<std::string, std::string>& filters,
                           const std::vector<std::string>& known) {
  for (const auto& [name, value] : filters) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return Status::InvalidArgument("unknown filter '" + name + "'");
    }
  }
  return Status::Ok();
}

// A filter's value, or null when it was not given.
inline const std::string* FilterValue(const std::map<std::string, std::string>& filters,
                                      const std::string& name) {
  auto it = filters.find(name);
  return it == filters.end() ? nullptr : &it->second;
}

template <class Row>
std::vector<std::string> ColumnNamesOf(const std::vector<ListColumn<Row>>& columns) {
  std::vector<std::string> names;
  for (const auto& c : columns) names.push_back(c.name);
  return names;
}

// One request against one list: the sort keys, the columns shown, the cursor's position,
// and how to turn the rows of a page into its answer. What every way of finding a page
// shares: a sort of the filtered rows (PageOf) or a walk of a kept order (SortedIndex).
template <class Row>
class ListPlan {
 public:
  // InvalidArgument names a bad sort column, column, limit or cursor. `columns` must
  // outlive the plan.
  static Status Make(const std::vector<ListColumn<Row>>& columns, const std::string& default_sort,
                     const ListRequest& request, ListPlan* plan) {
    using list_query_internal::SplitCommas;
    plan->columns_ = &columns;
    plan->limit_ = request.limit;
    plan->as_text_ = request.as_text;
    plan->sort_ = request.sort.empty() ? default_sort : request.sort;
    if (request.limit < 1 || request.limit > kMaxPageSize) {
      return Status::InvalidArgument("limit must be between 1 and " + std::to_string(kMaxPageSize));
    }
    for (const std::string& part : SplitCommas(plan->sort_)) {
      const bool desc = part[0] == '-';
      const std::string name = desc || part[0] == '+' ? part.substr(1) : part;
      const int c = plan->Find(name);
      if (c < 0) return Status::InvalidArgument("cannot sort on unknown column '" + name + "'");
      plan->keys_.push_back({static_cast<size_t>(c), desc});
    }
    plan->keys_.push_back({0, false});  // the id: a total order
    for (const std::string& name : SplitCommas(request.columns)) {
      const int c = plan->Find(name);
      if (c < 0) return Status::InvalidArgument("unknown column '" + name + "'");
      plan->shown_.push_back(static_cast<size_t>(c));
    }
    if (plan->shown_.empty()) {
      for (size_t i = 0; i < columns.size(); ++i) plan->shown_.push_back(i);
    }
    for (size_t c : plan->shown_) {
      std::string key;
      AppendJsonString(&key, columns[c].name);
      key.push_back(':');
      plan->keys_text_.push_back(std::move(key));
    }
    if (request.cursor.empty()) return Status::Ok();
    // cursor := base64url(JSON [sort, value...]): the sort it was made for and the last
    // row's values under it.
    std::string text;
    if (list_query_internal::DecodeCursor(request.cursor, &text)) {
      plan->cursor_ = nlohmann::json::parse(text, nullptr, false);
    }
    const nlohmann::json& j = plan->cursor_;
    if (!j.is_array() || j.size() != plan->keys_.size() + 1 || j[0] != plan->sort_) {
      return Status::InvalidArgument("cursor is not one this list gave for this sort");
    }
    for (size_t k = 0; k < plan->keys_.size(); ++k) {
      const auto& v = j[k + 1];
      if (v.is_number_integer()) {
        plan->after_.push_back(Cell::Num(v.get<int64_t>()));
      } else if (v.is_string()) {
        plan->after_.push_back(Cell::Text(v.get_ref<const std::string&>()));
      } else {
        return Status::InvalidArgument("cursor is not one this list gave for this sort");
      }
    }
    return Status::Ok();
  }

  // The sort as asked for (the index a kept order is found by).
  const std::string& sort() const { return sort_; }
  const std::vector<SortKey>& keys() const { return keys_; }
  const std::vector<ListColumn<Row>>& columns() const { return *columns_; }
  size_t limit() const { return limit_; }
  bool has_cursor() const { return !after_.empty(); }
  const std::vector<Cell>& after() const { return after_; }

  // <0, 0, >0: the row sorts before, at, after `cells` (a cursor's values).
  int Compare(const Row& a, const std::vector<Cell>& cells) const {
    for (size_t k = 0; k < keys_.size(); ++k) {
      const int c = CompareCells((*columns_)[keys_[k].column].cell(a), cells[k]);
      if (c != 0) return keys_[k].descending ? -c : c;
    }
    return 0;
  }
  bool Less(const Row& a, const Row& b) const {
    for (const SortKey& k : keys_) {
      const int c = CompareCells((*columns_)[k.column].cell(a), (*columns_)[k.column].cell(b));
      if (c != 0) return k.descending ? c > 0 : c < 0;
    }
    return false;
  }

  // The answer for `rows`: the page's rows in order, and one more when there are more.
  void Finish(const std::vector<const Row*>& rows, size_t total, ListPage* page) const {
    std::string head = std::move(page->rows_text);
    *page = ListPage();
    page->rows_text = std::move(head);
    page->total = total;
    const bool more = rows.size() > limit_;
    const size_t n = more ? limit_ : rows.size();
    for (size_t c : shown_) page->columns.push_back((*columns_)[c].name);
    if (as_text_) {
      WriteText(rows, n, &page->rows_text);
    } else {
      for (size_t i = 0; i < n; ++i) {
        nlohmann::json out = nlohmann::json::object();
        for (size_t c : shown_) out[(*columns_)[c].name] = Value((*columns_)[c], *rows[i]);
        page->rows.push_back(std::move(out));
      }
    }
    if (more && n > 0) {
      nlohmann::json cursor = nlohmann::json::array();
      cursor.push_back(sort_);
      for (const SortKey& k : keys_) {
        const Cell cell = (*columns_)[k.column].cell(*rows[n - 1]);
        if (cell.number) {
          cursor.push_back(cell.num);
        } else {
          cursor.push_back(std::string(cell.text));
        }
      }
      page->next_cursor = list_query_internal::EncodeCursor(cursor.dump());
    }
  }

 private:
  // [{"column": value, ...}, ...] in the order of the columns shown.
  void WriteText(const std::vector<const Row*>& rows, size_t n, std::string* out) const {
    out->reserve(out->size() + n * 64 * shown_.size());
    out->push_back('[');
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) out->push_back(',');
      out->push_back('{');
      for (size_t k = 0; k < shown_.size(); ++k) {
        const ListColumn<Row>& col = (*columns_)[shown_[k]];
        if (k > 0) out->push_back(',');
        out->append(keys_text_[k]);  // "name":
        JsonWriter value(out);
        if (col.write) {
          col.write(*rows[i], &value);
          continue;
        }
        const Cell cell = col.cell(*rows[i]);
        if (cell.number) {
          value.Int(cell.num);
        } else {
          value.String(cell.text);
        }
      }
      out->push_back('}');
    }
    out->push_back(']');
  }

  int Find(std::string_view name) const {
    for (size_t i = 0; i < columns_->size(); ++i) {
      if (name == (*columns_)[i].name) return static_cast<int>(i);
    }
    return -1;
  }
  static nlohmann::json Value(const ListColumn<Row>& col, const Row& r) {
    if (col.write) {
      std::string text;
      JsonWriter w(&text);
      col.write(r, &w);
      return nlohmann::json::parse(text);
    }
    const Cell cell = col.cell(r);
    if (cell.number) return cell.num;
    return std::string(cell.text);
  }

  const std::vector<ListColumn<Row>>* columns_ = nullptr;
  std::string sort_;
  std::vector<SortKey> keys_;
  std::vector<size_t> shown_;
  std::vector<std::string> keys_text_;  // per column shown: its name as a JSON key and ':'
  size_t limit_ = 50;
  bool as_text_ = false;
  nlohmann::json cursor_;  // owns the text `after_` points into
  std::vector<Cell> after_;
};

// Sorts, pages and shapes `rows` (already filtered): a sort of what matched.
template <class Row>
Status PageOf(std::vector<const Row*> rows, const std::vector<ListColumn<Row>>& columns,
              const std::string& default_sort, const ListRequest& request, ListPage* page) {
  ListPlan<Row> plan;
  Status s = ListPlan<Row>::Make(columns, default_sort, request, &plan);
  if (!s.ok()) return s;
  const size_t total = rows.size();
  if (plan.has_cursor()) {
    rows.erase(std::remove_if(rows.begin(), rows.end(),
                              [&](const Row* r) { return plan.Compare(*r, plan.after()) <= 0; }),
               rows.end());
  }
  const size_t n = std::min(plan.limit() + 1, rows.size());
  std::partial_sort(rows.begin(), rows.begin() + n, rows.end(),
                    [&](const Row* a, const Row* b) { return plan.Less(*a, *b); });
  rows.resize(n);
  plan.Finish(rows, total, page);
  return Status::Ok();
}

// PageOf for rows made for this query (views joining a stored row with one of its
// parts): they stay in `views` while the page is made.
template <class Row>
Status PageOfViews(const std::vector<Row>& views, const std::vector<ListColumn<Row>>& columns,
                   const std::string& default_sort, const ListRequest& request, ListPage* page) {
  std::vector<const Row*> rows;
  rows.reserve(views.size());
  for (const Row& v : views) rows.push_back(&v);
  return PageOf(std::move(rows), columns, default_sort, request, page);
}

// A sort order of a list's rows, kept as rows change, so that a page is a walk from the
// cursor that stops once the page is full, rather than a sort of every row. Rows are
// found by address (a map beside the set), not by what they sort on, which may have
// changed. After a row changes, the owner calls Place: the row stays where it is when it
// still sorts between its neighbours (most changes: a note, an action, a strand), and is
// moved otherwise. Place assumes every other row is in order, so when several rows change
// at once the owner erases them first and places them after.
//
// Threading: none of its own; the owner's lock guards it with the rows.
template <class Row>
class SortedIndex {
 public:
  SortedIndex(std::vector<ListColumn<Row>> columns, std::vector<SortKey> keys)
      : columns_(std::move(columns)), keys_(std::move(keys)), set_(Less{this}) {}
  SortedIndex(const SortedIndex&) = delete;
  SortedIndex& operator=(const SortedIndex&) = delete;

  // Fills an empty index: a sort, then inserts at the end, faster than one by one.
  // Each row's keys are taken once, before the sort: a comparison then costs no calls of
  // the columns (a day count parses two dates), which made building an order of 40,000
  // rows take 100 ms.
  void Build(std::vector<const Row*> rows) {
    const size_t width = keys_.size();
    std::vector<Cell> cells(rows.size() * width);
    for (size_t i = 0; i < rows.size(); ++i) {
      for (size_t k = 0; k < width; ++k)
        cells[i * width + k] = columns_[keys_[k].column].cell(*rows[i]);
    }
    std::vector<uint32_t> order(rows.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      for (size_t k = 0; k < width; ++k) {
        const int c = CompareCells(cells[a * width + k], cells[b * width + k]);
        if (c != 0) return keys_[k].descending ? c > 0 : c < 0;
      }
      return false;
    });
    std::vector<const Row*> sorted(rows.size());
    for (size_t i = 0; i < order.size(); ++i) sorted[i] = rows[order[i]];
    rows = std::move(sorted);
    where_.reserve(rows.size());
    for (const Row* r : rows) where_[r] = set_.insert(set_.end(), r);
  }
  // Puts a new or changed row in its place.
  void Place(const Row* row) {
    auto w = where_.find(row);
    if (w != where_.end()) {
      const auto it = w->second;
      const Less less{this};
      if ((it == set_.begin() || less(*std::prev(it), row)) &&
          (std::next(it) == set_.end() || less(row, *std::next(it)))) {
        return;
      }
      set_.erase(it);
      where_.erase(w);
    }
    auto [it, inserted] = set_.insert(row);
    if (inserted) where_[row] = it;
  }
  void Erase(const Row* row) {
    auto w = where_.find(row);
    if (w == where_.end()) return;
    set_.erase(w->second);
    where_.erase(w);
  }
  size_t size() const { return set_.size(); }

  // Calls fn(row) in order from just after the plan's cursor (or the start) until it
  // returns false.
  template <class Fn>
  void Walk(const ListPlan<Row>& plan, Fn&& fn) const {
    auto it = plan.has_cursor() ? set_.upper_bound(plan.after()) : set_.begin();
    for (; it != set_.end(); ++it) {
      if (!fn(*it)) return;
    }
  }

 private:
  int Compare(const Row& a, const std::vector<Cell>& cells) const {
    for (size_t k = 0; k < keys_.size(); ++k) {
      const int c = CompareCells(columns_[keys_[k].column].cell(a), cells[k]);
      if (c != 0) return keys_[k].descending ? -c : c;
    }
    return 0;
  }
  struct Less {
    using is_transparent = void;
    const SortedIndex* index;
    bool operator()(const Row* a, const Row* b) const {
      for (const SortKey& k : index->keys_) {
        const auto& col = index->columns_[k.column];
        const int c = CompareCells(col.cell(*a), col.cell(*b));
        if (c != 0) return k.descending ? c > 0 : c < 0;
      }
      return false;
    }
    bool operator()(const Row* a, const std::vector<Cell>& cells) const {
      return index->Compare(*a, cells) < 0;
    }
    bool operator()(const std::vector<Cell>& cells, const Row* a) const {
      return index->Compare(*a, cells) > 0;
    }
  };

  std::vector<ListColumn<Row>> columns_;
  std::vector<SortKey> keys_;
  using Set = std::set<const Row*, Less>;
  Set set_;
  std::unordered_map<const Row*, typename Set::iterator> where_;
};

}  // namespace caseengine
