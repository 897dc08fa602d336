// Views other than the catalog load on demand: the catalog's first page then waits only for the
// search code, not for the engine and converters that the playground bundles.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorBox, Loading } from './components/status.js';

export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>, what: string): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  return function LazyView(props: P) {
    const [View, setView] = useState<ComponentType<P> | null>(() => loaded);
    const [error, setError] = useState<unknown>(null);
    useEffect(() => {
      if (View) return;
      load().then(
        (v) => {
          loaded = v;
          setView(() => v);
        },
        setError,
      );
    }, []);
    if (error) return <ErrorBox error={error} />;
    return View ? <View {...props} /> : <Loading what={what} />;
  };
}
