/**
 * Whether an installed version satisfies a pinned one as rpm, apk and zypper read pins: the same version, or the pin
 * without the release ("1.20.1" is met by "1.20.1-14.el9", "1.24.0" by "1.24.0-r7"); an epoch counts only when the
 * pin has one ("0:" is no epoch).
 */
export function versionMatches(installed: string, pin: string): boolean {
  const bare = (v: string) => v.replace(/^0:/, '');
  const have = pin.includes(':') ? bare(installed) : installed.replace(/^\d+:/, '');
  const want = bare(pin);
  return have === want || have.startsWith(`${want}-`);
}
