// ReadModels: see read_models.h.
#include "projections/read_models.h"

#include "projections/projection_runner.h"

namespace caseengine {

std::vector<std::string> ReadModels::FamilyNames() {
  ReadModels models;
  return ProjectionRunner::FamilyNames(models.All());
}

std::vector<std::string> ReadModels::WriteOnlyFamilyNames() {
  ReadModels models;
  std::vector<std::string> names;
  for (const Projection* p : models.All()) {
    if (p->keeps_rows_in_memory()) names.push_back(ReadModelFamily(*p));
  }
  return names;
}

}  // namespace caseengine
