// ClientSearchRow's JSON: see client_search_row.h.
#include "projections/client_search_row.h"

namespace caseengine {

void WriteJson(JsonWriter* w, const ClientSearchRow& r) {
  w->BeginObject()
      .Field("client_id", r.client_id)
      .FieldIfSet("surname", r.surname)
      .FieldIfSet("forenames", r.forenames)
      .FieldIfSet("date_of_birth", r.date_of_birth)
      .FieldIfSet("nino", r.nino)
      .FieldIfSet("email", r.email)
      .FieldIfSet("phone", r.phone)
      .FieldIfSet("postcode", r.postcode)
      .Field("status", r.status)
      .FieldIfSet("client_type", r.client_type)
      .FieldIfSet("case_number", r.case_number)
      .FlagIfSet("deleted", r.deleted);
  w->Key("cases").BeginArray();
  for (const std::string& c : r.cases) w->String(c);
  w->EndArray().EndObject();
}

void from_json(const nlohmann::json& j, ClientSearchRow& r) {
  r = ClientSearchRow();
  auto get = [&](const char* key, std::string* value) { *value = j.value(key, ""); };
  get("client_id", &r.client_id);
  get("surname", &r.surname);
  get("forenames", &r.forenames);
  get("date_of_birth", &r.date_of_birth);
  get("nino", &r.nino);
  get("email", &r.email);
  get("phone", &r.phone);
  get("postcode", &r.postcode);
  r.status = j.value("status", "active");
  get("client_type", &r.client_type);
  get("case_number", &r.case_number);
  r.deleted = j.value("deleted", false);
  auto it = j.find("cases");
  if (it != j.end()) it->get_to(r.cases);
}

}  // namespace caseengine
