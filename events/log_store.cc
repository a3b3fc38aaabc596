// LogStoreOptions: see log_store.h.
#include "events/log_store.h"

#include "events/event_log.h"
#include "events/log_format.h"

namespace caseengine {

RocksStoreOptions LogStoreOptions(const std::string& dir, bool read_only) {
  RocksStoreOptions options;
  options.path = dir;
  options.families = EventLog::LogFamilyNames();
  options.families.push_back(kKeysFamily);
  options.families.push_back(kDecisionFamily);
  options.required_families = EventLog::LogFamilyNames();
  options.ascending_families = {{log_format::kLogFamily, 8}, {log_format::kStreamsFamily, 8}};
  options.read_only = read_only;
  options.create_if_missing = !read_only;
  return options;
}

Status OpenLogFolder(const std::string& dir, bool read_only, std::unique_ptr<Store>* store,
                     std::unique_ptr<EventLog>* log, const EventLogOptions& log_options) {
  Status s = OpenRocksStore(LogStoreOptions(dir, read_only), store);
  if (!s.ok()) return s;
  return EventLog::Open(store->get(), log_options, log);
}

}  // namespace caseengine
