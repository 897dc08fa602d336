// Derived host fields (`cs-host@tld`, `RemoteName@domain`, …) added to events as they are read,
// only for the names the loaded rules use, so that hunting pays for exactly what it needs.
export { planEnrichment, enrichEvent, type EnrichmentPlan } from '../enrich/enrich-event.js';
export { deriveHostFields, parseDerivedName, DERIVED_PROPERTIES } from '../enrich/derive.js';
