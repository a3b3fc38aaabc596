// What the Api's route files (api.cc, api_log.cc, ...) share, and nothing else uses: query
// parameter parsing and turning a Status into the problem it answers. Internal to http/.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "http/http_types.h"

namespace caseengine {

// A whole-number query parameter (`fallback` when absent); 422 when it is not one or is
// over `max`.
uint64_t ParseCount(const HttpRequest& req, const std::string& name, uint64_t fallback,
                    uint64_t max);
// `limit`, 1 to the largest page; `fallback` when absent.
size_t ParseLimit(const HttpRequest& req, size_t fallback);
// 415 /problems/unsupported-media-type unless a command's body is empty or sent as JSON
// (Content-Type application/json, or a type ending in +json, any parameters).
void RequireJsonBody(const HttpRequest& req);
// The problem a failed Status answers: 404, 422, 503 or 500.
Problem FromStatus(const Status& s);
// Throws FromStatus(s) unless s is ok.
void Check(const Status& s);

}  // namespace caseengine
