// SigmaHQ names a rule file after its log source first (`proc_creation_win_…`), so that a folder
// listing groups rules by what they read. The prefixes below are the ones SigmaHQ's rule tree uses,
// measured over its rules (for each log source, the prefix all its files share).
import { basename } from 'node:path';
import type { LogSource } from '../../sigma/model.js';
import type { DocumentCheck } from '../types.js';
import { documentStart } from '../spans.js';

/** product/category → prefix; a `*` product means any. */
const BY_CATEGORY: Record<string, string> = {
  'windows/process_creation': 'proc_creation_win_',
  'linux/process_creation': 'proc_creation_lnx_',
  'macos/process_creation': 'proc_creation_macos_',
  'windows/registry_set': 'registry_set_',
  'windows/registry_event': 'registry_event_',
  'windows/registry_add': 'registry_add_',
  'windows/registry_delete': 'registry_delete_',
  'windows/file_event': 'file_event_win_',
  'linux/file_event': 'file_event_lnx_',
  'macos/file_event': 'file_event_macos_',
  'windows/file_delete': 'file_delete_win_',
  'windows/file_access': 'file_access_win_',
  'windows/file_rename': 'file_rename_win_',
  'windows/file_change': 'file_change_win_',
  'windows/ps_script': 'posh_ps_',
  'windows/ps_module': 'posh_pm_',
  'windows/ps_classic_start': 'posh_pc_',
  'windows/ps_classic_provider_start': 'posh_pc_',
  'windows/image_load': 'image_load_',
  'windows/network_connection': 'net_connection_win_',
  'linux/network_connection': 'net_connection_lnx_',
  'windows/dns_query': 'dns_query_win_',
  'windows/process_access': 'proc_access_win_',
  'windows/pipe_created': 'pipe_created_',
  'windows/create_remote_thread': 'create_remote_thread_win_',
  'windows/driver_load': 'driver_load_win_',
  'windows/create_stream_hash': 'create_stream_hash_',
  'windows/wmi_event': 'sysmon_wmi_',
  'windows/process_tampering': 'proc_tampering_',
  'windows/raw_access_thread': 'raw_access_thread_',
  '*/webserver': 'web_',
  '*/proxy': 'proxy_',
  '*/antivirus': 'av_',
  '*/dns': 'net_dns_',
  '*/firewall': 'net_firewall_',
};

/** product/service → prefix, for log sources named by service. */
const BY_SERVICE: Record<string, string> = {
  'windows/security': 'win_security_',
  'windows/system': 'win_system_',
  'windows/windefend': 'win_defender_',
  'windows/codeintegrity-operational': 'win_codeintegrity_',
  'windows/taskscheduler': 'win_taskscheduler_',
  'windows/bits-client': 'win_bits_client_',
  'windows/dns-client': 'win_dns_client_',
  'linux/auditd': 'lnx_auditd_',
  'aws/cloudtrail': 'aws_',
  'azure/*': 'azure_',
  'gcp/*': 'gcp_',
  'okta/okta': 'okta_',
  'github/audit': 'github_',
  'm365/*': 'microsoft365_',
  'kubernetes/audit': 'kubernetes_audit_',
  'zeek/*': 'zeek_',
};

export function expectedPrefix(ls: LogSource): string | undefined {
  const product = ls.product ?? '';
  if (ls.category) return BY_CATEGORY[`${product}/${ls.category}`] ?? BY_CATEGORY[`*/${ls.category}`];
  if (ls.service) return BY_SERVICE[`${product}/${ls.service}`] ?? BY_SERVICE[`${product}/*`];
  return undefined;
}

export const sigmahqFilenamePrefix: DocumentCheck = {
  id: 'sigmahq-filename-prefix',
  group: 'sigmahq',
  scope: 'document',
  severity: 'info',
  message: 'The file name does not start with the prefix SigmaHQ uses for its log source.',
  docs: "SigmaHQ starts a rule's file name with its log source (proc_creation_win_, registry_set_, win_security_, …) so that rules sort by what they read. Log sources without a settled prefix are not judged.",
  run(ctx) {
    if (ctx.doc.kind !== 'rule' || ctx.doc.docIndex !== 0) return;
    const prefix = expectedPrefix(ctx.doc.logsource);
    const name = basename(ctx.file);
    if (prefix && !name.startsWith(prefix)) ctx.report(`file name '${name}' should start with '${prefix}' for its log source`, documentStart(ctx.root));
  },
};
