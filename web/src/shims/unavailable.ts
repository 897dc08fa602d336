// What a Node-only function does when browser code reaches it: fail with a clear message.
export function unavailable(name: string): never {
  throw new Error(`${name} is not available in the browser`);
}
