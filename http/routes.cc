// The route table: every route of the HTTP API (docs/http_api.md), with what
// /openapi.json says of it, put together here from its two halves: the command routes
// (command_routes.cc: each builds its command from the path and body, and all run through
// Api::RunCommand) and the query routes (query_routes.cc: Api methods). What every route
// shares is settled here: which run inline, which wait for their position, which need no
// token by the config, and which are security log lines.
#include <algorithm>
#include <string_view>

#include "http/api.h"

namespace caseengine {

std::vector<Route> Api::MakeRoutes() {
  std::vector<Route> routes = CommandRoutes();
  for (Route& r : QueryRoutes()) routes.push_back(std::move(r));
  for (Route& r : TaskRoutes()) routes.push_back(std::move(r));
  for (Route& r : routes) {
    const std::string_view op = r.operation;
    // Never blocks, so never waits behind queries; a feed holds no thread either.
    if (op == "Health" || op == "Ready" || op == "GetMetrics" || op == "StreamEvents") {
      r.runs = Route::Runs::kInline;
    }
    if (op == "StreamEvents") {
      r.by_ticket = [this](const HttpRequest& req) { return TicketActor(req); };
    }
    // Reads the whole log: its own pool.
    if (op == "VerifyAudit") r.runs = Route::Runs::kLong;
    // What a provider user may call; each limits what they see (docs/http_api.md).
    static constexpr std::string_view kProviderOps[] = {
        "ReceiveReferral", "ListLobby",     "GetLobbyRecord", "GetCase",
        "ListTasks",       "ListCaseTasks", "StartTask",      "CompleteTask",
        "GetOpenApi",      "Health",        "Ready"};
    r.providers =
        std::find(std::begin(kProviderOps), std::end(kProviderOps), op) != std::end(kProviderOps);
    // Read-your-writes: the request waits for its position without a worker. The
    // aggregates' own reads need the log alone, the rest the read models.
    if (std::find(r.query.begin(), r.query.end(), std::string_view("min_position")) !=
        r.query.end()) {
      const bool log_only = op == "GetClient" || op == "GetCase" || op == "GetLobbyRecord";
      r.ready = [this, log_only](const HttpRequest& req) { return Reached(req, log_only); };
    }
    // Open or not as the config says (ServerConfig::metrics_need_token, openapi_need_token).
    if ((op == "GetMetrics" && !config_->metrics_need_token) ||
        (op == "GetOpenApi" && !config_->openapi_need_token)) {
      r.access = Access::kPublic;
    }
    // What the security log records of every answer (http/server_log.h).
    const std::string_view path = r.path, method = r.method;
    if (op.rfind("Delete", 0) == 0 && (op == "DeleteClient" || op == "DeleteCase")) {
      r.security = SecurityEvent::kDeletion;
    } else if (op.rfind("Restore", 0) == 0) {
      r.security = SecurityEvent::kRestore;
    } else if (op.find("Export") != std::string_view::npos ||
               path.find("/exports") != std::string_view::npos) {
      r.security = SecurityEvent::kExport;
    } else if (path.rfind("/settings", 0) == 0 && method != "GET") {
      r.security = SecurityEvent::kSettings;
    }
  }
  return routes;
}

}  // namespace caseengine
