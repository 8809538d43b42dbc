import { arg, defineModule, type FunctionSpec, fn, type LogLevel, luaTable, z } from '@sloth/core';
import { renderFields, renderMessage } from './render.js';

const fieldsSchema = luaTable(z.record(z.string(), z.unknown()), 'expected a table of name = value pairs, got a list').optional();

function levelFunction(level: LogLevel, purpose: string, example: string): FunctionSpec {
  return fn({
    doc: `Writes ${level === 'info' || level === 'error' ? 'an' : 'a'} ${level} line to the task log (${purpose}); non-string values are shown like tostring, tables as JSON.`,
    args: [
      arg('message', z.unknown(), 'any value: strings as they are, tables as compact JSON'),
      arg('fields', fieldsSchema, 'structured fields attached to the line, e.g. { host = "web-01" }'),
    ],
    returns: 'nothing',
    examples: [example],
    run: ([message, fields], ctx) => {
      ctx.log.log(level, renderMessage(message), fields === undefined ? undefined : renderFields(fields));
    },
  });
}

/** The `log` module: leveled, structured lines in the task's log. */
export const logModule = defineModule({
  name: 'log',
  importFrom: import.meta.url,
  doc: 'Write lines to the task log at debug, info, warn or error level, with optional structured fields.',
  functions: {
    debug: levelFunction('debug', 'detail for troubleshooting', 'log.debug("resolved config", { path = config_path })'),
    info: levelFunction('info', 'progress users should see', 'log.info("deploying version " .. version)'),
    warn: levelFunction('warn', 'something looks wrong but the task goes on', 'log.warn("disk almost full", { free_mb = 512 })'),
    error: levelFunction('error', 'a failure worth reporting', 'log.error({ step = "migrate", code = 3 })'),
  },
});
