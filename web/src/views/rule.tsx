// A rule's page: every section of the rule explorer seed (level, type, title, description, ATT&CK,
// detection, author, dates, data sources, platforms, tags, raw content) and of the hunting seed
// (hunting context, translations, false-positive scenarios with an exclusion each), plus the
// stages of the condition and tuning. Rule text is untrusted: it is only ever rendered as text.
import { useEffect, useState } from 'preact/hooks';
import { api, invalidateCatalog, type QueryCheck, type RuleDetail, type Suggestion, type Translation } from '../api.js';
import { KindBadge, LevelBadge, TypeBadge } from '../components/badges.js';
import { CopyButton } from '../components/copy-button.js';
import { Tabs } from '../components/tabs.js';
import { ErrorBox, Loading } from '../components/status.js';
import { StagesView } from './stages.js';
import { TranslationPanel } from './translation.js';
import { CorrelationSection, UsedBySection } from './correlation.js';
import { TechniqueText } from './technique-text.js';

/** The `detection:` block of a rule's YAML, as written. */
export function detectionBlock(source: string): string {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => /^detection\s*:/.test(l));
  if (start < 0) return '';
  let end = start + 1;
  while (end < lines.length && (lines[end]!.trim() === '' || /^[\s#]/.test(lines[end]!))) end++;
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((l) => l.trim() && !l.trim().startsWith('#')).map((l) => l.length - l.trimStart().length));
  return body
    .map((l) => l.slice(Number.isFinite(indent) ? indent : 0))
    .join('\n')
    .trimEnd();
}

export function RuleView({ ruleKey }: { ruleKey: string }) {
  const [detail, setDetail] = useState<RuleDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  // The translations' checks arrive after the page: undefined while asked, null when they failed.
  const [checks, setChecks] = useState<Record<string, QueryCheck> | null | undefined>(undefined);
  const reload = () =>
    api.rule(ruleKey).then((d) => {
      setDetail(d);
      setChecks(undefined);
      api.checks(ruleKey).then(setChecks, () => setChecks(null));
    }, setError);
  useEffect(() => {
    setDetail(null);
    setError(null);
    void reload();
  }, [ruleKey]);
  useEffect(() => {
    document.title = detail ? `${detail.entry.title} · Quarry` : 'Rule · Quarry';
  }, [detail]);
  if (error) return <ErrorBox error={error} />;
  if (!detail) return <Loading what="the rule" />;
  const e = detail.entry;
  const techniques = detail.attack.filter((t) => t.kind === 'technique');
  const tactics = detail.attack.filter((t) => t.kind === 'tactic');
  const others = detail.attack.filter((t) => t.kind === 'group' || t.kind === 'software');
  const afterTuning = () => {
    invalidateCatalog();
    return reload();
  };
  return (
    <article class="rule-page">
      <p>
        <a href="/">← Back to the catalog</a>
      </p>
      <header>
        <div class="badges">
          <span class="badge sigma">sigma</span>
          <LevelBadge level={e.level} />
          <TypeBadge type={e.type} />
          <KindBadge kind={e.kind} correlation={e.correlation} />
          {e.status && <span class="badge status">{e.status}</span>}
        </div>
        <h1>{e.title}</h1>
        <p class="description">{e.description}</p>
        <p class="muted ident">
          {e.id ?? 'no id'} · {e.root}/{e.path}
        </p>
      </header>
      {detail.diagnostics.length > 0 && (
        <section class="diagnostics" data-section="diagnostics">
          <h2>Diagnostics</h2>
          <ul>
            {detail.diagnostics.map((d) => (
              <li class={`diag-${d.severity}`}>
                {d.line}:{d.col} {d.severity} [{d.code}] {d.message}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section data-section="attack">
        <h2>MITRE ATT&CK</h2>
        <div class="chips">
          {tactics.map((t) => (
            <span class="chip tactic" title={t.note ?? t.name ?? t.tag}>
              {t.current && t.current.length ? t.current.join(', ') : (t.name ?? t.id ?? t.tag)}
              {t.note && <em class="note"> ({t.note})</em>}
            </span>
          ))}
        </div>
        {techniques.length > 0 && (
          <ul class="techniques">
            {techniques.map((t) => (
              <li>
                <code>{t.id ?? t.tag}</code> {t.name ?? <em>name not in the bundled ATT&CK data</em>}
                {t.url && (
                  <>
                    {' '}
                    <a href={t.url} rel="noopener noreferrer" target="_blank">
                      ATT&CK
                    </a>
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
        {others.length > 0 && (
          <ul class="attack-others">
            {others.map((t) => (
              <li>
                {t.kind} <code>{t.id ?? t.tag}</code> {t.name ?? ''}
              </li>
            ))}
          </ul>
        )}
      </section>
      {detail.correlation ? (
        <CorrelationSection c={detail.correlation} />
      ) : (
        <>
          <section data-section="detection">
            <h2>Detection query</h2>
            <pre class="code">{detectionBlock(detail.source)}</pre>
          </section>
          <section data-section="stages">
            <h2>Stages and exclusions</h2>
            <StagesView stages={detail.stages} />
          </section>
        </>
      )}
      <UsedBySection detail={detail} />
      <dl class="facts">
        <div data-section="author">
          <dt>Author</dt>
          <dd>{e.authors.join(', ') || '—'}</dd>
        </div>
        <div data-section="created">
          <dt>Created</dt>
          <dd>{e.date ?? '—'}</dd>
        </div>
        <div data-section="modified">
          <dt>Modified</dt>
          <dd>{e.modified ?? '—'}</dd>
        </div>
        <div data-section="data-sources">
          <dt>Data sources</dt>
          <dd>
            {Object.entries(detail.logsource).map(([k, v]) => (
              <span class="chip" title={k}>
                {k}: {v}
              </span>
            ))}
          </dd>
        </div>
        <div data-section="platforms">
          <dt>Platforms</dt>
          <dd>{e.product ?? '—'}</dd>
        </div>
      </dl>
      <section data-section="tags">
        <h2>Tags</h2>
        <div class="chips">
          {e.tags.map((tag) => {
            const r = detail.attack.find((a) => a.tag === tag);
            return (
              <span class="chip tag" title={r?.name ?? ''}>
                {tag}
                {r?.kind === 'technique' && r.name ? ` · ${r.name}` : ''}
              </span>
            );
          })}
        </div>
      </section>
      {detail.references.length > 0 && (
        <section data-section="references">
          <h2>References</h2>
          <ul>
            {detail.references.map((r) => (
              <li>{/^https?:\/\//i.test(r) ? <a href={r} rel="noopener noreferrer" target="_blank">{r}</a> : r}</li>
            ))}
          </ul>
        </section>
      )}
      <section data-section="hunting">
        <h2>Hunting context</h2>
        {(detail.hunting?.narrative ?? 'No hunting context for this document.').split(/\n{2,}/).map((p) => (
          <p>{p}</p>
        ))}
        {detail.hunting?.techniqueText && <TechniqueText text={detail.hunting.techniqueText} />}
      </section>
      <section data-section="translations">
        <h2>Translations</h2>
        <TranslationTabs translations={detail.translations} checks={checks} />
      </section>
      <section data-section="false-positives">
        <h2>False-positive scenarios</h2>
        {detail.correlation ? (
          // Exclusions are Sigma filters on a detection rule: a correlation is tuned through its base rules.
          <ul>{detail.falsepositives.map((fp) => <li>{fp}</li>)}</ul>
        ) : (
          <FalsePositives detail={detail} onChange={afterTuning} />
        )}
      </section>
      <section data-section="raw">
        <h2>Raw content</h2>
        <div class="toolbar">
          <CopyButton text={detail.source} label="Copy YAML" />
          <a class="button" href={api.rawUrl(e.key)} download>
            Download
          </a>
          <a class="button" href={`/playground?rule=${encodeURIComponent(e.key)}`}>
            Open in playground
          </a>
        </div>
        <pre class="code raw">{detail.source}</pre>
      </section>
    </article>
  );
}

const TARGET_ORDER = ['kql', 'spl', 'lucene', 'esql', 'eql', 'sql', 'postgres', 'clickhouse'];

/**
 * The targets the rule converts to, as tabs (registry order: KQL first); the ones that refuse it
 * grouped under one line that says how many and, opened, why each one does.
 */
function TranslationTabs({ translations, checks }: { translations: Translation[]; checks: Record<string, QueryCheck> | null | undefined }) {
  if (translations.length === 0) return <p class="muted">No translation.</p>;
  const sorted = [...translations].sort((a, b) => rank(a.target) - rank(b.target));
  const ok = sorted.filter((t) => t.ok);
  const refused = sorted.filter((t) => !t.ok);
  const withCheck = (t: Translation): Translation => {
    const c = checks?.[`${t.target}:${t.pipeline}`];
    return c ? { ...t, check: c } : t;
  };
  return (
    <>
      {ok.length > 0 ? (
        <Tabs
          name="translations"
          tabs={ok.map(withCheck).map((t) => ({
            id: `${t.target}:${t.pipeline}`,
            label: (
              <span class={t.check && !t.check.ok ? 'tab-invalid' : 'tab-ok'}>
                {t.label}
                {t.check ? (t.check.ok ? ' ✓' : ' !') : ''}
              </span>
            ),
            render: () => <TranslationPanel t={t} pending={checks === undefined} />,
          }))}
        />
      ) : (
        <p class="muted">No target converts this rule.</p>
      )}
      {refused.length > 0 && (
        <details class="unavailable" data-unavailable={refused.length}>
          <summary>
            Not available in {refused.length} {refused.length === 1 ? 'target' : 'targets'} ({[...new Set(refused.map((t) => t.code ?? 'error'))].join(', ')})
          </summary>
          <ul>
            {refused.map((t) => (
              <li data-refused={`${t.target}:${t.pipeline}`}>
                <strong>{t.label}</strong> [{t.code}]: {t.error}
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

const rank = (target: string) => {
  const i = TARGET_ORDER.indexOf(target);
  return i < 0 ? TARGET_ORDER.length : i;
};

function FalsePositives({ detail, onChange }: { detail: RuleDetail; onChange: () => Promise<unknown> }) {
  const key = detail.entry.key;
  // Each false-positive note with the exclusion suggested for it, then exclusions drawn from the
  // fields the rule's own filters use, then a blank one to write.
  const scenarios = detail.hunting?.scenarios ?? detail.falsepositives.map((fp) => ({ falsepositive: fp, exclusion: null, specific: false }));
  const answered = new Set(scenarios.map((sc) => sc.exclusion).filter(Boolean));
  const others = detail.suggestions.filter((sg) => !answered.has(sg) && !scenarios.some((sc) => sc.exclusion && sc.exclusion.field === sg.field && sc.exclusion.values.join('\n') === sg.values.join('\n')));
  return (
    <div class="fp">
      {scenarios.length === 0 && <p class="muted">The rule names no false positives.</p>}
      <ol class="scenarios">
        {scenarios.map((sc, i) => (
          <li data-scenario={i}>
            <p class="scenario">{sc.falsepositive}</p>
            {sc.exclusion ? <ExclusionEditor ruleKey={key} suggestion={sc.exclusion} onSaved={onChange} /> : <p class="muted">No field to suggest for this one: write an exclusion below.</p>}
          </li>
        ))}
      </ol>
      {(detail.hunting?.general.length ?? 0) > 0 && (
        <>
          <h3>More scenarios, from the fields the rule tests</h3>
          <ol class="scenarios general">
            {detail.hunting!.general.map((sc, i) => (
              <li data-general-scenario={i}>
                <p class="scenario">
                  <strong>{sc.title}</strong>: {sc.description}
                </p>
                <ExclusionEditor ruleKey={key} suggestion={sc.exclusion} onSaved={onChange} />
              </li>
            ))}
          </ol>
        </>
      )}
      {others.length > 0 && <h3>More exclusions, from the fields the rule's filters use</h3>}
      {others.map((sg, i) => (
        <ExclusionEditor key={`${i}:${sg.field}`} ruleKey={key} suggestion={sg} onSaved={onChange} />
      ))}
      <h3>Your own exclusion</h3>
      <ExclusionEditor ruleKey={key} suggestion={{ field: '', values: [], reason: 'an exclusion you write', basis: 'filter' }} onSaved={onChange} />
      {detail.filters.length > 0 && (
        <>
          <h3>Filters applied to this rule</h3>
          <ul class="filters">
            {detail.filters.map((f) => (
              <li data-filter={f.name}>
                <code>{f.path}</code>{' '}
                {f.createdByExplorer && (
                  <button type="button" onClick={() => api.removeExclusion(f.name).then(onChange)}>
                    Remove
                  </button>
                )}
                {f.cannotRun && (
                  <p class="error" data-filter-problem>
                    Hunts cannot run this rule with this filter, so it is left out of them: {f.cannotRun}
                  </p>
                )}
                <pre class="code">{f.source}</pre>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function ExclusionEditor({ ruleKey, suggestion, onSaved }: { ruleKey: string; suggestion: Suggestion; onSaved: () => Promise<unknown> }) {
  const [field, setField] = useState(suggestion.field);
  const [modifier, setModifier] = useState(suggestion.modifier ?? '');
  const [values, setValues] = useState(suggestion.values.join('\n'));
  // Why this exclusion is safe, in the analyst's words; saved in the filter (its description).
  const [reason, setReason] = useState('');
  const [status, setStatus] = useState<string>('');
  const save = () => {
    const vs = values.split('\n').map((v) => v.trim()).filter(Boolean);
    if (!field.trim() || vs.length === 0) {
      setStatus('give a field and at least one value');
      return;
    }
    setStatus('saving…');
    api.addExclusion({ rule: ruleKey, field: field.trim(), ...(modifier ? { modifier } : {}), values: vs, note: reason.trim() || suggestion.reason }).then(
      (r) => onSaved().then(() => setStatus(`saved as ${r.path}`)),
      (e: unknown) => setStatus(e instanceof Error ? e.message : String(e)),
    );
  };
  return (
    <form class="exclusion" onSubmit={(e) => (e.preventDefault(), save())}>
      <p class="muted">{suggestion.reason}</p>
      <label>
        Field <input name="field" value={field} onInput={(e) => setField((e.target as HTMLInputElement).value)} />
      </label>
      <label>
        Modifier{' '}
        <select name="modifier" value={modifier} onChange={(e) => setModifier((e.target as HTMLSelectElement).value)}>
          <option value="">equals</option>
          <option value="contains">contains</option>
          <option value="startswith">startswith</option>
          <option value="endswith">endswith</option>
          <option value="re">re</option>
        </select>
      </label>
      <label>
        Values (one per line) <textarea name="values" rows={Math.max(2, Math.min(6, values.split('\n').length))} value={values} onInput={(e) => setValues((e.target as HTMLTextAreaElement).value)} />
      </label>
      <label>
        Reason{' '}
        <input name="reason" value={reason} placeholder="why these events are benign here (saved in the filter)" onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
      </label>
      <button type="submit">Add exclusion</button> <span class="status">{status}</span>
    </form>
  );
}
