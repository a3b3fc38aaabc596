// StrandDecider: see strand_decider.h.
#include "aggregates/strand_decider.h"

#include "aggregates/strand_rules.h"
#include "aggregates/task_events.h"

namespace caseengine {

Outcome StrandDecider::operator()(const AddStrand& c) {
  const CaseState* s;
  if (auto r = LoadCase(c.case_id, &s)) return *r;
  if (!s->Active()) {
    return Outcome::Reject(
        Rejection::Rule("case-not-active", "applications and assessments go on open cases"));
  }
  if (auto r = cardinality_.Check(*s, c.type, "")) return *r;
  const StrandRules* rules = StrandRules::Find(c.type);
  const std::string strand_id = ctx().new_id();
  Event added = Make(EventType::kStrandAdded);
  added.item_id = strand_id;
  added.strand_type = c.type;
  Outcome o = OnCase(*s, std::move(added));
  o.response = {{"strand_id", strand_id}};
  // A Housing Register application brings its Bedroom assessment, unless the case has
  // an active one already.
  if (rules->creates != nullptr && !StrandCardinality::HasCurrent(*s, rules->creates)) {
    Event created = Make(EventType::kStrandAdded);
    created.item_id = ctx().new_id();
    created.strand_type = rules->creates;
    created.other_item_id = strand_id;
    o.response["created"] = {{{"strand_id", created.item_id}, {"type", rules->creates}}};
    o.streams[0].events.push_back(std::move(created));
  }
  // Each new strand loads its workflows (the tasks belong to it).
  std::string officer = s->PrimaryOfficer();
  if (officer.empty()) officer = ctx().actor.user_id;
  for (size_t i = 0, n = o.streams[0].events.size(); i < n; ++i) {
    const Event& strand = o.streams[0].events[i];
    if (strand.type != EventType::kStrandAdded) continue;
    const TaskPlacement where{strand.strand_type, strand.item_id, officer, s->primary_applicant,
                              ctx().today};
    LoadWorkflows(Settings(), WorkflowTrigger::kStrandAdded, where, ctx().new_id,
                  &o.streams[0].events);
  }
  return o;
}

Outcome StrandDecider::operator()(const ChangeStrandStatus& c) {
  const CaseState* s;
  if (auto r = LoadCase(c.case_id, &s)) return *r;
  const CaseStrand* strand = s->Strand(c.strand_id);
  if (strand == nullptr) return Outcome::Reject(Rejection::NotFound("no strand " + c.strand_id));
  if (strand->status == "closed_moved") {
    return Outcome::Reject(
        Rejection::Rule("moved-strand-is-final", "a strand closed by a move keeps that status"));
  }
  if (strand->status == c.status) return Unchanged();
  if (c.status == "open") {
    if (!s->Active()) {
      return Outcome::Reject(
          Rejection::Rule("case-not-active", "applications and assessments go on open cases"));
    }
    if (auto r = cardinality_.Check(*s, strand->type, strand->id)) return *r;
  }
  Event e = Make(EventType::kStrandStatusChanged);
  e.item_id = c.strand_id;
  e.status = c.status;
  Outcome o = OnCase(*s, std::move(e));
  // A strand that ends takes its open tasks with it.
  if (c.status != "open") {
    const int closed =
        CloseOpenTasks(*s, strand->id, "the strand was " + c.status, &o.streams[0].events);
    if (closed > 0) o.response = {{"tasks_closed", closed}};
  }
  return o;
}

Outcome StrandDecider::operator()(const MoveStrand& c) {
  if (!ctx().actor.Has(kMoveStrands)) return Outcome::Reject(Rejection::Forbidden(kMoveStrands));
  const CaseState* source;
  if (auto r = LoadCase(c.case_id, &source)) return *r;
  const CaseStrand* strand = source->Strand(c.strand_id);
  if (strand == nullptr) return Outcome::Reject(Rejection::NotFound("no strand " + c.strand_id));
  const StrandRules* rules = StrandRules::Find(strand->type);
  if (!rules->movable) {
    return Outcome::Reject(Rejection::Rule("strand-type-does-not-move",
                                           std::string(rules->name) + "s cannot be moved"));
  }
  if (!strand->Current()) {
    return Outcome::Reject(
        Rejection::Rule("only-current-strands-move", "only an open application can be moved"));
  }
  const CaseState* target = states()->Case(c.target_case_id);
  if (target == nullptr || !target->exists || target->deleted) {
    return Outcome::Reject(Rejection::NotFound("no case " + c.target_case_id));
  }
  if (!target->Active()) {
    return Outcome::Reject(Rejection::Rule("target-case-not-active",
                                           "applications move only to another existing open case"));
  }
  // The target must have room for it, the moving strand itself not counting.
  if (auto r = cardinality_.Check(*target, strand->type, strand->id)) return *r;

  const std::string new_id = ctx().new_id();
  Event out = Make(EventType::kStrandMovedOut);
  out.item_id = strand->id;
  out.other_case_id = target->id;
  out.other_item_id = new_id;
  StreamEvents from{CaseStream(source->id), source->version, EventList()};
  from.events.push_back(std::move(out));
  int closed_actions = 0;
  for (const CaseAction& a : source->actions) {
    if (a.strand_id != strand->id || a.status != "open") continue;
    Event closed = Make(EventType::kActionClosed);
    closed.item_id = a.id;
    closed.reason = "the " + std::string(rules->name) + " moved to case " + target->id;
    from.events.push_back(std::move(closed));
    ++closed_actions;
  }
  const int closed_tasks = CloseOpenTasks(
      *source, strand->id, "the " + std::string(rules->name) + " moved to case " + target->id,
      &from.events);
  Event journal_out = Make(EventType::kJournalWritten);
  journal_out.title = std::string(rules->name) + " " + strand->id + " moved to case " + target->id +
                      " as " + new_id;
  journal_out.strand_id = strand->id;
  journal_out.other_case_id = target->id;
  journal_out.other_item_id = new_id;
  from.events.push_back(std::move(journal_out));

  Event in = Make(EventType::kStrandMovedIn);
  in.item_id = new_id;
  in.strand_type = strand->type;
  in.other_case_id = source->id;
  in.other_item_id = strand->id;
  Event journal_in = Make(EventType::kJournalWritten);
  journal_in.title = std::string(rules->name) + " " + new_id + " moved from case " + source->id +
                     " (was " + strand->id + ")";
  journal_in.strand_id = new_id;
  journal_in.other_case_id = source->id;
  journal_in.other_item_id = strand->id;

  Outcome o;
  o.streams.push_back(std::move(from));
  o.Add(CaseStream(target->id), target->version, std::move(in));
  o.Add(CaseStream(target->id), target->version, std::move(journal_in));
  nlohmann::json warnings = nlohmann::json::array();
  if (closed_actions > 0) {
    warnings.push_back(std::to_string(closed_actions) +
                       " open action(s) of the original were closed: create them again on "
                       "the new application by hand if they are still needed");
  }
  if (closed_tasks > 0) {
    warnings.push_back(std::to_string(closed_tasks) +
                       " open task(s) of the original were closed: add them again on the new "
                       "application by hand if they are still needed");
  }
  auto notes = source->strand_notes.find(strand->id);
  if (notes != source->strand_notes.end()) {
    warnings.push_back(std::to_string(notes->second) +
                       " note(s) stay with the original application: copy what is needed by "
                       "hand");
  }
  o.response = {{"new_strand_id", new_id}, {"warnings", warnings}};
  return o;
}

}  // namespace caseengine
