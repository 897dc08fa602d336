// `quarry generate`: writes synthetic proxy logs (and their ground truth) for tests, benchmarks and
// demos. Streams, so a million lines cost no more memory than ten.

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { GENERATE_FORMATS, generateProxyLogChunks, COMMON_SUFFIXES, type GenerateFormat, type GroundTruth } from '../generate/index.js';
import { writeFile } from 'node:fs/promises';

export const GENERATE_USAGE = `Usage: quarry generate --format FORMAT [--lines N] [--seed S] [--out FILE] [--truth FILE]

  --format   ${GENERATE_FORMATS.join(' | ')}
             w3c is Blue Coat ELFF (a proxy); w3c-iis is IIS (spaces as '+', #Fields: changing halfway);
             squid is Squid's combined logformat (with user agents); squid-native is its default format;
             bits-json is BITS-Client 16403 events as evtx_dump JSON
  --lines    records to write (default 1000)
  --seed     any text or number (default 1): the same seed writes the same bytes
  --out      output file (default: standard output)
  --truth    write the ground truth as JSON: every BITS download with its host and suffix, and the
             lines whose host's registrable suffix is not one of ${COMMON_SUFFIXES.join(', ')}
`;

export async function generateCommand(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        format: { type: 'string' },
        lines: { type: 'string', default: '1000' },
        seed: { type: 'string', default: '1' },
        out: { type: 'string' },
        truth: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    err.write(`quarry generate: ${(e as Error).message}\n${GENERATE_USAGE}`);
    return 2;
  }
  if (values.help) {
    out.write(GENERATE_USAGE);
    return 0;
  }
  const format = values.format as GenerateFormat | undefined;
  if (!format || !GENERATE_FORMATS.includes(format)) {
    err.write(`quarry generate: --format must be one of ${GENERATE_FORMATS.join(', ')}\n`);
    return 2;
  }
  const lines = Number(values.lines);
  if (!Number.isInteger(lines) || lines < 0) {
    err.write(`quarry generate: --lines must be a whole number\n`);
    return 2;
  }
  const seed = /^\d+$/.test(values.seed!) ? Number(values.seed) : values.seed!;
  const truth: GroundTruth = { format, seed, records: 0, commonSuffixes: COMMON_SUFFIXES, bits: [], uncommonBitsLines: [] };
  const toFile = values.out !== undefined && values.out !== '-';
  const dest = toFile ? createWriteStream(values.out!) : out;
  try {
    for (const chunk of generateProxyLogChunks({ seed, lines, format }, truth)) {
      if (!dest.write(chunk)) await once(dest, 'drain');
    }
    if (toFile) {
      (dest as ReturnType<typeof createWriteStream>).end();
      await once(dest, 'finish');
    }
    if (values.truth) await writeFile(values.truth, JSON.stringify(truth, null, 1) + '\n');
  } catch (e) {
    err.write(`quarry generate: ${(e as Error).message}\n`);
    return 1;
  }
  if (toFile) err.write(`wrote ${lines} ${format} records to ${values.out}${values.truth ? `; ground truth (${truth.bits.length} BITS downloads, ${truth.uncommonBitsLines.length} from uncommon suffixes) to ${values.truth}` : ''}\n`);
  return 0;
}
