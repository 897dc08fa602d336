// ATT&CK's description of the techniques a rule tags, inside the rule page's hunting context: the text
// with MITRE's attribution when the loaded ATT&CK data has it, and otherwise the way to get it (the
// explorer's --attack option) rather than nothing. The server decides what is there
// (src/server/attack-descriptions.ts); this only lays it out, as text.
import type { TechniqueDescriptions } from '../api.js';

export function TechniqueText({ text }: { text: TechniqueDescriptions }) {
  const described = text.entries.filter((e) => e.text !== null);
  return (
    <div class="technique-text" data-technique-text={described.length ? 'attack' : 'missing'}>
      <h3>ATT&amp;CK technique descriptions</h3>
      {described.map((e) => (
        <div class="technique-description" data-technique-description={e.id}>
          <h4>
            {e.url ? (
              <a href={e.url} rel="noopener noreferrer" target="_blank">
                {e.id}
              </a>
            ) : (
              e.id
            )}
            {e.name ? ` ${e.name}` : ''}
          </h4>
          {e.text!.split(/\n{2,}/).map((p) => (
            <p>{p}</p>
          ))}
        </div>
      ))}
      {text.note && <p class="muted" data-technique-note>{text.note}</p>}
      {text.attribution && <p class="attribution" data-attribution>{text.attribution}</p>}
    </div>
  );
}
