// Api: the routes of docs/http_api.md over an Engine: the route table
// (routes.cc, one place for every route), and what routes share: turning a body into a command and
// a command's result into an answer (api.cc), reading the read models with read-your-writes
// (min_position) and the projection lag on every answer, CSV for lists, OpenAPI from the
// table, the live event feed.
//
// An Idempotency-Key belongs to its sender and to the request that first used it: the
// route gives the command service the key and the digest of the request (method, path,
// query and body); the service answers a repeat (app/kept_answers.h).
//
// Translation only: a request becomes a call of the engine's command service or query
// service (app/), and what they return becomes the answer.
//
// Threading: a query runs on an HTTP worker thread, a command on an I/O thread up to its
// append and its answer later (HttpResponse::later); the Api is shared by all.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "app/engine.h"
#include "http/api_internal.h"
#include "http/event_feed.h"
#include "http/http_types.h"
#include "http/json_body.h"
#include "http/metrics.h"
#include "http/server_config.h"
#include "http/stream_tickets.h"

namespace caseengine {

class Api {
 public:
  // Engine and config must outlive the Api.
  Api(Engine* engine, const ServerConfig* config);

  const std::vector<Route>& routes() const { return routes_; }
  // "GET /clients/{id}" for each route, in order: metrics labels.
  std::vector<std::string> RouteLabels() const;
  void set_metrics(Metrics* metrics) { metrics_ = metrics; }
  // Ends live feeds so that the server can stop.
  void BeginShutdown() { stopping_ = true; }

  // The OpenAPI 3 document of the route table.
  nlohmann::json OpenApi() const;

 private:
  // The route table (routes.cc): the command routes, then the query routes.
  std::vector<Route> MakeRoutes();
  std::vector<Route> CommandRoutes();  // command_routes.cc
  std::vector<Route> QueryRoutes();    // query_routes.cc
  std::vector<Route> TaskRoutes();     // task_routes.cc: tasks and the settings

  // Requests.
  // 400 naming the query parameters the route does not list.
  static void CheckQuery(const HttpRequest& req);
  // The 422 of a body with field errors (unknown fields, wrong types), naming with them
  // every other field the command's validation refuses: all of them in one answer.
  Problem InvalidFields(const std::vector<Rejection::FieldError>& errors, Command* command) const;

  // A command route's handler (command_routes.cc, task_routes.cc): no query parameter the
  // route does not list, a JSON body, and `build` turning the path parameters and the body
  // into the command, which runs; every field error of the body is in one 422.
  template <class Build>
  std::function<void(const HttpRequest&, HttpResponse*)> CommandHandler(int status, Build build) {
    return [this, status, build](const HttpRequest& req, HttpResponse* res) {
      CheckQuery(req);
      RequireJsonBody(req);
      const JsonBody body(req.body, req.route->body);
      Command command = build(req.path_params, body, req);
      if (!body.errors().empty()) throw InvalidFields(body.errors(), &command);
      RunCommand(req, std::move(command), status, res);
    };
  }
  // A query route's handler: its query parameters checked, then `method`.
  std::function<void(const HttpRequest&, HttpResponse*)> QueryHandler(
      void (Api::*method)(const HttpRequest&, HttpResponse*)) {
    return [this, method](const HttpRequest& req, HttpResponse* res) {
      CheckQuery(req);
      (this->*method)(req, res);
    };
  }

  // Commands.
  void RunCommand(const HttpRequest& req, Command command, int created_status, HttpResponse* res);
  // A command's result as its answer.
  void Answer(const CommandResult& r, int created_status, HttpResponse* res);
  // Queries.
  // Waits for min_position; returns the position the read models have applied (which
  // the answer's headers give).
  uint64_t WaitForReadModels(const HttpRequest& req, HttpResponse* res);
  void WaitForLog(const HttpRequest& req);
  // Whether the query's min_position is reached by the read models (by the log alone
  // with `log_only`), so that it runs without waiting: its Route::ready.
  bool Reached(const HttpRequest& req, bool log_only) const noexcept;
  void GetClient(const HttpRequest& req, HttpResponse* res);
  void GetCase(const HttpRequest& req, HttpResponse* res);
  void SearchClients(const HttpRequest& req, HttpResponse* res);
  void ListCases(const HttpRequest& req, HttpResponse* res);
  void ListCaseOfficers(const HttpRequest& req, HttpResponse* res);
  void ListCasePeople(const HttpRequest& req, HttpResponse* res);
  void GetJournal(const HttpRequest& req, HttpResponse* res);
  void GetHistory(const HttpRequest& req, HttpResponse* res);
  void GetAudit(const HttpRequest& req, HttpResponse* res);
  void GetAuditDigest(const HttpRequest& req, HttpResponse* res);
  void VerifyAudit(const HttpRequest& req, HttpResponse* res);
  void ListLobby(const HttpRequest& req, HttpResponse* res);
  void ListTasks(const HttpRequest& req, HttpResponse* res);
  void ListCaseTasks(const HttpRequest& req, HttpResponse* res);
  void ListTaskTypes(const HttpRequest& req, HttpResponse* res);
  void ListWorkflows(const HttpRequest& req, HttpResponse* res);
  void GetLobby(const HttpRequest& req, HttpResponse* res);
  void GetLobbyMatches(const HttpRequest& req, HttpResponse* res);
  void GetStreamEvents(const HttpRequest& req, HttpResponse* res);
  void GetEvents(const HttpRequest& req, HttpResponse* res);
  void StreamEvents(const HttpRequest& req, HttpResponse* res);
  void CreateStreamTicket(const HttpRequest& req, HttpResponse* res);
  // The user a feed's ticket was issued to (Route::by_ticket); null when it is not valid.
  const Actor* TicketActor(const HttpRequest& req);
  void Health(const HttpRequest& req, HttpResponse* res);
  void Ready(const HttpRequest& req, HttpResponse* res);

  Engine* engine_;
  const ServerConfig* config_;
  Metrics* metrics_ = nullptr;
  std::vector<Route> routes_;
  std::atomic<bool> stopping_{false};
  FeedSlots feeds_;        // open feeds per user (GET /events/stream)
  StreamTickets tickets_;  // tickets that open a feed from a browser
};

}  // namespace caseengine
