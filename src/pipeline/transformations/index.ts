// The transformation types Quarry knows, by their pySigma names. pySigma's others (hashes_fields,
// regex, case, nest, the query-expression and external placeholders, …) are reported as unknown.
import { addCondition } from './add-condition.js';
import { addField, fieldNameMapping, fieldNamePrefix, fieldNamePrefixMapping, fieldNameSuffix, removeField, setField } from './fields.js';
import { valuePlaceholders, wildcardPlaceholders } from './placeholders.js';
import { changeLogsource, ruleFailure, setCustomAttribute, setState } from './rule.js';
import { detectionItemFailure, dropDetectionItem, mapString, replaceString } from './values.js';
import type { TransformationSpec } from './spec.js';

export const TRANSFORMATIONS: Record<string, TransformationSpec> = {
  field_name_mapping: fieldNameMapping,
  field_name_prefix_mapping: fieldNamePrefixMapping,
  field_name_prefix: fieldNamePrefix,
  field_name_suffix: fieldNameSuffix,
  add_field: addField,
  remove_field: removeField,
  set_field: setField,
  add_condition: addCondition,
  change_logsource: changeLogsource,
  drop_detection_item: dropDetectionItem,
  replace_string: replaceString,
  map_string: mapString,
  value_placeholders: valuePlaceholders,
  wildcard_placeholders: wildcardPlaceholders,
  rule_failure: ruleFailure,
  detection_item_failure: detectionItemFailure,
  set_state: setState,
  set_custom_attribute: setCustomAttribute,
};

export type { TransformationSpec } from './spec.js';
