import type { Customer, OpenInvoice } from '@shared/domain';
import type { ConformanceHarness, ConformanceTarget, RealFailure } from './conformance';
import type { ErpKind } from '../../core/erp/connector';
import { CONFORMANCE_SCENARIOS, REAL_FAILURE_SCENARIOS } from './conformance-scenarios';
import { buildConformanceSeed } from './conformance-seed';

// Runs the shared ERP conformance scenarios (conformance-scenarios.ts)
// against one target, a fresh sandbox per scenario. Used by the vitest suite
// and by `tieout erp check --erp <kind> --sandbox`.

export type ConformanceSeed = Readonly<{ customers: readonly Customer[]; invoices: readonly OpenInvoice[] }>;

export type ConformanceScenario = Readonly<{
  id: string;
  title: string;
  /** A capability the harness must support, else the scenario is skipped. */
  requires?: keyof ConformanceHarness['supports'];
  /** A real failure mode the sandbox must reproduce, else the scenario is skipped. */
  requiresRealFailure?: RealFailure;
  /** A reason to skip on this harness (e.g. a capability its connector does not declare), else null. */
  skipReason?(harness: ConformanceHarness): string | null;
  run(harness: ConformanceHarness, seed: ConformanceSeed): Promise<void>;
}>;

export type ConformanceStatus = 'pass' | 'fail' | 'skip';

export type ConformanceResult = Readonly<{
  kind: ErpKind;
  scenario: string;
  title: string;
  status: ConformanceStatus;
  /** Failure or skip reason; empty on pass. */
  detail: string;
  ms: number;
}>;

const REQUIREMENT_LABELS: Record<keyof ConformanceHarness['supports'], string> = {
  credentialRejection: 'a refused logon (it has no credentials to check)',
  httpFaults: 'HTTP faults (500, 429, timeouts)',
  commitThenDrop: 'a reply lost after the commit',
  malformedReplies: 'malformed replies',
  sessionExpiry: 'session expiry',
};

const SCENARIO_TIMEOUT_MS = 25_000;

function describeError(e: unknown): string {
  if (e instanceof Error) {
    const kind = (e as { kind?: unknown }).kind;
    return typeof kind === 'string' ? `${e.name}(${kind}): ${e.message}` : e.message;
  }
  return String(e);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

export async function runScenario(target: ConformanceTarget, scenario: ConformanceScenario, seed: ConformanceSeed = buildConformanceSeed()): Promise<ConformanceResult> {
  const started = Date.now();
  const result = (status: ConformanceStatus, detail: string): ConformanceResult => ({
    kind: target.kind,
    scenario: scenario.id,
    title: scenario.title,
    status,
    detail,
    ms: Date.now() - started,
  });
  let harness: ConformanceHarness;
  try {
    harness = await target.start(seed);
  } catch (e) {
    return result('fail', `sandbox did not start: ${describeError(e)}`);
  }
  try {
    if (scenario.requires && !harness.supports[scenario.requires]) {
      return result('skip', `the ${target.kind} sandbox cannot simulate ${REQUIREMENT_LABELS[scenario.requires]}`);
    }
    if (scenario.requiresRealFailure && !harness.realFailures.has(scenario.requiresRealFailure)) {
      return result('skip', `the ${target.kind} sandbox does not reproduce the real failure "${scenario.requiresRealFailure}" (docs/erp/${target.kind}.md says why)`);
    }
    const skip = scenario.skipReason?.(harness) ?? null;
    if (skip) return result('skip', skip);
    await withTimeout(scenario.run(harness, seed), SCENARIO_TIMEOUT_MS, scenario.id);
    return result('pass', '');
  } catch (e) {
    return result('fail', describeError(e));
  } finally {
    await harness.close().catch(() => undefined);
  }
}

/** The shared scenarios, then the ones only this kind has. */
export function scenariosFor(target: ConformanceTarget): readonly ConformanceScenario[] {
  return [...CONFORMANCE_SCENARIOS, ...REAL_FAILURE_SCENARIOS, ...(target.kindScenarios ?? [])];
}

export async function runConformance(
  target: ConformanceTarget,
  options: Readonly<{ onResult?: (r: ConformanceResult) => void; scenarios?: readonly ConformanceScenario[]; seed?: ConformanceSeed }> = {},
): Promise<ConformanceResult[]> {
  const seed = options.seed ?? buildConformanceSeed();
  const results: ConformanceResult[] = [];
  for (const scenario of options.scenarios ?? scenariosFor(target)) {
    const r = await runScenario(target, scenario, seed);
    results.push(r);
    options.onResult?.(r);
  }
  return results;
}

/** "PASS  p21  read-invoices-paged  (412 ms)" — one line per result for the CLI. */
export function formatConformanceLine(r: ConformanceResult): string {
  const tag = r.status === 'pass' ? 'PASS' : r.status === 'fail' ? 'FAIL' : 'SKIP';
  return `${tag}  ${r.kind}  ${r.scenario}  (${r.ms} ms)${r.detail ? `  ${r.detail}` : ''}`;
}
