// CaseloadSeeder: a realistic, deterministic caseload written through the real command
// path (see caseload_seeder.cc). Placeholder until implemented.
#pragma once
