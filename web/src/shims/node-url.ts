// node:url in the browser: the WHATWG URL parser converts an internationalised host name to its
// ASCII (punycode) form the way Node's domainToASCII does; an invalid one gives ''.
export function domainToASCII(domain: string): string {
  try {
    return new URL(`http://${domain}/`).hostname;
  } catch {
    return '';
  }
}
export const fileURLToPath = (u: string | URL): string => new URL(u).pathname;
