// Test support for tests that open an Engine on a folder of their own: the demo domain
// and its users, the options such a test starts from, and opening with them. Test-only.
#pragma once

#include <memory>
#include <string>

#include "app/engine.h"

namespace caseengine::testing {

const DomainConfig& DemoDomain();
const Actor& DemoUser(const char* name);  // "officer", "supervisor", "admin", "auditor"
// The demo domain, the fixture's today, the folder's test key-encryption key.
EngineOptions EngineOptionsFor(const std::string& dir);
// A registration of a client with this surname, born 1990-01-01.
RegisterClient Person(const std::string& surname);
// Engine::Open with `options`; fails the test when it does not open.
std::unique_ptr<Engine> OpenTestEngine(const EngineOptions& options);

}  // namespace caseengine::testing
