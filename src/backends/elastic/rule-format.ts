// `--format elastic-rule`: one Elastic detection rule per line (NDJSON), as Kibana's rule import
// (Security → Rules → Import) takes them. Rules are created disabled: an imported Sigma rule should
// be reviewed against the cluster's data before it raises alerts.
import type { FormattedRule, RuleFormat } from '../common/types.js';
import type { RuleMeta, Severity } from '../common/rule-meta.js';
import { TACTICS } from './attack.js';
import { indexPatterns } from './state.js';

export type ElasticLanguage = 'lucene' | 'esql' | 'eql';

const RISK: Readonly<Record<Severity, { severity: string; risk_score: number }>> = {
  informational: { severity: 'low', risk_score: 21 },
  low: { severity: 'low', risk_score: 21 },
  medium: { severity: 'medium', risk_score: 47 },
  high: { severity: 'high', risk_score: 73 },
  critical: { severity: 'critical', risk_score: 99 },
};

const INTERVAL_MS = 300_000;
const LATE_MS = 60_000;

const RULE_TYPE: Readonly<Record<ElasticLanguage, string>> = { lucene: 'query', esql: 'esql', eql: 'eql' };

// Kibana deduplicates the alerts of a non-aggregating ES|QL rule by the source documents' `_id`
// (with `_version` and `_index`), which ES|QL returns only when FROM asks for them; Kibana 9.4 adds
// `_id` by itself, earlier versions create a duplicate alert on every run that sees the event again.
// Only the rule gets them: a bare query in Discover would show three extra columns for nothing.
const ESQL_RULE_METADATA = ['_id', '_version', '_index'];

/** The ES|QL query with `METADATA _id, _version, _index` on its FROM (the first line, as the renderer writes it). */
export function withRuleMetadata(query: string): string {
  const nl = query.indexOf('\n');
  const from = nl < 0 ? query : query.slice(0, nl);
  if (!/^FROM /.test(from)) throw new Error(`not an ES|QL query as Quarry renders it: ${from}`);
  return `${from} METADATA ${ESQL_RULE_METADATA.join(', ')}${nl < 0 ? '' : query.slice(nl)}`;
}

/** ATT&CK entries: one per known tactic, each with the rule's techniques (sub-techniques nested). */
export function threat(meta: RuleMeta): unknown[] {
  const techniques = new Map<string, string[]>();
  for (const id of meta.techniques) {
    const [parent] = id.split('.');
    const subs = techniques.get(parent!) ?? [];
    if (id !== parent) subs.push(id);
    techniques.set(parent!, subs);
  }
  const ref = (id: string) => `https://attack.mitre.org/techniques/${id.replace('.', '/')}/`;
  // Kibana requires a name; an id the caller's ATT&CK data does not name keeps its id as the name.
  const name = (id: string) => meta.techniqueNames[id] ?? id;
  const technique = [...techniques].map(([id, subs]) => ({
    id,
    name: name(id),
    reference: ref(id),
    ...(subs.length ? { subtechnique: subs.map((s) => ({ id: s, name: name(s), reference: ref(s) })) } : {}),
  }));
  return meta.tactics
    .filter((t) => Object.hasOwn(TACTICS, t))
    .map((t) => ({
      framework: 'MITRE ATT&CK',
      tactic: { id: TACTICS[t]!.id, name: TACTICS[t]!.name, reference: `https://attack.mitre.org/tactics/${TACTICS[t]!.id}/` },
      technique,
    }));
}

/** A stable rule_id for a Sigma rule without an id: FNV-1a of its file and title. */
function fallbackId(meta: RuleMeta): string {
  let h = 0x811c9dc5;
  for (const c of `${meta.file}\0${meta.title}`) h = Math.imul(h ^ c.codePointAt(0)!, 0x01000193) >>> 0;
  return `quarry-${h.toString(16).padStart(8, '0')}`;
}

export function elasticRule(r: FormattedRule, language: ElasticLanguage): Record<string, unknown> {
  const m = r.meta;
  return {
    rule_id: m.id ?? fallbackId(m),
    name: m.title,
    // Kibana requires a description.
    description: m.description || m.title,
    risk_score: RISK[m.severity].risk_score,
    severity: RISK[m.severity].severity,
    type: RULE_TYPE[language],
    language,
    // A correlation's ES|QL aggregates (STATS): no source document, no _id to ask for.
    query: language === 'esql' && !r.correlation ? withRuleMetadata(r.query) : r.query,
    // An ES|QL rule names its indices in FROM.
    ...(language === 'esql' ? {} : { index: indexPatterns(r.state) }),
    threat: threat(m),
    references: m.references,
    false_positives: m.falsepositives,
    author: m.author ? m.author.split(/\s*,\s*/).filter(Boolean) : [],
    enabled: false,
    interval: '5m',
    // Each run searches its interval and a minute more; a correlation also the timespan before it,
    // so that a window ending in this run's interval is searched whole.
    from: r.correlation ? `now-${Math.ceil((INTERVAL_MS + LATE_MS + r.correlation.timespanMs) / 1000)}s` : 'now-6m',
    tags: m.tags,
    version: 1,
  };
}

export function elasticRuleFormat(language: ElasticLanguage): RuleFormat {
  return {
    description: `Elastic detection rules (NDJSON, one per line, for Kibana's rule import): type ${RULE_TYPE[language]}, language ${language}, severity and risk score from level, ATT&CK threat, disabled`,
    // ES|QL and EQL correlations are rules of their own type (Lucene converts none).
    correlations: language !== 'lucene',
    render: (rules) => rules.map((r) => JSON.stringify(elasticRule(r, language)) + '\n').join(''),
  };
}
