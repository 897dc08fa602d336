// A correlation on its rule page (type, window, condition, group-by per base rule, the rules it
// reads as links) and, on any rule's page, the correlations that read it. Rule text is untrusted:
// rendered as text only.
import type { RuleDetail } from '../api.js';
import { ruleHref } from '../router.js';
import { LevelBadge } from '../components/badges.js';

type View = NonNullable<RuleDetail['correlation']>;

export function CorrelationSection({ c }: { c: View }) {
  const cond = c.condition;
  return (
    <section data-section="correlation">
      <h2>Correlation</h2>
      {c.problem && <p class="error">This correlation cannot run: {c.problem}</p>}
      <dl class="facts correlation-facts">
        <div data-fact="type">
          <dt>Type</dt>
          <dd>
            <code>{c.type}</code>
          </dd>
        </div>
        <div data-fact="window">
          <dt>Window</dt>
          <dd>
            <code>{c.timespan.text}</code> ({c.timespan.words}, sliding)
          </dd>
        </div>
        <div data-fact="condition">
          <dt>Condition</dt>
          <dd>
            {cond.expression ? (
              <>
                {c.measure}: <code>{cond.asWritten}</code>
              </>
            ) : cond.symbols ? (
              <>
                {c.measure} <strong>{cond.symbols}</strong>
              </>
            ) : (
              <>{c.measure}: all of them</>
            )}{' '}
            <span class="muted">
              (as written: <code>{cond.asWritten}</code>)
            </span>
          </dd>
        </div>
        <div data-fact="generate">
          <dt>generate</dt>
          <dd>
            <code>{String(c.generate)}</code> <span class="muted">{c.generate ? '— the rules it reads report their own detections too' : '— the rules it reads report nothing of their own'}</span>
          </dd>
        </div>
      </dl>
      <h3>Group by</h3>
      {c.groupBy.length === 0 ? (
        <p class="muted">No group-by: all events form one group.</p>
      ) : (
        <table class="group-by">
          <thead>
            <tr>
              <th>group</th>
              {c.inputs.map((i) => (
                <th>{i.ref}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {c.groupBy.map((g) => (
              <tr data-group={g.name}>
                <th>
                  <code>{g.name}</code>
                  {g.aliased && <span class="muted"> (alias)</span>}
                </th>
                {g.fields.map((f) => (
                  <td>
                    <code>{f.field}</code>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Reads</h3>
      <ol class="correlation-inputs">
        {c.inputs.map((i) => (
          <li data-input={i.ref}>
            {i.kind === 'unknown' ? (
              <span class="error">
                <code>{i.ref}</code>: no loaded rule or correlation has this id or name
              </span>
            ) : (
              <>
                <LevelBadge level={i.level} /> {i.key ? <a href={ruleHref(i.key)}>{i.title}</a> : i.title} <span class="muted">
                  {i.kind === 'correlation' ? `correlation · ${i.correlation}` : 'rule'} · <code>{i.ref}</code>
                </span>
              </>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function UsedBySection({ detail }: { detail: RuleDetail }) {
  if (detail.usedBy.length === 0) return null;
  return (
    <section data-section="used-by">
      <h2>Used by correlation{detail.usedBy.length > 1 ? 's' : ''}</h2>
      <ul>
        {detail.usedBy.map((u) => (
          <li>
            {u.key ? <a href={ruleHref(u.key)}>{u.title}</a> : u.title} <span class="muted">
              ({u.type}, as <code>{u.ref}</code>, generate: {String(u.generate)})
            </span>
          </li>
        ))}
      </ul>
      {detail.silent && (
        <p class="note silent" data-testid="silent">
          Silent in a hunt: every correlation that reads it has <code>generate: false</code>, so its matches feed the correlation and are not reported on their own.
        </p>
      )}
    </section>
  );
}
