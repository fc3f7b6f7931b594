/** Exit codes of the dolphin CLI and how error codes map onto them. */
import { DolphinError } from '../core/errors.js';

/** 0 done, 1 run failed (data, feed), 2 usage or config error. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

/** Exit code for an error thrown by a command. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof DolphinError) {
    switch (e.code) {
      case 'CONFIG_INVALID':
      case 'CALIBRATION_EMPTY':
      case 'USAGE':
      case 'REPORT_INVALID':
        return EXIT.USAGE;
      default:
        return EXIT.FAILED;
    }
  }
  return EXIT.FAILED;
}
