// The Api's query routes: each parses its request into a query of the engine's query
// service, waits for the position it must see (min_position), and writes what comes back:
// records as they were (at=, as_of=), lists as JSON or CSV, journals, histories, Lobby
// matches, the live feed and the health check. The route table is in routes.cc.
#include <functional>

#include "aggregates/lobby_matcher.h"
#include "aggregates/state_json.h"
#include "audit/event_json.h"
#include "base/json_text.h"
#include "base/time_format.h"
#include "http/api.h"
#include "http/api_internal.h"

namespace caseengine {
namespace {

bool WantsCsv(const HttpRequest& req) {
  return req.header("Accept").find("text/csv") != std::string::npos;
}

constexpr std::string_view kPageHead = "{\"rows\":";

// A page to fill: as JSON, its text starts with the answer's head, so the list writes its
// rows into the answer's body and nothing copies them after.
ListPage PageFor(const HttpRequest& req) {
  ListPage page;
  if (!WantsCsv(req)) page.rows_text = kPageHead;
  return page;
}

// A page of a list (from PageFor) as JSON, or as CSV when asked for (see ListOf).
void AnswerPage(const HttpRequest& req, ListPage&& page, HttpResponse* res) {
  if (!WantsCsv(req)) {
    // {"rows": [...], "columns": [...], "total": n|null, "next_cursor": "..."|null}, with
    // the rows as the list wrote them.
    std::string body = std::move(page.rows_text);
    if (body.size() == kPageHead.size()) body += page.rows.dump();
    body += ",\"columns\":" + nlohmann::json(page.columns).dump();
    body += ",\"total\":" + (page.total_known ? std::to_string(page.total) : "null");
    body += ",\"next_cursor\":";
    if (page.next_cursor.empty()) {
      body += "null";
    } else {
      AppendJsonString(&body, page.next_cursor);
    }
    body += "}";
    res->status = 200;
    res->content_type = "application/json";
    res->body = std::move(body);
    return;
  }
  std::string csv;
  for (size_t i = 0; i < page.columns.size(); ++i) {
    csv += (i ? "," : "") + CsvCell(page.columns[i]);
  }
  csv += "\r\n";
  for (const auto& row : page.rows) {
    for (size_t i = 0; i < page.columns.size(); ++i) {
      csv += (i ? "," : "") + CsvCell(row.value(page.columns[i], nlohmann::json()));
    }
    csv += "\r\n";
  }
  res->status = 200;
  res->content_type = "text/csv; charset=utf-8";
  // Excel reads a CSV file without a byte order mark in the machine's code page, which
  // garbles every accented name; with one it reads UTF-8. Other programs may show the
  // mark, so it is sent when asked for.
  res->body = req.Param("bom") == "true" ? "\xEF\xBB\xBF" + csv : std::move(csv);
  // Saved as a file, named for its list (the route's path: cases, case-officers, ...).
  const std::string name = req.route != nullptr ? req.route->path + 1 : "list";
  res->headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + ".csv\"");
  if (page.total_known) res->headers.emplace_back("X-Total-Count", std::to_string(page.total));
  if (!page.next_cursor.empty()) res->headers.emplace_back("X-Next-Cursor", page.next_cursor);
}

ListRequest ListOf(const HttpRequest& req) {
  if (req.Has("bom") && req.Param("bom") != "true" && req.Param("bom") != "false") {
    throw Problem::Invalid("bom", "must be true or false");
  }
  ListRequest list;
  list.sort = req.Param("sort");
  list.limit = ParseLimit(req, 50);
  list.cursor = req.Param("cursor");
  list.columns = req.Param("columns");
  list.as_text = !WantsCsv(req);  // CSV is written from the rows' values
  return list;
}

std::map<std::string, std::string> Filters(const HttpRequest& req,
                                           const std::vector<std::string>& names) {
  std::map<std::string, std::string> filters;
  for (const auto& name : names) {
    if (req.Has(name)) filters[name] = req.Param(name);
  }
  return filters;
}

// What every list route shares: its query from the request (the list's filters, then
// `fill` for what the list has of its own), the page asked of `list`, and the answer.
template <class Query>
void AnswerList(const HttpRequest& req, const std::vector<std::string>& filter_names,
                const std::function<void(Query*)>& fill,
                const std::function<Status(Query, ListPage*)>& list, HttpResponse* res) {
  Query q;
  q.filters = Filters(req, filter_names);
  q.list = ListOf(req);
  if (fill) fill(&q);
  ListPage page = PageFor(req);
  Check(list(std::move(q), &page));
  AnswerPage(req, std::move(page), res);
}

}  // namespace

// Queries.

uint64_t Api::WaitForReadModels(const HttpRequest& req, HttpResponse* res) {
  const uint64_t want = ParseCount(req, "min_position", 0, UINT64_MAX / 2);
  // The server waits for Reached before it runs the query (Route::ready); only a caller
  // that did not waits here.
  const ReadPosition at = engine_->queries().WaitForReadModels(
      want, req.waited ? std::chrono::milliseconds(0) : kReadYourWritesWait);
  if (want > at.applied) {
    throw Problem(503, "/problems/not-yet-applied", "Not yet applied",
                  "the read models have applied position " + std::to_string(at.applied) +
                      ", not yet " + std::to_string(want) + "; try again",
                  {{"applied_position", at.applied}});
  }
  res->headers.emplace_back("X-Projection-Lag", std::to_string(at.lag()));
  res->headers.emplace_back("X-Applied-Position", std::to_string(at.applied));
  return at.applied;
}

void Api::WaitForLog(const HttpRequest& req) {
  const uint64_t want = ParseCount(req, "min_position", 0, UINT64_MAX / 2);
  const uint64_t head = engine_->queries().WaitForLog(
      want, req.waited ? std::chrono::milliseconds(0) : kReadYourWritesWait);
  if (head < want) {
    throw Problem(503, "/problems/not-yet-applied", "Not yet applied",
                  "the log has not reached position " + std::to_string(want));
  }
}

namespace {

// as_of= (an instant or a date) or at= (a position): the aggregate as it was then.
AsOf ParseAsOf(const HttpRequest& req) {
  AsOf as_of;
  if (req.Has("at")) {
    as_of.position = ParseCount(req, "at", 0, UINT64_MAX / 2);
    if (as_of.position == 0) throw Problem::Invalid("at", "must be a position of 1 or more");
  }
  if (req.Has("as_of")) {
    // A date means the end of that day.
    if (!ParseInstantUntil(req.Param("as_of"), &as_of.micros)) {
      throw Problem::Invalid("as_of", "must be an RFC 3339 instant or a date YYYY-MM-DD");
    }
  }
  return as_of;
}

void AnswerState(const nlohmann::json& j, uint64_t version, HttpResponse* res) {
  res->Json(j);
  res->headers.emplace_back("ETag", "\"" + std::to_string(version) + "\"");
}

}  // namespace

void Api::GetClient(const HttpRequest& req, HttpResponse* res) {
  WaitForLog(req);
  ClientState s;
  Check(engine_->queries().ReadClient(*req.actor, req.path_params[0], ParseAsOf(req), &s));
  AnswerState(ClientToJson(s), s.version, res);
}

void Api::GetCase(const HttpRequest& req, HttpResponse* res) {
  WaitForLog(req);
  CaseState s;
  Check(engine_->queries().ReadCase(*req.actor, req.path_params[0], ParseAsOf(req), &s));
  AnswerState(CaseToJson(s), s.version, res);
}

void Api::GetLobby(const HttpRequest& req, HttpResponse* res) {
  WaitForLog(req);
  LobbyState s;
  Check(engine_->queries().ReadLobby(*req.actor, req.path_params[0], ParseAsOf(req), &s));
  AnswerState(LobbyToJson(s), s.version, res);
}

void Api::SearchClients(const HttpRequest& req, HttpResponse* res) {
  WaitForReadModels(req, res);
  ClientSearchQuery q;
  q.q = req.Param("q");
  q.date_of_birth = req.Param("date_of_birth");
  q.nino = req.Param("nino");
  q.postcode = req.Param("postcode");
  q.email = req.Param("email");
  q.phone = req.Param("phone");
  q.status = req.Param("status");
  q.limit = ParseLimit(req, 20);
  nlohmann::json results;
  Check(engine_->queries().SearchClients(q, &results));
  res->Json({{"rows", results}});
}

void Api::ListCases(const HttpRequest& req, HttpResponse* res) {
  WaitForReadModels(req, res);
  if (req.Has("total") && req.Param("total") != "true" && req.Param("total") != "false") {
    throw Problem::Invalid("total", "must be true or false");
  }
  AnswerList<CaseListQuery>(
      req, CaseList::FilterNames(),
      [&](CaseListQuery* q) { q->count_total = req.Param("total") == "true"; },
      [&](CaseListQuery q, ListPage* page) {
        return engine_->queries().ListCases(std::move(q), page);
      },
      res);
}

void Api::ListCaseOfficers(const HttpRequest& req, HttpResponse* res) {
  WaitForReadModels(req, res);
  AnswerList<CaseOfficersQuery>(
      req, CaseOfficers::FilterNames(),
      [&](CaseOfficersQuery* q) { q->group_by = req.Param("group_by"); },
      [&](CaseOfficersQuery q, ListPage* page) {
        return engine_->queries().ListCaseOfficers(q, page);
      },
      res);
}

void Api::ListCasePeople(const HttpRequest& req, HttpResponse* res) {
  WaitForReadModels(req, res);
  AnswerList<CasePeopleQuery>(
      req, CasePeople::FilterNames(), nullptr,
      [&](CasePeopleQuery q, ListPage* page) { return engine_->queries().ListCasePeople(q, page); },
      res);
}

void Api::GetJournal(const HttpRequest& req, HttpResponse* res) {
  const uint64_t applied = WaitForReadModels(req, res);
  nlohmann::json page;
  Check(engine_->queries().Journal(*req.actor, req.path_params[0], ParseLimit(req, 50),
                                   req.Param("cursor"), applied, &page));
  res->Json(page);
}

void Api::GetHistory(const HttpRequest& req, HttpResponse* res) {
  const uint64_t applied = WaitForReadModels(req, res);
  nlohmann::json page;
  Check(engine_->queries().History(*req.actor, req.path_params[0], req.Param("month"),
                                   req.Param("type"), ParseLimit(req, 50), req.Param("cursor"),
                                   applied, &page));
  res->Json(page);
}

void Api::ListLobby(const HttpRequest& req, HttpResponse* res) {
  WaitForReadModels(req, res);
  AnswerList<LobbyQueueQuery>(
      req, LobbyQueue::FilterNames(),
      [&](LobbyQueueQuery* q) {
        if (req.actor->Provider()) q->organisation = req.actor->organisation;
      },
      [&](LobbyQueueQuery q, ListPage* page) { return engine_->queries().ListLobby(q, page); },
      res);
}

void Api::ListTasks(const HttpRequest& req, HttpResponse* res) {
  WaitForReadModels(req, res);
  AnswerList<TaskListQuery>(
      req, TaskList::FilterNames(),
      [&](TaskListQuery* q) {
        q->me = req.actor->user_id;
        q->organisation = req.actor->Provider() ? req.actor->organisation : "";
      },
      [&](TaskListQuery q, ListPage* page) { return engine_->queries().ListTasks(q, page); }, res);
}

void Api::ListCaseTasks(const HttpRequest& req, HttpResponse* res) {
  WaitForReadModels(req, res);
  // A case the caller may not see (deleted, or not a provider's) answers 404.
  CaseState s;
  Check(engine_->queries().ReadCase(*req.actor, req.path_params[0], AsOf(), &s));
  AnswerList<TaskListQuery>(
      req, TaskList::FilterNames(),
      [&](TaskListQuery* q) {
        q->filters["case_id"] = req.path_params[0];
        if (!q->filters.count("status")) q->filters["status"] = "all";
        q->me = req.actor->user_id;
        q->organisation = req.actor->Provider() ? req.actor->organisation : "";
      },
      [&](TaskListQuery q, ListPage* page) { return engine_->queries().ListTasks(q, page); }, res);
}

void Api::ListTaskTypes(const HttpRequest& req, HttpResponse* res) {
  WaitForLog(req);
  SettingsState s;
  Check(engine_->queries().ReadSettings(&s));
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [id, t] : s.task_types) rows.push_back(TaskTypeToJson(t));
  res->Json({{"rows", rows}, {"version", s.version}});
  res->headers.emplace_back("ETag", "\"" + std::to_string(s.version) + "\"");
}

void Api::ListWorkflows(const HttpRequest& req, HttpResponse* res) {
  WaitForLog(req);
  SettingsState s;
  Check(engine_->queries().ReadSettings(&s));
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [id, w] : s.workflows) rows.push_back(WorkflowToJson(w));
  res->Json({{"rows", rows}, {"version", s.version}});
  res->headers.emplace_back("ETag", "\"" + std::to_string(s.version) + "\"");
}

void Api::GetLobbyMatches(const HttpRequest& req, HttpResponse* res) {
  WaitForReadModels(req, res);
  const std::string& id = req.path_params[0];
  LobbyMatches found;
  Check(engine_->queries().MatchLobbyRecord(*req.actor, id, ParseLimit(req, 10), &found));
  nlohmann::json rows = nlohmann::json::array();
  for (const Match& m : found.matches) {
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& f : m.fields) {
      fields.push_back({{"field", f.field}, {"comparison", f.comparison}, {"weight", f.weight}});
    }
    nlohmann::json row = {{"client_id", m.client_id},
                          {"confidence", m.confidence},
                          {"probability", m.probability},
                          {"fields", fields}};
    for (const auto& [client_id, personal] : found.candidates) {
      if (client_id == m.client_id) row["client"] = PersonalToJson(personal);
    }
    rows.push_back(std::move(row));
  }
  res->Json(
      {{"lobby_id", id}, {"candidates_compared", found.candidates.size()}, {"matches", rows}});
}

bool Api::Reached(const HttpRequest& req, bool log_only) const noexcept {
  try {
    return engine_->queries().Reached(ParseCount(req, "min_position", 0, UINT64_MAX / 2), log_only);
  } catch (...) {
    return true;  // malformed: the route itself answers 422
  }
}

void Api::StreamEvents(const HttpRequest& req, HttpResponse* res) {
  uint64_t from = std::max<uint64_t>(1, ParseCount(req, "from", 1, UINT64_MAX / 2));
  // A reconnecting client (EventSource does it by itself) says the last event it has:
  // the feed goes on after it, whatever `from` its URL still says.
  const std::string last = req.header("Last-Event-ID");
  if (!last.empty()) {
    if (last.size() > 19 || last.find_first_not_of("0123456789") != std::string::npos) {
      throw Problem::Invalid("Last-Event-ID", "must be the id of an event (a log position)");
    }
    from = std::stoull(last) + 1;
  }
  std::shared_ptr<void> slot = feeds_.Take(req.actor->user_id);
  if (slot == nullptr) {
    Problem p(429, "/problems/too-many-feeds", "Too many open feeds",
              req.actor->user_id + " already has " + std::to_string(feeds_.max_per_user()) +
                  " event feeds open, the most one user may; close one, or try again later",
              {{"max_feeds_per_user", feeds_.max_per_user()}});
    p.retry_after = 5;
    throw p;
  }
  res->content_type = "text/event-stream";
  res->headers.emplace_back("Cache-Control", "no-cache");
  const QueryService& queries = engine_->queries();
  res->stream = EventFeed(&queries.log(), &queries.codec(), from, std::move(slot), &stopping_);
}

void Api::CreateStreamTicket(const HttpRequest& req, HttpResponse* res) {
  const StreamTickets::Issued t = tickets_.Issue(req.actor->user_id);
  res->Json({{"ticket", t.ticket},
             {"expires_at", FormatMicrosUtc(t.expires_at_micros)},
             {"expires_in", kTicketLifetime.count()}},
            201);
  res->headers.emplace_back("Cache-Control", "no-store");
}

const Actor* Api::TicketActor(const HttpRequest& req) {
  const std::string user = tickets_.Redeem(req.Param("ticket"));
  if (user.empty()) return nullptr;
  auto it = config_->domain.users.find(user);
  return it == config_->domain.users.end() ? nullptr : &it->second;
}

void Api::Health(const HttpRequest&, HttpResponse* res) {
  const QueryService& queries = engine_->queries();
  const uint64_t head = queries.log().HeadPosition();
  const uint64_t applied = queries.runner().Applied();
  const Status runner = queries.runner().error();
  const Status writes = engine_->WriteHealth();
  const bool ok = writes.ok() && runner.ok();
  nlohmann::json j = {{"status", ok ? "ok" : "failing"},
                      {"head_position", head},
                      {"applied_position", applied},
                      {"projection_lag", head > applied ? head - applied : 0},
                      {"writes", writes.ok()                               ? "ok"
                                 : writes.code() == Status::Code::kNoSpace ? "storage-full"
                                                                           : "stopped"},
                      {"recoveries", engine_->Recoveries()}};
  if (!writes.ok()) {
    j["log"] = writes.message();
    const Status recovery = engine_->LastRecovery();
    if (!recovery.ok()) j["recovery"] = recovery.message();
  }
  if (!runner.ok()) {
    j["read_models"] = runner.ToString();
  } else if (!engine_->ReadModelsLoaded()) {
    j["read_models"] = "loading";  // commands are answered; lists once loaded
  }
  const std::string index_note = engine_->commands().DecisionIndexNote();
  if (!index_note.empty()) j["decision_index"] = index_note;
  res->Json(j, ok ? 200 : 503);
}

// Readiness, for a load balancer: 200 once the engine can take writes and its read models
// are within ready_max_lag positions of the log (a start catching up, a read model
// stopped, a full disk: 503, so traffic goes elsewhere). Liveness is /healthz.
void Api::Ready(const HttpRequest&, HttpResponse* res) {
  const QueryService& queries = engine_->queries();
  const uint64_t head = queries.log().HeadPosition();
  const uint64_t applied = queries.runner().Applied();
  const uint64_t lag = head > applied ? head - applied : 0;
  const Status writes = engine_->WriteHealth();
  const Status runner = queries.runner().error();
  nlohmann::json reasons = nlohmann::json::array();
  if (!writes.ok()) reasons.push_back("the store does not take writes: " + writes.message());
  if (!runner.ok()) reasons.push_back("the read models stopped: " + runner.message());
  if (runner.ok() && !engine_->ReadModelsLoaded()) {
    reasons.push_back("the read models are loading (lists answer once they are)");
  }
  if (std::string why; config_->oidc != nullptr && !config_->oidc->Ready(&why)) {
    reasons.push_back(why);
  }
  if (lag > config_->ready_max_lag) {
    reasons.push_back("the read models are " + std::to_string(lag) +
                      " positions behind the log (ready at " +
                      std::to_string(config_->ready_max_lag) + " or fewer)");
  }
  const bool ready = reasons.empty();
  nlohmann::json j = {{"status", ready ? "ready" : "not-ready"},
                      {"head_position", head},
                      {"applied_position", applied},
                      {"projection_lag", lag},
                      {"max_lag", config_->ready_max_lag},
                      {"writes", writes.ok() ? "ok" : "stopped"}};
  if (!ready) {
    j["reasons"] = reasons;
    res->headers.emplace_back("Retry-After", "5");
  }
  res->Json(j, ready ? 200 : 503);
}

}  // namespace caseengine
