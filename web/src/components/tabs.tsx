// Tabs with keyboard-reachable buttons; only the selected panel is rendered.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export interface Tab {
  id: string;
  label: ComponentChildren;
  render: () => ComponentChildren;
}

export function Tabs({ tabs, name }: { tabs: Tab[]; name: string }) {
  const [selected, setSelected] = useState(tabs[0]?.id ?? '');
  const current = tabs.find((t) => t.id === selected) ?? tabs[0];
  if (!current) return null;
  return (
    <div class="tabs" data-tabs={name}>
      <div class="tab-list" role="tablist">
        {tabs.map((t) => (
          <button type="button" role="tab" aria-selected={t.id === current.id} data-tab={t.id} onClick={() => setSelected(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div class="tab-panel" role="tabpanel" data-tab-panel={current.id}>
        {current.render()}
      </div>
    </div>
  );
}
