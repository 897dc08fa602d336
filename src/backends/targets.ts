// The conversion targets Quarry knows, each a backend with its own named pipelines. This registry
// runs in the browser too (the explorer's playground); the validators live in validators.ts.
import type { ProcessingPipeline } from '../pipeline/types.js';
import { builtinPipeline } from '../pipeline/builtin.js';
import type { Backend } from './common/types.js';
import { kqlBackend, kqlPipeline, KQL_PIPELINE_BASES, listKqlPipelines } from './kql/index.js';
import { clickhouseBackend, listSqlPipelines, postgresBackend, sqlBackend, sqlPipeline } from './sql/index.js';
import { ELASTIC_PIPELINE_BASES, elasticPipeline, eqlBackend, esqlBackend, listElasticPipelines, luceneBackend } from './elastic/index.js';
import { listSplPipelines, splBackend, splPipeline, SPL_PIPELINE_BASES } from './spl/index.js';

export interface Target {
  backend: Backend;
  /** The target's name as people write it (the explorer's tabs and lists): one style for all. */
  label: string;
  description: string;
  /** The target's own pipelines by name. */
  listPipelines(): string[];
  pipeline(name: string): ProcessingPipeline | null;
  /** Built-in (src/pipeline) pipelines that a target pipeline needs before it. */
  bases(name: string): readonly string[];
}

export const TARGETS: Readonly<Record<string, Target>> = {
  kql: {
    label: 'KQL',
    backend: kqlBackend,
    description: 'Kusto Query Language: Microsoft Sentinel (ASIM, Event, WindowsEvent, SecurityEvent) and Defender XDR',
    listPipelines: listKqlPipelines,
    pipeline: kqlPipeline,
    bases: (name) => KQL_PIPELINE_BASES[name] ?? [],
  },
  sql: {
    label: 'DuckDB SQL',
    backend: sqlBackend,
    description: 'SQL for DuckDB over a flat event table `events` (one VARCHAR column per field; src/backends/sql/README.md)',
    listPipelines: listSqlPipelines,
    pipeline: sqlPipeline,
    bases: () => [],
  },
  postgres: {
    label: 'PostgreSQL',
    backend: postgresBackend,
    description: 'SQL for PostgreSQL (15+) over the same flat table `events` (one text column per field; src/backends/sql/README.md)',
    listPipelines: listSqlPipelines,
    pipeline: sqlPipeline,
    bases: () => [],
  },
  clickhouse: {
    label: 'ClickHouse',
    backend: clickhouseBackend,
    description: 'SQL for ClickHouse over the same flat table `events` (one Nullable(String) column per field; src/backends/sql/README.md)',
    listPipelines: listSqlPipelines,
    pipeline: sqlPipeline,
    bases: () => [],
  },
  spl: {
    label: 'Splunk SPL',
    backend: splBackend,
    description: 'Splunk SPL: search terms with `| where` where needed (splunk, splunk-windows) or `| tstats` over the CIM Web data model (splunk-cim)',
    listPipelines: listSplPipelines,
    pipeline: splPipeline,
    bases: (name) => SPL_PIPELINE_BASES[name] ?? [],
  },
  lucene: {
    label: 'Lucene',
    backend: luceneBackend,
    description: 'Lucene query_string over ECS fields (Kibana, Elastic detection rules with language lucene; src/backends/elastic/README.md)',
    listPipelines: listElasticPipelines,
    pipeline: elasticPipeline,
    bases: (name) => ELASTIC_PIPELINE_BASES[name] ?? [],
  },
  esql: {
    label: 'ES|QL',
    backend: esqlBackend,
    description: 'Elasticsearch ES|QL (FROM … | WHERE …) over ECS fields',
    listPipelines: listElasticPipelines,
    pipeline: elasticPipeline,
    bases: (name) => ELASTIC_PIPELINE_BASES[name] ?? [],
  },
  eql: {
    label: 'EQL',
    backend: eqlBackend,
    description: 'Elasticsearch EQL (<category> where …) over ECS fields',
    listPipelines: listElasticPipelines,
    pipeline: elasticPipeline,
    bases: (name) => ELASTIC_PIPELINE_BASES[name] ?? [],
  },
};

/** "KQL · sentinel-asim", or the target's name alone when its only pipeline is `none`. */
export function targetLabel(targetName: string, pipelineName: string): string {
  const name = TARGETS[targetName]?.label ?? targetName;
  return pipelineName === 'none' ? name : `${name} · ${pipelineName}`;
}

/** A target's own pipeline preceded by the built-in pipelines it builds on (e.g. `windows`). */
export function targetPipelineChain(targetName: string, pipelineName: string): ProcessingPipeline[] {
  const target = TARGETS[targetName];
  const own = target?.pipeline(pipelineName);
  if (!target || !own) throw new Error(`no pipeline '${pipelineName}' for target '${targetName}'`);
  return [...target.bases(pipelineName).map((b) => builtinPipeline(b)!), own];
}
