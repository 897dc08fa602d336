// An event in its ECS shape must be one Elasticsearch can index: a field ECS types as `long`
// (destination.port) holds a number and one typed `ip` (destination.ip) an address. A generated
// value that is neither (a neutral string standing for "anything but these ports") has no ECS
// form, so the event is not compared on the Elastic targets (counted with this reason).
import { esType, NUMBER_TEXT } from '../../src/backends/elastic/ecs-types.js';
import { textOf, type EventObject } from '../../src/engine/event-access.js';
import { parseIp } from '../../src/sigma/cidr.js';

/** Why the event cannot be indexed with the ECS field types, or null when it can. */
export function ecsTypeProblem(ev: EventObject): string | null {
  for (const [k, v] of Object.entries(ev)) {
    const type = esType(k);
    const text = textOf(v) ?? '';
    if (type === 'long' && !NUMBER_TEXT.test(text)) return `a value of ${k} that is not a number (ECS long)`;
    if (type === 'ip' && parseIp(text) === null) return `a value of ${k} that is not an address (ECS ip)`;
  }
  return null;
}
