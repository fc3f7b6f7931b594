/** ClockPort: the only way core learns "now" (tsInit of records); replays use the scan clock. */

/** A source of time in UTC epoch nanoseconds. */
export interface ClockPort {
  nowNs(): bigint;
}
