// The explorer's shell: navigation and the view for the current path.
import { useLocation } from './router.js';
import { CatalogView } from './views/catalog.js';
import { RuleView } from './views/rule.js';
import { CoverageView } from './views/coverage.js';
import { PlaygroundView } from './views/playground.js';
import { HuntsView } from './views/hunts.js';

const NAV: Array<[string, string]> = [
  ['/', 'Catalog'],
  ['/coverage', 'ATT&CK coverage'],
  ['/hunts', 'Hunt results'],
  ['/playground', 'Playground'],
];

export function App() {
  const loc = useLocation();
  const section = loc.path.startsWith('/rule/') ? '/' : loc.path;
  return (
    <>
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
      <main>{route(loc)}</main>
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
