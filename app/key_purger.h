// KeyPurger: after an erasure destroyed data keys, compacts the store on a thread of its
// own so that the keys' bytes (and the WAL that held them) leave the files.
//
// Each purge flushes every family and replaces the log files, so a run of erasures shares
// one: at most one purge starts in kMinPurgeInterval. A purge the store refuses (a full
// disk) is tried again an interval later, until it goes through; one wanted at shutdown
// still runs before the destructor returns.
//
// Threading: Schedule from any thread; the purges run on the purger's own thread.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "aggregates/key_store.h"

namespace caseengine {

class KeyPurger {
 public:
  // `keys` is not owned and must outlive the purger.
  explicit KeyPurger(KeyStore* keys);
  ~KeyPurger();

  // Asks for a purge (keys were destroyed).
  void Schedule();

 private:
  void Loop();

  KeyStore* keys_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false, stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace caseengine
