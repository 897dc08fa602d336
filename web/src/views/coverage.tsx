// ATT&CK coverage: tactics as columns, techniques coloured by how many rules of the current
// catalog query cover them, and the same counts as an ATT&CK Navigator layer file.
import { useMemo } from 'preact/hooks';
import { queryFromParams, search } from '../../../src/catalog/search.js';
import { coverageMatrix, coverageRules, navigatorLayer } from '../../../src/catalog/coverage.js';
import { useAttack, useCatalog } from '../catalog-store.js';
import type { Location } from '../router.js';
import { downloadJson } from '../download.js';
import { ErrorBox, Loading } from '../components/status.js';

export function CoverageView({ loc }: { loc: Location }) {
  const { state, error } = useCatalog();
  const attack = useAttack();
  const query = useMemo(() => queryFromParams(loc.params), [loc.params.toString()]);
  const entries = useMemo(() => (state ? search(state.index, query).hits.map((i) => state.catalog.entries[i]!) : []), [state, query]);
  const matrix = useMemo(() => (attack ? coverageMatrix(entries, attack) : null), [entries, attack]);
  const rules = useMemo(() => coverageRules(entries).length, [entries]);
  if (error) return <ErrorBox error={error} />;
  if (!state || !attack || !matrix) return <Loading what="ATT&CK coverage" />;
  const filtered = loc.params.toString();
  const heat = (count: number) => (count === 0 ? 0 : 0.15 + 0.85 * (Math.log(count + 1) / Math.log(matrix.max + 1)));
  return (
    <div class="coverage">
      <div class="toolbar">
        <p>
          <span data-testid="coverage-rules">{rules} rules</span> {filtered ? <a href={`/?${filtered}`}>(the catalog's current search and facets)</a> : '(the whole catalog)'} · ATT&CK {attack.version}
        </p>
        <button type="button" onClick={() => downloadJson('quarry-coverage-layer.json', navigatorLayer(entries, attack, { name: 'Quarry rule coverage', description: filtered ? `Rules matching ${filtered}` : 'All rules' }))}>
          Export ATT&CK Navigator layer
        </button>
      </div>
      <div class="matrix" role="table" aria-label="ATT&CK coverage matrix">
        {matrix.tactics.map((t) => (
          <div class="matrix-column" role="rowgroup" data-tactic={t.shortname}>
            <h3 title={t.id}>{t.name}</h3>
            {t.techniques.map((tech) => (
              <a
                class={`cell${tech.count ? ' covered' : ''}`}
                href={`/?${new URLSearchParams({ ...Object.fromEntries(loc.params), technique: tech.id }).toString()}`}
                style={{ background: tech.count ? `rgba(214, 69, 65, ${heat(tech.count).toFixed(2)})` : undefined }}
                title={`${tech.id} ${tech.name ?? ''}: ${tech.count} rules`}
                data-technique={tech.id}
              >
                <span class="tid">{tech.id}</span> {tech.name ?? ''} <span class="n">{tech.count}</span>
              </a>
            ))}
          </div>
        ))}
      </div>
      {matrix.unknown.length > 0 && (
        <p class="muted">
          Techniques not in the ATT&CK data: {matrix.unknown.map((u) => `${u.id} (${u.count})`).join(', ')}
        </p>
      )}
    </div>
  );
}
