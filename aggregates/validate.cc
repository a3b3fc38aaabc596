// Field checks: see validate.h.
#include "aggregates/validate.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "aggregates/field_checker.h"
#include "aggregates/strand_rules.h"
#include "base/json_text.h"
#include "base/time_format.h"

namespace caseengine {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

const char* TextProblem(std::string_view s, TextKind kind) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      const bool allowed_space =
          kind == TextKind::kMultiline && (c == '\n' || c == '\r' || c == '\t');
      if ((c < 0x20 && !allowed_space) || c == 0x7F) {
        return kind == TextKind::kMultiline
                   ? "holds a control character (only line breaks and tabs are allowed)"
                   : "holds a control character (a line break, tab or the like)";
      }
      ++i;
      continue;
    }
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return "is not valid UTF-8";
    // C1 controls, U+0080 to U+009F: C2 80 to C2 9F.
    if (c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      return "holds a control character";
    }
    // Bidirectional embeddings, overrides and isolates (U+202A to U+202E: E2 80 AA to AE;
    // U+2066 to U+2069: E2 81 A6 to A9) make text show in another order than it is
    // stored, so a record or an audit line could read other than it says. Right-to-left
    // letters need none of them.
    if (c == 0xE2 && n == 3) {
      const unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      const unsigned char c2 = static_cast<unsigned char>(s[i + 2]);
      if ((c1 == 0x80 && c2 >= 0xAA && c2 <= 0xAE) || (c1 == 0x81 && c2 >= 0xA6 && c2 <= 0xA9)) {
        return "holds a bidirectional control character (text would show in another order than "
               "it is written)";
      }
    }
    i += n;
  }
  return nullptr;
}

bool ValidDate(const std::string& d) {
  // No record of the service's people goes back further.
  return IsDate(d) && d.compare(0, 4, "1850") >= 0;
}

std::optional<std::string> NormalizeNino(const std::string& nino) {
  std::string n;
  for (char c : nino) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      n.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
  }
  // HMRC's format: two prefix letters (not D, F, I, Q, U, V; the second not O), six digits,
  // a suffix A-D; some prefixes are never issued.
  static const std::regex kNino(R"([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D])");
  if (!std::regex_match(n, kNino)) return std::nullopt;
  static const char* kNeverIssued[] = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"};
  for (const char* p : kNeverIssued) {
    if (n.compare(0, 2, p) == 0) return std::nullopt;
  }
  return n;
}

std::optional<std::string> NormalizePostcode(const std::string& postcode) {
  std::string n;
  for (char c : postcode) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      n.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
  }
  static const std::regex kPostcode(R"(([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2}))");
  std::smatch m;
  if (!std::regex_match(n, m, kPostcode)) return std::nullopt;
  return m[1].str() + " " + m[2].str();
}

std::optional<std::string> NormalizePhone(const std::string& phone) {
  std::string s = phone;
  // "+44 (0)7700..." keeps the country code and drops the trunk zero.
  const size_t trunk = s.find("(0)");
  if (trunk != std::string::npos) s.erase(trunk, 3);
  std::string n;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      n.push_back(c);
    } else if (c == '+' && n.empty()) {
      n.push_back(c);
    } else if (!std::isspace(static_cast<unsigned char>(c)) && c != '-' && c != '(' && c != ')' &&
               c != '.') {
      return std::nullopt;
    }
  }
  const size_t digits = n.size() - (n.rfind('+', 0) == 0 ? 1 : 0);
  if (digits < 7 || digits > 15) return std::nullopt;
  return n;
}

std::optional<std::string> NormalizeEmail(const std::string& email) {
  std::string n = Trim(email);
  std::transform(n.begin(), n.end(), n.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const std::regex kEmail(R"([^@\s]+@[^@\s]+\.[^@\s.]+)");
  if (!std::regex_match(n, kEmail)) return std::nullopt;
  return n;
}

std::optional<Rejection> Validate(Command* command, const DomainConfig& config,
                                  const std::string& today) {
  Checker c;
  auto client_type = [&](const std::string& t, bool required) {
    if (t.empty()) {
      if (required) c.Fail("client_type", "is required");
      return;
    }
    if (!config.client_types.count(t)) c.Fail("client_type", "is not a configured client type");
  };
  std::visit(
      Overloaded{
          [&](RegisterClient& x) {
            c.Personal(&x.personal, /*registering=*/true, today);
            x.personal.text.reset();
            client_type(x.client_type, false);
          },
          [&](CorrectClientDetails& x) {
            c.Id("client_id", &x.client_id);
            c.Personal(&x.personal, false, today);
            x.personal.text.reset();
            if (x.personal.Empty()) c.Fail("personal", "no detail to correct was given");
          },
          [&](ChangeClientStatus& x) {
            c.Id("client_id", &x.client_id);
            c.OneOf("status", x.status, {"active", "inactive", "closed"});
          },
          [&](ChangeClientType& x) {
            c.Id("client_id", &x.client_id);
            client_type(x.client_type, true);
          },
          [&](ChangeCaseNumber& x) {
            c.Id("client_id", &x.client_id);
            c.Required("case_number", &x.case_number, 50);
          },
          [&](AddClientToGroup& x) {
            c.Id("client_id", &x.client_id);
            c.Required("group", &x.group, 100);
          },
          [&](RemoveClientFromGroup& x) {
            c.Id("client_id", &x.client_id);
            c.Required("group", &x.group, 100);
          },
          [&](AssignNavigator& x) {
            c.Id("client_id", &x.client_id);
            c.Required("user_id", &x.user_id, 100);
          },
          [&](UnassignNavigator& x) {
            c.Id("client_id", &x.client_id);
            c.Required("user_id", &x.user_id, 100);
          },
          [&](ChangePortalStatus& x) {
            c.Id("client_id", &x.client_id);
            c.OneOf("status", x.status, {"pending", "active", "banned"});
          },
          [&](SendPortalInvitation& x) { c.Id("client_id", &x.client_id); },
          [&](OpenCase& x) { c.Id("client_id", &x.client_id); },
          [&](AssignOfficer& x) {
            c.Id("case_id", &x.case_id);
            c.Required("user_id", &x.user_id, 100);
            c.OneOf("role", x.role, {"primary", "secondary", "supervisor", "other"});
          },
          [&](UnassignOfficer& x) {
            c.Id("case_id", &x.case_id);
            c.Required("user_id", &x.user_id, 100);
            c.OneOf("role", x.role, {"primary", "secondary", "supervisor", "other"});
          },
          [&](AssignTeam& x) {
            c.Id("case_id", &x.case_id);
            c.Required("team_id", &x.team_id, 100);
          },
          [&](AddPerson& x) {
            c.Id("case_id", &x.case_id);
            c.Id("client_id", &x.client_id);
            c.Required("relationship", &x.relationship, 50);
            if (x.relationship == "self") c.Fail("relationship", "'self' is the primary applicant");
            c.Date("date_joined", &x.date_joined, false);
          },
          [&](PersonLeaves& x) {
            c.Id("case_id", &x.case_id);
            c.Id("client_id", &x.client_id);
            c.Date("date_left", &x.date_left, true);
          },
          [&](SwitchPrimaryApplicant& x) {
            c.Id("case_id", &x.case_id);
            c.Id("client_id", &x.client_id);
          },
          [&](CloseCase& x) {
            c.Id("case_id", &x.case_id);
            c.Required("reason", &x.reason, 500, TextKind::kMultiline);
          },
          [&](ReopenCase& x) {
            c.Id("case_id", &x.case_id);
            c.Required("reason", &x.reason, 500, TextKind::kMultiline);
          },
          [&](DeleteCase& x) { c.Id("case_id", &x.case_id); },
          [&](AddNote& x) {
            c.Id("case_id", &x.case_id);
            c.Required("text", &x.text, kMaxText, TextKind::kMultiline);
            c.Optional("strand_id", &x.strand_id, 64);
          },
          [&](CreateAction& x) {
            c.Id("case_id", &x.case_id);
            c.Required("title", &x.title, 200);
            c.Date("due", &x.due, false);
            c.Optional("strand_id", &x.strand_id, 64);
          },
          [&](CompleteAction& x) {
            c.Id("case_id", &x.case_id);
            c.Id("action_id", &x.action_id);
          },
          [&](AddStrand& x) {
            c.Id("case_id", &x.case_id);
            if (!StrandRules::Find(x.type)) c.Fail("type", "is not a strand type");
          },
          [&](ChangeStrandStatus& x) {
            c.Id("case_id", &x.case_id);
            c.Id("strand_id", &x.strand_id);
            c.OneOf("status", x.status, {"open", "closed", "cancelled"});
          },
          [&](DeleteClient& x) { c.Id("client_id", &x.client_id); },
          [&](RestoreClient& x) { c.Id("client_id", &x.client_id); },
          [&](ReceiveReferral& x) {
            c.OneOf("source", x.source, {"self", "duty_to_refer", "third_party", "provider"});
            c.Personal(&x.personal, /*registering=*/false, today);
            x.personal.text.reset();
            if (!x.personal.surname) c.Fail("surname", "is required");
            c.Optional("referrer", &x.referrer);
          },
          [&](ClaimLobbyRecord& x) { c.Id("lobby_id", &x.lobby_id); },
          [&](AssignLobbyRecord& x) {
            c.Id("lobby_id", &x.lobby_id);
            c.Id("client_id", &x.client_id);
          },
          [&](CreateClientFromLobby& x) { c.Id("lobby_id", &x.lobby_id); },
          [&](RemoveLobbyRecord& x) { c.Id("lobby_id", &x.lobby_id); },
          [&](auto& x) { ValidateSettingsAndTasks(&x, config, today, &c); },
          [&](MoveStrand& x) {
            c.Id("case_id", &x.case_id);
            c.Id("strand_id", &x.strand_id);
            c.Id("target_case_id", &x.target_case_id);
            if (x.target_case_id == x.case_id) {
              c.Fail("target_case_id", "is the case the strand is on");
            }
          },
      },
      *command);
  return c.Result();
}

}  // namespace caseengine
