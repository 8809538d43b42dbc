/** `https://user:token@host/x` -> `https://***@host/x`: a URL's credentials never reach a log, an error or a result. */
export function maskCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}
