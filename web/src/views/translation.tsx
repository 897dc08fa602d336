// One translation: the query with its copy button and the verdict of the target's validator, or
// the reason the rule has no query in that target.
import type { Translation } from '../api.js';
import { CopyButton } from '../components/copy-button.js';

export function TranslationPanel({ t, pending = false }: { t: Translation; pending?: boolean }) {
  if (!t.ok) {
    return (
      <div class="translation failed">
        <p class="error">
          Not converted [{t.code}]: {t.error}
        </p>
      </div>
    );
  }
  return (
    <div class="translation">
      <div class="toolbar">
        <CopyButton text={t.query ?? ''} />
        {t.check ? (
          <span class={t.check.ok ? 'valid' : 'invalid'} data-validation={t.check.ok ? 'ok' : 'failed'}>
            {t.check.ok ? `✓ valid (${t.check.validator})` : `✕ ${t.check.validator}: ${t.check.problems.join('; ')}`}
          </span>
        ) : pending ? (
          <span class="muted" data-validation="pending">checking…</span>
        ) : (
          <span class="muted">not validated</span>
        )}
      </div>
      <pre class="code query">{t.query}</pre>
      {t.notes?.length ? (
        <ul class="notes">
          {t.notes.map((n) => (
            <li>{n}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
