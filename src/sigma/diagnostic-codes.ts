// Every diagnostic code Quarry can report, declared as data: default severity, the room that
// reports it, and one line for the docs (docs/diagnostics.md), `quarry lint --explain` and editor
// hovers. The keys are the closed union `DiagnosticCode`: a producer cannot invent a code, and
// renaming one is a compile error everywhere it is used. Code strings are a public interface
// (tools and tests key on them): never rename one.
//
// The catalogue lives in src/sigma, the lowest layer, although pipelines and the CLI report codes
// too: they all speak the one Diagnostic type, and every layer may import sigma.
import type { Severity } from './diagnostics.js';
import { LEVELS, RELATED_TYPES, STATUSES } from './model.js';
import { thousands } from './thousands.js';
import { MAX_CONDITION_DEPTH, MAX_RULE_FILE_BYTES, MAX_VALUES_PER_FIELD, MAX_YAML_DEPTH } from './limits.js';

/**
 * Where a code is reported, so that a reader knows which module to open and an editor knows which
 * files it can appear in.
 */
export type Room =
  /** sigma/yaml-tree.ts: any YAML file, rule or pipeline */
  | 'yaml'
  /** reading files from disk (sigma/load.ts, pipeline/load-file.ts, cli/) */
  | 'file'
  /** sigma/parse-document.ts: the attributes of a rule, filter or correlation */
  | 'document'
  /** sigma/parse-detection.ts: search identifiers and their values */
  | 'detection'
  /** sigma/modifiers.ts: `field|modifier` chains */
  | 'modifier'
  /** sigma/condition.ts: the condition grammar */
  | 'condition'
  /** sigma/parse-document.ts: the `filter` section of a filter */
  | 'filter'
  /** sigma/parse-document.ts: the `correlation` section of a correlation rule */
  | 'correlation'
  /** sigma/checks.ts: lint checks over what parsed */
  | 'lint'
  /** sigma/collection.ts: checks across the documents of a collection */
  | 'collection'
  /** pipeline/parse.ts and pipeline/params.ts: processing pipelines */
  | 'pipeline';

export interface CodeInfo {
  /** The severity producers report with; a producer may override it (see `severity` in DiagnosticSink.report). */
  readonly severity: Severity;
  /** Where it is reported; a few generic codes (invalid-type, invalid-condition, …) serve two rooms. */
  readonly rooms: readonly Room[];
  /** One line: what is wrong, and what to write instead. */
  readonly description: string;
}

export const DIAGNOSTIC_CODES = {
  // YAML
  'yaml-syntax': { severity: 'error', rooms: ['yaml'], description: 'The file is not valid YAML; only the first syntax error is reported, since the ones after it are usually its echoes.' },
  'yaml-too-deep': { severity: 'error', rooms: ['yaml'], description: `Nesting deeper than ${MAX_YAML_DEPTH} levels: no Sigma rule or pipeline needs it, and it guards the parser against hostile input.` },
  'yaml-alias': { severity: 'error', rooms: ['yaml'], description: 'YAML aliases (*name) are not supported: write the value out.' },
  'yaml-complex-key': { severity: 'error', rooms: ['yaml'], description: 'A map key must be a plain scalar, not a list or a map.' },
  'duplicate-key': { severity: 'error', rooms: ['yaml'], description: 'A key appears twice in the same map; YAML would silently keep only one of them.' },

  // Files
  unreadable: { severity: 'error', rooms: ['file'], description: 'The file or folder could not be read (missing, a symbolic link to nothing, a permission problem, …); the rest of the rule tree still loads.' },
  'link-loop': { severity: 'error', rooms: ['file'], description: 'A symbolic link in a rule tree leads back to a folder already being read; it is not followed again.' },
  'not-a-file': { severity: 'error', rooms: ['file'], description: 'A rule path is neither a regular file nor a folder (a device such as /dev/zero, a pipe, a socket); it is not read.' },
  'file-too-large': { severity: 'error', rooms: ['file'], description: `A rule file is larger than ${MAX_RULE_FILE_BYTES / 1024 / 1024} MiB; no Sigma rule is, and reading it would only cost memory.` },
  'unknown-pipeline': { severity: 'error', rooms: ['file'], description: 'A --pipeline argument is neither a file nor the name of a built-in pipeline.' },
  'not-utf8': { severity: 'warning', rooms: ['file'], description: 'The file holds bytes that are not UTF-8 (saved as Latin-1 or UTF-16?); they are read as U+FFFD, so values with them will not match what the logs hold. Save the file as UTF-8.' },
  'empty-file': { severity: 'warning', rooms: ['file'], description: 'A rule file holds no YAML document (empty, or only comments): nothing was loaded from it.' },

  // Document attributes
  'not-a-map': { severity: 'error', rooms: ['document'], description: 'A Sigma document must be a YAML map of attributes.' },
  'flattened-indentation': { severity: 'error', rooms: ['document'], description: "The rule's indentation was lost (pasted from a web page?): 'detection' is empty and 'condition' is a top-level key." },
  'missing-title': { severity: 'error', rooms: ['document'], description: "Every document needs a 'title'." },
  'invalid-type': { severity: 'error', rooms: ['document', 'pipeline'], description: 'An attribute has the wrong kind of value (a list where a string belongs, a map where a list belongs, …).' },
  'too-long': { severity: 'warning', rooms: ['document'], description: 'title is longer than 256 characters, or description longer than 65535.' },
  'expected-list': { severity: 'warning', rooms: ['document'], description: 'references, tags, falsepositives, fields and scope are lists; a single string is read as a list of one.' },
  'missing-logsource': { severity: 'error', rooms: ['document'], description: "A rule or filter needs a 'logsource'." },
  'invalid-logsource': { severity: 'error', rooms: ['document'], description: "'logsource' must be a map of strings (category, product, service, definition)." },
  'empty-logsource': { severity: 'error', rooms: ['document'], description: "'logsource' needs at least one of category, product or service." },
  'missing-detection': { severity: 'error', rooms: ['document'], description: "A rule needs a 'detection' section." },
  'invalid-related': { severity: 'warning', rooms: ['document', 'lint'], description: `related entries need a UUID id and a type among ${RELATED_TYPES.join(', ')}; a 'related' that is not a list of maps is an error.` },

  // Detection
  'invalid-detection': { severity: 'error', rooms: ['detection'], description: "'detection' must be a map of search identifiers and a condition; a search identifier's body is a map, a list of maps or a list of keywords." },
  'missing-condition': { severity: 'error', rooms: ['detection'], description: "A detection (or a filter) needs a 'condition', and a condition list cannot be empty." },
  'invalid-condition': { severity: 'error', rooms: ['detection', 'pipeline'], description: 'A Sigma condition must be a non-empty string; a pipeline condition must be a map with a type.' },
  'deprecated-timeframe': { severity: 'warning', rooms: ['detection'], description: "'timeframe' belongs to the old aggregation syntax; correlation rules carry a timespan instead." },
  'empty-detection': { severity: 'error', rooms: ['detection'], description: 'A search identifier is empty (null, an empty list or an empty map).' },
  'invalid-value': { severity: 'error', rooms: ['detection'], description: 'Field values must be scalars or lists of scalars, not maps or nested lists.' },
  'too-many-values': { severity: 'error', rooms: ['detection'], description: `A field has more than ${thousands(MAX_VALUES_PER_FIELD)} values, as written or once its modifiers (windash, …) expand them; split the list over several rules.` },
  'empty-value-list': { severity: 'error', rooms: ['detection'], description: 'A field has an empty value list, which could never match.' },

  // Condition grammar
  'condition-syntax': { severity: 'error', rooms: ['condition'], description: "The condition does not parse: identifiers joined by and, or, not, parentheses, and '1 of' / 'all of' patterns." },
  'condition-too-deep': { severity: 'error', rooms: ['condition'], description: `Parentheses and 'not' nest more than ${MAX_CONDITION_DEPTH} levels deep in a condition; no rule needs it, and it guards parsing, lowering and evaluation against hostile input.` },
  'aggregation-syntax': { severity: 'error', rooms: ['condition'], description: "The condition uses the pre-v2 aggregation syntax ('| count() …', '| near …'); write a correlation rule instead." },

  // Modifiers
  'unknown-modifier': { severity: 'error', rooms: ['modifier'], description: 'A modifier that the Sigma specification does not define (modifiers are lower case).' },
  'null-in-list': { severity: 'error', rooms: ['modifier'], description: 'null cannot be part of a value list; put `field: null` in its own selection.' },
  'exists-without-field': { severity: 'error', rooms: ['modifier'], description: "'exists' needs a field." },
  'exists-needs-boolean': { severity: 'error', rooms: ['modifier'], description: "'exists' takes true or false." },
  'all-single-value': { severity: 'error', rooms: ['modifier'], description: "'all' needs a list of at least two values." },
  'wildcard-encoding': { severity: 'error', rooms: ['modifier'], description: "'base64' and 'base64offset' cannot encode wildcards." },
  'double-encoding': { severity: 'error', rooms: ['modifier'], description: 'A UTF-16 modifier is applied to a value that is already encoded.' },
  'regex-flag-without-re': { severity: 'error', rooms: ['modifier'], description: "'i', 'm' and 's' are sub-modifiers of 're' and must follow it." },
  'invalid-cidr': { severity: 'error', rooms: ['modifier'], description: "A 'cidr' value is not an IPv4 or IPv6 network." },
  'time-part-twice': { severity: 'error', rooms: ['modifier'], description: 'Only one time-part modifier (minute, hour, day, week, month, year) per field.' },
  'modifier-type': { severity: 'error', rooms: ['modifier'], description: 'A modifier is applied to a value of the wrong type (a string modifier on null, a comparison on a non-number).' },
  'windash-explosion': { severity: 'error', rooms: ['modifier'], description: "'windash' would create more than 3125 variants of a value." },

  // Filters
  'invalid-filter': { severity: 'error', rooms: ['filter'], description: "'filter' must be a map with rules, selections and a condition." },
  'missing-filter-rules': { severity: 'error', rooms: ['filter'], description: "A filter needs 'rules': the ids or names of the rules it applies to, or 'any'." },

  // Correlations
  'invalid-correlation': { severity: 'error', rooms: ['correlation'], description: "'correlation' must be a map." },
  'missing-correlation-type': { severity: 'error', rooms: ['correlation'], description: "A correlation needs a 'type'." },
  'invalid-correlation-type': { severity: 'error', rooms: ['correlation'], description: 'The correlation type is not one of event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile.' },
  'missing-correlation-rules': { severity: 'error', rooms: ['correlation'], description: "A correlation needs 'rules': the ids or names of the rules it correlates." },
  'missing-timespan': { severity: 'error', rooms: ['correlation'], description: "A correlation needs a 'timespan' such as 5m or 1h." },
  'invalid-timespan': { severity: 'error', rooms: ['correlation'], description: 'A timespan is a number followed by s, m, h, d, w, M or y.' },
  'missing-correlation-condition': { severity: 'error', rooms: ['correlation'], description: "Every correlation type but temporal and temporal_ordered needs a 'condition'." },
  'invalid-correlation-condition': { severity: 'error', rooms: ['correlation'], description: 'The correlation condition is a map of gt, gte, lt, lte, eq or neq to numbers (and field).' },
  'missing-correlation-field': { severity: 'error', rooms: ['correlation'], description: "A value_* correlation needs 'field' in its condition." },
  'missing-group-by': { severity: 'warning', rooms: ['correlation'], description: "event_count and value_* correlations usually need 'group-by'." },
  'invalid-aliases': { severity: 'error', rooms: ['correlation'], description: "'aliases' maps alias names to {rule: field}." },

  // Lint checks (sigma/checks.ts)
  'invalid-id': { severity: 'warning', rooms: ['lint'], description: 'The id should be a UUID (version 4 recommended) so that rules can be referenced and tracked.' },
  'invalid-status': { severity: 'error', rooms: ['lint'], description: `status must be one of ${STATUSES.join(', ')}.` },
  'invalid-level': { severity: 'error', rooms: ['lint'], description: `level must be one of ${LEVELS.join(', ')}.` },
  'invalid-date': { severity: 'error', rooms: ['lint'], description: 'date and modified use the ISO 8601 form YYYY-MM-DD.' },
  'legacy-date-format': { severity: 'warning', rooms: ['lint'], description: 'Sigma v1 wrote dates as YYYY/MM/DD; v2 uses YYYY-MM-DD.' },
  'modified-before-date': { severity: 'warning', rooms: ['lint'], description: 'modified cannot be earlier than date.' },
  'invalid-tag': { severity: 'warning', rooms: ['lint'], description: 'Tags are lower-case namespaced identifiers such as attack.t1197 or cve.2021-44228.' },
  'duplicate-tag': { severity: 'warning', rooms: ['lint'], description: 'A tag is listed twice.' },
  'logsource-case': { severity: 'warning', rooms: ['lint'], description: 'logsource values are lower case, with _ for spaces.' },
  'undefined-identifier': { severity: 'error', rooms: ['lint'], description: 'The condition names a search identifier that the detection does not define.' },
  'unused-identifier': { severity: 'warning', rooms: ['lint'], description: 'A search identifier is defined but no condition uses it.' },
  'missing-filter-target': { severity: 'error', rooms: ['lint'], description: "A filter must name at least one rule, or say 'rules: any'." },

  // Across documents
  'duplicate-id': { severity: 'warning', rooms: ['collection'], description: 'Two rules or correlations share an id.' },
  'filter-unknown-rule': { severity: 'warning', rooms: ['collection'], description: 'A filter names a rule that is not loaded.' },
  'correlation-unknown-rule': { severity: 'warning', rooms: ['collection'], description: 'A correlation names a rule that is not loaded.' },

  // Processing pipelines
  'pipeline-multiple-documents': { severity: 'error', rooms: ['pipeline'], description: 'A pipeline file holds one YAML document.' },
  'pipeline-not-a-map': { severity: 'error', rooms: ['pipeline'], description: 'A pipeline must be a YAML map (name, priority, vars, transformations).' },
  'pipeline-is-a-rule': { severity: 'error', rooms: ['pipeline'], description: "A file given as a pipeline is a Sigma rule (it has 'detection' or 'correlation' and no 'transformations'): give it with --rules." },
  'unknown-pipeline-key': { severity: 'warning', rooms: ['pipeline'], description: 'A top-level key that is not a pipeline attribute; it is ignored.' },
  'unsupported-pipeline-key': { severity: 'warning', rooms: ['pipeline'], description: "'postprocessing' and 'finalizers' work on a backend's query text; Quarry's backends render an IR, so they are ignored." },
  'no-transformations': { severity: 'warning', rooms: ['pipeline'], description: 'The pipeline has no transformations.' },
  'duplicate-item-id': { severity: 'warning', rooms: ['pipeline'], description: 'Two processing items share an id.' },
  'invalid-vars': { severity: 'error', rooms: ['pipeline'], description: "Each of 'vars' is a string, a number or a list of them." },
  'invalid-transformation': { severity: 'error', rooms: ['pipeline'], description: 'Each transformation must be a map with a type.' },
  'missing-transformation-type': { severity: 'error', rooms: ['pipeline'], description: "A transformation has no 'type'." },
  'unknown-transformation-type': { severity: 'error', rooms: ['pipeline'], description: 'The transformation type is not one Quarry implements.' },
  'unknown-parameter': { severity: 'error', rooms: ['pipeline'], description: 'A transformation or condition has no parameter of that name.' },
  'missing-parameter': { severity: 'error', rooms: ['pipeline'], description: 'A required parameter of a transformation or condition is missing.' },
  'invalid-parameter': { severity: 'error', rooms: ['pipeline'], description: 'A parameter has the wrong shape or value (including *_cond_op and *_cond_not).' },
  'missing-condition-type': { severity: 'error', rooms: ['pipeline'], description: "A rule, detection-item or field-name condition has no 'type'." },
  'unknown-condition-type': { severity: 'error', rooms: ['pipeline'], description: 'The condition type is not one Quarry implements for that kind of condition.' },
  'invalid-condition-expression': { severity: 'error', rooms: ['pipeline'], description: "A *_cond_expr does not parse, is not a string, or is combined with *_cond_op or a list of conditions." },
  'unknown-condition-id': { severity: 'error', rooms: ['pipeline'], description: 'A *_cond_expr names a condition id that is not defined.' },
  'unreferenced-condition': { severity: 'error', rooms: ['pipeline'], description: 'A condition id is defined but its *_cond_expr does not use it.' },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** The codes of one room, as a type (e.g. the ids a lint check may have). */
export type CodeOfRoom<R extends Room> = { [K in DiagnosticCode]: R extends (typeof DIAGNOSTIC_CODES)[K]['rooms'][number] ? K : never }[DiagnosticCode];
