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
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/coding.h"
#include "base/status.h"

namespace caseengine {

// One sortable value of a row: a number or a text.
struct Cell {
  bool number = false;
  int64_t num = 0;
  std::string_view text;
  static Cell Num(int64_t n) { return {true, n, {}}; }
  static Cell Text(std::string_view t) { return {false, 0, t}; }
};

inline int CompareCells(const Cell& a, const Cell& b) {
  if (a.number != b.number) return a.number ? -1 : 1;
  if (a.number) return a.num < b.num ? -1 : (a.num > b.num ? 1 : 0);
  const int c = a.text.compare(b.text);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

template <class Row>
struct ListColumn {
  const char* name;
  std::function<Cell(const Row&)> cell;
  // The JSON value shown; the cell's when not given.
  std::function<nlohmann::json(const Row&)> json;
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
};

struct ListPage {
  nlohmann::json rows = nlohmann::json::array();
  std::vector<std::string> columns;  // in the order chosen
  std::string next_cursor;           // empty on the last page
  size_t total = 0;                  // rows matching the filters, over all pages
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
inline std::string EncodeCursor(const std::string& text) {
  std::string s = Base64Encode(text);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) c = c == '+' ? '-' : (c == '/' ? '_' : c);
  return s;
}
inline bool DecodeCursor(std::string s, std::string* text) {
  for (char& c : s) c = c == '-' ? '+' : (c == '_' ? '/' : c);
  while (s.size() % 4 != 0) s.push_back('=');
  return Base64Decode(s, text);
}

}  // namespace list_query_internal

// Sorts, pages and shapes `rows` (already filtered). InvalidArgument names a bad sort
// column, column, limit or cursor.
template <class Row>
Status PageOf(std::vector<const Row*> rows, const std::vector<ListColumn<Row>>& columns,
              const std::string& default_sort, const ListRequest& request, ListPage* page) {
  using list_query_internal::SplitCommas;
  *page = ListPage();
  auto find = [&](std::string_view name) -> int {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (name == columns[i].name) return static_cast<int>(i);
    }
    return -1;
  };
  if (request.limit < 1 || request.limit > kMaxPageSize) {
    return Status::InvalidArgument("limit must be between 1 and " + std::to_string(kMaxPageSize));
  }
  std::vector<SortKey> keys;
  for (const std::string& part : SplitCommas(request.sort.empty() ? default_sort : request.sort)) {
    const bool desc = part[0] == '-';
    const std::string name = desc || part[0] == '+' ? part.substr(1) : part;
    const int c = find(name);
    if (c < 0) return Status::InvalidArgument("cannot sort on unknown column '" + name + "'");
    keys.push_back({static_cast<size_t>(c), desc});
  }
  keys.push_back({0, false});  // the id: a total order

  std::vector<size_t> shown;
  for (const std::string& name : SplitCommas(request.columns)) {
    const int c = find(name);
    if (c < 0) return Status::InvalidArgument("unknown column '" + name + "'");
    shown.push_back(static_cast<size_t>(c));
  }
  if (shown.empty()) {
    for (size_t i = 0; i < columns.size(); ++i) shown.push_back(i);
  }

  auto compare_row = [&](const Row& a, const std::vector<Cell>& b_cells) {
    for (size_t k = 0; k < keys.size(); ++k) {
      int c = CompareCells(columns[keys[k].column].cell(a), b_cells[k]);
      if (c != 0) return keys[k].descending ? -c : c;
    }
    return 0;
  };
  auto less = [&](const Row* a, const Row* b) {
    for (const SortKey& k : keys) {
      int c = CompareCells(columns[k.column].cell(*a), columns[k.column].cell(*b));
      if (c != 0) return k.descending ? c > 0 : c < 0;
    }
    return false;
  };

  page->total = rows.size();
  if (!request.cursor.empty()) {
    // cursor := base64url(JSON [sort, value...]): the sort it was made for and the last row's
    // values under it.
    std::string text;
    nlohmann::json j;
    if (list_query_internal::DecodeCursor(request.cursor, &text)) j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_array() || j.size() != keys.size() + 1 || !j[0].is_string() ||
        j[0] != (request.sort.empty() ? default_sort : request.sort)) {
      return Status::InvalidArgument("cursor is not one this list gave for this sort");
    }
    std::vector<Cell> after;
    for (size_t k = 0; k < keys.size(); ++k) {
      const auto& v = j[k + 1];
      if (v.is_number_integer()) {
        after.push_back(Cell::Num(v.get<int64_t>()));
      } else if (v.is_string()) {
        after.push_back(Cell::Text(v.get_ref<const std::string&>()));
      } else {
        return Status::InvalidArgument("cursor is not one this list gave for this sort");
      }
    }
    rows.erase(std::remove_if(rows.begin(), rows.end(),
                              [&](const Row* r) { return compare_row(*r, after) <= 0; }),
               rows.end());
    // `after` points into j: the page is built before j goes.
    const size_t n = std::min(request.limit, rows.size());
    std::partial_sort(rows.begin(), rows.begin() + n, rows.end(), less);
    rows.resize(rows.size() > n ? n + 1 : n);
  } else {
    const size_t n = std::min(request.limit, rows.size());
    std::partial_sort(rows.begin(), rows.begin() + n, rows.end(), less);
    rows.resize(rows.size() > n ? n + 1 : n);
  }

  const bool more = rows.size() > request.limit;
  if (more) rows.pop_back();
  for (size_t c : shown) page->columns.push_back(columns[c].name);
  for (const Row* r : rows) {
    nlohmann::json out = nlohmann::json::object();
    for (size_t c : shown) {
      const ListColumn<Row>& col = columns[c];
      if (col.json) {
        out[col.name] = col.json(*r);
      } else {
        Cell cell = col.cell(*r);
        if (cell.number) {
          out[col.name] = cell.num;
        } else {
          out[col.name] = std::string(cell.text);
        }
      }
    }
    page->rows.push_back(std::move(out));
  }
  if (more && !rows.empty()) {
    nlohmann::json cursor = nlohmann::json::array();
    cursor.push_back(request.sort.empty() ? default_sort : request.sort);
    for (const SortKey& k : keys) {
      Cell cell = columns[k.column].cell(*rows.back());
      if (cell.number) {
        cursor.push_back(cell.num);
      } else {
        cursor.push_back(std::string(cell.text));
      }
    }
    page->next_cursor = list_query_internal::EncodeCursor(cursor.dump());
  }
  return Status::Ok();
}

}  // namespace caseengine
