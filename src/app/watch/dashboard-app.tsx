/** The `dolphin dashboard` terminal UI (ink): panels drawn from a WatchView, sampled about once a second. */
import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { useEffect, useRef, useState, type ReactElement } from 'react';
import { feedLines, headerLine, RUN_HEADER, RUN_RIGHT, runDetailLines, runRows, textTable, warningLines } from './watch-frame.js';
import type { WatchView } from './watch-view.js';

/** Props of the stateless screen. */
export interface DashboardScreenProps {
  /** Null before the first sample. */
  readonly view: WatchView | null;
  readonly selected: number;
  readonly columns: number;
  readonly rows: number;
}

/** One frame of the dashboard for a given view and terminal size (no state, no I/O). */
export function DashboardScreen({ view, selected, columns, rows }: DashboardScreenProps): ReactElement {
  const width = Math.max(40, columns);
  if (view === null) return <Text>DOLPHIN dashboard: connecting...</Text>;
  const gone = !view.connection.reachable;
  const sel = Math.min(selected, Math.max(0, view.runs.length - 1));
  const run = view.runs[sel];
  const inner = width - 4;
  // fit the terminal's height: the selected run's panel gets what the others leave (each panel adds 3 lines)
  const feed = feedLines(view);
  const runTable = view.runs.length === 0 ? [gone ? 'unknown while the member is gone' : 'none'] : textTable(RUN_HEADER, runRows(view, sel), RUN_RIGHT, inner);
  const allWarnings = warningLines(view);
  const warnings = allWarnings.slice(0, Math.max(1, Math.min(allWarnings.length, rows >= 40 ? 8 : 3)));
  const fixed = 1 + (feed.length + 3) + (runTable.length + 3) + (warnings.length + 3) + 1;
  const detail = run === undefined ? [] : fitLines(runDetailLines(run, inner), Math.max(3, rows - fixed - 3));
  return (
    <Box flexDirection="column" width={width}>
      <Text bold color={gone ? 'red' : view.health === 'OK' ? 'green' : 'yellow'} wrap="truncate">
        {headerLine(view)}
      </Text>
      <Panel title="Scanner feed" lines={feed} width={width} />
      <Panel title={`Paper runs (${view.runs.length})`} lines={runTable} width={width} />
      {run !== undefined ? <Panel title={`Run ${sel + 1}/${view.runs.length}`} lines={detail} width={width} color={run.status === 'running' ? undefined : run.status === 'stopped' ? 'gray' : 'yellow'} /> : null}
      <Panel title="Last warnings" lines={warnings} width={width} />
      <Text dimColor wrap="truncate">
        ←/→ or tab: switch run · q: quit · read-only: this dashboard never writes to the cluster
      </Text>
    </Box>
  );
}

/** At most `max` lines; the last one says how many were left out. */
export function fitLines(lines: readonly string[], max: number): string[] {
  if (lines.length <= max) return [...lines];
  return [...lines.slice(0, Math.max(0, max - 1)), `... ${lines.length - max + 1} more line(s): enlarge the terminal`];
}

function Panel({ title, lines, width, color }: { title: string; lines: readonly string[]; width: number; color?: string | undefined }): ReactElement {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={color ?? 'cyan'} width={width} paddingX={1}>
      <Text bold>{title}</Text>
      {lines.map((l, i) => (
        <Text key={i} wrap="truncate" {...(color !== undefined ? { color } : {})}>
          {l === '' ? ' ' : l}
        </Text>
      ))}
    </Box>
  );
}

/** Props of the live dashboard. */
export interface DashboardProps {
  /** One sample (WatchSampler.sample). */
  readonly sample: () => Promise<WatchView>;
  readonly intervalMs: number;
  /** Run to select first (by id). */
  readonly initialRun?: string;
}

/** The live dashboard: samples every `intervalMs`, arrows/tab switch run, q quits, follows resizes. */
export function Dashboard({ sample, intervalMs, initialRun }: DashboardProps): ReactElement {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const [view, setView] = useState<WatchView | null>(null);
  const [selected, setSelected] = useState(0);
  const [size, setSize] = useState({ columns: stdout.columns || 100, rows: stdout.rows || 40 });
  const picked = useRef(initialRun === undefined);
  const runCount = view?.runs.length ?? 0;

  useEffect(() => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = async (): Promise<void> => {
      const v = await sample();
      if (stopped) return;
      setView(v);
      if (!picked.current) {
        const i = v.runs.findIndex((r) => r.runId === initialRun);
        if (i >= 0) {
          setSelected(i);
          picked.current = true;
        }
      }
      timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [sample, intervalMs, initialRun]);

  useEffect(() => {
    const onResize = (): void => setSize({ columns: stdout.columns || 100, rows: stdout.rows || 40 });
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout]);

  // Read through a ref: ink swaps the input handler in an effect after the frame is drawn, so a key
  // pressed right after a sample reached the screen would otherwise see the run count before it.
  const runs = useRef(runCount);
  runs.current = runCount;
  useInput((input, key) => {
    const n = runs.current;
    if (input === 'q' || (key.ctrl && input === 'c')) exit();
    else if (n > 0 && (key.rightArrow || key.downArrow || (key.tab && !key.shift))) setSelected((s) => (Math.min(s, n - 1) + 1) % n);
    else if (n > 0 && (key.leftArrow || key.upArrow || (key.tab && key.shift))) setSelected((s) => (Math.min(s, n - 1) + n - 1) % n);
  });

  return <DashboardScreen view={view} selected={selected} columns={size.columns} rows={size.rows} />;
}
