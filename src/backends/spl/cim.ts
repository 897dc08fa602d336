// The Splunk Common Information Model data sets the `splunk-cim` pipeline targets, with the
// fields each defines (CIM 5.x "Web" data model: the root dataset `Web` and its child `Proxy`
// share these fields). A field a pipeline maps outside this list is reported, never guessed.

export interface DataModel {
  /** Prefix of every field in tstats (`Web.url`): the root dataset's name. */
  root: string;
  fields: ReadonlySet<string>;
}

const WEB_FIELDS = [
  'action', 'app', 'bytes', 'bytes_in', 'bytes_out', 'cached', 'category', 'cookie', 'dest', 'dest_bunit',
  'dest_category', 'dest_port', 'dest_priority', 'duration', 'error_code', 'http_content_type', 'http_method',
  'http_referrer', 'http_referrer_domain', 'http_user_agent', 'http_user_agent_length', 'operation', 'response_time',
  'site', 'src', 'src_bunit', 'src_category', 'src_priority', 'status', 'storage_name', 'tag', 'uri_path', 'uri_query',
  'url', 'url_domain', 'url_length', 'user', 'user_bunit', 'user_category', 'user_priority', 'vendor_product',
];

export const DATA_MODELS: Readonly<Record<string, DataModel>> = {
  Web: { root: 'Web', fields: new Set(WEB_FIELDS.map((f) => `Web.${f}`)) },
};

/** The data model of a `datamodel=` target: `Web.Proxy` and `Web` are both the Web model. */
export function dataModelOf(target: string): DataModel | null {
  const root = target.split('.')[0]!;
  return Object.hasOwn(DATA_MODELS, root) ? DATA_MODELS[root]! : null;
}
