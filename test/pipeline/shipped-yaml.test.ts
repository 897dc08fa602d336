// Every pipeline Quarry ships is parsed at the start of each command that uses it, so each is kept to
// the plain block YAML the fast reader takes: the `yaml` package, run cold once per process for one
// flow list or escaped string, cost a whole `convert` about 40 ms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_PIPELINE_YAML } from '../../src/pipeline/builtin/builtin-data.js';
import { KQL_PIPELINE_YAML } from '../../src/backends/kql/pipelines-data.js';
import { SPL_PIPELINE_YAML } from '../../src/backends/spl/pipelines-data.js';
import { ELASTIC_PIPELINE_YAML } from '../../src/backends/elastic/pipelines-data.js';
import { fastYamlDocument } from '../../src/sigma/yaml-fast.js';
import { loadYamlDocumentsFully } from '../../src/sigma/yaml-tree.js';

const SHIPPED: Record<string, Readonly<Record<string, string>>> = {
  'src/pipeline/builtin': BUILTIN_PIPELINE_YAML,
  'src/backends/kql/pipelines': KQL_PIPELINE_YAML,
  'src/backends/spl/pipelines': SPL_PIPELINE_YAML,
  'src/backends/elastic/pipelines': ELASTIC_PIPELINE_YAML,
};

test('every shipped pipeline with transformations is read by the fast YAML reader, into the tree the full parser gives', () => {
  let checked = 0;
  for (const [dir, texts] of Object.entries(SHIPPED)) {
    for (const [name, text] of Object.entries(texts)) {
      // `transformations: []` (a pipeline that only names its target) is a flow list: one tiny cold parse.
      if (/^transformations:\s*\[\]/m.test(text)) continue;
      const fast = fastYamlDocument(text);
      assert.ok(fast, `${dir}/${name}.yml leaves the fast reader's subset (a flow list or map, an escaped "string", …): write it as block YAML`);
      assert.deepEqual([fast], loadYamlDocumentsFully(text), `${dir}/${name}.yml`);
      checked++;
    }
  }
  assert.ok(checked >= 13, `only ${checked} pipelines checked`);
});
