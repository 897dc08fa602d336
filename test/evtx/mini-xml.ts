// A tiny XML reader for tests: enough for event XML (elements, attributes, text, entities, CDATA).
export interface XmlEl { name: string; attrs: Record<string, string>; children: XmlEl[]; text: string }

const ENT: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code >= 0xd800 && code <= 0xdfff ? '\ufffd' : String.fromCodePoint(code);
    }
    return ENT[e] ?? m;
  });
}

/** Parses all top-level elements of an XML text. */
export function parseXml(src: string): XmlEl[] {
  const root: XmlEl = { name: '#root', attrs: {}, children: [], text: '' };
  const stack: XmlEl[] = [root];
  let i = 0;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const top = stack[stack.length - 1]!; // root is never popped
    if (lt < 0) { top.text += decodeEntities(src.slice(i)); break; }
    if (lt > i) top.text += decodeEntities(src.slice(i, lt));
    if (src.startsWith('<![CDATA[', lt)) {
      const e = src.indexOf(']]>', lt);
      top.text += src.slice(lt + 9, e);
      i = e + 3;
    } else if (src.startsWith('<?', lt) || src.startsWith('<!--', lt)) {
      i = src.indexOf(src[lt + 1] === '?' ? '?>' : '-->', lt) + (src[lt + 1] === '?' ? 2 : 3);
    } else if (src[lt + 1] === '/') {
      i = src.indexOf('>', lt) + 1;
      if (stack.length > 1) stack.pop();
    } else {
      const m = /^<([^\s/>]+)((?:\s+[^\s=]+="[^"]*")*)\s*(\/?)>/.exec(src.slice(lt, lt + 200000));
      if (!m) throw new Error(`bad XML at ${lt}: ${src.slice(lt, lt + 80)}`);
      // groups 1 and 2 (and both of the attribute pattern) always take part in a match
      const el: XmlEl = { name: m[1]!, attrs: {}, children: [], text: '' };
      for (const a of m[2]!.matchAll(/([^\s=]+)="([^"]*)"/g)) el.attrs[a[1]!] = decodeEntities(a[2]!);
      top.children.push(el);
      if (!m[3]) stack.push(el);
      i = lt + m[0].length;
    }
  }
  return root.children;
}

/** The first top-level element of an XML text (a record's <Event>); throws when there is none. */
export function parseXmlElement(src: string): XmlEl {
  const [el] = parseXml(src);
  if (!el) throw new Error(`no XML element in ${JSON.stringify(src.slice(0, 80))}`);
  return el;
}
