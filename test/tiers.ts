// Which tier each test file belongs to. A test file is a `*.test.ts` under test/ (the other modules
// there are helpers and never run as tests); it is in the unit tier unless it is listed below.
//
//   unit      seconds: the default loop while developing (npm run test:unit)
//   corpus    sweeps of the whole shared data: every SigmaHQ rule through a backend and its
//             validator, every EVTX sample, the explorer over the corpus
//   services  needs a program beside Node: PostgreSQL, ClickHouse, evtxexport, nats-server (test/services.ts
//             says how each is found, and skips or fails when it is not)
//   browser   drives Chromium
//
// Files are listed by their path under test/, longest-running first within a tier, because the
// runner starts them in this order on parallel workers and a long file started last would run alone.
// A name here that matches no file is an error (run-tiers.ts checks), so a rename cannot quietly
// move a slow file into the unit tier.

export const TIER_NAMES = ['unit', 'corpus', 'services', 'browser'] as const;
export type Tier = (typeof TIER_NAMES)[number];

export const LISTED: Readonly<Record<Exclude<Tier, 'unit'>, readonly string[]>> = {
  corpus: [
    'differential/corpus-differential.test.ts',
    'backends/kql-corpus.test.ts',
    'backends/convert-early.test.ts',
    'backends/sql.test.ts',
    'server/explorer-corpus.test.ts',
    'evtx/fuzz.test.ts',
    'evtx/render-flat-samples.test.ts',
    'sources/reader-equivalence.test.ts',
    'backends/sentinel-formats.test.ts',
    'pipeline/windows.test.ts',
    'pipeline/logsource-shortcut.test.ts',
    'backends/elastic-corpus.test.ts',
    'catalog/search.test.ts',
    'backends/spl-corpus.test.ts',
    'sigma/corpus.test.ts',
    'sigma/rule-cache-corpus.test.ts',
    'sigma/store-codec-corpus.test.ts',
    'sigma/yaml-fast-corpus.test.ts',
    'lint/corpus-lint.test.ts',
    'catalog/coverage.test.ts',
    'engine/prefilter.test.ts',
    'engine/facts-store-corpus.test.ts',
    'catalog/entry.test.ts',
    'backends/kql-notes.test.ts',
    'backends/unicode-case.test.ts',
    'backends/elastic-rule-format.test.ts',
    'hunt/rule-tests-corpus.test.ts',
    'hunt/parallel-hunt.test.ts',
  ],
  services: [
    'runtime/serve-nats.test.ts',
    'backends/postgres.test.ts',
    'differential/corpus-differential-postgres.test.ts',
    'backends/sql-generated.test.ts',
    'backends/clickhouse.test.ts',
    'backends/postgres-correlation.test.ts',
    'backends/clickhouse-correlation.test.ts',
    'differential/negated-alternatives.test.ts',
    'runtime/serve-nats-start.test.ts',
    'runtime/publish-nats.test.ts',
    'evtx/evtxexport.test.ts',
  ],
  browser: ['web/explorer.test.ts', 'web/explorer-correlations.test.ts', 'web/explorer-triage.test.ts', 'report/html-report-browser.test.ts'],
};

/** The tier of a test file, by its path under test/ (with / separators, .ts or .js). */
export function tierOf(file: string): Tier {
  const ts = file.replace(/\.js$/, '.ts');
  for (const [tier, files] of Object.entries(LISTED)) if (files.includes(ts)) return tier as Tier;
  return 'unit';
}

export const isTestFile = (file: string): boolean => /\.test\.(ts|js)$/.test(file);
