// Detections in a DuckDB database file (`quarry hunt --format duckdb --output FILE`): one row per
// detection in a table `detections`, events and explanations as JSON, so that they can be queried
// with SQL afterwards and read back by the explorer (`quarry explore --hunt FILE`).
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { HuntDetection, StoredDetection } from '../hunt/detection.js';
import { stringifyExact } from '../json/stringify-exact.js';
import { parseJsonExact } from '../json/parse-exact.js';
import { asHuntInfo, type HuntInfo } from './hunt-info.js';

export const DETECTIONS_TABLE_SQL = `CREATE OR REPLACE TABLE detections (
  n BIGINT NOT NULL,        -- 1-based order of the detection in the hunt (input order, then rule order)
  rule_id VARCHAR,
  rule_title VARCHAR NOT NULL,
  rule_level VARCHAR,
  rule_path VARCHAR NOT NULL,
  timestamp VARCHAR,        -- ISO 8601 event time, when it could be read
  source JSON NOT NULL,     -- {file, line?, record?, offset?}
  event JSON NOT NULL,      -- the whole event, derived fields included
  matched JSON NOT NULL,    -- the tests that matched, as in the JSONL output
  correlation JSON          -- for a correlation: type, group, window, value, condition, events
)`;

export const HUNT_INFO_TABLE_SQL = `CREATE OR REPLACE TABLE hunt_info (
  completed BOOLEAN NOT NULL, -- false: the hunt was interrupted, the detections are partial
  reason VARCHAR,             -- why it did not complete
  started VARCHAR NOT NULL,   -- ISO 8601
  finished VARCHAR NOT NULL,
  events BIGINT NOT NULL,
  detections BIGINT NOT NULL,
  problems BIGINT NOT NULL
)`;

export interface DuckDbDetectionWriter {
  write(d: HuntDetection): void;
  /** Flushes and closes the database file; with `info`, records it in the table `hunt_info`. */
  close(info?: HuntInfo): Promise<void>;
}

export async function createDuckDbDetectionWriter(file: string): Promise<DuckDbDetectionWriter> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  let appender: DuckDBAppender;
  try {
    await connection.run(DETECTIONS_TABLE_SQL);
    appender = await connection.createAppender('detections');
  } catch (e) {
    connection.closeSync();
    instance.closeSync();
    throw e;
  }
  let n = 0;
  const text = (v: string | undefined) => (v === undefined ? appender.appendNull() : appender.appendVarchar(v));
  return {
    write(d) {
      appender.appendBigInt(BigInt(++n));
      text(d.rule.id);
      appender.appendVarchar(d.rule.title);
      text(d.rule.level);
      appender.appendVarchar(d.rule.path);
      text(d.timestamp);
      appender.appendVarchar(stringifyExact(d.source));
      appender.appendVarchar(stringifyExact(d.event));
      appender.appendVarchar(stringifyExact(d.matched));
      text(d.correlation ? stringifyExact(d.correlation) : undefined);
      appender.endRow();
    },
    async close(info) {
      try {
        appender.closeSync();
        if (info) {
          await connection.run(HUNT_INFO_TABLE_SQL);
          await connection.run('INSERT INTO hunt_info VALUES ($1, $2, $3, $4, $5, $6, $7)', [
            info.completed, info.reason ?? null, info.started, info.finished, info.events, info.detections, info.problems,
          ]);
        }
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    },
  };
}

/** Reads every detection of a file written by createDuckDbDetectionWriter, in hunt order, and its hunt_info (null in files written before it). */
export async function readDuckDbDetections(file: string): Promise<{ detections: StoredDetection[]; info: HuntInfo | null }> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    const tables = await connection.runAndReadAll("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'detections'");
    if (Number(tables.getRowObjects()[0]!.n) === 0) throw new Error("this DuckDB database has no table 'detections'");
    // Files written before correlations have no `correlation` column.
    const columns = await connection.runAndReadAll("SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'detections' AND column_name = 'correlation'");
    const correlationColumn = Number(columns.getRowObjects()[0]!.n) > 0 ? 'CAST(correlation AS VARCHAR)' : 'NULL';
    const reader = await connection.runAndReadAll(
      `SELECT rule_id, rule_title, rule_level, rule_path, timestamp, CAST(source AS VARCHAR) AS source, CAST(event AS VARCHAR) AS event, CAST(matched AS VARCHAR) AS matched, ${correlationColumn} AS correlation FROM detections ORDER BY n`,
    );
    const infoTable = await connection.runAndReadAll("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'hunt_info'");
    let info: HuntInfo | null = null;
    if (Number(infoTable.getRowObjects()[0]!.n) > 0) {
      const row = (await connection.runAndReadAll('SELECT * FROM hunt_info LIMIT 1')).getRowObjects()[0];
      info = row ? asHuntInfo({ ...row, events: Number(row.events), detections: Number(row.detections), problems: Number(row.problems) }) : null;
    }
    const detections = reader.getRowObjects().map((r) => {
      const correlation = r.correlation === null ? undefined : (JSON.parse(String(r.correlation)) as NonNullable<StoredDetection['correlation']>);
      return {
        rule: {
          ...(r.rule_id !== null ? { id: String(r.rule_id) } : {}),
          title: String(r.rule_title),
          ...(r.rule_level !== null ? { level: String(r.rule_level) } : {}),
          path: String(r.rule_path),
          ...(correlation ? { type: 'correlation' as const, correlation: correlation.type } : {}),
        },
        source: JSON.parse(String(r.source)),
        ...(r.timestamp !== null ? { timestamp: String(r.timestamp) } : {}),
        event: parseJsonExact(String(r.event)) as StoredDetection['event'],
        matched: JSON.parse(String(r.matched)),
        ...(correlation ? { correlation } : {}),
      };
    });
    return { detections, info };
  } finally {
    connection?.closeSync();
    instance.closeSync();
  }
}
