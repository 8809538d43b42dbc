import { SlothError } from '@sloth/core';
import { type LuaEngine, type LuaThread, LuaType, LuaTypeExtension } from 'wasmoon';

/** How deeply nested a table may be to leave Lua (module arguments, task outputs, results). */
export const MAX_TABLE_DEPTH = 200;

/**
 * wasmoon converts a Lua table to JS recursively without asking Lua for stack room, so a table nested a few hundred
 * levels deep overran the thread's stack and aborted the whole engine ("invalid key to 'next'", then "memory access
 * out of bounds"). This wraps its table conversion: each level makes room on the stack first, and past
 * MAX_TABLE_DEPTH the conversion stops with an error the caller sees at its line.
 */
class BoundedTables extends LuaTypeExtension<unknown> {
  private depth = 0;

  constructor(
    thread: LuaEngine['global'],
    private readonly inner: LuaTypeExtension<unknown>,
  ) {
    super(thread, 'sloth_bounded_table');
  }

  override isType(_thread: LuaThread, _index: number, type: LuaType): boolean {
    return type === LuaType.Table;
  }

  override getValue(thread: LuaThread, index: number, userdata?: unknown): unknown {
    if (this.depth >= MAX_TABLE_DEPTH) {
      throw new SlothError('invalid_argument', `a table nested more than ${MAX_TABLE_DEPTH} levels deep cannot leave Lua`, {
        hint: 'flatten it, or pass it as a string (json.encode)',
      });
    }
    // Each level holds a key and a value on the stack while the next one is read.
    if (thread.lua.lua_checkstack(thread.address, 8) === 0) {
      throw new SlothError('invalid_argument', 'a table is nested too deeply to leave Lua (out of Lua stack)');
    }
    this.depth++;
    try {
      return this.inner.getValue(thread, index, userdata);
    } finally {
      this.depth--;
    }
  }

  override pushValue(): boolean {
    return false;
  }

  override close(): void {}
}

/** Puts the depth bound in front of wasmoon's own table conversion for every thread of `engine`. */
export function boundTableConversion(engine: LuaEngine): void {
  const g = engine.global as unknown as {
    typeExtensions: { extension: LuaTypeExtension<unknown> & { name: string } }[];
  };
  const tables = g.typeExtensions.find((w) => w.extension.name === 'js_table')?.extension;
  if (tables === undefined) throw new Error("wasmoon's table conversion was not found: check the wasmoon version");
  // Above the table conversion (priority 0), below every other extension of wasmoon's.
  engine.global.registerTypeExtension(0.5, new BoundedTables(engine.global, tables));
}
