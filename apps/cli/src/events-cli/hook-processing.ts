// What `events serve` and `hook test` load lazily (commands that run no hook never load the Lua engine).
export { createHookRunner, failureReporter } from '@sloth/events';
