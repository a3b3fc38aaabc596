// ReadModels: see read_models.h.
#include "projections/read_models.h"

#include "projections/projection_runner.h"

namespace caseengine {

std::vector<std::string> ReadModels::FamilyNames() {
  ReadModels models;
  return ProjectionRunner::FamilyNames(models.All());
}

}  // namespace caseengine
