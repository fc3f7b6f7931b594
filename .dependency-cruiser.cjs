/** Layer rules (STYLE.md 1): src/core is pure; adapters never leak into it. Run by `npm run lint`. */
module.exports = {
  forbidden: [
    {
      name: 'core-no-node-builtins',
      comment: 'src/core is pure: no node:* or other Node built-ins (I/O, clocks, env live in adapters).',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-no-adapters',
      comment: 'src/core must not import feeds, workers, report, cli, app or generator code.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/(feeds|workers|report|cli|app|generator)/' },
    },
    {
      name: 'core-no-io-packages',
      comment: 'src/core imports no I/O package (hazelcast-client, apache-arrow, piscina, ccxt, mathjs is a test oracle only).',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'report-no-feeds',
      comment: 'Reports are computed from the recorder, never from an adapter.',
      severity: 'error',
      from: { path: '^src/report/' },
      to: { path: '^src/(feeds|workers|cli)/' },
    },
    {
      name: 'report-no-app',
      comment: 'Reports never call a use case: what they need from one (the replay check) is passed in (issue 10).',
      severity: 'error',
      from: { path: '^src/report/' },
      to: { path: '^src/app/' },
    },
    {
      name: 'feeds-no-app-or-report',
      comment: 'Adapters point down only: src/feeds imports nothing from src/app or src/report.',
      severity: 'error',
      from: { path: '^src/feeds/' },
      to: { path: '^src/(app|report)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
