// What the explorer's browser tests open: the SigmaHQ rule folders and the two seed rules.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DATA } from '../helpers.js';

export const SIGMA = join(DATA, 'sigmahq');
/** Every rules* folder of the corpus, as `quarry explore --rules` would be given them. */
export const CORPUS = readdirSync(SIGMA)
  .filter((f) => f.startsWith('rules'))
  .map((f) => join(SIGMA, f));
export const SEED_WINDOWS = 'rules/windows/builtin/bits_client/win_bits_client_new_transfer_via_uncommon_tld.yml';
export const SEED_PROXY = 'rules/web/proxy_generic/proxy_ua_bitsadmin_susp_tld.yml';
export const SEED_WINDOWS_ID = '6d44fb93-e7d2-475c-9d3d-54c9c1e33427';
export const SEED_PROXY_ID = '9eb68894-7476-4cd6-8752-23b51f5883a7';

/** The explorer's origin without the trailing slash of its URL. */
export const base = (explorer: { url: string }): string => explorer.url.replace(/\/$/, '');
