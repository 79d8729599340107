/** The twin's clock: real time plus an offset tests can advance (token expiry, operation times). */
export class TwinClock {
  private offsetMs = 0;

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  nowIso(): string {
    return new Date(this.nowMs()).toISOString();
  }

  /** Moves the clock forward, e.g. past a token's `exp`. */
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}
