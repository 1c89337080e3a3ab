import type { ConformanceHarness } from './conformance';

/** For a harness that reproduces none of the real failure modes yet: every real-failure scenario is skipped with a reason. */
export const NO_REAL_FAILURES: Pick<ConformanceHarness, 'realFailures' | 'injectRealFailure'> = {
  realFailures: new Set(),
  injectRealFailure: (failure) => Promise.reject(new Error(`this sandbox does not reproduce the real failure "${failure}"`)),
};
