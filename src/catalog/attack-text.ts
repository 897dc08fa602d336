// ATT&CK's technique descriptions are written for attack.mitre.org: "(Citation: Source Name)" markers
// that the website turns into numbered footnotes, Markdown links to other ATT&CK pages, and a few HTML
// tags (<code>). The explorer shows them as plain paragraphs, so the markers go (the rule page has no
// footnote list to point them at), a link keeps its words, a tag its content. Browser-safe.

const CITATION = /[ \t]*\(Citation:[^)]*\)/g;
/** `[text](url)`, where the url may hold one level of parentheses (ATT&CK links to pages like `/techniques/T1059/001)`). */
const LINK = /\[([^\]\n]+)\]\((?:[^()\s]|\([^()\s]*\))+\)/g;
const TAG = /<\/?(?:code|b|i|em|strong)\s*>/gi;

/** The description as plain text: paragraphs separated by one blank line, nothing else of the markup. */
export function plainAttackText(raw: string): string {
  return raw
    .replace(/\r\n?/g, '\n')
    .replace(CITATION, '')
    .replace(LINK, '$1')
    .replace(TAG, '')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
