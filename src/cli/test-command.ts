// `quarry test PATH…`: regression tests of rules (SigmaHQ's info.yml and Quarry's *.test.yml).
import { PIPELINE_OPTIONS, pipelinesOf } from './pipeline-options.js';
import { re2Regex } from '../engine/regex-re2.js';
import { runRuleTests } from '../hunt/rule-tests/run.js';
import { TEST_FORMATS, testRunJson, testRunJunit, testRunText, type TestFormat } from '../report/test-results.js';
import { writeTerminal } from '../report/terminal-text.js';
import { UsageError } from './usage.js';
import { parseCommandArgs, requireExistingPaths } from './args.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE } from './exit-codes.js';

const HELP = `Usage: quarry test [options] PATH…

Runs the tests of the rules under PATH (files or folders):
  - SigmaHQ regression tests: a rule's regression_tests_path names an info.yml, relative to the
    repository root (the nearest folder above the rule holding regression_data/ or .git); each of
    its regression_tests_info samples (EVTX, or JSON) must be matched at least match_count times
    (at least once without it), as SigmaHQ's own runner reads it;
  - Quarry test files: NAME.test.yml beside NAME.yml, with events inline or by path, each test
    expecting a match, no match, an exact count, or (correlations) the groups that fire.
Each failure is printed with the rule, the sample, the reason and the explain of the sample's
first events; then the closing line 'N passed, M failed, K skipped (reasons)'.
  --pipeline P          a built-in pipeline name or a pySigma pipeline YAML file (repeatable)
  --no-default-pipeline do not apply the built-in 'windows' pipeline
  --format F            text (default), json, or junit (JUnit XML for CI test reports)
  --verbose             text: list passing cases and their notes too
Exit status: 0 every test passed (skips allowed); 1 a test failed or a rule does not load;
2 usage error, a missing path, or no test found under the paths.
`;

export async function testCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...PIPELINE_OPTIONS,
      format: { type: 'string', default: 'text' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT_OK;
  }
  const format = values.format as TestFormat;
  if (!TEST_FORMATS.includes(format)) throw new UsageError(`--format must be text, json or junit, not '${values.format}'`);
  if (positionals.length === 0) throw new UsageError('give at least one rule file or folder');
  requireExistingPaths(positionals, 'rule path');
  const pipelines = pipelinesOf(values);
  if (!pipelines) return EXIT_UNUSABLE;
  const run = await runRuleTests(positionals, { pipelines, regex: re2Regex });
  if (run.cases.length === 0) {
    writeTerminal(process.stderr, `quarry test: no test under ${positionals.join(', ')} (${run.ruleFiles} rule files, none with regression_tests_path or a *.test.yml): nothing tested\n`);
    return EXIT_UNUSABLE;
  }
  if (format === 'json') process.stdout.write(testRunJson(run));
  else if (format === 'junit') process.stdout.write(testRunJunit(run));
  else writeTerminal(process.stdout, testRunText(run, values.verbose));
  return run.failed ? EXIT_FINDINGS : EXIT_OK;
}
