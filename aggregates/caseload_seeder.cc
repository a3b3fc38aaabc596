// CaseloadSeeder: see caseload_seeder.h.
//
// In this file, from the bottom up: made-up people and words (names, NI numbers, phones,
// postcodes, notes), the coroutine plumbing (Task, Worker, Call), the household script
// (Household, with its own model of what the rules allow), and SeedCaseload, which plans
// the households and runs the workers.
//
// Every random choice of a household comes from its own generator, drawn in a fixed order
// (never two draws whose order C++ leaves open, as in the arguments of one call), and mapped
// to numbers by hand rather than by <random>'s distributions, whose results differ between
// standard libraries: one seed gives one caseload everywhere.
#include "aggregates/caseload_seeder.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <coroutine>
#include <cstdio>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <random>
#include <string_view>
#include <thread>
#include <utility>

#include "aggregates/strand_rules.h"
#include "aggregates/validate.h"

namespace caseengine {
namespace {

// ---------------------------------------------------------------------------------------
// Random choices.

uint64_t Mix(uint64_t x) {  // SplitMix64's finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Households draw their shape and their script from separate streams, so that planning
// (which draws only shapes) and playing agree whatever the script does.
enum class Stream : uint64_t { kShape = 1, kScript = 2 };

class Rng {
 public:
  Rng(uint64_t seed, int household, Stream stream)
      : engine_(Mix(Mix(Mix(seed) ^ static_cast<uint64_t>(household)) ^
                    static_cast<uint64_t>(stream))) {}

  uint64_t Below(uint64_t n) { return engine_() % n; }  // the bias is far below notice
  int Uniform(int lo, int hi) { return lo + static_cast<int>(Below(hi - lo + 1)); }
  double Unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  template <class T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Below(N)];
  }
  template <class T>
  const T& Pick(const std::vector<T>& items) {
    return items[Below(items.size())];
  }

 private:
  std::mt19937_64 engine_;
};

// ---------------------------------------------------------------------------------------
// Made-up people. Names are a British mix, some with accents; contact details come from
// ranges that reach no one: Ofcom's drama numbers and the example domains of RFC 2606.

constexpr const char* kFemaleNames[] = {
    "Olivia",   "Amelia",    "Isla",      "Ava",        "Mia",       "Ivy",      "Lily",
    "Freya",    "Grace",     "Sophie",    "Emily",      "Chloe",     "Jessica",  "Hannah",
    "Megan",    "Siobhán",   "Aoife",     "Niamh",      "Róisín",    "Caitlin",  "Eilidh",
    "Seren",    "Cerys",     "Ffion",     "Aisha",      "Fatima",    "Amira",    "Zainab",
    "Maryam",   "Priya",     "Anjali",    "Sunita",     "Harpreet",  "Chloë",    "Zoë",
    "Renée",    "Amélie",    "Agnieszka", "Małgorzata", "Katarzyna", "Ioana",    "Elena",
    "Ngozi",    "Adaeze",    "Abena",     "Yasmin",     "Leila",     "Mei",      "Precious",
    "Blessing", "Chantelle", "Kayleigh",  "Stacey",     "Tracey",    "Danielle", "Margaret",
    "Patricia", "Janet",     "Shirley",   "Bernadette", "Hawa",      "Fartun",   "Nadia"};

constexpr const char* kMaleNames[] = {
    "Oliver", "George", "Harry",   "Jack",     "Noah",   "Muhammad", "Mohammed", "Leo",
    "Arthur", "Oscar",  "Charlie", "Jacob",    "Thomas", "James",    "William",  "Daniel",
    "Joshua", "Ryan",   "Liam",    "Kieran",   "Aidan",  "Declan",   "Seán",     "Ciarán",
    "Rhys",   "Dylan",  "Owen",    "Gruffydd", "Iestyn", "Callum",   "Ewan",     "Hamish",
    "Tariq",  "Imran",  "Bilal",   "Arjun",    "Rohan",  "Sanjay",   "Gurpreet", "Kwame",
    "Kofi",   "Chidi",  "Tunde",   "Emeka",    "Marek",  "Piotr",    "Łukasz",   "Tomasz",
    "Andrei", "Mihai",  "José",    "Andrés",   "Rubén",  "François", "Jürgen",   "Wei",
    "Hao",    "Abdi",   "Mustafa", "Dean",     "Wayne",  "Kevin",    "Terence"};

constexpr const char* kSurnames[] = {
    "Smith",          "Jones",       "Williams",    "Taylor",    "Brown",      "Davies",
    "Evans",          "Wilson",      "Thomas",      "Johnson",   "Roberts",    "Robinson",
    "Thompson",       "Wright",      "Walker",      "White",     "Edwards",    "Hughes",
    "Green",          "Hall",        "Lewis",       "Harris",    "Clarke",     "Patel",
    "Jackson",        "Wood",        "Turner",      "Martin",    "Cooper",     "Hill",
    "Ward",           "Morris",      "Moore",       "Clark",     "Lee",        "King",
    "Baker",          "Harrison",    "Morgan",      "Allen",     "James",      "Scott",
    "Phillips",       "Watson",      "Davis",       "Parker",    "Price",      "Bennett",
    "Young",          "Griffiths",   "Mitchell",    "Kelly",     "Cook",       "Carter",
    "Richardson",     "Bailey",      "Collins",     "Bell",      "Shaw",       "Murphy",
    "Miller",         "Cox",         "Richards",    "Khan",      "Marshall",   "Anderson",
    "Simpson",        "Ellis",       "Adams",       "Singh",     "Begum",      "Wilkinson",
    "Foster",         "Chapman",     "Powell",      "Webb",      "Rogers",     "Gray",
    "Mason",          "Ali",         "Hunt",        "Hussain",   "Campbell",   "Matthews",
    "Owen",           "Palmer",      "Holmes",      "Mills",     "Barnes",     "Knight",
    "Lloyd",          "Butler",      "Russell",     "Barker",    "Fisher",     "Stevens",
    "Jenkins",        "Murray",      "Dixon",       "Harvey",    "Ahmed",      "Rahman",
    "Chowdhury",      "Uddin",       "Okafor",      "Adeyemi",   "Mensah",     "Osei",
    "Mohamed",        "Abdullahi",   "Nowak",       "Kowalczyk", "Wiśniewski", "Popescu",
    "Nguyen",         "Chen",        "Wong",        "O'Brien",   "O'Connor",   "MacDonald",
    "McLeod",         "Núñez",       "Gonçalves",   "Müller",    "Öztürk",     "Yılmaz",
    "Bradley-Hughes", "Lloyd-Jones", "Ó Ceallaigh", "da Silva",  "Kaur",       "Gill",
    "Sandhu"};

// Outward codes of areas with a lot of housing casework, in several nations and regions.
constexpr const char* kPostcodeAreas[] = {
    "SW9",  "SE15", "E8",  "N17",  "NW10", "W12",  "E16", "B12", "B21",  "M14",
    "M8",   "L8",   "LS9", "BD3",  "S2",   "NG7",  "LE2", "BS5", "CF24", "SA1",
    "G31",  "EH7",  "DD3", "NE6",  "SR5",  "BN2",  "PL4", "CV1", "OX4",  "CB1",
    "SO14", "HU3",  "ST4", "DE23", "WV2",  "BT12", "BT5", "LU1", "MK6",  "PE1"};

// The letters an inward code uses (Royal Mail never uses C I K M O V there).
constexpr char kInwardLetters[] = "ABDEFGHJLNPQRSTUWXYZ";

constexpr const char* kEmailDomains[] = {"example.com", "example.org", "example.net",
                                         "mail.example.com", "post.example.org"};

// Drama ranges: 07700 900000-900999 and 0xx 496 0000-0999 style landlines.
constexpr const char* kLandlinePrefixes[] = {"020 7946 0", "0113 496 0", "0114 496 0", "0115 496 0",
                                             "0116 496 0", "0117 496 0", "0118 496 0", "0121 496 0",
                                             "0131 496 0", "0141 496 0", "0151 496 0", "0161 496 0",
                                             "0191 498 0", "029 2018 0", "028 9649 6"};

// Folds the accented letters of the name lists to ASCII, for made-up email addresses.
std::string AsciiLower(std::string_view name) {
  static const std::pair<std::string_view, char> kFolds[] = {
      {"á", 'a'}, {"à", 'a'}, {"â", 'a'}, {"ä", 'a'}, {"ã", 'a'}, {"ç", 'c'}, {"é", 'e'},
      {"è", 'e'}, {"ê", 'e'}, {"ë", 'e'}, {"í", 'i'}, {"ï", 'i'}, {"ı", 'i'}, {"ł", 'l'},
      {"Ł", 'l'}, {"ñ", 'n'}, {"ń", 'n'}, {"ó", 'o'}, {"ö", 'o'}, {"ô", 'o'}, {"Ó", 'o'},
      {"Ö", 'o'}, {"ś", 's'}, {"ú", 'u'}, {"ü", 'u'}};
  std::string out;
  for (size_t i = 0; i < name.size();) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      if (std::isalnum(c)) out.push_back(static_cast<char>(std::tolower(c)));
      ++i;  // apostrophes, hyphens and spaces drop out
      continue;
    }
    size_t width = 1;
    for (const auto& [from, to] : kFolds) {
      if (name.substr(i, from.size()) == from) {
        out.push_back(to);
        width = from.size();
        break;
      }
    }
    i += width;
  }
  return out;
}

using Date = std::chrono::sys_days;

std::string FormatDate(Date date) {
  const std::chrono::year_month_day ymd(date);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

bool ParseDate(const std::string& text, Date* date) {
  if (!ValidDate(text)) return false;
  const int y = std::stoi(text.substr(0, 4)), m = std::stoi(text.substr(5, 2)),
            d = std::stoi(text.substr(8, 2));
  *date =
      std::chrono::year_month_day(std::chrono::year(y), std::chrono::month(m), std::chrono::day(d));
  return true;
}

std::string Digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng.Below(10)));
  return s;
}

// A National Insurance number HMRC could have issued, written the way people write it.
std::string MakeNino(Rng& rng) {
  static constexpr char kFirst[] = "ABCEGHJKLMNPRSTWXYZ";   // not D F I Q U V
  static constexpr char kSecond[] = "ABCEGHJKLMNPRSTWXYZ";  // nor O
  static constexpr std::string_view kNeverIssued[] = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"};
  std::string prefix;
  do {
    prefix = kFirst[rng.Below(sizeof kFirst - 1)];
    prefix += kSecond[rng.Below(sizeof kSecond - 1)];
  } while (std::find(std::begin(kNeverIssued), std::end(kNeverIssued), prefix) !=
           std::end(kNeverIssued));
  const std::string digits = Digits(rng, 6);
  const char suffix = "ABCD"[rng.Below(4)];
  if (rng.Chance(0.15)) {
    return prefix + " " + digits.substr(0, 2) + " " + digits.substr(2, 2) + " " +
           digits.substr(4, 2) + " " + suffix;
  }
  return prefix + digits + suffix;
}

std::string MakePhone(Rng& rng) {
  if (rng.Chance(0.7)) {
    const std::string tail = Digits(rng, 3);
    return rng.Chance(0.2) ? "+44 7700 900" + tail : "07700 900" + tail;
  }
  const std::string prefix = rng.Pick(kLandlinePrefixes);
  return prefix + Digits(rng, 3);
}

std::string MakePostcode(Rng& rng, const std::string& area) {
  std::string inward = Digits(rng, 1);
  inward.push_back(kInwardLetters[rng.Below(sizeof kInwardLetters - 1)]);
  inward.push_back(kInwardLetters[rng.Below(sizeof kInwardLetters - 1)]);
  return area + " " + inward;
}

std::string MakeEmail(Rng& rng, const std::string& forename, const std::string& surname,
                      int birth_year) {
  std::string first = AsciiLower(forename), last = AsciiLower(surname);
  if (first.empty()) first = "resident";
  if (last.empty()) last = "household";
  std::string local;
  switch (rng.Below(4)) {
    case 0:
      local = first + "." + last;
      break;
    case 1:
      local = first + last + Digits(rng, 2);
      break;
    case 2:
      local = first.substr(0, 1) + last + std::to_string(birth_year % 100);
      break;
    default:
      local = first + "_" + last.substr(0, 1) + Digits(rng, 3);
      break;
  }
  return local + "@" + rng.Pick(kEmailDomains);
}

// ---------------------------------------------------------------------------------------
// Words of the casework.

constexpr const char* kSituations[] = {
    "Client attended the office in person; sofa surfing with friends after being asked to "
    "leave the family home.",
    "Telephone approach: a section 21 notice was served, the landlord is selling the "
    "property.",
    "Household is in temporary accommodation and says the room is too small for them.",
    "Client reports damp and mould in the bedroom affecting a child's asthma; photos supplied.",
    "Relationship breakdown: client left the shared home and is staying with a sibling.",
    "Client is fleeing domestic abuse; police reference supplied. Contact by text only.",
    "Rent arrears of about £1,200 after a change in Universal Credit; the landlord has started "
    "possession proceedings.",
    "Client was discharged from hospital with nowhere to go; referred under the duty to refer.",
    "The outreach team found the client sleeping rough near the railway station.",
    "Client leaves prison in three weeks and has no address to go to.",
    "Overcrowded: the household shares a one-bedroom flat.",
    "Client needs an interpreter (Polish) for appointments.",
    "Care leaver, turning 21; the personal adviser from children's services is involved.",
    "Client works zero-hours shifts and cannot afford the new rent.",
    "Home visit: the property has had no working heating since October.",
    "Client asked about their position on the waiting list; explained the banding scheme.",
    "Left a voicemail and sent a text asking the client to call back.",
    "Client's mother rang on the client's behalf; consent to share is on file.",
    "Client has been served a notice to quit by the housing association after anti-social "
    "behaviour complaints.",
    "Household is expecting a baby and lives in a shared house without a kitchen.",
    "Client uses a wheelchair and cannot manage the stairs in the current flat.",
    "Mortgage arrears: lender has a possession hearing listed next month.",
    "Client arrived from Ukraine under the sponsorship scheme; the sponsor arrangement ended.",
    "Client prefers to be called by a shortened name; noted in the contact preferences.",
    "Asylum decision granted; the Home Office accommodation ends in 28 days."};

constexpr const char* kFollowUps[] = {
    "Advised on the documents needed: ID, proof of income and three months of bank "
    "statements.",
    "Personal housing plan agreed and sent by email.",
    "Booked interim accommodation for tonight.",
    "Referred to the tenancy sustainment team.",
    "Wrote to the landlord to negotiate more time.",
    "Asked the GP for medical evidence.",
    "Explained the prevention duty and the 56 days.",
    "Will review at the next appointment.",
    "Made a safeguarding referral.",
    "Applied for a discretionary housing payment.",
    "Checked the Housing Register application and the banding.",
    "Gave the details of the local food bank."};

constexpr const char* kActionTitles[] = {"Request proof of identity",
                                         "Chase the landlord for a rent statement",
                                         "Home visit",
                                         "Review the personal housing plan",
                                         "Send the section 184 decision letter",
                                         "Check eligibility (immigration status)",
                                         "Book an interpreter",
                                         "Ask the GP for medical evidence",
                                         "Arrange temporary accommodation",
                                         "Verify income",
                                         "Complete the bedroom assessment",
                                         "Call the client back",
                                         "Contact the referring agency",
                                         "Check the Universal Credit housing element",
                                         "Send the Housing Register banding letter"};

constexpr const char* kCloseReasons[] = {"Housed: social housing tenancy",
                                         "Housed: private rented tenancy",
                                         "Prevention duty ended: the home was kept",
                                         "Relief duty ended: 56 days passed",
                                         "Lost contact",
                                         "Client withdrew",
                                         "Moved out of the area",
                                         "Not eligible for assistance"};

constexpr const char* kReopenReasons[] = {"Client approached again", "Private tenancy ended",
                                          "Closed in error", "New information received"};

constexpr const char* kGroups[] = {
    "Care leaver",   "Armed forces",  "Domestic abuse",      "Refugee",  "Young person",
    "Prison leaver", "Mental health", "Learning disability", "Pregnant", "Over 55"};

constexpr const char* kDutyToReferBodies[] = {"HMP Pentonville resettlement team",
                                              "Royal Infirmary discharge team",
                                              "Jobcentre Plus",
                                              "Children's social care",
                                              "Adult social care",
                                              "Youth offending team",
                                              "Mental health inpatient unit",
                                              "Armed forces resettlement"};
constexpr const char* kThirdParties[] = {
    "Citizens Advice", "Shelter",         "Women's Aid",   "MP's constituency office",
    "Food bank",       "Church outreach", "Family member", "GP surgery"};
constexpr const char* kProviders[] = {
    "St Mungo's outreach", "Salvation Army hostel",      "YMCA",
    "Centrepoint",         "Supported housing provider", "Night shelter"};

constexpr const char* kUsers[] = {"officer", "supervisor", "admin"};

// ---------------------------------------------------------------------------------------
// The shape of a household, drawn before anything is sent so that the number of clients
// is known in advance.

enum class Referral {
  kNone,
  kAssign,     // a referral about the applicant, assigned to them
  kNewClient,  // a referral about someone new, made into a client
  kRemove,     // claimed and removed
  kWaiting,    // left in the queue
  kClaimed,    // claimed, not yet decided
};

struct Shape {
  bool partner = false;
  int children = 0;
  std::string relative;  // parent | sibling | other; empty: none
  Referral referral = Referral::kNone;

  int Clients() const {
    return 1 + (partner ? 1 : 0) + children + (relative.empty() ? 0 : 1) +
           (referral == Referral::kNewClient ? 1 : 0);
  }
  // The last household takes only what is left of the clients wanted.
  void TrimTo(int clients) {
    while (Clients() > clients) {
      if (referral == Referral::kNewClient) {
        referral = Referral::kWaiting;
      } else if (children > 0) {
        --children;
      } else if (!relative.empty()) {
        relative.clear();
      } else {
        partner = false;
      }
    }
  }
};

Shape DrawShape(Rng& rng) {
  Shape s;
  const uint64_t kind = rng.Below(100);
  if (kind < 45) {
    // single adult
  } else if (kind < 60) {
    s.partner = true;
  } else if (kind < 95) {
    s.partner = kind >= 82;
    const uint64_t n = rng.Below(100);
    s.children = n < 50 ? 1 : n < 85 ? 2 : n < 97 ? 3 : 4;
  } else {
    static constexpr const char* kRelatives[] = {"parent", "sibling", "other"};
    s.relative = rng.Pick(kRelatives);
  }
  // About one referral for every ten clients.
  if (rng.Chance(0.2)) {
    const uint64_t r = rng.Below(100);
    s.referral = r < 30   ? Referral::kAssign
                 : r < 60 ? Referral::kNewClient
                 : r < 70 ? Referral::kRemove
                 : r < 88 ? Referral::kWaiting
                          : Referral::kClaimed;
  }
  return s;
}

// ---------------------------------------------------------------------------------------
// Coroutine plumbing.

// A step of a household's script. It starts when awaited (a whole household: when its
// worker starts it) and, when it ends, resumes whoever awaited it.
class [[nodiscard]] Task {
 public:
  struct promise_type {
    std::coroutine_handle<> awaiter;  // none for a whole household

    Task get_return_object() {
      return Task(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    auto final_suspend() noexcept {
      struct ResumeAwaiter {
        bool await_ready() noexcept { return false; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
          const std::coroutine_handle<> next = h.promise().awaiter;
          return next ? next : std::noop_coroutine();
        }
        void await_resume() noexcept {}
      };
      return ResumeAwaiter{};
    }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };

  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  ~Task() {
    if (handle_) handle_.destroy();
  }

  // Runs a whole household until its first command is in flight.
  void Start() { handle_.resume(); }
  bool Done() const { return handle_.done(); }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
    handle_.promise().awaiter = awaiter;
    return handle_;
  }
  void await_resume() const noexcept {}

 private:
  explicit Task(std::coroutine_handle<promise_type> handle) : handle_(handle) {}
  std::coroutine_handle<promise_type> handle_;
};

// The queue of households of one worker thread whose answer has come. Answers arrive on
// a thread of the log, which must not block: it only queues the waiting coroutine, and the
// worker resumes it. A condition variable, not an atomic wait: see base/await.h.
class Worker {
 public:
  void Post(std::coroutine_handle<> waiting) {
    std::lock_guard<std::mutex> lock(mu_);
    ready_.push_back(waiting);
    cv_.notify_one();
  }
  std::coroutine_handle<> Next() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !ready_.empty(); });
    const std::coroutine_handle<> next = ready_.front();
    ready_.pop_front();
    return next;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::coroutine_handle<>> ready_;
};

// What the households have written, shared by all workers.
struct Tally {
  std::atomic<int> clients{0}, cases{0}, strands{0}, moves{0}, notes{0}, actions{0}, lobby{0};
  std::atomic<int> commands{0}, refused{0};
  std::atomic<uint64_t> last_position{0};
};

class Seeder {
 public:
  Seeder(CommandHandler* handler, const DomainConfig& config, const SeedOptions& options,
         Date as_of, std::vector<Shape> plan)
      : handler_(handler), options_(options), as_of_(as_of), plan_(std::move(plan)) {
    for (const char* user : kUsers) actors_[user] = &config.users.at(user);
    for (const auto& [id, team] : config.teams) {
      if (team.allows_cases) case_teams_.push_back(id);
    }
    client_types_.assign(config.client_types.begin(), config.client_types.end());
  }

  Status Run(SeedReport* report);

  CommandHandler* handler() const { return handler_; }
  const Actor& actor(const std::string& user) const { return *actors_.at(user); }
  const std::vector<std::string>& case_teams() const { return case_teams_; }
  const std::vector<std::string>& client_types() const { return client_types_; }
  const Shape& shape(int household) const { return plan_[household]; }
  uint64_t seed() const { return options_.seed; }
  Date as_of() const { return as_of_; }
  Tally& tally() { return tally_; }
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }

  // Counts one answer: a refusal is noted, a failure of the log stops the seeding.
  void Account(const char* command, const CommandResult& result);
  // A claimed Lobby record that `user` removes once the households are done.
  void RemoveLater(const std::string& user, const std::string& lobby_id);

 private:
  void Work();
  void RemoveDeferred();
  void Fail(const Status& status);

  CommandHandler* handler_;
  const SeedOptions& options_;
  const Date as_of_;
  const std::vector<Shape> plan_;
  std::map<std::string, const Actor*> actors_;
  std::vector<std::string> case_teams_, client_types_;
  Tally tally_;
  std::atomic<int> next_household_{0};
  std::atomic<bool> stopped_{false};

  std::mutex mu_;
  std::condition_variable workers_done_;
  int workers_running_ = 0;
  Status failure_;
  std::vector<std::string> refusals_;
  std::vector<std::pair<std::string, std::string>> removals_;  // user, lobby id
};

// `co_await Call`: sends one command and resumes the household with its answer. The Call
// lives in the waiting coroutine's frame until it is resumed, so the answer is written
// straight into it. When the seeding has stopped, nothing is sent and the answer says so.
class Call {
 public:
  Call(Seeder* seeder, Worker* worker, const std::string& user, Command command)
      : seeder_(seeder),
        worker_(worker),
        actor_(&seeder->actor(user)),
        command_(std::move(command)) {}

  bool await_ready() const { return seeder_->stopped(); }
  void await_suspend(std::coroutine_handle<> waiting) {
    sent_ = true;
    name_ = CommandName(command_);
    seeder_->handler()->ExecuteAsync(*actor_, std::move(command_), CommandOptions(),
                                     [this, waiting](CommandResult result) {
                                       result_ = std::move(result);
                                       worker_->Post(waiting);
                                     });
  }
  CommandResult await_resume() {
    if (!sent_) {
      result_.status = Status::Unavailable("the seeding stopped");
    } else {
      seeder_->Account(name_, result_);
    }
    return std::move(result_);
  }

 private:
  Seeder* seeder_;
  Worker* worker_;
  const Actor* actor_;
  Command command_;
  const char* name_ = "";
  bool sent_ = false;
  CommandResult result_;
};

// ---------------------------------------------------------------------------------------
// A household's script.

class Household {
 public:
  Household(Seeder* seeder, Worker* worker, int index)
      : seeder_(seeder),
        worker_(worker),
        index_(index),
        rng_(seeder->seed(), index, Stream::kScript),
        shape_(seeder->shape(index)) {}

  Task Play();

 private:
  // What the household knows of its records, kept from the answers, so that it asks only
  // for what the rules allow. Households share nothing, so this is the whole truth.
  struct Strand {
    std::string id, type;
    bool current = true;
  };
  struct Action {
    std::string id, strand_id;
    bool open = true;
  };
  struct Case {
    std::string id, applicant, team;
    bool open = true;
    std::vector<std::pair<std::string, std::string>> officers;  // user, role
    std::vector<Strand> strands;
    std::vector<Action> actions;

    const Strand* Current(const std::string& type) const {
      for (const Strand& s : strands) {
        if (s.type == type && s.current) return &s;
      }
      return nullptr;
    }
    bool HasOfficer(const std::string& user, const std::string& role) const {
      return std::find(officers.begin(), officers.end(), std::make_pair(user, role)) !=
             officers.end();
    }
  };
  struct Member {
    std::string client_id, relationship;
    int age = 0;
    Case* own_case = nullptr;  // the first case their registration opened
    std::string date_joined;   // of their stay on the main case; empty once they left
  };

  Task RegisterApplicant();
  Task StaffCase(Case* kase);
  Task AssignOfficerTo(Case* kase, std::string user, std::string role);
  Task AddMembers();
  Task AddMember(std::string relationship, bool joint_applicant, PersonalFields person, int age);
  Task OpenApplications(Case* kase);
  Task AddApplication(Case* kase, std::string type);
  Task RecordWork(Case* kase);
  Task SecondCase();
  Task ProgressApplications();
  Task MemberLeaves();
  Task UpdateRecord();
  Task Refer();
  Task CloseOrReopen();

  // Each command is built in a statement of its own, never as a braced temporary inside
  // the co_await: GCC 12 destroys such a temporary twice.
  Call Run(const std::string& user, Command command) {
    return Call(seeder_, worker_, user, std::move(command));
  }

  // The rules of strand_rules.h, over the household's own cases.
  bool MayAdd(const Case& kase, const std::string& type, const std::string& except = "") const;
  bool MayReopen(const Case& kase) const;

  Case& NewCase(const std::string& id, const std::string& applicant, const std::string& opener);
  PersonalFields MakePerson(const std::string& surname, bool female, int age);
  std::string PickCaseworker();
  std::string OtherUser(const std::string& than);
  std::string ClientType();
  std::string DaysAgo(int days) const {
    return FormatDate(seeder_->as_of() - std::chrono::days(days));
  }
  std::string CurrentStrandOrNone(const Case& kase);

  Seeder* seeder_;
  Worker* worker_;
  const int index_;
  Rng rng_;
  const Shape shape_;

  std::string caseworker_;  // who does most of the household's work
  std::string applicant_;   // client id
  PersonalFields applicant_details_;
  std::string applicant_type_;
  int applicant_age_ = 0;
  std::string surname_, area_, postcode_;
  std::deque<Case> cases_;  // a deque: Case pointers stay valid as cases are added
  Case* main_ = nullptr;
  std::vector<Member> members_;
};

Task PlayHousehold(Seeder* seeder, Worker* worker, int index) {
  Household household(seeder, worker, index);
  co_await household.Play();
}

Task Household::Play() {
  co_await RegisterApplicant();
  if (main_ == nullptr) co_return;
  co_await StaffCase(main_);
  co_await AddMembers();
  co_await OpenApplications(main_);
  co_await RecordWork(main_);
  co_await SecondCase();
  co_await ProgressApplications();
  co_await MemberLeaves();
  co_await UpdateRecord();
  co_await Refer();
  co_await CloseOrReopen();
}

Task Household::RegisterApplicant() {
  caseworker_ = PickCaseworker();
  const bool single_parent = !shape_.partner && shape_.children > 0;
  const bool female = rng_.Chance(single_parent ? 0.85 : 0.55);
  const uint64_t band = rng_.Below(100);
  applicant_age_ = band < 20   ? rng_.Uniform(18, 24)
                   : band < 50 ? rng_.Uniform(25, 34)
                   : band < 80 ? rng_.Uniform(35, 49)
                   : band < 95 ? rng_.Uniform(50, 64)
                               : rng_.Uniform(65, 88);
  if (shape_.children > 0) applicant_age_ = std::clamp(applicant_age_, 20, 55);
  surname_ = rng_.Pick(kSurnames);
  area_ = rng_.Pick(kPostcodeAreas);
  postcode_ = MakePostcode(rng_, area_);
  applicant_details_ = MakePerson(surname_, female, applicant_age_);
  applicant_type_ = ClientType();
  const RegisterClient registration{applicant_details_, applicant_type_};
  CommandResult r = co_await Run(caseworker_, registration);
  if (!r.ok()) co_return;
  applicant_ = r.response.value("client_id", "");
  main_ = &NewCase(r.response.value("case_id", ""), applicant_, caseworker_);
  seeder_->tally().clients++;
  seeder_->tally().cases++;
}

Task Household::StaffCase(Case* kase) {
  if (rng_.Chance(0.3) && !seeder_->case_teams().empty()) {
    const std::string team = rng_.Pick(seeder_->case_teams());
    const std::string user = rng_.Chance(0.5) ? caseworker_ : "supervisor";
    if (team != kase->team) {
      const AssignTeam assignment{kase->id, team};
      CommandResult r = co_await Run(user, assignment);
      if (r.ok()) kase->team = team;
    }
  }
  if (rng_.Chance(0.5)) co_await AssignOfficerTo(kase, OtherUser(caseworker_), "secondary");
  if (rng_.Chance(0.3)) co_await AssignOfficerTo(kase, "supervisor", "supervisor");
  if (rng_.Chance(0.08)) co_await AssignOfficerTo(kase, rng_.Pick(kUsers), "other");
  if (rng_.Chance(0.06)) {
    // A hand-over: the new primary officer first, so the case is never without one.
    const std::string next = OtherUser(caseworker_);
    co_await AssignOfficerTo(kase, next, "primary");
    if (kase->HasOfficer(next, "primary") && kase->HasOfficer(caseworker_, "primary")) {
      const UnassignOfficer handed_over{kase->id, caseworker_, "primary"};
      CommandResult r = co_await Run(next, handed_over);
      if (r.ok()) std::erase(kase->officers, std::make_pair(caseworker_, std::string("primary")));
    }
  }
}

Task Household::AssignOfficerTo(Case* kase, std::string user, std::string role) {
  if (kase->HasOfficer(user, role)) co_return;
  const AssignOfficer assignment{kase->id, user, role};
  CommandResult r = co_await Run(caseworker_, assignment);
  if (r.ok()) kase->officers.emplace_back(user, role);
}

Task Household::AddMembers() {
  if (shape_.partner) {
    const int age = std::clamp(applicant_age_ + rng_.Uniform(-6, 8), 18, 95);
    const std::string surname = rng_.Chance(0.55) ? surname_ : rng_.Pick(kSurnames);
    const bool female = rng_.Chance(0.5);
    const std::string relationship = rng_.Chance(0.75) ? "partner" : "spouse";
    const bool joint = rng_.Chance(0.8);
    const PersonalFields partner = MakePerson(surname, female, age);
    co_await AddMember(relationship, joint, partner, age);
  }
  if (!shape_.relative.empty()) {
    int age = rng_.Uniform(18, 70);
    if (shape_.relative == "parent") age = std::min(95, applicant_age_ + rng_.Uniform(20, 34));
    if (shape_.relative == "sibling") {
      age = std::clamp(applicant_age_ + rng_.Uniform(-8, 8), 16, 95);
    }
    const std::string surname =
        shape_.relative != "other" && rng_.Chance(0.7) ? surname_ : rng_.Pick(kSurnames);
    const bool female = rng_.Chance(0.5);
    const bool joint = rng_.Chance(0.1);
    const PersonalFields relative = MakePerson(surname, female, age);
    co_await AddMember(shape_.relative, joint, relative, age);
  }
  for (int i = 0; i < shape_.children; ++i) {
    const int age = rng_.Uniform(0, std::min(17, applicant_age_ - 16));
    const std::string surname = rng_.Chance(0.8) ? surname_ : rng_.Pick(kSurnames);
    const bool female = rng_.Chance(0.5);
    const std::string relationship = rng_.Chance(0.9) ? "child" : "stepchild";
    const PersonalFields child = MakePerson(surname, female, age);
    co_await AddMember(relationship, false, child, age);
  }
}

Task Household::AddMember(std::string relationship, bool joint_applicant, PersonalFields person,
                          int age) {
  const std::string user = rng_.Chance(0.8) ? caseworker_ : OtherUser(caseworker_);
  const std::string type = ClientType();
  const RegisterClient registration{person, type};
  CommandResult r = co_await Run(user, registration);
  if (!r.ok()) co_return;
  Member member;
  member.client_id = r.response.value("client_id", "");
  member.relationship = relationship;
  member.age = age;
  member.own_case = &NewCase(r.response.value("case_id", ""), member.client_id, user);
  seeder_->tally().clients++;
  seeder_->tally().cases++;
  // Not before they were born: a baby joins on their date of birth.
  const std::string joined = std::max(DaysAgo(rng_.Uniform(0, 120)), *person.date_of_birth);
  const AddPerson joining{main_->id, member.client_id, relationship, joint_applicant, joined};
  r = co_await Run(caseworker_, joining);
  if (r.ok()) member.date_joined = joined;
  // Registering opened a case of their own; the household's casework is on the main one.
  if (rng_.Chance(0.65)) {
    const CloseCase closing{member.own_case->id,
                            "Household member: casework is on the main applicant's case"};
    r = co_await Run(user, closing);
    if (r.ok()) member.own_case->open = false;
  }
  members_.push_back(std::move(member));
}

Task Household::OpenApplications(Case* kase) {
  if (rng_.Chance(0.12)) co_await AddApplication(kase, "homeless_referral");
  if (rng_.Chance(0.55)) {
    const bool legacy = rng_.Chance(0.04);
    co_await AddApplication(kase, legacy ? "homeless_application_legacy" : "homeless_application");
  }
  if (rng_.Chance(0.45)) co_await AddApplication(kase, "housing_register");
  const bool rough_sleeper = members_.empty() && rng_.Chance(0.15);
  if (rough_sleeper) co_await AddApplication(kase, "rough_sleeper");
  if (rng_.Chance(0.25)) co_await AddApplication(kase, "health_assessment");
  if (rng_.Chance(rough_sleeper ? 0.5 : 0.15)) co_await AddApplication(kase, "risk_assessment");
  if (rng_.Chance(0.15)) co_await AddApplication(kase, "financial_assistance");
  if (rng_.Chance(0.15)) co_await AddApplication(kase, "review");
}

Task Household::AddApplication(Case* kase, std::string type) {
  if (!MayAdd(*kase, type)) co_return;
  const std::string user = rng_.Chance(0.85) ? caseworker_ : OtherUser(caseworker_);
  const AddStrand adding{kase->id, type};
  CommandResult r = co_await Run(user, adding);
  if (!r.ok()) co_return;
  kase->strands.push_back({r.response.value("strand_id", ""), type});
  seeder_->tally().strands++;
  // A Housing Register application brings its Bedroom assessment.
  if (r.response.contains("created")) {
    for (const auto& created : r.response["created"]) {
      kase->strands.push_back({created.value("strand_id", ""), created.value("type", "")});
      seeder_->tally().strands++;
    }
  }
}

Task Household::RecordWork(Case* kase) {
  const int notes = rng_.Uniform(1, 4);
  for (int i = 0; i < notes; ++i) {
    std::string text = rng_.Pick(kSituations);
    if (rng_.Chance(0.6)) text += std::string(" ") + rng_.Pick(kFollowUps);
    const std::string strand = rng_.Chance(0.5) ? CurrentStrandOrNone(*kase) : "";
    const std::string user = rng_.Chance(0.8) ? caseworker_ : OtherUser(caseworker_);
    const AddNote note{kase->id, text, strand};
    CommandResult r = co_await Run(user, note);
    if (r.ok()) seeder_->tally().notes++;
  }
  const int actions = rng_.Uniform(0, 3);
  for (int i = 0; i < actions; ++i) {
    const std::string title = rng_.Pick(kActionTitles);
    const std::string due = DaysAgo(rng_.Uniform(-60, 30));
    const std::string strand = rng_.Chance(0.4) ? CurrentStrandOrNone(*kase) : "";
    const CreateAction action{kase->id, title, due, strand};
    CommandResult r = co_await Run(caseworker_, action);
    if (!r.ok()) continue;
    kase->actions.push_back({r.response.value("action_id", ""), strand});
    seeder_->tally().actions++;
  }
  for (Action& action : kase->actions) {
    if (!action.open || !rng_.Chance(0.4)) continue;
    const std::string user = rng_.Chance(0.7) ? caseworker_ : OtherUser(caseworker_);
    const CompleteAction completion{kase->id, action.id};
    CommandResult r = co_await Run(user, completion);
    if (r.ok()) action.open = false;
  }
}

Task Household::SecondCase() {
  // The client approaches again: a new case, and the homeless application (or a referral)
  // moves to it; moving needs the supervisor's permission.
  const Strand* moving = nullptr;
  for (const char* type :
       {"homeless_application", "homeless_application_legacy", "homeless_referral"}) {
    if (moving == nullptr) moving = main_->Current(type);
  }
  if (moving == nullptr || !rng_.Chance(0.2)) co_return;
  const std::string strand_id = moving->id, type = moving->type;
  const std::string opener = PickCaseworker();
  const OpenCase opening{applicant_};
  CommandResult r = co_await Run(opener, opening);
  if (!r.ok()) co_return;
  Case& second = NewCase(r.response.value("case_id", ""), applicant_, opener);
  seeder_->tally().cases++;
  if (!MayAdd(second, type, strand_id)) co_return;
  const MoveStrand move{main_->id, strand_id, second.id};
  r = co_await Run("supervisor", move);
  if (!r.ok()) co_return;
  seeder_->tally().moves++;
  for (Strand& s : main_->strands) {
    if (s.id == strand_id) s.current = false;  // closed_moved
  }
  for (Action& a : main_->actions) {
    if (a.strand_id == strand_id) a.open = false;  // closed by the move
  }
  second.strands.push_back({r.response.value("new_strand_id", ""), type});
  const AddNote note{second.id,
                     "New approach; the application was moved here from the earlier case. Its "
                     "notes stay there.",
                     ""};
  r = co_await Run(opener, note);
  if (r.ok()) seeder_->tally().notes++;
  if (rng_.Chance(0.6)) {
    const CloseCase closing{main_->id, "Superseded: casework continues on a new case"};
    r = co_await Run(caseworker_, closing);
    if (r.ok()) main_->open = false;
  }
}

Task Household::ProgressApplications() {
  for (Case& kase : cases_) {
    for (Strand& strand : kase.strands) {
      if (!strand.current) continue;
      // Assessments get done; applications mostly run on.
      double closes = 0.3, cancels = 0.05;
      if (strand.type == "health_assessment" || strand.type == "review") closes = 0.5;
      if (strand.type == "bedroom_assessment") closes = 0.6;
      if (strand.type == "housing_register") {
        closes = 0.05;
        cancels = 0.08;
      }
      if (strand.type.rfind("homeless_application", 0) == 0) closes = 0.15;
      if (strand.type == "homeless_referral") cancels = 0.1;
      const double roll = rng_.Unit();
      const std::string status = roll < closes             ? "closed"
                                 : roll < closes + cancels ? "cancelled"
                                                           : "";
      if (status.empty()) continue;
      const ChangeStrandStatus change{kase.id, strand.id, status};
      CommandResult r = co_await Run(caseworker_, change);
      if (r.ok()) strand.current = false;
    }
  }
}

Task Household::MemberLeaves() {
  std::vector<Member*> on_case;
  for (Member& m : members_) {
    if (!m.date_joined.empty()) on_case.push_back(&m);
  }
  if (on_case.empty() || !rng_.Chance(0.15)) co_return;
  Member& member = *on_case[rng_.Below(on_case.size())];
  const std::string left = std::max(member.date_joined, DaysAgo(rng_.Uniform(0, 60)));
  const PersonLeaves leaving{main_->id, member.client_id, left};
  CommandResult r = co_await Run(caseworker_, leaving);
  if (!r.ok()) co_return;
  member.date_joined.clear();
  Case* own = member.own_case;
  if (member.age >= 18 && !own->open && rng_.Chance(0.5) && MayReopen(*own)) {
    // Moved out: their own case opens again for their own housing need.
    const ReopenCase reopening{own->id, "Left the household: own housing need"};
    r = co_await Run(caseworker_, reopening);
    if (!r.ok()) co_return;
    own->open = true;
    if (rng_.Chance(0.5)) co_await AddApplication(own, "homeless_application");
  } else if (rng_.Chance(0.15)) {
    // Back again: a new stay on the case.
    const std::string today = DaysAgo(0);
    const AddPerson rejoining{main_->id, member.client_id, member.relationship, false, today};
    r = co_await Run(caseworker_, rejoining);
    if (r.ok()) member.date_joined = today;
  }
}

Task Household::UpdateRecord() {
  const std::vector<std::string>& types = seeder_->client_types();
  if (types.size() > 1 && rng_.Chance(0.12)) {
    std::vector<std::string> others;
    for (const std::string& t : types) {
      if (t != applicant_type_) others.push_back(t);
    }
    const std::string type = rng_.Pick(others);
    const ChangeClientType change{applicant_, type};
    CommandResult r = co_await Run(caseworker_, change);
    if (r.ok()) applicant_type_ = type;
  }
  if (rng_.Chance(0.25)) {
    char number[32];
    std::snprintf(number, sizeof number, "HO%07d", index_ + 1);
    const ChangeCaseNumber change{applicant_, number};
    co_await Run("supervisor", change);
  }
  if (rng_.Chance(0.25)) {
    std::vector<std::string> groups = {rng_.Pick(kGroups)};
    if (rng_.Chance(0.3)) {
      const std::string second = rng_.Pick(kGroups);
      if (second != groups[0]) groups.push_back(second);
    }
    for (const std::string& group : groups) {
      const AddClientToGroup joining{applicant_, group};
      co_await Run(caseworker_, joining);
    }
    if (rng_.Chance(0.1)) {
      const RemoveClientFromGroup leaving{applicant_, groups[0]};
      co_await Run(caseworker_, leaving);
    }
  }
  if (rng_.Chance(0.2)) {
    const std::string navigator = rng_.Pick(kUsers);
    const AssignNavigator assignment{applicant_, navigator};
    CommandResult r = co_await Run(caseworker_, assignment);
    if (r.ok() && rng_.Chance(0.1)) {
      const UnassignNavigator unassignment{applicant_, navigator};
      co_await Run(caseworker_, unassignment);
    }
  }
  if (applicant_details_.email && rng_.Chance(0.2)) {
    const std::string sender = rng_.Chance(0.8) ? "supervisor" : "admin";
    const SendPortalInvitation invitation{applicant_};
    CommandResult r = co_await Run(sender, invitation);
    if (r.ok()) {
      if (rng_.Chance(0.08)) co_await Run(sender, invitation);  // a resend
      if (rng_.Chance(0.6)) {
        const ChangePortalStatus activation{applicant_, "active"};
        co_await Run(caseworker_, activation);
      } else if (rng_.Chance(0.03)) {
        const ChangePortalStatus ban{applicant_, "banned"};
        co_await Run("supervisor", ban);
      }
    }
  }
  if (rng_.Chance(0.08)) {
    // Details change: a new phone, a move within the area, or the NI number at last.
    PersonalFields change;
    const uint64_t what = rng_.Below(3);
    if (what == 2 && !applicant_details_.nino) {
      change.nino = MakeNino(rng_);
    } else if (what == 1) {
      change.postcode = MakePostcode(rng_, area_);
    } else {
      change.phone = MakePhone(rng_);
    }
    const CorrectClientDetails correction{applicant_, change};
    CommandResult r = co_await Run(caseworker_, correction);
    if (r.ok()) applicant_details_.Merge(change);
  }
}

Task Household::Refer() {
  if (shape_.referral == Referral::kNone) co_return;
  ReceiveReferral referral;
  const uint64_t source = rng_.Below(100);
  referral.source = source < 35   ? "self"
                    : source < 65 ? "duty_to_refer"
                    : source < 90 ? "third_party"
                                  : "provider";
  if (referral.source == "duty_to_refer") referral.referrer = rng_.Pick(kDutyToReferBodies);
  if (referral.source == "third_party") referral.referrer = rng_.Pick(kThirdParties);
  if (referral.source == "provider") referral.referrer = rng_.Pick(kProviders);
  if (shape_.referral == Referral::kAssign) {
    // The applicant again, as a referrer knows them: fewer details, some out of date.
    PersonalFields& p = referral.personal;
    p.surname = applicant_details_.surname;
    const std::string& forenames = *applicant_details_.forenames;
    p.forenames = forenames.substr(0, forenames.find(' '));
    p.date_of_birth = applicant_details_.date_of_birth;
    const std::string& dob = *applicant_details_.date_of_birth;
    const bool swappable = dob.substr(8, 2) <= "12" && dob.substr(8, 2) != dob.substr(5, 2);
    if (swappable && rng_.Chance(0.1)) {
      p.date_of_birth = dob.substr(0, 5) + dob.substr(8, 2) + "-" + dob.substr(5, 2);
    } else if (rng_.Chance(0.1)) {
      p.date_of_birth.reset();
    }
    if (rng_.Chance(0.5)) p.nino = applicant_details_.nino;
    if (rng_.Chance(0.6)) p.email = applicant_details_.email;
    if (rng_.Chance(0.2)) {
      p.phone = MakePhone(rng_);
    } else {
      p.phone = applicant_details_.phone;
    }
    if (rng_.Chance(0.7)) p.postcode = applicant_details_.postcode;
  } else {
    const int age = rng_.Uniform(18, 70);
    const std::string surname = rng_.Pick(kSurnames);
    const bool female = rng_.Chance(0.5);
    referral.personal = MakePerson(surname, female, age);
    if (shape_.referral != Referral::kNewClient && rng_.Chance(0.25)) {
      referral.personal.date_of_birth.reset();
    }
  }
  const std::string receiver = rng_.Pick(kUsers);
  CommandResult r = co_await Run(receiver, referral);
  if (!r.ok()) co_return;
  const std::string lobby_id = r.response.value("lobby_id", "");
  seeder_->tally().lobby++;
  if (shape_.referral == Referral::kWaiting) co_return;

  const std::string worker = PickCaseworker();
  const ClaimLobbyRecord claim{lobby_id};
  r = co_await Run(worker, claim);
  if (!r.ok() || shape_.referral == Referral::kClaimed) co_return;
  if (shape_.referral == Referral::kRemove) {
    seeder_->RemoveLater(worker, lobby_id);
  } else if (shape_.referral == Referral::kAssign) {
    const AssignLobbyRecord assignment{lobby_id, applicant_};
    r = co_await Run(worker, assignment);
    if (!r.ok()) co_return;
    Case& kase = NewCase(r.response.value("case_id", ""), applicant_, worker);
    kase.open = !r.response.value("case_closed_automatically", false);
    seeder_->tally().cases++;
  } else {
    const CreateClientFromLobby creation{lobby_id};
    r = co_await Run(worker, creation);
    if (!r.ok()) co_return;
    Case& kase =
        NewCase(r.response.value("case_id", ""), r.response.value("client_id", ""), worker);
    seeder_->tally().clients++;
    seeder_->tally().cases++;
    if (rng_.Chance(0.5)) {
      const AddNote note{
          kase.id,
          "Client created from a Lobby referral (" + referral.source + "); first contact by phone.",
          ""};
      r = co_await Run(worker, note);
      if (r.ok()) seeder_->tally().notes++;
    }
    if (rng_.Chance(0.35)) co_await AddApplication(&kase, "homeless_application");
  }
}

Task Household::CloseOrReopen() {
  for (Case& kase : cases_) {
    if (kase.applicant != applicant_ || !kase.open || !rng_.Chance(0.25)) continue;
    const std::string user = rng_.Chance(0.8) ? caseworker_ : OtherUser(caseworker_);
    const CloseCase closing{kase.id, rng_.Pick(kCloseReasons)};
    CommandResult r = co_await Run(user, closing);
    if (!r.ok()) continue;
    kase.open = false;
    if (rng_.Chance(0.12) && MayReopen(kase)) {
      const ReopenCase reopening{kase.id, rng_.Pick(kReopenReasons)};
      r = co_await Run(caseworker_, reopening);
      if (r.ok()) kase.open = true;
    }
  }
  bool any_open = false;
  for (const Case& kase : cases_) {
    if (kase.applicant == applicant_ && kase.open) any_open = true;
  }
  if (!any_open && rng_.Chance(0.5)) {
    const ChangeClientStatus closing{applicant_, "closed"};
    co_await Run(caseworker_, closing);
  } else if (any_open && rng_.Chance(0.05)) {
    const ChangeClientStatus resting{applicant_, "inactive"};
    co_await Run(caseworker_, resting);
  }
}

bool Household::MayAdd(const Case& kase, const std::string& type, const std::string& except) const {
  if (!kase.open) return false;
  auto current = [&](const Case& c) {
    for (const Strand& s : c.strands) {
      if (s.type == type && s.current && s.id != except) return true;
    }
    return false;
  };
  switch (StrandRules::Find(type)->cardinality) {
    case StrandRules::Cardinality::kMany:
      return true;
    case StrandRules::Cardinality::kOnePerCase:
      return !current(kase);
    case StrandRules::Cardinality::kOnePerApplicant:
      for (const Case& other : cases_) {
        if (other.open && other.applicant == kase.applicant && current(other)) return false;
      }
      return true;
  }
  return false;
}

bool Household::MayReopen(const Case& kase) const {
  for (const Strand& strand : kase.strands) {
    if (!strand.current ||
        StrandRules::Find(strand.type)->cardinality != StrandRules::Cardinality::kOnePerApplicant) {
      continue;
    }
    for (const Case& other : cases_) {
      if (&other != &kase && other.open && other.applicant == kase.applicant &&
          other.Current(strand.type) != nullptr) {
        return false;
      }
    }
  }
  return true;
}

Household::Case& Household::NewCase(const std::string& id, const std::string& applicant,
                                    const std::string& opener) {
  Case& kase = cases_.emplace_back();
  kase.id = id;
  kase.applicant = applicant;
  kase.officers = {{opener, "primary"}};
  // The case takes its opener's team, as CaseOpened does, when that team takes cases.
  const std::string& team = seeder_->actor(opener).team_id;
  const auto& teams = seeder_->case_teams();
  if (std::find(teams.begin(), teams.end(), team) != teams.end()) kase.team = team;
  return kase;
}

PersonalFields Household::MakePerson(const std::string& surname, bool female, int age) {
  PersonalFields p;
  p.surname = surname;
  const std::string first = female ? rng_.Pick(kFemaleNames) : rng_.Pick(kMaleNames);
  p.forenames = first;
  if (rng_.Chance(0.25)) {
    const std::string middle = female ? rng_.Pick(kFemaleNames) : rng_.Pick(kMaleNames);
    if (middle != first) *p.forenames += " " + middle;
  }
  const int days_old = age * 365 + age / 4 + rng_.Uniform(0, 364);
  const Date born = seeder_->as_of() - std::chrono::days(days_old);
  p.date_of_birth = FormatDate(born);
  // NI numbers are issued at 16; children have no email and seldom a phone.
  if (age >= 16 && rng_.Chance(0.85)) p.nino = MakeNino(rng_);
  if (age >= 16 && rng_.Chance(0.7)) {
    p.email =
        MakeEmail(rng_, first, surname, static_cast<int>(std::chrono::year_month_day(born).year()));
  }
  if (age >= 14 && rng_.Chance(age >= 18 ? 0.85 : 0.4)) p.phone = MakePhone(rng_);
  if (rng_.Chance(age >= 18 ? 0.9 : 0.6)) {
    p.postcode = rng_.Chance(0.05) ? AsciiLower(postcode_) : postcode_;
  }
  return p;
}

std::string Household::PickCaseworker() {
  const uint64_t roll = rng_.Below(100);
  return roll < 55 ? "officer" : roll < 80 ? "supervisor" : "admin";
}

std::string Household::OtherUser(const std::string& than) {
  std::string other = than;
  while (other == than) other = rng_.Pick(kUsers);
  return other;
}

std::string Household::ClientType() {
  const auto& types = seeder_->client_types();
  if (types.empty() || rng_.Chance(0.1)) return "";
  return rng_.Pick(types);
}

std::string Household::CurrentStrandOrNone(const Case& kase) {
  std::vector<const Strand*> current;
  for (const Strand& s : kase.strands) {
    if (s.current) current.push_back(&s);
  }
  if (current.empty()) return "";
  return current[rng_.Below(current.size())]->id;
}

// ---------------------------------------------------------------------------------------
// Running the households.

void Seeder::Account(const char* command, const CommandResult& result) {
  tally_.commands++;
  if (!result.status.ok()) return Fail(result.status);
  if (result.rejected) {
    tally_.refused++;
    std::string what = std::string(command) + ": " +
                       (result.rejection.rule.empty() ? "" : result.rejection.rule + ": ") +
                       result.rejection.message;
    for (const auto& field : result.rejection.fields) {
      what += " (" + field.field + " " + field.message + ")";
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (refusals_.size() < 10) refusals_.push_back(std::move(what));
    return;
  }
  uint64_t seen = tally_.last_position.load();
  while (result.position > seen &&
         !tally_.last_position.compare_exchange_weak(seen, result.position)) {
  }
}

void Seeder::RemoveLater(const std::string& user, const std::string& lobby_id) {
  std::lock_guard<std::mutex> lock(mu_);
  removals_.emplace_back(user, lobby_id);
}

// Removing a Lobby record destroys its data key, and the purge that follows flushes every
// memtable and compacts the keys family. Purges back to back during the seeding halved its
// speed; made last, all at once, they cost one or two.
void Seeder::RemoveDeferred() {
  std::mutex mu;
  std::condition_variable cv;
  size_t pending = removals_.size();
  for (const auto& [user, lobby_id] : removals_) {
    const RemoveLobbyRecord removal{lobby_id};
    handler_->ExecuteAsync(actor(user), removal, CommandOptions(), [&](CommandResult result) {
      Account("RemoveLobbyRecord", result);
      std::lock_guard<std::mutex> lock(mu);
      if (--pending == 0) cv.notify_one();
    });
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return pending == 0; });
}

void Seeder::Fail(const Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  if (failure_.ok()) failure_ = status;
  stopped_.store(true, std::memory_order_release);
}

void Seeder::Work() {
  Worker worker;
  std::vector<Task> households;
  bool more = true;
  for (;;) {
    while (more && static_cast<int>(households.size()) < options_.households_per_thread) {
      const int index = next_household_.fetch_add(1);
      if (index >= static_cast<int>(plan_.size()) || stopped()) {
        more = false;
        break;
      }
      households.push_back(PlayHousehold(this, &worker, index));
      households.back().Start();
    }
    std::erase_if(households, [](const Task& t) { return t.Done(); });
    if (households.empty()) {
      if (!more) return;
      continue;
    }
    worker.Next().resume();
    std::erase_if(households, [](const Task& t) { return t.Done(); });
  }
}

Status Seeder::Run(SeedReport* report) {
  std::vector<std::thread> threads;
  workers_running_ = options_.threads;
  for (int i = 0; i < options_.threads; ++i) {
    threads.emplace_back([this] {
      Work();
      std::lock_guard<std::mutex> lock(mu_);
      if (--workers_running_ == 0) workers_done_.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    while (!workers_done_.wait_for(lock, std::chrono::milliseconds(250),
                                   [&] { return workers_running_ == 0; })) {
      if (!options_.progress) continue;
      lock.unlock();
      options_.progress(tally_.clients.load());
      lock.lock();
    }
  }
  for (auto& t : threads) t.join();
  if (!stopped()) RemoveDeferred();
  if (options_.progress) options_.progress(tally_.clients.load());

  report->clients = tally_.clients;
  report->cases = tally_.cases;
  report->strands = tally_.strands;
  report->moves = tally_.moves;
  report->notes = tally_.notes;
  report->actions = tally_.actions;
  report->lobby = tally_.lobby;
  report->commands = tally_.commands;
  report->refused = tally_.refused;
  report->last_position = tally_.last_position;
  std::lock_guard<std::mutex> lock(mu_);
  report->refusals = refusals_;
  return failure_;
}

}  // namespace

Status SeedCaseload(CommandHandler* handler, const DomainConfig& config, const SeedOptions& options,
                    SeedReport* report) {
  *report = SeedReport();
  if (options.clients < 0 || options.threads < 1 || options.households_per_thread < 1) {
    return Status::InvalidArgument(
        "seeding needs clients >= 0, threads >= 1 and households_per_thread >= 1");
  }
  for (const char* user : kUsers) {
    auto it = config.users.find(user);
    if (it == config.users.end() || !it->second.Has(kCasework)) {
      return Status::InvalidArgument(std::string("the configuration has no user '") + user +
                                     "' who may do casework: the seeder works as admin, officer "
                                     "and supervisor (as the demo configuration has them)");
    }
  }
  Date as_of = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  if (!options.as_of.empty() && !ParseDate(options.as_of, &as_of)) {
    return Status::InvalidArgument("as_of '" + options.as_of + "' is not a date (YYYY-MM-DD)");
  }
  std::vector<Shape> plan;
  for (int planned = 0, i = 0; planned < options.clients; ++i) {
    Rng rng(options.seed, i, Stream::kShape);
    Shape shape = DrawShape(rng);
    shape.TrimTo(options.clients - planned);
    planned += shape.Clients();
    plan.push_back(shape);
  }
  Seeder seeder(handler, config, options, as_of, std::move(plan));
  return seeder.Run(report);
}

}  // namespace caseengine
