// The playground: edit a rule and paste events; diagnostics, matches and translations update as
// you type. Everything runs in the browser with Quarry's own modules, in a Web Worker with a time
// budget (playground-runner.ts) so that a backtracking regex cannot freeze the page; the server
// only validates queries (the Kusto and lucene parsers are Node-side).
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { PlaygroundResult } from '../../../src/playground/run.js';
import { PlaygroundRunner, type PlaygroundOutcome } from '../playground-runner.js';
import { listBuiltinPipelines } from '../../../src/pipeline/builtin.js';
import { api, type QueryCheck } from '../api.js';
import type { Location } from '../router.js';
import { Tabs } from '../components/tabs.js';
import { TranslationPanel } from './translation.js';
import { SAMPLE_EVENTS, SAMPLE_RULE } from './playground-sample.js';
import { explainedRuleText } from '../../../src/report/explain-text.js';

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function PlaygroundView({ loc }: { loc: Location }) {
  const [yaml, setYaml] = useState(SAMPLE_RULE);
  const [events, setEvents] = useState(SAMPLE_EVENTS);
  const [pipelines, setPipelines] = useState<string[]>([]);
  const ruleKey = loc.params.get('rule');
  useEffect(() => {
    if (!ruleKey) return;
    api.rule(ruleKey).then((d) => setYaml(d.source), () => {});
  }, [ruleKey]);
  // One object per content change: a fresh literal each render would restart the debounce, and with
  // it the run, on every render.
  const typed = useMemo(() => ({ yaml, events, pipelines }), [yaml, events, pipelines]);
  const input = useDebounced(typed, 150);
  const [runner] = useState(() => new PlaygroundRunner());
  useEffect(() => () => runner.dispose(), [runner]);
  const [outcome, setOutcome] = useState<PlaygroundOutcome | null>(null);
  useEffect(() => runner.run(input, setOutcome), [input]);
  return (
    <div class="playground">
      <div class="editors">
        <label>
          Rule (YAML)
          <textarea name="rule" spellcheck={false} rows={22} value={yaml} onInput={(e) => setYaml((e.target as HTMLTextAreaElement).value)} />
        </label>
        <label>
          Events (JSON: one per line, an array, or EVTX-as-JSON)
          <textarea name="events" spellcheck={false} rows={22} value={events} onInput={(e) => setEvents((e.target as HTMLTextAreaElement).value)} />
        </label>
      </div>
      <fieldset class="pipelines">
        <legend>Pipelines applied before matching</legend>
        {listBuiltinPipelines().map((p) => (
          <label>
            <input type="checkbox" checked={pipelines.includes(p)} onChange={() => setPipelines(pipelines.includes(p) ? pipelines.filter((x) => x !== p) : [...pipelines, p])} /> {p}
          </label>
        ))}
      </fieldset>
      {outcome === null ? (
        <p class="muted">Running…</p>
      ) : 'timedOut' in outcome ? (
        <p class="error" data-testid="playground-timeout">
          Matching timed out after {outcome.timedOut} ms and was stopped: a regular expression of the rule probably backtracks
          catastrophically in the browser's engine (quarry hunt uses RE2, which runs in linear time).
        </p>
      ) : 'crash' in outcome ? (
        <p class="error">{outcome.crash}</p>
      ) : (
        <PlaygroundOutput result={outcome.result} />
      )}
    </div>
  );
}

function PlaygroundOutput({ result }: { result: PlaygroundResult }) {
  const matched = result.matches.filter((m) => m.length > 0).length;
  return (
    <div class="playground-output">
      <section data-section="playground-diagnostics">
        <h3>Diagnostics</h3>
        {result.diagnostics.length === 0 ? (
          <p class="valid">No problems.</p>
        ) : (
          <ul>
            {result.diagnostics.map((d) => (
              <li class={`diag-${d.severity}`}>
                {d.line}:{d.col} {d.severity} [{d.code}] {d.message}
              </li>
            ))}
          </ul>
        )}
        {result.rules
          .filter((r) => !r.runnable)
          .map((r) => (
            <p class="error">
              {r.title} cannot run: {r.reason}
            </p>
          ))}
      </section>
      <section data-section="playground-matches">
        <h3>
          Matches: <span data-testid="match-count">{matched}</span> of {result.events.length} events
        </h3>
        {result.eventProblems.map((p) => (
          <p class="error">
            events line {p.line}: {p.message}
          </p>
        ))}
        <ol class="events">
          {result.events.map((ev, i) => {
            const hits = result.matches[i] ?? [];
            return (
              <li class={hits.length ? 'event matched' : 'event'} data-matched={hits.length > 0}>
                <code class="event-json">{JSON.stringify(ev)}</code>
                {hits.map((h) => (
                  <div class="why">
                    <strong>{h.rule}</strong> matched:{' '}
                    {h.matched.map((m) => (
                      <span class="chip">
                        {m.selection}: {m.field ?? '(keyword)'}
                        {m.modifiers.length ? `|${m.modifiers.join('|')}` : ''} = {m.value}
                        {m.eventValue !== undefined ? ` ← ${JSON.stringify(m.eventValue)}` : ''}
                      </span>
                    ))}
                  </div>
                ))}
                <ExplainTrees result={result} index={i} />
              </li>
            );
          })}
        </ol>
      </section>
      <section data-section="playground-translations">
        <h3>Translations</h3>
        <PlaygroundTranslations result={result} />
      </section>
    </div>
  );
}

/** Every rule's condition tree on one event: the text `quarry explain` prints, from the same renderer. */
function ExplainTrees({ result, index }: { result: PlaygroundResult; index: number }) {
  const e = result.explanations[index];
  if (!e || e.rules.length === 0) return null;
  return (
    <details class="explain" data-testid="explain-tree">
      <summary>Why: the condition tree{e.rules.some((r) => r.explanation.missingFields.length) ? ' (fields missing)' : ''}</summary>
      {e.rules.map((r) => (
        <pre class="explain-tree">{explainedRuleText(r, e.routing).join('\n')}</pre>
      ))}
    </details>
  );
}

function PlaygroundTranslations({ result }: { result: PlaygroundResult }) {
  const ok = result.translations.filter((t) => t.ok);
  const [checks, setChecks] = useState<Record<string, QueryCheck>>({});
  // Validation runs on the server; ask once per distinct query, after typing settles.
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      for (const tr of ok) {
        const id = `${tr.target}\n${tr.query}`;
        if (checks[id]) continue;
        api.check(tr.target, tr.query!).then((c) => live && setChecks((prev) => ({ ...prev, [id]: c })), () => {});
      }
    }, 400);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [result]);
  const failed = result.translations.filter((t) => !t.ok);
  return (
    <>
      {ok.length > 0 ? (
        <Tabs
          name="playground-translations"
          tabs={ok.map((t) => ({
            id: `${t.target}:${t.pipeline}`,
            label: `${t.target} · ${t.pipeline}`,
            render: () => <TranslationPanel t={{ ...t, label: t.target, check: checks[`${t.target}\n${t.query}`] }} />,
          }))}
        />
      ) : (
        <p class="muted">No target converts this rule.</p>
      )}
      {failed.length > 0 && (
        <details>
          <summary>{failed.length} target pipelines do not convert it</summary>
          <ul>
            {failed.map((t) => (
              <li>
                {t.target} · {t.pipeline}: [{t.code}] {t.error}
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}
