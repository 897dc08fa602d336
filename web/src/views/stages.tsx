// The condition laid out as the selections and filters it combines, with their fields and values.
import type { RuleDetail } from '../api.js';

export function StagesView({ stages }: { stages: RuleDetail['stages'] }) {
  return (
    <div class="stages">
      <p>
        Condition:{' '}
        {stages.condition.map((c) => (
          <code class="condition">{c}</code>
        ))}
      </p>
      <div class="stage-list">
        {stages.selections.map((s) => (
          <div class={`stage stage-${s.role}`} data-stage={s.name}>
            <h4>
              {s.role === 'filter' ? 'Exclusion' : 'Selection'} <code>{s.name}</code> <span class="muted">({s.link === 'and' ? 'all of' : 'any of'})</span>
              {/^_filter\d+_/.test(s.name) && <span class="muted"> from a Sigma filter file (its identifiers are prefixed so they cannot collide with the rule's)</span>}
            </h4>
            <table>
              <tbody>
                {s.items.map((it) => (
                  <tr class={`origin-${it.origin}`}>
                    <td>
                      <code>
                        {it.field ?? '(keywords)'}
                        {it.modifiers.length ? `|${it.modifiers.join('|')}` : ''}
                      </code>
                    </td>
                    <td>
                      {it.values.map((v) => (
                        <code class="value">{v}</code>
                      ))}
                    </td>
                    <td class="muted">{it.origin !== 'rule' ? it.origin : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </div>
    </div>
  );
}
