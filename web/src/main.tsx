// Entry point: renders the app and turns same-origin link clicks into history navigation.
import { render } from 'preact';
import { App } from './app.js';
import { navigate } from './router.js';
import { loadCatalog, loadFirstPage } from './api.js';
import { queryFromParams, queryToParams } from '../../src/catalog/search.js';
import './styles.css';

// The catalog views need the rule catalog first: ask for the first page of the current query, then
// the whole catalog, before rendering anything.
performance.mark('quarry:script-start');
if (location.pathname === '/') void loadFirstPage(queryToParams(queryFromParams(new URLSearchParams(location.search))).toString());
if (location.pathname === '/' || location.pathname === '/coverage') void loadCatalog();

document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element | null)?.closest?.('a');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, window.location.href);
  if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
  window.scrollTo(0, 0);
});

render(<App />, document.getElementById('app')!);
