import { seededRandom, type Random } from './random';

// Fault plans for the sandboxes: what goes wrong, on which requests, how often.
// Every sandbox takes the same plan shape so tests and the chaos run can drive
// PayTrace and any ERP the same way.

export type Fault =
  | Readonly<{ kind: 'latency'; ms: number }>
  | Readonly<{ kind: 'status'; status: number; retryAfterSeconds?: number }>
  /** Accept the request and never answer: the client's timeout must fire. */
  | Readonly<{ kind: 'timeout' }>
  /** Drop the connection before doing anything. */
  | Readonly<{ kind: 'reset' }>
  /** Do the work (commit), then drop the connection without a reply. */
  | Readonly<{ kind: 'commit-then-drop' }>
  /** Answer 200 with a truncated body. */
  | Readonly<{ kind: 'malformed' }>;

export type FaultRule = Readonly<{
  fault: Fault;
  method?: string;
  /** Matches when the request path starts with this (query string excluded). */
  pathPrefix?: string;
  /** How many more requests this rule applies to; absent = unlimited. */
  times?: number;
  /** Chance per matching request (seeded); absent = always. */
  probability?: number;
}>;

export class FaultPlan {
  private rules: Array<{ rule: FaultRule; remaining: number }> = [];
  private random: Random;

  constructor(seed = 1, rules: readonly FaultRule[] = []) {
    this.random = seededRandom(seed);
    for (const r of rules) this.add(r);
  }

  add(rule: FaultRule): void {
    this.rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  reset(seed?: number, rules: readonly FaultRule[] = []): void {
    if (seed !== undefined) this.random = seededRandom(seed);
    this.rules = [];
    for (const r of rules) this.add(r);
  }

  get size(): number {
    return this.rules.length;
  }

  /** The faults that apply to this request, consuming their counts. */
  draw(method: string, path: string): Fault[] {
    const hits: Fault[] = [];
    for (const entry of this.rules) {
      const { rule } = entry;
      if (entry.remaining <= 0) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.pathPrefix && !path.startsWith(rule.pathPrefix)) continue;
      if (rule.probability !== undefined && !this.random.chance(rule.probability)) continue;
      entry.remaining -= 1;
      hits.push(rule.fault);
    }
    this.rules = this.rules.filter((e) => e.remaining > 0);
    return hits;
  }
}
