// FieldChecker: collects the field errors of one command (internal to aggregates/: the
// validation of validate.cc and validate_tasks.cc). Every string a command carries passes
// through it, so what is not text is refused before anything is decided or stored.
//
// Threading: a value, used by one thread for one command.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aggregates/command.h"
#include "aggregates/config.h"
#include "aggregates/outcome.h"
#include "aggregates/validate.h"

namespace caseengine {

constexpr size_t kMaxName = 100;
constexpr size_t kMaxText = 20000;
constexpr size_t kMaxShort = 200;

inline std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Collects the field errors of one command.
class Checker {
 public:
  void Fail(const std::string& field, const std::string& message) {
    errors_.push_back({field, message});
  }
  // Every string of a command passes here (Required, Optional, Id and the personal
  // fields call it): what is not text is refused before anything is decided or stored.
  void Text(const std::string& field, const std::string& value, TextKind kind) {
    const char* problem = TextProblem(value, kind);
    if (problem != nullptr) Fail(field, problem);
  }
  void Required(const std::string& field, std::string* value, size_t max = kMaxShort,
                TextKind kind = TextKind::kLine) {
    *value = Trim(*value);
    if (value->empty()) return Fail(field, "is required");
    if (value->size() > max) Fail(field, "is longer than " + std::to_string(max) + " characters");
    Text(field, *value, kind);
  }
  void Optional(const std::string& field, std::string* value, size_t max = kMaxShort,
                TextKind kind = TextKind::kLine) {
    *value = Trim(*value);
    if (value->size() > max) Fail(field, "is longer than " + std::to_string(max) + " characters");
    Text(field, *value, kind);
  }
  void Id(const std::string& field, std::string* value) {
    Required(field, value, 64);
    if (!errors_.empty() && errors_.back().field == field) return;
    for (char c : *value) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
        return Fail(field, "is not a valid id");
      }
    }
  }
  void OneOf(const std::string& field, const std::string& value,
             std::initializer_list<const char*> allowed) {
    for (const char* a : allowed) {
      if (value == a) return;
    }
    std::string list;
    for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    Fail(field, "must be one of " + list);
  }
  void Date(const std::string& field, std::string* value, bool required) {
    *value = Trim(*value);
    if (value->empty()) {
      if (required) Fail(field, "is required");
      return;
    }
    if (!ValidDate(*value)) Fail(field, "is not a date (YYYY-MM-DD)");
  }
  void Personal(PersonalFields* p, bool registering, const std::string& today) {
    auto field = [&](const char* name, std::optional<std::string>* v, size_t max) {
      if (!*v) return;
      **v = Trim(**v);
      if ((*v)->empty()) {
        v->reset();
        return;
      }
      if ((*v)->size() > max) Fail(name, "is longer than " + std::to_string(max) + " characters");
      Text(name, **v, TextKind::kLine);
    };
    field("surname", &p->surname, kMaxName);
    field("forenames", &p->forenames, kMaxName);
    field("date_of_birth", &p->date_of_birth, 10);
    field("nino", &p->nino, 20);
    field("email", &p->email, 254);
    field("phone", &p->phone, 30);
    field("postcode", &p->postcode, 10);
    if (registering && !p->surname) Fail("surname", "is required");
    if (registering && !p->date_of_birth) Fail("date_of_birth", "is required");
    if (p->date_of_birth) {
      if (!ValidDate(*p->date_of_birth)) {
        Fail("date_of_birth", "is not a date (YYYY-MM-DD)");
      } else if (*p->date_of_birth > today) {
        Fail("date_of_birth", "is in the future");
      }
    }
    auto normal = [&](const char* name, std::optional<std::string>* v, auto normalise,
                      const char* what) {
      if (!*v) return;
      auto n = normalise(**v);
      if (!n) return Fail(name, what);
      *v = *n;
    };
    normal("nino", &p->nino, NormalizeNino, "is not a National Insurance number");
    normal("email", &p->email, NormalizeEmail, "is not an email address");
    normal("phone", &p->phone, NormalizePhone, "is not a phone number");
    normal("postcode", &p->postcode, NormalizePostcode, "is not a UK postcode");
  }
  std::optional<Rejection> Result() const {
    if (errors_.empty()) return std::nullopt;
    Rejection r;
    r.kind = Rejection::Kind::kValidation;
    r.message = "the command has invalid fields";
    r.fields = errors_;
    return r;
  }

 private:
  std::vector<Rejection::FieldError> errors_;
};

// The settings and task commands' checks (validate_tasks.cc).
void ValidateSettingsAndTasks(DefineTaskType* command, const DomainConfig& config,
                              const std::string& today, Checker* checker);
void ValidateSettingsAndTasks(RetireTaskType* command, const DomainConfig& config,
                              const std::string& today, Checker* checker);
void ValidateSettingsAndTasks(DefineWorkflow* command, const DomainConfig& config,
                              const std::string& today, Checker* checker);
void ValidateSettingsAndTasks(RetireWorkflow* command, const DomainConfig& config,
                              const std::string& today, Checker* checker);
void ValidateSettingsAndTasks(ImportSettings* command, const DomainConfig& config,
                              const std::string& today, Checker* checker);
void ValidateSettingsAndTasks(AddTask* command, const DomainConfig& config,
                              const std::string& today, Checker* checker);
void ValidateSettingsAndTasks(AssignTask* command, const DomainConfig& config,
                              const std::string& today, Checker* checker);
void ValidateSettingsAndTasks(StartTask* command, const DomainConfig& config,
                              const std::string& today, Checker* checker);
void ValidateSettingsAndTasks(CompleteTask* command, const DomainConfig& config,
                              const std::string& today, Checker* checker);
void ValidateSettingsAndTasks(ReopenTask* command, const DomainConfig& config,
                              const std::string& today, Checker* checker);
void ValidateSettingsAndTasks(CancelTask* command, const DomainConfig& config,
                              const std::string& today, Checker* checker);
void ValidateSettingsAndTasks(ChangeTaskDue* command, const DomainConfig& config,
                              const std::string& today, Checker* checker);

}  // namespace caseengine
