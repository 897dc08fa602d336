// What the playground starts with: the proxy seed rule's shape (BITS to an uncommon TLD) and a few
// proxy events, one of which it should flag.
export const SAMPLE_RULE = `title: BITS download from an uncommon top-level domain
id: 0c5b7f7e-3f43-4d6e-9a55-1f0c1a3b2d41
status: test
description: BITS user agent fetching from a domain outside the common top-level domains.
logsource:
    category: proxy
detection:
    selection:
        c-useragent|startswith: 'Microsoft BITS/'
    filter_common:
        cs-host|endswith:
            - '.com'
            - '.net'
            - '.org'
    condition: selection and not filter_common
falsepositives:
    - Software updates from regional domains such as .uk or .ca
level: high
tags:
    - attack.command-and-control
    - attack.t1071.001
    - attack.t1197
`;

export const SAMPLE_EVENTS = [
  { 'c-useragent': 'Microsoft BITS/7.8', 'cs-host': 'updates.example.xyz', 'c-uri': 'http://updates.example.xyz/a.exe' },
  { 'c-useragent': 'Microsoft BITS/7.8', 'cs-host': 'download.windowsupdate.com', 'c-uri': 'http://download.windowsupdate.com/x.cab' },
  { 'c-useragent': 'Mozilla/5.0', 'cs-host': 'news.example.top', 'c-uri': 'http://news.example.top/' },
]
  .map((e) => JSON.stringify(e))
  .join('\n');
