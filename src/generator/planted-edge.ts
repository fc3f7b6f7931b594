/**
 * The planted edge of `dolphin generate --edge X`: the scan after one whose vel_div is at or below
 * -EDGE_SIGNAL gets an extra market-factor log return of -X * EDGE_MOVE * sqrt(cadence / 1 min) (every
 * alt moves by its beta times that); after vel_div at or above +EDGE_SIGNAL, as much up. The symmetric
 * rise keeps the market without a net drift. A ground truth for tests of sweeps: shorting on the signal
 * earns it. The move scales with the square root of the cadence, like the market's own volatility.
 */

/** |vel_div| at or beyond this moves the next scan: the strategy's default entry threshold is -0.02. */
export const EDGE_SIGNAL = 0.02;
/** Extra log return of the market factor on the next scan at X = 1 and a 1-minute cadence (0.2 %). */
export const EDGE_MOVE = 0.002;
/** Cadence at which one move is EDGE_MOVE, in milliseconds. */
export const EDGE_CADENCE_MS = 60_000;

/** Why `edge` is not a valid edge strength, or null. */
export function edgeProblem(edge: unknown): string | null {
  return typeof edge === 'number' && edge >= 0 && edge <= 1 ? null : `edge must be a number in [0, 1], was ${JSON.stringify(edge) ?? String(edge)}`;
}

/**
 * State of the planted edge across steps. `observe(velDiv)` after each scan's features; `drift()`
 * before the next market step gives the extra drift of that step (exactly 0 at X = 0 and after a
 * vel_div strictly between the signals, or NaN).
 */
export class PlantedEdge {
  private readonly move: number;
  private next = 0;

  constructor(edge: number, cadenceMs: number) {
    this.move = edge > 0 ? edge * EDGE_MOVE * Math.sqrt(cadenceMs / EDGE_CADENCE_MS) : 0;
  }

  /** Records a scan's vel_div: it sets the extra drift of the next step. */
  observe(velDiv: number): void {
    if (this.move === 0) return;
    this.next = velDiv <= -EDGE_SIGNAL ? -this.move : velDiv >= EDGE_SIGNAL ? this.move : 0;
  }

  /** Extra drift of the market factor for the next step. */
  drift(): number {
    const d = this.next;
    this.next = 0;
    return d;
  }
}
