// A small client written against the types openapi-typescript generates from
// /openapi.json (./api.ts, made by scripts/contract_check.sh): it registers a client and
// reads a page of the case list. It must type-check under --strict: an answer typed as
// `never` or `unknown` (an operation without a response schema) fails the check. Run with
// node (BASE_URL TOKEN as arguments), it prints what it read, for the test to compare.
import type { components, paths } from "./api";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

type RegisterBody = NonNullable<
  paths["/clients"]["post"]["requestBody"]
>["content"]["application/json"];
type Registered = Json<paths["/clients"]["post"]["responses"][201]>;
type CasePage = Json<paths["/cases"]["get"]["responses"][200]>;
type CaseQuery = NonNullable<paths["/cases"]["get"]["parameters"]["query"]>;
type Problem = components["schemas"]["Problem"];
type Ticket = Json<paths["/events/stream/tickets"]["post"]["responses"][201]>;
type Case = components["schemas"]["Case"];

// Fails to compile when T is never (an answer without a schema).
type NotNever<T> = [T] extends [never] ? "no schema" : T;
const registeredHasSchema: NotNever<Registered> extends "no schema" ? false : true = true;
const pageHasSchema: NotNever<CasePage> extends "no schema" ? false : true = true;
void registeredHasSchema;
void pageHasSchema;

class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.type}: ${problem.detail}`);
  }
}

async function call<T>(base: string, token: string, method: string, path: string,
                       body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer: unknown = await res.json();
  if (!res.ok) throw new ApiError(answer as Problem);
  return answer as T;
}

// The URL a browser's EventSource opens a feed with: a single-use ticket, not the token.
export async function feedUrl(base: string, token: string, from: number): Promise<string> {
  const t: Ticket = await call<Ticket>(base, token, "POST", "/events/stream/tickets");
  const ticket: string = t.ticket;
  const seconds: number = t.expires_in;
  void seconds;
  return `${base}/events/stream?from=${from}&ticket=${encodeURIComponent(ticket)}`;
}

export async function registerAndList(base: string, token: string): Promise<string> {
  const body: RegisterBody = {
    surname: "Öztürk",
    forenames: "Ayşe",
    date_of_birth: "1990-04-01",
  };
  const created: Registered = await call<Registered>(base, token, "POST", "/clients", body);
  // Required in the schema: plain strings and numbers, not optional.
  const clientId: string = created.client_id;
  const caseId: string = created.case_id;
  const position: number = created.position;
  const query: CaseQuery = { client_id: clientId, min_position: position, limit: 10 };
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) search.set(k, String(v));
  const page: CasePage = await call<CasePage>(base, token, "GET", `/cases?${search}`);
  const next: string | null = page.next_cursor;
  const total: number | null | undefined = page.total;
  const row = page.rows[0];
  const status: "open" | "closed" | undefined = row?.status;
  const one: Case = await call<Case>(base, token, "GET", `/cases/${caseId}`);
  const strands: number = one.strands.length;
  return JSON.stringify({
    client_id: clientId,
    case_id: row?.case_id ?? null,
    status: status ?? null,
    rows: page.rows.length,
    next,
    total: total ?? null,
    strands,
  });
}

const args = typeof process === "undefined" ? [] : process.argv.slice(2);
if (args.length === 2) {
  registerAndList(args[0] ?? "", args[1] ?? "").then(
    (out) => console.log(out),
    (e: unknown) => {
      console.error(String(e));
      process.exitCode = 1;
    },
  );
}

declare const process: { argv: string[]; exitCode?: number };
