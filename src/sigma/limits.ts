// The limits that keep one hostile or broken rule file from taking down a whole rule set. Each is far
// above what real rules need (the figures for SigmaHQ are given beside each) and each, when
// exceeded, is a located error for that file alone, with its own diagnostic code. README.md
// ("Limits") states them for users; keep the two in step.

/** Bytes in one rule file (`file-too-large`). SigmaHQ's largest file is 295 KB (a hash list). */
export const MAX_RULE_FILE_BYTES = 4 * 1024 * 1024;

/** Levels of YAML nesting (`yaml-too-deep`). A Sigma rule needs about 5. */
export const MAX_YAML_DEPTH = 64;

/**
 * Levels of parentheses and `not` in a condition (`condition-too-deep`). Parsing, lowering and
 * evaluation all recurse over the condition's tree; this bound keeps every one of them within the
 * stack. SigmaHQ's deepest condition nests 4 levels.
 */
export const MAX_CONDITION_DEPTH = 64;

/**
 * Values of one field, as written and after modifiers such as `windash` expand them
 * (`too-many-values`). SigmaHQ's longest list has 4,432 (vulnerable driver hashes).
 */
export const MAX_VALUES_PER_FIELD = 20_000;
