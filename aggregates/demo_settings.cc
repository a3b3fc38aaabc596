// The demo configuration's task types and workflows: what a housing options service
// would set up for homeless applications (the Personal Housing Plan's steps), housing
// register applications and the documents a client brings.
#include "aggregates/config.h"

namespace caseengine {
namespace {

TaskType Type(const char* id, const char* name, std::vector<std::string> strand_types, int due_days,
              ProviderAccess access = ProviderAccess::kNone, bool client_task = false) {
  TaskType t;
  t.id = id;
  t.name = name;
  t.strand_types = std::move(strand_types);
  t.due_days = due_days;
  t.access = access;
  t.client_task = client_task;
  return t;
}

Workflow Flow(const char* id, const char* name, WorkflowTrigger trigger, const char* strand_type,
              std::vector<std::string> task_types) {
  Workflow w;
  w.id = id;
  w.name = name;
  w.trigger = trigger;
  w.strand_type = strand_type;
  w.task_types = std::move(task_types);
  return w;
}

}  // namespace

std::vector<TaskType> DemoTaskTypes() {
  const std::vector<std::string> homeless = {"homeless_application", "homeless_application_legacy"};
  const std::vector<std::string> can = {};  // a task of the case
  const auto r = ProviderAccess::kReadOnly, f = ProviderAccess::kFull;
  return {
      Type("first_contact", "Make first contact", can, 1, r),
      Type("initial_interview", "Initial interview", homeless, 2, r),
      Type("verify_identity", "Verify identity", homeless, 7),
      Type("housing_history", "Housing history", homeless, 10),
      Type("support_needs", "Support needs assessment", homeless, 10, f),
      Type("draft_php", "Draft the Personal Housing Plan", homeless, 14, r),
      Type("agree_php", "Agree the Personal Housing Plan", homeless, 21, r),
      Type("review_php", "Review the Personal Housing Plan", homeless, 56, r),
      Type("proof_of_address", "Proof of address", {"housing_register"}, 14),
      Type("medical_form", "Medical form", {"housing_register"}, 28),
      Type("bedroom_need", "Assess bedroom need", {"housing_register", "bedroom_assessment"}, 14),
      Type("provide_id", "Provide ID documents", can, 7, r, /*client_task=*/true),
      Type("income_expenditure", "Income and expenditure form", can, 14, ProviderAccess::kNone,
           true),
      Type("answer_questions", "Answer questions", can, 7, f, true),
  };
}

std::vector<Workflow> DemoWorkflows() {
  return {
      Flow("homeless_application", "Homeless application", WorkflowTrigger::kStrandAdded,
           "homeless_application",
           {"initial_interview", "verify_identity", "housing_history", "support_needs", "draft_php",
            "agree_php", "review_php"}),
      Flow("housing_register", "Housing register application", WorkflowTrigger::kStrandAdded,
           "housing_register", {"proof_of_address", "medical_form", "bedroom_need"}),
      Flow("new_case", "Every new case", WorkflowTrigger::kCaseOpened, "",
           {"first_contact", "provide_id", "income_expenditure"}),
  };
}

}  // namespace caseengine
