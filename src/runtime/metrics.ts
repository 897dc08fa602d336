// The service's counters and gauges, written in the Prometheus text exposition format for `/metrics`.

export interface ServeMetrics {
  eventsIn: number;
  detectionsOut: { rule: number; correlation: number };
  /** Seconds between now and the event time of the last event handled (event-time lag), if it had one. */
  lastEventTimeMs: number | null;
  /** Events accepted and not yet handled. */
  queued: () => number;
  state: () => { groups: number; buffered: number };
  drops: () => Record<string, number>;
  reloads: { ok: number; failed: number };
  startedMs: number;
}

interface Family {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  samples: Array<[labels: Record<string, string>, value: number]>;
}

export function renderMetrics(m: ServeMetrics, nowMs = Date.now()): string {
  const state = m.state();
  const families: Family[] = [
    { name: 'quarry_serve_events_in_total', type: 'counter', help: 'Events read and handed to the detector.', samples: [[{}, m.eventsIn]] },
    {
      name: 'quarry_serve_detections_out_total',
      type: 'counter',
      help: 'Detections written to the output, by kind.',
      samples: [
        [{ kind: 'rule' }, m.detectionsOut.rule],
        [{ kind: 'correlation' }, m.detectionsOut.correlation],
      ],
    },
    { name: 'quarry_serve_lag_seconds', type: 'gauge', help: 'Wall-clock time minus the event time of the last event handled (NaN before the first timed event).', samples: [[{}, m.lastEventTimeMs === null ? NaN : (nowMs - m.lastEventTimeMs) / 1000]] },
    { name: 'quarry_serve_queue_events', type: 'gauge', help: 'Events accepted over HTTP and not yet handled.', samples: [[{}, m.queued()]] },
    { name: 'quarry_serve_state_groups', type: 'gauge', help: 'Correlation groups held.', samples: [[{}, state.groups]] },
    { name: 'quarry_serve_state_buffered_matches', type: 'gauge', help: 'Base matches held for event-time ordering (within the lateness).', samples: [[{}, state.buffered]] },
    { name: 'quarry_serve_dropped_total', type: 'counter', help: 'What was not used, by reason.', samples: Object.entries(m.drops()).map(([reason, n]) => [{ reason }, n]) },
    {
      name: 'quarry_serve_reloads_total',
      type: 'counter',
      help: 'Rule reloads (SIGHUP), by result.',
      samples: [
        [{ result: 'ok' }, m.reloads.ok],
        [{ result: 'failed' }, m.reloads.failed],
      ],
    },
    { name: 'quarry_serve_uptime_seconds', type: 'gauge', help: 'Seconds since the service started.', samples: [[{}, (nowMs - m.startedMs) / 1000]] },
  ];
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`);
    for (const [labels, v] of f.samples) lines.push(`${f.name}${labelText(labels)} ${numberText(v)}`);
  }
  return lines.join('\n') + '\n';
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function numberText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
