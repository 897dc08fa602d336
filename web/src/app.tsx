// The explorer's shell: navigation and the view for the current path.
import { useEffect } from 'preact/hooks';
import { useLocation } from './router.js';
import { CatalogView } from './views/catalog.js';
import { lazyView } from './lazy-view.js';

const RuleView = lazyView(() => import('./views/rule.js').then((m) => m.RuleView), 'the rule page');
const CoverageView = lazyView(() => import('./views/coverage.js').then((m) => m.CoverageView), 'ATT&CK coverage');
const PlaygroundView = lazyView(() => import('./views/playground.js').then((m) => m.PlaygroundView), 'the playground');
const HuntsView = lazyView(() => import('./views/hunts.js').then((m) => m.HuntsView), 'hunt results');

const NAV: Array<[string, string]> = [
  ['/', 'Catalog'],
  ['/coverage', 'ATT&CK coverage'],
  ['/hunts', 'Hunt results'],
  ['/playground', 'Playground'],
];

/** The window title of each view; a rule page sets its own (the rule's title). */
function viewTitle(path: string): string | null {
  if (path.startsWith('/rule/')) return null;
  const label = NAV.find(([href]) => href === path)?.[1] ?? 'Catalog';
  return `${label} · Quarry`;
}

export function App() {
  const loc = useLocation();
  const section = loc.path.startsWith('/rule/') ? '/' : loc.path;
  useEffect(() => {
    const title = viewTitle(loc.path);
    if (title) document.title = title;
  }, [loc.path]);
  return (
    <>
      {/* The first Tab stop: straight to the view, past the navigation. */}
      <a class="skip-link" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a href="/" class="brand">
          Quarry
        </a>
        <nav>
          {NAV.map(([href, label]) => (
            // The catalog and coverage views share the query string (search and facets).
            <a href={href === '/coverage' || href === '/' ? `${href}${section === '/' || section === '/coverage' ? window.location.search : ''}` : href} aria-current={section === href ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {route(loc)}
      </main>
    </>
  );
}

function route(loc: ReturnType<typeof useLocation>) {
  if (loc.path.startsWith('/rule/')) return <RuleView ruleKey={decodeURIComponent(loc.path.slice('/rule/'.length))} />;
  switch (loc.path) {
    case '/coverage':
      return <CoverageView loc={loc} />;
    case '/hunts':
      return <HuntsView loc={loc} />;
    case '/playground':
      return <PlaygroundView loc={loc} />;
    default:
      return <CatalogView loc={loc} />;
  }
}
