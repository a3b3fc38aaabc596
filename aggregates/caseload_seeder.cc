// CaseloadSeeder: see caseload_seeder.h.
#include "aggregates/caseload_seeder.h"
