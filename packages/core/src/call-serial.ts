// One counter per JS thread: calls on one thread never overlap in their numbering, and nothing another thread does
// could be ordered against them anyway.
let last = 0;

/** The next module call's serial number in this thread (the Lua binder numbers every call it makes). */
export function nextCallSerial(): number {
  last += 1;
  return last;
}
