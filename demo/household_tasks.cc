// Household, the tasks its workflows loaded on a case: see household.h. The tasks are not
// in the answers that created them, so the household reads them from the case once its
// own commands are answered; every choice about them is drawn from its own generator in
// the case's order of tasks, so the same seed does the same work.
#include <algorithm>
#include <iterator>

#include "base/time_format.h"
#include "demo/casework_words.h"
#include "demo/household.h"

namespace caseengine::demo {

Task Household::WorkTasks(Case* kase) {
  CaseState state;
  if (!seeder_->handler()->ReadCase(kase->id, &state).ok()) co_return;
  struct Todo {
    std::string id, officer, client;  // the user it is assigned to, or the client's id
    int64_t due = 0;
    bool client_task = false;
  };
  std::vector<Todo> todos;
  for (const CaseTask& t : state.tasks) {
    if (!t.Open()) continue;
    Todo todo{t.id, "", "", day_, t.client_task};
    if (!t.due.empty()) ParseDate(t.due, &todo.due);
    if (t.assignee.kind == AssigneeKind::kClient) todo.client = t.assignee.id;
    if (t.assignee.kind == AssigneeKind::kUser) todo.officer = t.assignee.id;
    // A task of someone the seeder does not work as is done by the household's caseworker.
    if (std::find(std::begin(kUsers), std::end(kUsers), todo.officer) == std::end(kUsers)) {
      todo.officer = caseworker_;
    }
    todos.push_back(std::move(todo));
  }
  // Done in the order they fall due, so that the household's days only go forward.
  std::stable_sort(todos.begin(), todos.end(),
                   [](const Todo& a, const Todo& b) { return a.due < b.due; });
  for (const Todo& todo : todos) {
    // Most are done around the day they are due; some are started and not finished, and
    // some are left open (overdue once their day has passed). A client does about half of
    // their own tasks; the officer does the rest of those done (HPA2 allows it).
    const double roll = rng_.Unit();
    const bool by_client = todo.client_task && !todo.client.empty() && rng_.Chance(0.5);
    const int64_t around = todo.due + rng_.Uniform(-4, 3);
    if (roll >= 0.85) continue;
    if (!co_await Later(static_cast<int>(std::max<int64_t>(0, around - day_)))) co_return;
    if (roll >= 0.75 && !by_client) {
      const StartTask starting{kase->id, todo.id};
      co_await Run(todo.officer, starting);
      continue;
    }
    const CompleteTask completion{kase->id, todo.id};
    if (by_client) {
      Actor client;
      client.user_id = todo.client;
      client.kind = ActorKind::kClient;
      co_await RunAs(std::move(client), completion);
    } else {
      co_await Run(todo.officer, completion);
    }
  }
}

}  // namespace caseengine::demo
