// The catalog entries and their search index, built once per page load and shared by the catalog
// and coverage views (both follow the same URL query).
import { useEffect, useState } from 'preact/hooks';
import { buildIndex, textIndex, type CatalogIndex } from '../../src/catalog/search.js';
import { loadAttack, loadCatalog, type AttackData, type CatalogResponse } from './api.js';

export interface CatalogState {
  catalog: CatalogResponse;
  index: CatalogIndex;
}

let built: { source: CatalogResponse; state: CatalogState } | null = null;

export function useCatalog(): { state: CatalogState | null; error: unknown } {
  const [state, setState] = useState<CatalogState | null>(built?.state ?? null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    loadCatalog().then((catalog) => {
      if (!built || built.source !== catalog) {
        performance.mark('quarry:catalog-received');
        const index = buildIndex(catalog.entries);
        performance.mark('quarry:catalog-indexed');
        built = { source: catalog, state: { catalog, index } };
        // The full-text index is the slow part: build it once the first page is painted (two
        // frames later), before the user is likely to type; a search typed sooner builds it then.
        requestAnimationFrame(() =>
          requestAnimationFrame(() =>
            setTimeout(() => {
              textIndex(index);
              performance.mark('quarry:text-indexed');
            }, 0),
          ),
        );
      }
      if (live) setState(built.state);
    }, (e) => live && setError(e));
    return () => {
      live = false;
    };
  }, []);
  return { state, error };
}

export function useAttack(): AttackData | null {
  const [attack, setAttack] = useState<AttackData | null>(null);
  useEffect(() => {
    let live = true;
    loadAttack().then((a) => live && setAttack(a), () => {});
    return () => {
      live = false;
    };
  }, []);
  return attack;
}
