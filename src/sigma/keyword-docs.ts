// What Sigma's own words mean, one line each: the value modifiers and the attributes of a document.
// Editors show them on hover and beside completions; a test holds this table to KNOWN_MODIFIERS and
// the attribute sets of parse-document.ts, so a new modifier or attribute cannot go undocumented.

/** Every modifier of KNOWN_MODIFIERS, described as Quarry applies it. */
export const MODIFIER_DOCS: Readonly<Record<string, string>> = {
  contains: 'The value may appear anywhere in the field: wildcards are put on both sides of it.',
  startswith: 'The field must begin with the value: a wildcard is put after it.',
  endswith: 'The field must end with the value: a wildcard is put before it.',
  all: 'Every value of the list must match (by default any one of them is enough).',
  base64: 'Matches the Base64 encoding of the value (no wildcards inside the value).',
  base64offset: 'Matches the value Base64-encoded at each of the three byte offsets, as it appears inside a longer encoded text.',
  utf16le: 'Encodes the value as UTF-16 little endian before a following base64/base64offset.',
  utf16be: 'Encodes the value as UTF-16 big endian before a following base64/base64offset.',
  utf16: 'Encodes the value as UTF-16 with a byte order mark before a following base64/base64offset.',
  wide: 'Same as utf16le: the value as Windows "wide" text, before base64/base64offset.',
  windash: 'Also matches the value with each leading "-" written as "/", "–" (en dash), "—" (em dash) or "―" (horizontal bar), as Windows programs accept.',
  re: 'The value is a regular expression (searched, not anchored). Follow with i, m or s for flags.',
  i: 'After re: the regular expression ignores case.',
  m: 'After re: ^ and $ match at every line break (multi-line).',
  s: 'After re: the dot also matches line breaks.',
  cidr: 'The value is an IPv4 or IPv6 network in CIDR notation (10.0.0.0/8); the field must be an address inside it.',
  exists: 'With true, the field must be present in the event; with false, it must be absent.',
  cased: 'Compares case-sensitively (Sigma compares text case-insensitively by default).',
  neq: 'The field must not equal the value (an absent field does not match).',
  expand: 'The value holds %placeholders% that a pipeline replaces with lists of values.',
  fieldref: 'The value is the name of another field: matches when both fields hold the same value.',
  lt: 'The field, as a number, is less than the value.',
  lte: 'The field, as a number, is less than or equal to the value.',
  gt: 'The field, as a number, is greater than the value.',
  gte: 'The field, as a number, is greater than or equal to the value.',
  minute: 'Compares the minute (0–59) of the field\'s timestamp with the value.',
  hour: 'Compares the hour (0–23) of the field\'s timestamp with the value.',
  day: 'Compares the day of the month (1–31) of the field\'s timestamp with the value.',
  week: 'Compares the ISO week of the year (1–53) of the field\'s timestamp with the value.',
  month: 'Compares the month (1–12) of the field\'s timestamp with the value.',
  year: 'Compares the year of the field\'s timestamp with the value.',
};

/** Every attribute of a rule, filter or correlation document. */
export const ATTRIBUTE_DOCS: Readonly<Record<string, string>> = {
  title: 'A short, unique description of what the rule detects.',
  id: 'A UUID that identifies the rule for good; keep it when the rule changes.',
  name: 'A unique name that correlation rules and filters can refer to instead of the id.',
  related: 'Other rules this one derives from, replaces (obsolete), merges, renames or resembles: a list of {id, type}.',
  taxonomy: 'The field naming scheme of the rule (sigma by default).',
  status: 'Maturity: stable, test, experimental, deprecated or unsupported.',
  description: 'What the rule detects, and why it matters.',
  license: 'The licence of the rule text (an SPDX identifier).',
  references: 'Where the detection idea comes from: a list of URLs.',
  author: 'Who wrote the rule.',
  date: 'When the rule was written (YYYY-MM-DD).',
  modified: 'When the rule was last changed (YYYY-MM-DD, not before date).',
  tags: 'Namespaced labels: attack.tNNNN techniques, attack.<tactic>, cve.YYYY-NNNN, detection.*, …',
  logsource: 'Which events the rule reads: category, product and service (and a free-text definition).',
  detection: 'The search identifiers (maps of field|modifiers: values, or lists of keywords) and the condition that combines them.',
  fields: 'Fields worth showing beside a match.',
  falsepositives: 'Known benign activity that also matches.',
  level: 'Severity of a match: informational, low, medium, high or critical.',
  scope: 'Where the rule is meant to run (for example server, workstation).',
  regression_tests_path: 'Path of the folder with the rule\'s regression test data (info.yml with samples), from the repository root.',
  simulation: 'How to reproduce the detected activity (for example Atomic Red Team tests).',
  filter: 'In a filter document: the rules it applies to (rules), its selections and its condition, which matching events must NOT satisfy.',
  correlation: 'In a correlation rule: type, rules, group-by, timespan and condition over the events of other rules.',
  generate: 'In a correlation rule: whether the referenced rules also produce matches of their own.',
};

/** The keys of a `logsource` map. */
export const LOGSOURCE_DOCS: Readonly<Record<string, string>> = {
  category: 'A kind of event, whatever the product that logs it (process_creation, proxy, dns, …).',
  product: 'The product or operating system that logs the events (windows, linux, aws, …).',
  service: 'A subset of a product\'s logs (security, sysmon, cloudtrail, …).',
  definition: 'Free text for the reader: how the logs must be collected for the rule to work.',
};
