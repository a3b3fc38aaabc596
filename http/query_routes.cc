// The route table's query routes (see routes.cc, which puts the table together).
#include <algorithm>
#include <string_view>

#include "http/api.h"

namespace caseengine {

std::vector<Route> Api::QueryRoutes() {
  auto query = [this](void (Api::*method)(const HttpRequest&, HttpResponse*)) {
    return [this, method](const HttpRequest& req, HttpResponse* res) {
      CheckQuery(req);
      (this->*method)(req, res);
    };
  };
  const Access R = Access::kRead, A = Access::kAudit;
  const std::vector<const char*> kList = {"sort",    "limit", "cursor",
                                          "columns", "bom",   "min_position"};
  auto with = [](std::vector<const char*> a, const std::vector<const char*>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  // A list's parameters: its read model's filters (static strings, so the pointers stay
  // valid), `extra`, and those of every list.
  auto list = [&](const std::vector<std::string>& filters, std::vector<const char*> extra) {
    std::vector<const char*> names;
    for (const std::string& f : filters) names.push_back(f.c_str());
    return with(with(names, extra), kList);
  };
  return {
      // Queries.
      {"GET",
       "/clients/{id}",
       "GetClient",
       "The client record",
       R,
       200,
       {"min_position", "as_of", "at"},
       {},
       query(&Api::GetClient)},
      {"GET",
       "/clients",
       "SearchClients",
       "Search clients (a duplicate check before registering)",
       R,
       200,
       {"q", "date_of_birth", "nino", "postcode", "email", "phone", "status", "limit",
        "min_position"},
       {},
       query(&Api::SearchClients)},
      {"GET",
       "/cases/{id}",
       "GetCase",
       "The case",
       R,
       200,
       {"min_position", "as_of", "at"},
       {},
       query(&Api::GetCase)},
      {"GET",
       "/cases",
       "ListCases",
       "The case list (JSON, or CSV with Accept: text/csv)",
       R,
       200,
       list(CaseList::FilterNames(), {"total"}),
       {},
       query(&Api::ListCases)},
      {"GET",
       "/case-officers",
       "ListCaseOfficers",
       "A row per officer assignment; group_by=officer gives workload counts",
       R,
       200,
       list(CaseOfficers::FilterNames(), {"group_by"}),
       {},
       query(&Api::ListCaseOfficers)},
      {"GET",
       "/case-people",
       "ListCasePeople",
       "A row per person on a case",
       R,
       200,
       list(CasePeople::FilterNames(), {}),
       {},
       query(&Api::ListCasePeople)},
      {"GET",
       "/cases/{id}/journal",
       "GetJournal",
       "Journal entries, newest first",
       R,
       200,
       {"limit", "cursor", "min_position"},
       {},
       query(&Api::GetJournal)},
      {"GET",
       "/cases/{id}/history",
       "GetHistory",
       "Every change to the case and its strands, oldest first",
       R,
       200,
       {"month", "type", "limit", "cursor", "min_position"},
       {},
       query(&Api::GetHistory)},
      {"GET",
       "/audit",
       "GetAudit",
       "Who did what and when",
       A,
       200,
       {"actor", "stream", "from", "to", "limit", "cursor", "min_position"},
       {},
       query(&Api::GetAudit)},
      {"GET",
       "/audit/digest",
       "GetAuditDigest",
       "A digest of the log (position and chain hash of its head) for an auditor to keep",
       A,
       200,
       {},
       {},
       query(&Api::GetAuditDigest)},
      {"GET",
       "/audit/verify",
       "VerifyAudit",
       "Verifies the hash chain and, given a digest (position, hash), that the log extends it",
       A,
       200,
       {"from", "to", "position", "hash"},
       {},
       query(&Api::VerifyAudit)},
      {"GET",
       "/lobby",
       "ListLobby",
       "The Lobby queue (waiting records unless status=)",
       R,
       200,
       list(LobbyQueue::FilterNames(), {}),
       {},
       query(&Api::ListLobby)},
      {"GET",
       "/lobby/{id}",
       "GetLobbyRecord",
       "A lobby record (as it was with at= or as_of=)",
       R,
       200,
       {"at", "as_of", "min_position"},
       {},
       query(&Api::GetLobby)},
      {"GET",
       "/lobby/{id}/matches",
       "GetLobbyMatches",
       "Clients the record may be, with a confidence (0-1) and per-field contributions",
       R,
       200,
       {"limit", "min_position"},
       {},
       query(&Api::GetLobbyMatches)},
      {"GET",
       "/streams/{stream}/events",
       "GetStreamEvents",
       "Raw events of one stream",
       A,
       200,
       {"from_version", "limit"},
       {},
       query(&Api::GetStreamEvents)},
      {"GET",
       "/events",
       "GetEvents",
       "The global log from position `from` (inclusive)",
       A,
       200,
       {"from", "limit"},
       {},
       query(&Api::GetEvents)},
      {"GET",
       "/events/stream",
       "StreamEvents",
       "The log as server-sent events, from position `from` (or past Last-Event-ID), then "
       "live; a browser's EventSource authenticates with a ticket",
       A,
       200,
       {"from", "ticket"},
       {},
       query(&Api::StreamEvents)},
      {"POST",
       "/events/stream/tickets",
       "CreateStreamTicket",
       "A ticket that opens one event feed within 60 seconds (GET /events/stream?ticket=)",
       A,
       201,
       {},
       {},
       query(&Api::CreateStreamTicket)},
      {"GET",
       "/openapi.json",
       "GetOpenApi",
       "This API as an OpenAPI 3 document",
       R,
       200,
       {},
       {},
       [this](const HttpRequest&, HttpResponse* res) { res->Json(OpenApi()); }},
      {"GET",
       "/metrics",
       "GetMetrics",
       "Metrics in the Prometheus text format",
       R,
       200,
       {},
       {},
       [this](const HttpRequest&, HttpResponse* res) {
         res->content_type = "text/plain; version=0.0.4";
         res->body = metrics_ == nullptr
                         ? ""
                         : metrics_->Render(engine_->queries().log(), engine_->queries().runner());
         // Whether writes go on (a full or failing disk stops them until the engine
         // resumes them by itself), and how often they were resumed.
         res->body +=
             "# HELP caseengine_writes_stopped 1 while the store refuses writes.\n"
             "# TYPE caseengine_writes_stopped gauge\ncaseengine_writes_stopped " +
             std::string(engine_->WriteHealth().ok() ? "0" : "1") +
             "\n# HELP caseengine_write_recoveries_total Times writing resumed after "
             "a stop.\n# TYPE caseengine_write_recoveries_total counter\n"
             "caseengine_write_recoveries_total " +
             std::to_string(engine_->Recoveries()) + "\n";
         res->body += Metrics::RenderMemory(engine_->memory_budget(), engine_->CacheStatistics());
         res->body += Metrics::RenderDisk(engine_->store().FamilyFileBytes());
         res->body += Metrics::RenderProcess();
       }},
      {"GET",
       "/healthz",
       "Health",
       "Whether the engine is up, and how far the read models are",
       Access::kPublic,
       200,
       {},
       {},
       query(&Api::Health)},
      {"GET",
       "/readyz",
       "Ready",
       "Whether the engine takes traffic: the store writable and the read models near the log",
       Access::kPublic,
       200,
       {},
       {},
       query(&Api::Ready)},
  };
}

}  // namespace caseengine
