import type { Clock } from '../clock';

// A circuit breaker per connection: after `threshold` transient failures in a
// row, no row is sent for `pauseMs`. When the pause ends the breaker is half
// open: the count is kept, so the first failure opens it again at once and
// only a success closes it.

export type BreakerState = 'closed' | 'open' | 'half-open';

export class Breaker {
  private consecutive = 0;
  private openUntil = 0;
  private reason: string | null = null;

  constructor(
    private readonly o: Readonly<{ clock: Clock; threshold: number; pauseMs: number }>,
  ) {}

  get state(): BreakerState {
    if (this.o.clock.now() < this.openUntil) return 'open';
    return this.consecutive >= this.o.threshold ? 'half-open' : 'closed';
  }

  /** Why sending is paused, while it is; null when rows may be sent. */
  get paused(): string | null {
    return this.state === 'open' ? this.reason : null;
  }

  success(): void {
    this.consecutive = 0;
  }

  /** A transient failure; returns true when it opened the breaker. */
  failure(describe: (count: number) => string): boolean {
    this.consecutive += 1;
    if (this.consecutive < this.o.threshold) return false;
    this.openUntil = this.o.clock.now() + this.o.pauseMs;
    this.reason = describe(this.consecutive);
    return true;
  }
}
