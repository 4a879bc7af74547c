// A Node resolve hook (module.register) adding the "source" export condition, as `--conditions=source`
// would from the command line: bin/rostergate.js cannot pass that flag to the process it already is.
export function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, 'source'] });
}
