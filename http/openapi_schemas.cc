// The shared schemas of /openapi.json (see openapi.h): the shapes the handlers answer
// with, taken from what writes them (aggregates/state_json.cc for records, the read
// models' rows for lists and pages, audit/ for events, digests and verification). A field
// the answer always has is required; a field a record only has when set (personal
// details, a strand's moves) is not. Lists' rows are all optional: `columns=` chooses
// them.
//
// Pure functions over constants: any thread.
#include <initializer_list>
#include <string>
#include <utility>

#include "http/openapi.h"
#include "http/openapi_builders.h"

namespace caseengine::openapi {
namespace {

using nlohmann::json;

// {field: type, ...} of the personal details, as records and events carry them.
json PersonalProperties() {
  return {{"surname", Str()},        {"forenames", Str()},
          {"date_of_birth", Date()}, {"nino", Str("National Insurance number")},
          {"email", Str()},          {"phone", Str()},
          {"postcode", Str()},       {"erased", Bool()}};
}
json With(json base, const json& more) {
  for (auto it = more.begin(); it != more.end(); ++it) base[it.key()] = it.value();
  return base;
}

// A page of a list route: rows of `row`, the columns shown, the total and the cursor.
json ListPage(const char* row, const char* description) {
  return Obj(
      {{"rows", Arr(Ref(row))},
       {"columns", Arr(Str())},
       {"total", Nullable(Int("the rows matching the filters; on /cases null unless total=true"))},
       {"next_cursor", Nullable(Str("the cursor of the next page; null on the last"))}},
      {"rows", "columns", "total", "next_cursor"}, description);
}

// A page of entries (journal, history, audit trail): next_cursor is "" on the last.
json EntriesPage(const char* entry, const char* description) {
  return Obj({{"entries", Arr(Ref(entry))},
              {"next_cursor", Str("the cursor of the next page; empty on the last")}},
             {"entries", "next_cursor"}, description);
}

}  // namespace

json Ref(std::string_view name) { return {{"$ref", "#/components/schemas/" + std::string(name)}}; }

json Schemas() {
  json s;
  s["StrandType"] = Enum({"housing_register", "bedroom_assessment", "homeless_application",
                          "homeless_application_legacy", "health_assessment", "risk_assessment",
                          "financial_assistance", "rough_sleeper", "review", "homeless_referral"});
  s["OfficerRole"] = Enum({"primary", "secondary", "supervisor", "other"});
  s["Problem"] = Obj({{"type", Str("a stable URI reference such as /problems/validation")},
                      {"title", Str()},
                      {"status", {{"type", "integer"}, {"minimum", 400}, {"maximum", 599}}},
                      {"detail", Str()},
                      {"errors", Arr(Ref("FieldError"))},
                      {"permission", Str("the permission missing (403)")},
                      {"rule", Str("the domain rule that says no (409)")},
                      {"parameters", Arr(Str())},
                      {"key", Str("the key named twice (400)")},
                      {"applied_position", Int()},
                      {"max_feeds_per_user", Int()},
                      {"allow", Str()},
                      {"accepted", Arr(Str("a media type the route takes (415)"))}},
                     {"type", "title", "status", "detail"}, "application/problem+json (RFC 9457)");
  s["FieldError"] = Obj({{"field", Str()}, {"message", Str()}}, {"field", "message"});
  s["CommandResult"] =
      Obj({{"position", Int("the global log position of the command's last event")},
           {"versions",
            {{"type", "object"},
             {"additionalProperties", Int()},
             {"description", "the new version of each stream written"}}},
           {"unchanged", Bool()},
           {"client_id", Str()},
           {"case_id", Str()},
           {"strand_id", Str()},
           {"note_id", Str()},
           {"action_id", Str()},
           {"lobby_id", Str()},
           {"new_strand_id", Str()},
           {"warnings", Arr(Str())},
           {"case_closed_automatically", Bool()},
           {"resend", Bool()},
           {"mode", Enum({"soft", "erase"})},
           {"cases_deleted", Int()},
           {"cases_restored", Int()},
           {"lobby_records_erased", Int()},
           {"created", Arr(Obj({{"strand_id", Str()}, {"type", Ref("StrandType")}}))}},
          {"position", "versions"},
          "what a command did; `unchanged` when it changed nothing (position is then the head)");
  // A CommandResult with the fields a command that creates always answers, required.
  auto result = [&](std::initializer_list<const char*> required, const char* description) {
    json props = json::object();
    for (const char* name : required) props[name] = s["CommandResult"]["properties"][name];
    return json{{"allOf", {Ref("CommandResult"), Obj(props, required)}},
                {"description", description}};
  };
  s["ClientCreated"] = result({"client_id", "case_id"}, "a new client with its first case");
  s["CaseCreated"] = result({"case_id"}, "a new case");
  s["StrandCreated"] = result({"strand_id"}, "a new strand");
  s["NoteCreated"] = result({"note_id"}, "a new note");
  s["ActionCreated"] = result({"action_id"}, "a new action");
  s["ReferralReceived"] = result({"lobby_id"}, "a new lobby record");
  s["StrandMoved"] = result({"new_strand_id", "warnings"}, "the strand on its new case");
  s["LobbyAssigned"] =
      result({"case_id", "case_closed_automatically"}, "the case made from the referral");
  s["Client"] =
      Obj(With(PersonalProperties(), {{"client_id", Str()},
                                      {"status", Enum({"active", "inactive", "closed"})},
                                      {"client_type", Str()},
                                      {"case_number", Str()},
                                      {"groups", Arr(Str())},
                                      {"navigators", Arr(Str("a user id"))},
                                      {"portal_status", Enum({"pending", "active", "banned"})},
                                      {"invitations_sent", Int()},
                                      {"cases", Arr(Str("a case id"))},
                                      {"deleted", Bool()},
                                      {"version", Int()}}),
          {"client_id", "status", "client_type", "case_number", "groups", "navigators",
           "portal_status", "invitations_sent", "cases", "deleted", "erased", "version"},
          "a client record; its personal details are absent once erased (erased: true)");
  s["CaseOfficer"] = Obj({{"user_id", Str()}, {"role", Ref("OfficerRole")}}, {"user_id", "role"});
  s["CasePerson"] =
      Obj({{"client_id", Str()},
           {"relationship", Str("self for the primary applicant")},
           {"joint_applicant", Bool()},
           {"date_joined", Date()},
           {"date_left", Nullable(Date())}},
          {"client_id", "relationship", "joint_applicant", "date_joined", "date_left"});
  json moved = Obj({{"case_id", Str()}, {"strand_id", Str()}}, {"case_id", "strand_id"});
  s["Strand"] =
      Obj({{"strand_id", Str()},
           {"type", Ref("StrandType")},
           {"status", Enum({"open", "closed", "cancelled", "closed_moved"})},
           {"created_by", Str("the strand whose opening created this one")},
           {"moved_to", moved},
           {"moved_from", moved},
           {"notes", Int()}},
          {"strand_id", "type", "status", "notes"}, "an application or assessment on a case");
  s["CaseAction"] = Obj({{"action_id", Str()},
                         {"title", Str()},
                         {"due", DateOrEmpty()},
                         {"strand_id", Str("empty when the action is the case's own")},
                         {"status", Enum({"open", "completed", "closed"})}},
                        {"action_id", "title", "due", "strand_id", "status"});
  s["Case"] =
      Obj({{"case_id", Str()},
           {"client_id", Str()},
           {"primary_applicant", Str("a client id")},
           {"status", Enum({"open", "closed"})},
           {"opened_on", Date()},
           {"close_reason", Str()},
           {"team_id", Str()},
           {"officers", Arr(Ref("CaseOfficer"))},
           {"people", Arr(Ref("CasePerson"))},
           {"strands", Arr(Ref("Strand"))},
           {"actions", Arr(Ref("CaseAction"))},
           {"notes", Int()},
           {"deleted", Bool()},
           {"version", Int()}},
          {"case_id", "client_id", "primary_applicant", "status", "opened_on", "close_reason",
           "team_id", "officers", "people", "strands", "actions", "notes", "deleted", "version"});
  s["LobbySource"] = Enum({"self", "duty_to_refer", "third_party", "provider"});
  s["LobbyRecord"] = Obj(
      With(PersonalProperties(),
           {{"lobby_id", Str()},
            {"source", Ref("LobbySource")},
            {"referrer", Str()},
            {"status", Enum({"received", "claimed", "assigned", "created", "removed"})},
            {"claimed_by", Str()},
            {"client_id", Str()},
            {"case_id", Str()},
            {"version", Int()}}),
      {"lobby_id", "source", "referrer", "status", "claimed_by", "client_id", "case_id", "version"},
      "a referral in the Lobby");
  // List rows.
  s["CaseListRow"] =
      Obj({{"case_id", Str()},
           {"client_id", Str()},
           {"primary_applicant", Str()},
           {"surname", Str()},
           {"forenames", Str()},
           {"status", Enum({"open", "closed"})},
           {"opened_on", DateOrEmpty()},
           {"closed_on", DateOrEmpty()},
           {"close_reason", Str()},
           {"team_id", Str()},
           {"primary_officer", Str()},
           {"officers", Arr(Ref("CaseOfficer"))},
           {"strands", Arr(Obj({{"id", Str()}, {"status", Str()}, {"type", Ref("StrandType")}},
                               {"id", "status", "type"}))},
           {"open_strands", Int()},
           {"people", Int()},
           {"notes", Int()},
           {"open_actions", Int()},
           {"last_activity", DateOrEmpty()},
           {"client_status", Str()},
           {"client_type", Str()},
           {"case_number", Str()},
           {"days_open", Int()},
           {"version", Int()}},
          {}, "a row of the case list: the columns asked for");
  s["CaseListPage"] = ListPage("CaseListRow", "a page of the case list");
  s["CaseOfficerRow"] = Obj({{"assignment_id", Str()},
                             {"case_id", Str()},
                             {"user_id", Str()},
                             {"role", Ref("OfficerRole")},
                             {"case_status", Str()},
                             {"team_id", Str()},
                             {"client_id", Str()},
                             {"opened_on", DateOrEmpty()},
                             {"officer", Str("group_by=officer: the officer")},
                             {"cases", Int()},
                             {"open_cases", Int()},
                             {"assignments", Int()},
                             {"primary", Int()},
                             {"secondary", Int()},
                             {"supervisor", Int()},
                             {"other", Int()}},
                            {},
                            "an officer assignment, or with group_by=officer an officer's "
                            "workload counts");
  s["CaseOfficersPage"] = ListPage("CaseOfficerRow", "a page of officer assignments");
  s["CasePeopleRow"] = Obj({{"stay_id", Str()},
                            {"case_id", Str()},
                            {"client_id", Str()},
                            {"surname", Str()},
                            {"forenames", Str()},
                            {"relationship", Str()},
                            {"joint_applicant", Bool()},
                            {"date_joined", DateOrEmpty()},
                            {"date_left", DateOrEmpty()},
                            {"current", Bool()}},
                           {}, "a person's stay on a case");
  s["CasePeoplePage"] = ListPage("CasePeopleRow", "a page of people on cases");
  s["LobbyRow"] = Obj({{"lobby_id", Str()},
                       {"source", Ref("LobbySource")},
                       {"referrer", Str()},
                       {"surname", Str()},
                       {"forenames", Str()},
                       {"date_of_birth", DateOrEmpty()},
                       {"postcode", Str()},
                       {"status", Str()},
                       {"claimed_by", Str()},
                       {"received_at", DateTime()},
                       {"client_id", Str()},
                       {"case_id", Str()}},
                      {}, "a referral in the Lobby queue");
  s["LobbyPage"] = ListPage("LobbyRow", "a page of the Lobby queue");
  s["ClientMatch"] = Obj(With(PersonalProperties(), {{"client_id", Str()},
                                                     {"status", Str()},
                                                     {"client_type", Str()},
                                                     {"case_number", Str()},
                                                     {"cases", Arr(Str())},
                                                     {"matched", Arr(Str("a field that matched"))},
                                                     {"score", Num()}}),
                         {"client_id", "matched", "score"}, "a client a search found");
  s["ClientSearchResult"] = Obj({{"rows", Arr(Ref("ClientMatch"))}}, {"rows"});
  // Pages of entries.
  s["JournalEntry"] = Obj({{"position", Int()},
                           {"at", DateTime()},
                           {"actor", Str()},
                           {"type", Str("the event's type")},
                           {"text", Str()}},
                          {"position", "at", "actor", "type", "text"},
                          "a journal line; ids of what it is about (action_id, strand_id, ...) "
                          "beside");
  s["JournalPage"] = EntriesPage("JournalEntry", "journal entries, newest first");
  s["HistoryEntry"] = Obj({{"position", Int()},
                           {"version", Int()},
                           {"at", DateTime()},
                           {"actor", Str()},
                           {"type", Str()},
                           {"details", {{"type", "object"}, {"additionalProperties", true}}}},
                          {"position", "version", "at", "actor", "type", "details"});
  s["HistoryPage"] = EntriesPage("HistoryEntry", "changes to a case, oldest first");
  s["AuditEntry"] = Obj({{"position", Int()},
                         {"at", DateTime()},
                         {"actor", Str()},
                         {"stream", Str()},
                         {"type", Str()},
                         {"command_id", Str()},
                         {"correlation_id", Str()}},
                        {"position", "at", "actor", "stream", "type"});
  s["AuditPage"] = EntriesPage("AuditEntry", "who did what and when");
  s["LogDigest"] = Obj({{"format", Str()},
                        {"log_format", Str()},
                        {"position", Int()},
                        {"hash", Str("64 hex digits")},
                        {"recorded_at", DateTime()},
                        {"taken_at", DateTime()}},
                       {"format", "log_format", "position", "hash"});
  s["AuditReport"] = Obj({{"ok", Bool()},
                          {"checked", Int()},
                          {"from", Int()},
                          {"to", Int()},
                          {"head_position", Int()},
                          {"last_position", Int()},
                          {"last_hash", Str()},
                          {"first_bad", Int()},
                          {"reason", Str()},
                          {"digest", Obj({{"position", Int()}, {"hash", Str()}, {"ok", Bool()}},
                                         {"position", "hash", "ok"})}},
                         {"ok", "checked", "from", "to", "head_position"});
  s["Event"] = Obj({{"position", Int()},
                    {"stream", Str()},
                    {"version", Int()},
                    {"type", Str()},
                    {"recorded_at", DateTime()},
                    {"actor", Str()},
                    {"tenant", Str()},
                    {"command_id", Str()},
                    {"correlation_id", Str()},
                    {"causation_id", Str()},
                    {"payload_base64", {{"type", "string"}, {"format", "byte"}}},
                    {"prev_hash", Str()},
                    {"hash", Str()},
                    {"data",
                     {{"type", "object"},
                      {"additionalProperties", true},
                      {"description", "the decoded fields"}}}},
                   {"position", "stream", "version", "type", "recorded_at", "actor",
                    "payload_base64", "prev_hash", "hash"},
                   "an event as the log holds it");
  s["EventsPage"] = Obj({{"events", Arr(Ref("Event"))},
                         {"head_position", Int()},
                         {"next", Int("the position to read from next")}},
                        {"events", "head_position"});
  s["StreamEvents"] = Obj({{"stream", Str()}, {"events", Arr(Ref("Event"))}}, {"stream", "events"});
  s["LobbyMatches"] = Obj(
      {{"lobby_id", Str()},
       {"candidates_compared", Int()},
       {"matches",
        Arr(Obj({{"client_id", Str()},
                 {"confidence", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
                 {"probability", Num()},
                 {"fields", Arr(Obj({{"field", Str()}, {"comparison", Str()}, {"weight", Num()}},
                                    {"field", "comparison", "weight"}))},
                 {"client", Obj(PersonalProperties())}},
                {"client_id", "confidence", "probability", "fields"}))}},
      {"lobby_id", "candidates_compared", "matches"});
  s["Health"] = Obj(
      {{"status", Enum({"ok", "failing"})},
       {"head_position", Int()},
       {"applied_position", Int()},
       {"projection_lag", Int()},
       {"writes", Enum({"ok", "storage-full", "stopped"})},
       {"recoveries", Int()},
       {"log", Str()},
       {"recovery", Str()},
       {"read_models", Str("why a read model stopped, or loading at a start")},
       {"decision_index", Str("a note when the decision index was rebuilt")}},
      {"status", "head_position", "applied_position", "projection_lag", "writes", "recoveries"});
  s["Ready"] =
      Obj({{"status", Enum({"ready", "not-ready"})},
           {"head_position", Int()},
           {"applied_position", Int()},
           {"projection_lag", Int()},
           {"max_lag", Int()},
           {"writes", Enum({"ok", "stopped"})},
           {"reasons", Arr(Str())}},
          {"status", "head_position", "applied_position", "projection_lag", "max_lag", "writes"});
  s["StreamTicket"] =
      Obj({{"ticket", Str("64 hex digits, for GET /events/stream?ticket=")},
           {"expires_at", DateTime()},
           {"expires_in", Int("seconds")}},
          {"ticket", "expires_at", "expires_in"}, "opens one event feed, once, until it expires");
  AddTaskSchemas(&s);
  s["OpenApiDocument"] = {
      {"type", "object"}, {"additionalProperties", true}, {"description", "an OpenAPI 3 document"}};
  return s;
}

json ProblemResponses() {
  auto problem = [](const char* description) {
    return json{{"description", description},
                {"content", {{"application/problem+json", {{"schema", Ref("Problem")}}}}}};
  };
  return {{"Malformed", problem("malformed request or unknown query parameter")},
          {"Unauthorized", problem("no token, or an unknown one (WWW-Authenticate: Bearer)")},
          {"Forbidden", problem("a permission is missing")},
          {"NotFound", problem("an unknown or deleted id")},
          {"Invalid", problem("invalid fields or parameters (errors names them)")},
          {"Problem", problem("a problem")}};
}

}  // namespace caseengine::openapi
