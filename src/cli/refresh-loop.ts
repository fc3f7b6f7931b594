/** The stop signal of a refresh loop (`status --watch`, the dashboard's plain frames): a signal ends it, at once. */

/** A loop's view of the stop signals: whether one came, and a pause that a signal cuts short. */
export interface RefreshLoop {
  stopped(): boolean;
  /** Waits ms, or less when a signal arrives meanwhile. */
  pause(ms: number): Promise<void>;
  /** Removes the signal handlers. */
  dispose(): void;
}

/** Listens to the given signals until dispose(). */
export function refreshLoop(signals: readonly NodeJS.Signals[] = ['SIGINT']): RefreshLoop {
  let stopped = false;
  let wake: (() => void) | undefined;
  const onSignal = (): void => {
    stopped = true;
    wake?.();
  };
  for (const s of signals) process.on(s, onSignal);
  return {
    stopped: () => stopped,
    pause: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }).finally(() => {
        wake = undefined;
      }),
    dispose: () => {
      for (const s of signals) process.off(s, onSignal);
    },
  };
}
